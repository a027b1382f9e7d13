/**
 * How a question becomes a hit: the exact key first, then index candidates above the
 * threshold, each verified by core/text's `compareQuestions` — a candidate is served only
 * when the two questions mean the same thing — and finally the answer, held or read, unless
 * an operator made the question forget it.
 */
import type { Logger } from 'pino';
import { isAbortError, type Embedder } from '../../core/index.js';
import { compareQuestions, type TextOptions } from '../../core/text/index.js';
import type { QuestionAliases } from './aliases.js';
import type { WordVectors } from './word-vectors.js';
import type { ForgetBlocks } from './forget-blocks.js';
import type { HeldAnswers } from './held-answers.js';
import type { IndexedEntry, NamespaceIndex, NamespaceState } from './namespace-index.js';
import type { EntryIds, EntryRecord, EntryRecords } from './records.js';
import type { CacheScope } from './scope.js';

export type LookupResult =
  | { hit: true; exact: boolean; similarity: number; entry: EntryRecord; verification?: string }
  | { hit: false; reason: string; bestSimilarity?: number; vetoedBy?: string; detail?: string };

/** What `match` decides from memory (no answer read). */
export type MatchResult = { hit: true; exact: boolean; similarity: number; id: string; question: string } | { hit: false; reason: string; bestSimilarity?: number; vetoedBy?: string; detail?: string };

interface Veto {
  by?: string;
  detail?: string;
}

/** The search settings of a lookup (SemanticCacheOptions' own). */
export interface LookupOptions {
  embedder: Embedder;
  threshold: number;
  topK: number;
  candidateMargin?: number;
  text: TextOptions;
  /** Strong-embedder mode: embed the words of the question and its candidates before verifying. */
  words?: WordVectors;
  logger?: Logger;
}

/** The rooms a lookup reads. */
export interface LookupParts {
  index: NamespaceIndex;
  held: HeldAnswers;
  blocks: ForgetBlocks;
  aliases: QuestionAliases;
  records: EntryRecords;
  ids: EntryIds;
  /** Entries rated out of service (`CacheModeration`): skipped as if absent. */
  quarantined?: { isQuarantined(id: string): boolean; countHit(id: string): void };
}

/**
 * Decides lookups over the index, the held answers and the store, and counts them.
 * @example
 * const lookup = new CacheLookup(options, { index, held, blocks, records, ids });
 * (await lookup.lookup('skilky koshtuie hurtozhytok', scope)).hit // true
 */
export class CacheLookup {
  hits = 0;
  misses = 0;
  readonly #options: LookupOptions;
  readonly #parts: LookupParts;

  constructor(options: LookupOptions, parts: LookupParts) {
    this.#options = options;
    this.#parts = parts;
  }

  /** See `SemanticCache.lookup`. A repeat with a held answer is decided without a promise turn. */
  lookup(question: string, scope: CacheScope, signal?: AbortSignal | { readonly signal: AbortSignal }): Promise<LookupResult> {
    let held: LookupResult | undefined;
    try {
      held = this.#repeat(question, scope);
    } catch (err) {
      return Promise.reject(err);
    }
    if (held) {
      this.hits++;
      if (held.hit) this.#parts.quarantined?.countHit(held.entry.id);
      return Promise.resolve(held);
    }
    return this.#lookup(question, scope, signal === undefined || signal instanceof AbortSignal ? signal : signal.signal);
  }

  async #lookup(question: string, scope: CacheScope, signal?: AbortSignal): Promise<LookupResult> {
    const result = (await this.#decide(question, scope, signal, true)) as LookupResult;
    if (result.hit) {
      this.hits++;
      this.#parts.quarantined?.countHit(result.entry.id);
    } else this.misses++;
    return result;
  }

  /** See `SemanticCache.match`. */
  async match(question: string, scope: CacheScope, signal?: AbortSignal): Promise<MatchResult> {
    return (await this.#decide(question, scope, signal, false)) as MatchResult;
  }

  /**
   * The most common hit, decided without a promise turn: the very same question text as a
   * live entry whose answer is held. What `#decide` would return for it; undefined otherwise.
   */
  #repeat(question: string, scope: CacheScope): LookupResult | undefined {
    const { index, held, blocks, ids } = this.#parts;
    const entry = index.entry(scope.namespace, ids.of(scope.namespace, scope.contextKey, question));
    const record = entry === undefined ? undefined : held.get(entry);
    if (record === undefined || entry!.question !== question || this.#parts.quarantined?.isQuarantined(entry!.id)) return undefined;
    const now = Date.now();
    if (entry!.expiresAt !== 0 && entry!.expiresAt <= now) return undefined;
    // The record's own expiry too: another writer may have re-stored the id with another
    // lifetime before this process caught up (`read` checks the record, not the entry).
    if ((record.expiresAt !== 0 && record.expiresAt <= now) || blocks.has(question, record.answerHash)) return undefined;
    index.touch(entry!, now);
    held.used(entry!, record);
    return { hit: true, exact: true, similarity: 1, entry: record };
  }

  /**
   * The entry the exact key, the index and the verifier pick for `question`; with `read`,
   * its answer too (a LookupResult), else from memory only (a MatchResult).
   */
  async #decide(question: string, scope: CacheScope, signal: AbortSignal | undefined, read: boolean): Promise<LookupResult | MatchResult> {
    const { index, ids } = this.#parts;
    const now = Date.now();
    const state = index.get(scope.namespace);
    const veto: Veto = {};
    // The index knows every entry (other processes' within one sync interval), so a miss
    // costs no store round trip.
    const exact = index.entry(scope.namespace, ids.of(scope.namespace, scope.contextKey, question));
    const quarantined = this.#parts.quarantined;
    if (exact && (exact.expiresAt === 0 || exact.expiresAt > now) && !quarantined?.isQuarantined(exact.id)) {
      // Normalisation drops symbols ("() vs []", "= vs =="), so an equal key still gets the
      // slot checks unless the text is literally the same.
      const verdict = exact.question === question ? undefined : compareQuestions(question, exact.question, this.#options.text);
      if (verdict && !verdict.same) return { hit: false, reason: 'vetoed', bestSimilarity: 1, vetoedBy: verdict.vetoedBy ?? 'content', detail: verdict.reason };
      const hit = read ? await this.#read(question, state!, exact, veto, now) : exact;
      if (hit) {
        index.touch(exact, now);
        return read ? { hit: true, exact: true, similarity: 1, entry: hit as EntryRecord } : { hit: true, exact: true, similarity: 1, id: exact.id, question: exact.question };
      }
    }
    // An operator said this question is another one: that one's entry answers it.
    for (const other of this.#parts.aliases.of(question)) {
      const entry = index.entry(scope.namespace, ids.of(scope.namespace, scope.contextKey, other));
      if (!entry || entry === exact || (entry.expiresAt !== 0 && entry.expiresAt <= now)) continue;
      const hit = read ? await this.#read(question, state!, entry, veto, now) : entry;
      if (!hit) continue;
      index.touch(entry, now);
      return read
        ? { hit: true, exact: false, similarity: 1, entry: hit as EntryRecord, verification: `an operator alias of «${entry.question}»` }
        : { hit: true, exact: false, similarity: 1, id: entry.id, question: entry.question };
    }
    if (!state?.vectors || state.vectors.size === 0) return { hit: false, reason: 'empty', vetoedBy: veto.by, detail: veto.detail };
    let vector: Float32Array;
    try {
      [vector] = await this.#options.embedder.embed([question], signal);
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) throw err;
      this.#options.logger?.warn({ err }, 'semantic cache: embedding failed; treating as a miss');
      return { hit: false, reason: 'embedder-error', detail: (err as Error).message };
    }
    const { threshold, topK, text } = this.#options;
    const matches = state.vectors.search(vector, topK + (scope.contextKey ? topK : 0));
    const bestSimilarity = matches[0]?.similarity;
    // A true paraphrase is almost always the best match or close to it; verifying far-off
    // candidates costs time (the verifier is the expensive step) and finds nothing.
    const floor = Math.max(threshold, (bestSimilarity ?? 0) - (this.#options.candidateMargin ?? 2));
    if (this.#options.words) await this.#prepareWords(question, matches, floor, state, signal);
    let candidates = 0;
    for (const match of matches) {
      if (match.similarity < floor) break;
      const entry = state.byLabel.get(match.label);
      if (!entry || entry === exact || entry.contextKey !== scope.contextKey) continue;
      if ((entry.expiresAt !== 0 && entry.expiresAt <= now) || quarantined?.isQuarantined(entry.id)) continue;
      candidates++;
      const verdict = compareQuestions(question, entry.question, text);
      // A paraphrase of one of the entry's aliases is a paraphrase of the entry.
      if (!verdict.same && this.#parts.aliases.sameVia(question, entry.question, text)) verdict.reason = 'a paraphrase of an operator alias';
      else if (!verdict.same) {
        veto.by ??= verdict.vetoedBy ?? 'content';
        veto.detail ??= verdict.reason;
        continue;
      }
      if (!read) return { hit: true, exact: false, similarity: match.similarity, id: entry.id, question: entry.question };
      const record = await this.#read(question, state, entry, veto, now);
      if (!record) continue;
      index.touch(entry, now);
      return { hit: true, exact: false, similarity: match.similarity, entry: record, verification: verdict.reason };
    }
    if (candidates === 0 && !veto.by) return { hit: false, reason: bestSimilarity === undefined ? 'empty' : 'below-threshold', bestSimilarity };
    return { hit: false, reason: 'vetoed', bestSimilarity, vetoedBy: veto.by, detail: veto.detail };
  }

  /** Strong-embedder mode: one batch of word embeddings for the question and the candidates to verify. */
  async #prepareWords(question: string, matches: readonly { label: number; similarity: number }[], floor: number, state: NamespaceState, signal?: AbortSignal): Promise<void> {
    const questions = [question];
    for (const match of matches) {
      if (match.similarity < floor) break;
      const entry = state.byLabel.get(match.label);
      if (entry) questions.push(entry.question);
    }
    try {
      await this.#options.words!.prepare(questions, this.#options.text, signal);
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) throw err;
      // Without word vectors the rules alone decide, as in the default mode.
      this.#options.logger?.warn({ err }, 'semantic cache: word embedding failed; verifying by the rules alone');
    }
  }

  /** Reads a verified candidate's entry; undefined when it is gone, expired or blocked. */
  async #read(question: string, state: NamespaceState, entry: IndexedEntry, veto: Veto, now: number): Promise<EntryRecord | undefined> {
    const { index, held, blocks, records } = this.#parts;
    let record = held.get(entry);
    if (record === undefined) {
      const stored = await records.get(entry.id);
      if (stored === undefined) {
        // Evicted or forgotten by another process: heal the index.
        index.remove(state.namespace, entry.id);
        return undefined;
      }
      record = stored;
      // Still the same entry after the await (not deleted or re-stored meanwhile): hold it.
      if (state.byLabel.get(entry.label) === entry) held.hold(entry, stored);
    } else {
      held.used(entry, record);
    }
    if (record.expiresAt !== 0 && record.expiresAt <= now) return undefined;
    if (blocks.has(question, record.answerHash)) {
      veto.by ??= 'forgotten';
      veto.detail ??= 'an operator made this question forget that answer';
      return undefined;
    }
    return record;
  }
}
