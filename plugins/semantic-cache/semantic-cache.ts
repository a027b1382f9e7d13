/**
 * The semantic cache itself, independent of the pipeline: a façade over its rooms. The
 * middleware (index.ts), `kobza cache …`, `kobza eval cache` and the benchmark drive it.
 * - records.ts — entries as stored (`e:<id>`, `ns:<namespace>`), their ids, export/import;
 * - namespace-index.ts — per namespace, the entries and a vector index, in memory;
 * - lookup.ts — exact key, index candidates, `compareQuestions` verification, the answer;
 * - held-answers.ts — answers of recently hit entries, so a repeat reads no store;
 * - forget-blocks.ts — questions an operator made `forget` (`blocks`);
 * - change-feed.ts — `registry`, `head:<writer>`, `op:<writer>:<seq>`: several processes on
 *   one shared store (Redis) see each other's entries within a poll;
 * - index-snapshot.ts — the index saved beside the store, so a restart catches up instead
 *   of rescanning.
 */
import type { Logger } from 'pino';
import type { CacheStore, Embedder } from '../../core/index.js';
import { normalize, type TextOptions } from '../../core/text/index.js';
import { ChangeFeed, type FeedOp, type Registry } from './change-feed.js';
import { ForgetBlocks } from './forget-blocks.js';
import { HeldAnswers } from './held-answers.js';
import { IndexSnapshot } from './index-snapshot.js';
import { CacheLookup, type LookupResult, type MatchResult } from './lookup.js';
import { NamespaceIndex, type NamespaceStates } from './namespace-index.js';
import { EntryIds, EntryRecords, importEntries, recordOf, type EntryRecord, type ExportedEntry } from './records.js';
import { shortHash, type CacheScope } from './scope.js';
import type { VectorIndexOptions } from './vector-index.js';

export { entryIdOf, type EntryRecord, type ExportedEntry } from './records.js';
export type { LookupResult, MatchResult } from './lookup.js';

export interface ForgetResult {
  removed: { id: string; namespace: string; question: string; answer: string }[];
  /** The normalised question now blocked from those answers. */
  blocked: string;
}

export interface CacheStats {
  entries: number;
  namespaces: { namespace: string; model?: string; entries: number; index: 'exact' | 'ann' | 'empty' }[];
  embedder: string;
  threshold: number;
  blockedQuestions: number;
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
  index: Omit<VectorIndexOptions, 'dimensions'>;
  /**
   * How many recently hit answers are kept in memory beside the index (default 1000; 0 =
   * read the store on every hit). With a store shared by several processes, a change made
   * elsewhere reaches them within one sync interval, as it reaches the index.
   */
  heldAnswers?: number;
  /** Base path of the persisted index (`<path>.json` + vector files); undefined = not persisted. */
  indexFile?: string;
  /** Poll the shared change feed this often; 0 = never (a store only this process uses). */
  syncIntervalMs: number;
  /** Save the index this long after the last change (and on close). */
  saveDelayMs?: number;
  logger?: Logger;
}

type StoreItem = { question: string; answer: string; scope: CacheScope; model: string; createdAt?: number; expiresAt?: number };

const SWEEP_INTERVAL_MS = 60_000;

/**
 * A semantic cache over any CacheStore and Embedder.
 * @example
 * const cache = await SemanticCache.open({ store, embedder, threshold: 0.5, topK: 8, ttlMs: 0, maxEntries: 0, text: {}, index: DEFAULT_VECTOR_INDEX_OPTIONS, syncIntervalMs: 0 });
 * await cache.store('Скільки коштує гуртожиток?', '1200 грн на місяць', scope, 'qwen2.5:7b');
 * (await cache.lookup('skilky koshtuie hurtozhytok', scope)).hit // true
 */
export class SemanticCache {
  readonly options: SemanticCacheOptions;
  readonly #records: EntryRecords;
  readonly #ids = new EntryIds();
  readonly #held: HeldAnswers;
  readonly #index: NamespaceIndex;
  readonly #feed: ChangeFeed;
  readonly #blocks: ForgetBlocks;
  readonly #snapshot: IndexSnapshot;
  readonly #lookup: CacheLookup;
  #syncTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #closed = false;
  #hits = 0;
  #misses = 0;

  private constructor(options: SemanticCacheOptions) {
    this.options = options;
    this.#records = new EntryRecords(options.store);
    this.#held = new HeldAnswers(options.heldAnswers ?? 1000);
    this.#index = new NamespaceIndex(options.embedder, options.index, this.#held);
    this.#feed = new ChangeFeed(options.store, options.syncIntervalMs > 0 || !!options.indexFile);
    this.#blocks = new ForgetBlocks(options.store, (task) => this.#feed.serial(task));
    this.#snapshot = new IndexSnapshot({ indexFile: options.indexFile, embedderId: options.embedder.id, index: options.index, saveDelayMs: options.saveDelayMs ?? 5000, logger: options.logger });
    this.#lookup = new CacheLookup(options, { index: this.#index, held: this.#held, blocks: this.#blocks, records: this.#records, ids: this.#ids });
  }

  /** Opens the cache: loads the saved index (or scans the store), joins the change feed. */
  static async open(options: SemanticCacheOptions): Promise<SemanticCache> {
    const cache = new SemanticCache(options);
    await cache.#start();
    return cache;
  }

  /** This process's id in the change feed. */
  get writerId(): string {
    return this.#feed.writerId;
  }

  async #start(): Promise<void> {
    const saved = this.#snapshot.load();
    if (saved) {
      this.#index.replace(saved.states);
      this.#feed.generation = saved.generation;
      this.#feed.positions = saved.positions;
    }
    const registry = await this.#feed.readRegistry();
    if (!registry) {
      // A fresh store (or one that was cleared): whatever a snapshot says is stale.
      if (saved) this.#index.reset();
      await this.#feed.writeRegistry((r) => r, true);
      if (saved) this.#index.changed = true;
    } else if (!saved || registry.generation !== this.#feed.generation) {
      await this.#fullScan(registry);
    } else {
      await this.#catchUp(registry);
    }
    await this.#blocks.load();
    const log = this.options.logger;
    if (this.options.syncIntervalMs > 0) {
      this.#syncTimer = setInterval(() => void this.sync().catch((err) => log?.warn({ err }, 'semantic cache: sync failed')), this.options.syncIntervalMs);
      this.#syncTimer.unref();
    }
    this.#sweepTimer = setInterval(() => void this.sweep().catch((err) => log?.warn({ err }, 'semantic cache: sweep failed')), SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
  }

  /**
   * Applies what other processes changed since the last poll. Runs on a timer when
   * `syncIntervalMs` > 0; call it directly to catch up now.
   */
  sync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#syncing ??= (async () => {
      try {
        const registry = await this.#feed.readRegistry();
        if (!registry || registry.generation !== this.#feed.generation) {
          // Someone cleared the store: start over from what is there now.
          this.#feed.restart();
          if (!registry) {
            this.#index.reset();
            await this.#feed.writeRegistry((r) => r, true);
            this.#index.changed = true;
          } else {
            await this.#fullScan(registry);
          }
          await this.#blocks.load();
          return;
        }
        await this.#blocks.refresh();
        await this.#catchUp(registry);
        await this.#feed.heartbeat(registry);
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }

  async #catchUp(registry: Registry): Promise<void> {
    const outcome = await this.#feed.catchUp(registry, (op) => this.#apply(op));
    if (outcome === 'rescan') return this.#fullScan(registry);
    if (outcome) this.#index.changed = true;
    if (this.#index.changed) this.#scheduleSave();
  }

  async #apply(op: FeedOp): Promise<void> {
    if (op.op === 'del') for (const id of op.ids) this.#index.remove(op.namespace, id);
    else await this.#index.add(await this.#records.getMany(op.ids));
  }

  async #fullScan(registry: Registry): Promise<void> {
    // The store changed under us (cleared, or the feed was lost): until the scan is done,
    // hits read the store again rather than trust an answer held from before.
    this.#held.dropAll();
    const heads = await this.#feed.heads(registry);
    // Built aside and swapped in at the end, so lookups meanwhile use the old index.
    const states: NamespaceStates = new Map();
    let batch: EntryRecord[] = [];
    for await (const record of this.#records.scan()) {
      batch.push(record);
      if (batch.length >= 256) {
        await this.#index.add(batch, states);
        batch = [];
      }
    }
    await this.#index.add(batch, states);
    this.#index.replace(states);
    this.#feed.scanned(registry, heads);
    this.#index.changed = true;
    this.#scheduleSave();
  }

  /**
   * Drops expired entries from the index and the store, and this process's feed records
   * past their retention. Stores that expire keys only when read (memory, SQLite) would
   * otherwise keep them forever.
   */
  async sweep(): Promise<number> {
    const now = Date.now();
    let removed = 0;
    for (const [namespace, expired] of this.#index.expired(now)) {
      for (const id of expired) this.#index.remove(namespace, id);
      await this.#records.deleteMany(expired);
      removed += expired.length;
    }
    await this.#feed.prune(now);
    if (removed) this.#scheduleSave();
    return removed;
  }

  #scheduleSave(): void {
    if (!this.#closed) this.#snapshot.schedule(() => this.saveIndex());
  }

  /** Writes the index beside the store now (no-op without `indexFile` or changes). */
  saveIndex(): void {
    if (!this.#snapshot.manifestFile || !this.#index.changed) return;
    this.#snapshot.write(this.#index.states(), this.#feed.generation, this.#feed.positions);
    this.#index.changed = false;
  }

  /**
   * Finds an answer for `question` in `scope`: exact normalised match first, then index
   * candidates above the threshold, each verified by `compareQuestions`.
   */
  lookup(question: string, scope: CacheScope, signal?: AbortSignal): Promise<LookupResult> {
    let held: LookupResult | undefined;
    try {
      held = this.#lookup.repeat(question, scope);
    } catch (err) {
      return Promise.reject(err);
    }
    if (held) {
      this.#hits++;
      return Promise.resolve(held);
    }
    return this.#decide(question, scope, signal);
  }

  async #decide(question: string, scope: CacheScope, signal?: AbortSignal): Promise<LookupResult> {
    const result = (await this.#lookup.decide(question, scope, signal, true)) as LookupResult;
    if (result.hit) this.#hits++;
    else this.#misses++;
    return result;
  }

  /**
   * The entry the exact key, the index and the verifier pick for `question`, from memory
   * only: what a lookup decides before its one store read (which fetches the answer and
   * applies `forget` blocks). For measuring and for tools.
   */
  async match(question: string, scope: CacheScope, signal?: AbortSignal): Promise<MatchResult> {
    return (await this.#lookup.decide(question, scope, signal, false)) as MatchResult;
  }

  /**
   * Stores a complete answer. Skips answers an operator made this question forget.
   * @returns the stored record, or undefined when skipped.
   */
  async store(question: string, answer: string, scope: CacheScope, model: string, options: { createdAt?: number; expiresAt?: number; signal?: AbortSignal } = {}): Promise<EntryRecord | undefined> {
    const [record] = await this.#storeMany([{ question, answer, scope, model, createdAt: options.createdAt, expiresAt: options.expiresAt }], options.signal);
    return record;
  }

  async #storeMany(items: StoreItem[], signal?: AbortSignal): Promise<EntryRecord[]> {
    const now = Date.now();
    const accepted = items.filter((item) => {
      if (this.#blocks.has(item.question, shortHash(item.answer))) {
        this.options.logger?.info({ question: item.question }, 'semantic cache: not storing an answer an operator made this question forget');
        return false;
      }
      return !(item.expiresAt && item.expiresAt <= now);
    });
    if (accepted.length === 0) return [];
    const vectors = await this.options.embedder.embed(
      accepted.map((item) => item.question),
      signal,
    );
    const records = accepted.map((item, i) => {
      const createdAt = item.createdAt ?? now;
      const expiresAt = item.expiresAt ?? (this.options.ttlMs > 0 ? createdAt + this.options.ttlMs : 0);
      const id = this.#ids.of(item.scope.namespace, item.scope.contextKey, item.question);
      return recordOf({ ...item, id, namespace: item.scope.namespace, contextKey: item.scope.contextKey, createdAt, expiresAt, facts: item.scope.facts }, vectors[i], this.options.embedder.id);
    });
    await this.#records.setMany(
      records,
      accepted.map((item) => item.scope.facts),
      now,
    );
    const byNamespace = new Map<string, string[]>();
    for (const record of records) byNamespace.set(record.namespace, [...(byNamespace.get(record.namespace) ?? []), record.id]);
    for (const [namespace, ids] of byNamespace) await this.#feed.append({ op: 'add', ids, namespace });
    await this.#index.add(records);
    await this.#evictIfFull();
    this.#scheduleSave();
    return records;
  }

  async #evictIfFull(): Promise<void> {
    const max = this.options.maxEntries;
    if (max <= 0) return;
    const total = this.size;
    if (total <= max) return;
    // Evict a little more than needed so a full cache does not sort on every store.
    const target = Math.max(0, max - Math.floor(max * 0.02));
    for (const [namespace, ids] of this.#index.leastRecentlyUsed(total - target)) await this.#delete(namespace, ids);
  }

  async #delete(namespace: string, ids: string[]): Promise<void> {
    await this.#records.deleteMany(ids);
    for (const id of ids) this.#index.remove(namespace, id);
    await this.#feed.append({ op: 'del', ids, namespace });
  }

  /** Entries in the in-memory index (all namespaces). */
  get size(): number {
    return this.#index.size;
  }

  /**
   * Removes every entry `question` would hit (in any namespace and context) and blocks
   * those answers for this question for good, so it never hits them again.
   */
  async forget(question: string): Promise<ForgetResult> {
    await this.sync().catch(() => undefined);
    const normalized = normalize(question);
    const removed: ForgetResult['removed'] = [];
    const hashes = new Set<string>();
    const [vector] = await this.options.embedder.embed([question]);
    for (const [namespace, targets] of this.#index.sameQuestion(question, vector, this.options)) {
      for (const id of targets) {
        const record = await this.#records.get(id);
        if (record) {
          removed.push({ id, namespace, question: record.question, answer: record.answer });
          hashes.add(record.answerHash);
        }
      }
      if (targets.size) await this.#delete(namespace, [...targets]);
    }
    if (hashes.size > 0) await this.#blocks.add(normalized, hashes);
    this.#scheduleSave();
    return { removed, blocked: normalized };
  }

  /** Numbers for `kobza cache stats`. */
  async stats(): Promise<CacheStats> {
    const registry = await this.#feed.readRegistry();
    const namespaces: CacheStats['namespaces'] = [];
    for (const state of this.#index.states()) {
      if (state.byLabel.size === 0) continue;
      const facts = await this.#records.facts(state.namespace);
      namespaces.push({ namespace: state.namespace, model: facts?.model, entries: state.byLabel.size, index: state.vectors?.mode ?? 'empty' });
    }
    return {
      entries: this.size,
      namespaces,
      embedder: this.options.embedder.id,
      threshold: this.options.threshold,
      blockedQuestions: this.#blocks.size,
      writers: Object.keys(registry?.writers ?? {}).length,
      hits: this.#hits,
      misses: this.#misses,
      indexFile: this.#snapshot.manifestFile,
    };
  }

  /** Removes every entry, block and feed record; other processes notice on their next poll. */
  async clear(onProgress?: (done: number, total: number) => void): Promise<number> {
    const count = this.size;
    onProgress?.(0, count);
    await this.options.store.clear();
    this.#index.reset();
    this.#blocks.reset();
    this.#feed.positions = new Map();
    this.#feed.restart();
    this.#records.forgetFacts();
    await this.#feed.writeRegistry((r) => r, true);
    this.#index.changed = true;
    this.saveIndex();
    onProgress?.(count, count);
    return count;
  }

  /** Every live entry, for `kobza cache export` (JSONL, one entry a line). */
  export(onProgress?: (done: number, total: number) => void): AsyncGenerator<ExportedEntry> {
    return this.#records.export(this.size, onProgress);
  }

  /** Stores exported entries again (keeping their namespace, context and expiry). */
  import(entries: Iterable<ExportedEntry> | AsyncIterable<ExportedEntry>, onProgress?: (done: number) => void): Promise<number> {
    return importEntries(
      entries,
      async (batch) =>
        (
          await this.#storeMany(
            batch.map((e) => ({
              question: e.question,
              answer: e.answer,
              model: e.model,
              createdAt: e.createdAt,
              expiresAt: e.expiresAt,
              scope: { namespace: e.namespace, contextKey: e.contextKey ?? '', facts: e.facts ?? { model: e.model, system: '', options: {} } },
            })),
          )
        ).length,
      onProgress,
    );
  }

  /** Stops polling, saves the index and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#syncTimer);
    clearInterval(this.#sweepTimer);
    this.#snapshot.cancel();
    await this.#syncing?.catch(() => undefined);
    await this.#feed.idle();
    try {
      this.saveIndex();
    } catch (err) {
      this.options.logger?.warn({ err }, 'semantic cache: could not save the index');
    }
    this.#closed = true;
    await this.options.store.close?.();
  }
}
