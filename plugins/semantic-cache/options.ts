/**
 * The semantic cache's options and the numbers `kobza cache stats` prints, apart from the
 * façade (semantic-cache.ts) that takes and gives them.
 */
import type { Logger } from 'pino';
import type { CacheStore, Embedder } from '../../core/index.js';
import type { TextOptions } from '../../core/text/index.js';
import type { NamespaceIndex } from './namespace-index.js';
import type { EntryRecords } from './records.js';
import type { VectorIndexOptions } from './vector-index.js';
import type { WordVectors } from './word-vectors.js';

export interface CacheStats {
  entries: number;
  namespaces: { namespace: string; model?: string; entries: number; index: 'exact' | 'ann' | 'empty' }[];
  embedder: string;
  threshold: number;
  blockedQuestions: number;
  /** Question pairs an operator declared the same. */
  aliases: number;
  /** Processes that wrote to this store in the last 24 h. */
  writers: number;
  hits: number;
  misses: number;
  indexFile?: string;
}

export interface SemanticCacheOptions {
  store: CacheStore;
  embedder: Embedder;
  /** Cosine similarity a candidate needs before it is verified (a prefilter, not the verdict). */
  threshold: number;
  /** Candidates taken from the index per lookup. */
  topK: number;
  /** Only candidates within this much of the best similarity are verified (2 = all). */
  candidateMargin?: number;
  /** Entry lifetime; 0 = no expiry. Never refreshed by a hit. */
  ttlMs: number;
  /** 0 = unlimited; above it the least recently used entries are evicted. */
  maxEntries: number;
  /** Synonyms and entities for the verifier (and the built-in embedder). Pass one object and keep it. */
  text: TextOptions;
  /** Strong-embedder mode: word vectors behind `text.wordSimilarity`, prepared before each verification. */
  words?: WordVectors;
  index: Omit<VectorIndexOptions, 'dimensions'>;
  /**
   * How many recently hit answers are kept in memory beside the index (default 1000; 0 =
   * read the store on every hit). With a store shared by several processes, a change made
   * elsewhere reaches them within one sync interval, as it reaches the index.
   */
  heldAnswers?: number;
  /** Base path of the persisted index (`<path>.json` + vector files); undefined = not persisted. */
  indexFile?: string;
  /** Groups of questions that are the same, in memory only (the knowledge plugin's FAQ variants). */
  aliasGroups?: readonly (readonly string[])[];
  /** 👎 from this many voters (conversations, API keys, client addresses) quarantine an entry (default 3). */
  quarantineAfter?: number;
  /** Poll the shared change feed this often; 0 = never (a store only this process uses). */
  syncIntervalMs: number;
  /** Save the index this long after the last change (and on close). */
  saveDelayMs?: number;
  logger?: Logger;
}

/** Per non-empty namespace: its model, entry count and index mode. */
export async function namespaceStats(index: NamespaceIndex, records: EntryRecords): Promise<CacheStats['namespaces']> {
  const namespaces: CacheStats['namespaces'] = [];
  for (const state of index.states()) {
    if (state.byLabel.size === 0) continue;
    const facts = await records.facts(state.namespace);
    namespaces.push({ namespace: state.namespace, model: facts?.model, entries: state.byLabel.size, index: state.vectors?.mode ?? 'empty' });
  }
  return namespaces;
}
