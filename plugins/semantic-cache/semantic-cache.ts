/**
 * The semantic cache itself, independent of the pipeline: a façade over its rooms. The
 * middleware (index.ts), `kobza cache …`, `kobza eval cache` and the benchmark drive it.
 * - records.ts — entries as stored (`e:<id>`, `ns:<namespace>`), their ids, export/import;
 * - namespace-index.ts — per namespace, the entries and a vector index, in memory;
 * - lookup.ts — exact key, index candidates, `compareQuestions` verification, the answer;
 * - held-answers.ts — answers of recently hit entries, so a repeat reads no store;
 * - forget-blocks.ts, aliases.ts — questions an operator made `forget` / declared the same;
 * - moderation.ts — ratings and quarantine; entries.ts — the console's per-entry actions;
 * - change-feed.ts — `registry`, `head:<writer>`, `op:<writer>:<seq>`: processes sharing
 *   one store (Redis) see each other's entries, blocks, aliases and ratings within a poll;
 * - index-snapshot.ts — the index saved beside the store, so a restart catches up;
 * - options.ts — the options and the `kobza cache stats` figures.
 */
import type { CacheEntryRating, CacheEntrySummary, Rating } from '../../core/index.js';
import { ChangeFeed } from './change-feed.js';
import { QuestionAliases, type AliasResult } from './aliases.js';
import { CacheEntries, type ListOptions } from './entries.js';
import { ForgetBlocks, type ForgetResult } from './forget-blocks.js';
import { HeldAnswers } from './held-answers.js';
import { IndexSnapshot } from './index-snapshot.js';
import { CacheLookup, type LookupResult, type MatchResult } from './lookup.js';
import { EntryModeration } from './moderation.js';
import { NamespaceIndex } from './namespace-index.js';
import { EntryIds, EntryRecords, importEntries, recordOf, type EntryRecord, type ExportedEntry, type NewAnswer } from './records.js';
import { namespaceStats, type CacheStats, type SemanticCacheOptions } from './options.js';
import { shortHash, type CacheScope } from './scope.js';

export { entryIdOf, type EntryRecord, type ExportedEntry } from './records.js';
export type { LookupResult, MatchResult } from './lookup.js';
export type { ForgetResult } from './forget-blocks.js';
export type { AliasResult } from './aliases.js';
export type { CacheStats, SemanticCacheOptions } from './options.js';

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
  readonly #index: NamespaceIndex;
  readonly #feed: ChangeFeed;
  readonly #blocks: ForgetBlocks;
  readonly #aliases: QuestionAliases;
  readonly #snapshot: IndexSnapshot;
  readonly #lookup: CacheLookup;
  readonly #ratings: EntryModeration;
  readonly #entries: CacheEntries;
  #syncTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #closed = false;

  private constructor(options: SemanticCacheOptions) {
    this.options = options;
    this.#records = new EntryRecords(options.store);
    const held = new HeldAnswers(options.heldAnswers ?? 1000);
    this.#index = new NamespaceIndex(options.embedder, options.index, held);
    this.#blocks = new ForgetBlocks(options.store, (task) => this.#feed.serial(task));
    this.#aliases = new QuestionAliases(options.store, (task) => this.#feed.serial(task), options.aliasGroups);
    this.#ratings = new EntryModeration(options.store, options.quarantineAfter ?? 3, (task) => this.#feed.serial(task));
    const followers = { index: this.#index, records: this.#records, blocks: this.#blocks, aliases: this.#aliases, ratings: this.#ratings, scheduleSave: () => this.#scheduleSave() };
    this.#feed = new ChangeFeed(options.store, options.syncIntervalMs > 0 || !!options.indexFile, followers);
    this.#snapshot = new IndexSnapshot({ indexFile: options.indexFile, embedderId: options.embedder.id, index: options.index, saveDelayMs: options.saveDelayMs ?? 5000, logger: options.logger });
    this.#lookup = new CacheLookup(options, { index: this.#index, held, blocks: this.#blocks, aliases: this.#aliases, records: this.#records, ids: this.#ids, quarantined: this.#ratings });
    this.#entries = new CacheEntries({ index: this.#index, records: this.#records, ratings: this.#ratings, forget: (q) => this.forget(q), alias: (a, b) => this.alias(a, b), delete: (ns, ids) => this.#delete(ns, ids) });
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
    await this.#feed.join(this.#snapshot.load());
    const log = this.options.logger;
    if (this.options.syncIntervalMs > 0) {
      this.#syncTimer = setInterval(() => void this.sync().catch((err) => log?.warn({ err }, 'semantic cache: sync failed')), this.options.syncIntervalMs);
      this.#syncTimer.unref();
    }
    this.#sweepTimer = setInterval(() => void this.sweep().catch((err) => log?.warn({ err }, 'semantic cache: sweep failed')), SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
  }

  /** Applies what other processes changed since the last poll (on a timer when `syncIntervalMs` > 0; call it to catch up now). */
  sync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#syncing ??= this.#feed.poll().finally(() => (this.#syncing = undefined));
    return this.#syncing;
  }

  /**
   * Drops expired entries from the index and the store, and this process's old feed records
   * (stores that expire keys only when read — memory, SQLite — would keep them forever).
   */
  async sweep(): Promise<number> {
    const now = Date.now();
    let removed = 0;
    for (const expired of this.#index.removeExpired(now).values()) {
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
   * candidates above the threshold, each verified by `compareQuestions`. `signal` may be
   * given as its source (e.g. the request), read only when the lookup needs the signal (to
   * embed): a held repeat never makes a request's lazy signal.
   */
  lookup(question: string, scope: CacheScope, signal?: AbortSignal | { readonly signal: AbortSignal }): Promise<LookupResult> {
    return this.#lookup.lookup(question, scope, signal);
  }

  /**
   * The entry the exact key, the index and the verifier pick for `question`, from memory
   * only: what a lookup decides before its one store read (which fetches the answer and
   * applies `forget` blocks). For measuring and for tools.
   */
  match(question: string, scope: CacheScope, signal?: AbortSignal): Promise<MatchResult> {
    return this.#lookup.match(question, scope, signal);
  }

  /**
   * Stores a complete answer. Skips answers an operator made this question forget.
   * @returns the stored record, or undefined when skipped.
   */
  async store(question: string, answer: string, scope: CacheScope, model: string, options: { createdAt?: number; expiresAt?: number; signal?: AbortSignal } = {}): Promise<EntryRecord | undefined> {
    const [record] = await this.#storeMany([{ question, answer, scope, model, createdAt: options.createdAt, expiresAt: options.expiresAt }], options.signal);
    return record;
  }

  async #storeMany(items: NewAnswer[], signal?: AbortSignal): Promise<EntryRecord[]> {
    const now = Date.now();
    const accepted = items.filter((item) => {
      if (this.#blocks.has(item.question, shortHash(item.answer))) {
        this.options.logger?.info({ question: item.question }, 'semantic cache: not storing an answer an operator made this question forget');
        return false;
      }
      return !(item.expiresAt && item.expiresAt <= now);
    });
    if (accepted.length === 0) return [];
    const { embedder, ttlMs } = this.options;
    const vectors = await embedder.embed(accepted.map((item) => item.question), signal);
    const records = accepted.map((item, i) => recordOf(item, this.#ids.of(item.scope.namespace, item.scope.contextKey, item.question), vectors[i], embedder.id, now, ttlMs));
    await this.#records.setMany(records, accepted.map((item) => item.scope.facts), now);
    await this.#feed.added(records);
    await this.#index.add(records);
    for (const [namespace, ids] of this.#index.overflow(this.options.maxEntries)) await this.#delete(namespace, ids);
    this.#scheduleSave();
    return records;
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
    const [vector] = await this.options.embedder.embed([question]);
    const result = await this.#blocks.forget(question, vector, { index: this.#index, records: this.#records, search: this.options, delete: (namespace, ids) => this.#delete(namespace, ids) });
    this.#scheduleSave();
    return result;
  }

  /**
   * Teaches that two questions are the same: an entry stored for either answers the other
   * (and their paraphrases), in every process sharing the store. The complement of `forget`.
   *
   * @example
   * await cache.alias('Хочу в общагу — куди йти?', 'Як поселитися в гуртожиток?');
   */
  async alias(a: string, b: string): Promise<AliasResult> {
    await this.sync().catch(() => undefined);
    return this.#aliases.add(a, b);
  }

  /** Counts a rating against an entry (a 👎 once per voter); undefined when the entry is gone. */
  rateEntry(id: string, rating: Rating, voter: string): Promise<CacheEntryRating | undefined> {
    return this.#entries.rate(id, rating, voter);
  }

  /** Quarantines (true) or restores (false) an entry; false when there is no such entry. */
  setQuarantined(id: string, quarantined: boolean): Promise<boolean> {
    return this.#entries.setQuarantined(id, quarantined);
  }

  isQuarantined(id: string): boolean {
    return this.#ratings.isQuarantined(id);
  }

  /** Forgets the question of entry `id` (see `forget`); false when there is no such entry. */
  forgetEntry(id: string): Promise<boolean> {
    return this.#entries.forget(id);
  }

  /** Teaches that `question` is the same as entry `id`'s question (see `alias`); false when there is no such entry. */
  aliasEntry(id: string, question: string): Promise<boolean> {
    return this.#entries.alias(id, question);
  }

  /** Entries with their ratings, most recently used first; `query` matches question or answer (case-insensitive). */
  listEntries(options: ListOptions = {}): Promise<CacheEntrySummary[]> {
    return this.#entries.list(options);
  }

  /** Numbers for `kobza cache stats`. */
  async stats(): Promise<CacheStats> {
    const registry = await this.#feed.readRegistry();
    return {
      entries: this.size,
      namespaces: await namespaceStats(this.#index, this.#records),
      embedder: this.options.embedder.id,
      threshold: this.options.threshold,
      blockedQuestions: this.#blocks.size,
      aliases: this.#aliases.size,
      writers: Object.keys(registry?.writers ?? {}).length,
      hits: this.#lookup.hits,
      misses: this.#lookup.misses,
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
    this.#aliases.reset();
    this.#records.forgetFacts();
    this.#ratings.reset();
    await this.#feed.reset();
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
    return importEntries(entries, (batch) => this.#storeMany(batch), onProgress);
  }

  /** Stops polling, saves the index and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#syncTimer);
    clearInterval(this.#sweepTimer);
    this.#snapshot.cancel();
    await this.#syncing?.catch(() => undefined);
    await this.#feed.idle();
    this.#snapshot.saveNow(() => this.saveIndex());
    this.#closed = true;
    await this.options.store.close?.();
  }
}
