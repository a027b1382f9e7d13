/**
 * The semantic cache itself, independent of the pipeline: entries in a CacheStore, a
 * vector index per namespace in memory, and the lookup that turns an index candidate into a
 * hit only after core/text's `compareQuestions` verified that the two questions mean the
 * same thing. The middleware (index.ts), `kobza cache …`, `kobza eval cache` and the
 * benchmark all drive this class.
 *
 * Store layout (keys inside the store's `semantic-cache` namespace):
 * - `e:<id>` an entry (question, answer, vector, times); `id` hashes namespace + context +
 *   normalised question, so the exact lookup is a single `get`;
 * - `ns:<namespace>` the facts a namespace was built from (model, system prompt, options);
 * - `blocks` questions an operator made `forget`, with the answers they must never get;
 * - `registry`, `head:<writer>`, `op:<writer>:<seq>` a change feed per process, so several
 *   Kobza processes on one shared store (Redis) see each other's entries within a poll, and
 *   a restarted process catches up from its saved index instead of rescanning.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { BoundedMap, isAbortError, KobzaError, type CacheStore, type Embedder } from '../../core/index.js';
import { compareQuestions, normalize, type TextOptions } from '../../core/text/index.js';
import { shortHash, type CacheScope, type NamespaceFacts } from './scope.js';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';

/** An entry as stored. */
export interface EntryRecord {
  v: 1;
  id: string;
  namespace: string;
  contextKey: string;
  question: string;
  answer: string;
  model: string;
  createdAt: number;
  /** 0 = never. */
  expiresAt: number;
  answerHash: string;
  /** Id of the embedder that made `vector`. */
  embedder: string;
  /** Little-endian Float32 vector, base64. */
  vector: string;
}

/** What `export` writes per line and `import` reads. */
export interface ExportedEntry {
  question: string;
  answer: string;
  namespace: string;
  contextKey: string;
  model: string;
  createdAt: number;
  expiresAt: number;
  facts?: NamespaceFacts;
}

interface IndexedEntry {
  label: number;
  id: string;
  contextKey: string;
  question: string;
  createdAt: number;
  expiresAt: number;
  /** In-memory recency for eviction (a hit does not touch the stored TTL). */
  lastUsedAt: number;
  /**
   * The stored record (its vector dropped) of an entry hit recently, so a repeat hit costs
   * no store read. It lives and dies with this index entry: a delete, a re-store or a clear
   * — here, or in another process once the feed is caught up — drops it.
   */
  held?: EntryRecord;
  /** Process-wide use order: breaks ties between uses in the same millisecond. */
  useOrder?: number;
}

let useCounter = 0;
/** Marks an entry as just used. */
function touch(entry: { lastUsedAt: number; useOrder?: number }, now: number): void {
  entry.lastUsedAt = now;
  entry.useOrder = ++useCounter;
}

interface NamespaceState {
  namespace: string;
  vectors: VectorIndex | undefined;
  byLabel: Map<number, IndexedEntry>;
  byId: Map<string, number>;
  nextLabel: number;
}

interface Registry {
  generation: string;
  writers: Record<string, number>;
}

/** One change in a process's feed: entries added to or deleted from one namespace. */
interface FeedOp {
  op: 'add' | 'del';
  ids: string[];
  namespace: string;
}

type Blocks = Record<string, { question: string; answers: string[] }>;

export type LookupResult =
  | { hit: true; exact: boolean; similarity: number; entry: EntryRecord; verification?: string }
  | { hit: false; reason: string; bestSimilarity?: number; vetoedBy?: string; detail?: string };

/** What `match` decides from memory (no answer read). */
export type MatchResult = { hit: true; exact: boolean; similarity: number; id: string; question: string } | { hit: false; reason: string; bestSimilarity?: number; vetoedBy?: string; detail?: string };

interface Veto {
  by?: string;
  detail?: string;
}

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

const ENTRY = 'e:';
const OP_RETENTION_MS = 6 * 3_600_000;
const SWEEP_INTERVAL_MS = 60_000;
const WRITER_STALE_MS = 24 * 3_600_000;
const HEARTBEAT_MS = 60_000;
const MAX_CATCH_UP_OPS = 2000;

function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function decodeVector(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The id (and exact-match key) of a question in a scope. */
export function entryIdOf(namespace: string, contextKey: string, question: string): string {
  // Self-contained questions (no context key) are remembered per namespace, keyed by the
  // question itself: no key string is built, and the question's hash is computed once.
  const memo = contextKey === '' && question.length <= 512 ? entryIdMemo(namespace) : undefined;
  let id = memo?.get(question);
  if (id === undefined) {
    // Normalisation drops code-like symbols; keep them in the key so "= vs ==" are two entries.
    const symbols = (question.match(/[()[\]{}<>=+*/\\%~^&|#$@]+/g) ?? []).join(' ');
    id = shortHash(`${namespace}\u0000${contextKey}\u0000${normalize(question)}\u0000${symbols}`, 32);
    memo?.set(question, id);
  }
  return id;
}

/** The key of a question's forget block: a hash of its normal form. */
function blockKeyOf(question: string): string {
  let key = blockKeys.get(question);
  if (key === undefined) {
    key = shortHash(normalize(question));
    if (question.length <= 1024) blockKeys.set(question, key);
  }
  return key;
}

const blockKeys = new BoundedMap<string, string>(1024);

/** Ids of recently asked questions, by namespace: a repeat's exact key costs two Map reads. */
const entryIds = new BoundedMap<string, BoundedMap<string, string>>(16);

function entryIdMemo(namespace: string): BoundedMap<string, string> {
  let memo = entryIds.get(namespace);
  if (memo === undefined) {
    memo = new BoundedMap<string, string>(2048);
    entryIds.set(namespace, memo);
  }
  return memo;
}

function isRecord(value: unknown): value is EntryRecord {
  return typeof value === 'object' && value !== null && (value as EntryRecord).v === 1 && typeof (value as EntryRecord).question === 'string' && typeof (value as EntryRecord).answer === 'string';
}

/**
 * A semantic cache over any CacheStore and Embedder.
 * @example
 * const cache = await SemanticCache.open({ store, embedder, threshold: 0.5, topK: 8, ttlMs: 0, maxEntries: 0, text: {}, index: DEFAULT_VECTOR_INDEX_OPTIONS, syncIntervalMs: 0 });
 * await cache.store('Скільки коштує гуртожиток?', '1200 грн на місяць', scope, 'qwen2.5:7b');
 * (await cache.lookup('skilky koshtuie hurtozhytok', scope)).hit // true
 */
export class SemanticCache {
  readonly options: SemanticCacheOptions;
  readonly writerId = randomBytes(6).toString('hex');
  #states = new Map<string, NamespaceState>();
  #blocks = new Map<string, Set<string>>();
  #blockRecords: Blocks = {};
  #generation = '';
  #blocksVersion = 0;
  #positions = new Map<string, number>();
  #seq = 0;
  #lastHeartbeat = 0;
  #registered = false;
  #knownFacts = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();
  #syncTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  /** This process's feed records: [seq, written at], oldest first. */
  #ownOps: [number, number][] = [];
  #saveTimer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #dirty = false;
  #closed = false;
  #hits = 0;
  #misses = 0;
  /** Entries holding their record, least recently hit first (see IndexedEntry.held). */
  #held = new Set<IndexedEntry>();

  private constructor(options: SemanticCacheOptions) {
    this.options = options;
  }

  /** Opens the cache: loads the saved index (or scans the store), joins the change feed. */
  static async open(options: SemanticCacheOptions): Promise<SemanticCache> {
    const cache = new SemanticCache(options);
    await cache.#start();
    return cache;
  }

  get #log(): Logger | undefined {
    return this.options.logger;
  }

  // ── start-up, feed, persistence ────────────────────────────────────────────────────────

  async #start(): Promise<void> {
    const loaded = this.#loadSnapshot();
    const registry = await this.options.store.get<Registry>('registry');
    if (!registry) {
      // A fresh store (or one that was cleared): whatever a snapshot says is stale.
      if (loaded) this.#resetStates();
      await this.#writeRegistry((r) => r, true);
      if (loaded) this.#dirty = true;
    } else if (!loaded || registry.generation !== this.#generation) {
      await this.#fullScan(registry);
    } else {
      await this.#catchUp(registry);
    }
    await this.#loadBlocks();
    if (this.options.syncIntervalMs > 0) {
      this.#syncTimer = setInterval(() => void this.sync().catch((err) => this.#log?.warn({ err }, 'semantic cache: sync failed')), this.options.syncIntervalMs);
      this.#syncTimer.unref();
    }
    this.#sweepTimer = setInterval(() => void this.sweep().catch((err) => this.#log?.warn({ err }, 'semantic cache: sweep failed')), SWEEP_INTERVAL_MS);
    this.#sweepTimer.unref();
  }

  /** Serialises read-modify-write sequences of this process (registry, feed, blocks). */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #writeRegistry(change: (registry: Registry) => Registry, fresh = false): Promise<Registry> {
    return this.#serial(async () => {
      const current = fresh ? undefined : await this.options.store.get<Registry>('registry');
      const base: Registry = current ?? { generation: randomBytes(8).toString('hex'), writers: {} };
      const next = change({ ...base, writers: { ...base.writers } });
      await this.options.store.set('registry', next);
      this.#generation = next.generation;
      return next;
    });
  }

  async #registerSelf(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.#lastHeartbeat < HEARTBEAT_MS) return;
    this.#lastHeartbeat = now;
    await this.#writeRegistry((registry) => {
      registry.writers[this.writerId] = now;
      for (const [writer, seenAt] of Object.entries(registry.writers)) {
        if (now - seenAt > WRITER_STALE_MS) delete registry.writers[writer];
      }
      return registry;
    });
  }

  async #appendOp(op: FeedOp): Promise<void> {
    if (this.options.syncIntervalMs <= 0 && !this.options.indexFile) return;
    // Only processes that write join the registry: `kobza check` or `cache stats` do not.
    if (!this.#registered) {
      this.#registered = true;
      await this.#registerSelf(true);
    }
    await this.#serial(async () => {
      const seq = ++this.#seq;
      await this.options.store.set(`op:${this.writerId}:${seq}`, op, OP_RETENTION_MS);
      await this.options.store.set(`head:${this.writerId}`, seq, WRITER_STALE_MS);
      this.#positions.set(this.writerId, seq);
      this.#ownOps.push([seq, Date.now()]);
    });
  }

  /**
   * Applies what other processes changed since the last poll. Runs on a timer when
   * `syncIntervalMs` > 0; call it directly to catch up now.
   */
  sync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#syncing ??= (async () => {
      try {
        const registry = await this.options.store.get<Registry>('registry');
        if (!registry || registry.generation !== this.#generation) {
          // Someone cleared the store: start over from what is there now.
          this.#seq = 0;
          this.#ownOps = [];
          this.#registered = false;
          if (!registry) {
            this.#resetStates();
            await this.#writeRegistry((r) => r, true);
            this.#dirty = true;
          } else {
            await this.#fullScan(registry);
          }
          await this.#loadBlocks();
          return;
        }
        if (((await this.options.store.get<number>('blocks-version')) ?? 0) !== this.#blocksVersion) await this.#loadBlocks();
        await this.#catchUp(registry);
        if (this.#registered) await this.#registerSelf(!(this.writerId in registry.writers));
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }

  async #catchUp(registry: Registry): Promise<void> {
    for (const writer of Object.keys(registry.writers)) {
      if (writer === this.writerId) continue;
      const head = (await this.options.store.get<number>(`head:${writer}`)) ?? 0;
      const known = this.#positions.get(writer) ?? 0;
      if (head === known) continue;
      if (head < known || head - known > MAX_CATCH_UP_OPS) {
        await this.#fullScan(registry);
        return;
      }
      for (let seq = known + 1; seq <= head; seq++) {
        const op = await this.options.store.get<FeedOp>(`op:${writer}:${seq}`);
        if (!op) {
          // The feed expired under us: only a full scan is safe.
          await this.#fullScan(registry);
          return;
        }
        if (op.op === 'del') {
          for (const id of op.ids) this.#removeFromIndex(op.namespace, id);
        } else {
          const records = await Promise.all(op.ids.map((id) => this.options.store.get<EntryRecord>(`${ENTRY}${id}`)));
          await this.#indexRecords(records.filter(isRecord));
        }
        this.#positions.set(writer, seq);
      }
      this.#dirty = true;
    }
    if (this.#dirty) this.#scheduleSave();
  }

  async #fullScan(registry: Registry): Promise<void> {
    // The store changed under us (cleared, or the feed was lost): until the scan is done,
    // hits read the store again rather than trust an answer held from before.
    this.#dropHeld();
    const store = this.options.store;
    if (!store.entries) throw new KobzaError('CONFIG_INVALID', 'the semantic cache needs a store that can list its entries (CacheStore.entries)');
    // Heads first: ops written during the scan are applied again later, which is harmless.
    const heads = new Map<string, number>();
    for (const writer of Object.keys(registry.writers)) heads.set(writer, (await store.get<number>(`head:${writer}`)) ?? 0);
    // Built aside and swapped in at the end, so lookups meanwhile use the old index.
    const states = new Map<string, NamespaceState>();
    let batch: EntryRecord[] = [];
    for await (const [key, value] of store.entries(ENTRY)) {
      if (!key.startsWith(ENTRY) || !isRecord(value)) continue;
      batch.push(value);
      if (batch.length >= 256) {
        await this.#indexRecords(batch, states);
        batch = [];
      }
    }
    await this.#indexRecords(batch, states);
    this.#dropHeld();
    this.#states = states;
    this.#positions = heads;
    this.#positions.set(this.writerId, this.#seq);
    this.#generation = registry.generation;
    this.#dirty = true;
    this.#scheduleSave();
  }

  async #loadBlocks(): Promise<void> {
    // The version is read first: a block written in between is loaded again next poll.
    this.#blocksVersion = (await this.options.store.get<number>('blocks-version')) ?? 0;
    this.#blockRecords = (await this.options.store.get<Blocks>('blocks')) ?? {};
    this.#blocks = new Map(Object.entries(this.#blockRecords).map(([key, block]) => [key, new Set(block.answers)]));
  }

  #resetStates(): void {
    this.#dropHeld();
    this.#states = new Map();
  }

  #state(namespace: string, states = this.#states): NamespaceState {
    let state = states.get(namespace);
    if (!state) {
      state = { namespace, vectors: undefined, byLabel: new Map(), byId: new Map(), nextLabel: 1 };
      states.set(namespace, state);
    }
    return state;
  }

  #vectorsOf(state: NamespaceState, dimensions: number): VectorIndex {
    state.vectors ??= new VectorIndex({ ...this.options.index, dimensions });
    if (state.vectors.options.dimensions !== dimensions) throw new KobzaError('INTERNAL', `embedder "${this.options.embedder.id}" returned ${dimensions} dimensions, the index holds ${state.vectors.options.dimensions}`);
    return state.vectors;
  }

  /** Puts records into the in-memory index, re-embedding those made by another embedder. */
  async #indexRecords(records: EntryRecord[], states = this.#states): Promise<void> {
    const now = Date.now();
    const live = records.filter((r) => r.expiresAt === 0 || r.expiresAt > now);
    const foreign = live.filter((r) => r.embedder !== this.options.embedder.id || !r.vector);
    const fresh = foreign.length ? await this.options.embedder.embed(foreign.map((r) => r.question)) : [];
    const vectors = new Map<EntryRecord, Float32Array>(foreign.map((r, i) => [r, fresh[i]]));
    const grouped = new Map<string, { labels: number[]; vectors: Float32Array[] }>();
    for (const record of live) {
      const vector = vectors.get(record) ?? decodeVector(record.vector);
      const state = this.#state(record.namespace, states);
      const existing = state.byId.get(record.id);
      if (existing !== undefined) {
        this.#unhold(state.byLabel.get(existing));
        state.byLabel.delete(existing);
        state.vectors?.remove(existing);
      }
      const label = state.nextLabel++;
      state.byId.set(record.id, label);
      state.byLabel.set(label, {
        label,
        id: record.id,
        contextKey: record.contextKey,
        question: record.question,
        createdAt: record.createdAt,
        expiresAt: record.expiresAt,
        lastUsedAt: record.createdAt,
        useOrder: ++useCounter,
      });
      const group = grouped.get(record.namespace) ?? { labels: [], vectors: [] };
      group.labels.push(label);
      group.vectors.push(vector);
      grouped.set(record.namespace, group);
    }
    for (const [namespace, group] of grouped) {
      this.#vectorsOf(this.#state(namespace, states), group.vectors[0].length).addMany(group.labels, group.vectors);
    }
    if (live.length) this.#dirty = true;
  }

  #removeFromIndex(namespace: string, id: string): boolean {
    const state = this.#states.get(namespace);
    const label = state?.byId.get(id);
    if (!state || label === undefined) return false;
    this.#unhold(state.byLabel.get(label));
    state.byId.delete(id);
    state.byLabel.delete(label);
    state.vectors?.remove(label);
    this.#dirty = true;
    return true;
  }

  /**
   * Drops expired entries from the index and the store, and this process's feed records
   * past their retention. Stores that expire keys only when read (memory, SQLite) would
   * otherwise keep them forever.
   */
  async sweep(): Promise<number> {
    const now = Date.now();
    let removed = 0;
    for (const state of [...this.#states.values()]) {
      const expired = [...state.byLabel.values()].filter((e) => e.expiresAt !== 0 && e.expiresAt <= now).map((e) => e.id);
      for (const id of expired) this.#removeFromIndex(state.namespace, id);
      await Promise.all(expired.map((id) => this.options.store.delete(`${ENTRY}${id}`)));
      removed += expired.length;
    }
    while (this.#ownOps.length && now - this.#ownOps[0][1] > OP_RETENTION_MS) {
      const [seq] = this.#ownOps.shift()!;
      await this.options.store.delete(`op:${this.writerId}:${seq}`);
    }
    if (removed) this.#scheduleSave();
    return removed;
  }

  // Snapshot files: `<base>.json` (manifest) + `<base>.<namespace>.<snapshot>.vec`.
  #manifestFile(): string | undefined {
    return this.options.indexFile ? `${this.options.indexFile}.json` : undefined;
  }

  #loadSnapshot(): boolean {
    const file = this.#manifestFile();
    if (!file || !existsSync(file)) return false;
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (manifest.version !== 2 || manifest.embedder !== this.options.embedder.id) {
        this.#log?.info({ file }, 'semantic cache: saved index was made by another embedder; rebuilding from the store');
        return false;
      }
      const states = new Map<string, NamespaceState>();
      for (const saved of manifest.namespaces) {
        const state: NamespaceState = { namespace: saved.namespace, vectors: undefined, byLabel: new Map(), byId: new Map(), nextLabel: saved.nextLabel };
        for (const [label, id, contextKey, question, createdAt, expiresAt] of saved.entries) {
          state.byLabel.set(label, { label, id, contextKey, question, createdAt, expiresAt, lastUsedAt: createdAt });
          state.byId.set(id, label);
        }
        if (saved.vectorFile && saved.dimensions) {
          state.vectors = VectorIndex.load(path.join(path.dirname(file), saved.vectorFile), { ...this.options.index, dimensions: saved.dimensions }, saved.mode, [...state.byLabel.keys()]);
        }
        states.set(saved.namespace, state);
      }
      this.#states = states;
      this.#generation = manifest.generation;
      this.#positions = new Map(Object.entries(manifest.positions));
      return true;
    } catch (err) {
      this.#log?.warn({ err, file }, 'semantic cache: saved index is unreadable; rebuilding from the store');
      this.#resetStates();
      return false;
    }
  }

  #scheduleSave(): void {
    if (!this.options.indexFile || this.#closed || this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      try {
        this.saveIndex();
      } catch (err) {
        this.#log?.warn({ err }, 'semantic cache: could not save the index');
      }
    }, this.options.saveDelayMs ?? 5000);
    this.#saveTimer.unref();
  }

  /** Writes the index beside the store now (no-op without `indexFile` or changes). */
  saveIndex(): void {
    const file = this.#manifestFile();
    if (!file || !this.#dirty) return;
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    const snapshot = randomBytes(4).toString('hex');
    const base = path.basename(this.options.indexFile!);
    const manifest: Manifest = {
      version: 2,
      embedder: this.options.embedder.id,
      generation: this.#generation,
      positions: Object.fromEntries(this.#positions),
      savedAt: Date.now(),
      namespaces: [],
    };
    const written: string[] = [];
    for (const state of this.#states.values()) {
      let vectorFile: string | undefined;
      if (state.vectors && state.vectors.size > 0) {
        vectorFile = `${base}.${state.namespace}.${snapshot}.${state.vectors.mode === 'ann' ? 'usearch' : 'vec'}`;
        state.vectors.save(path.join(dir, vectorFile));
        written.push(vectorFile);
      }
      manifest.namespaces.push({
        namespace: state.namespace,
        nextLabel: state.nextLabel,
        mode: state.vectors?.mode ?? 'exact',
        dimensions: vectorFile ? state.vectors!.options.dimensions : undefined,
        vectorFile,
        entries: vectorFile ? [...state.byLabel.values()].map((e) => [e.label, e.id, e.contextKey, e.question, e.createdAt, e.expiresAt]) : [],
      });
    }
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(manifest));
    renameSync(temp, file);
    // Older snapshots of this index are no longer referenced.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${base}.`) && /\.(vec|usearch)$/.test(name) && !written.includes(name)) rmSync(path.join(dir, name), { force: true });
    }
    this.#dirty = false;
  }

  // ── lookup and store ───────────────────────────────────────────────────────────────────

  #blocked(question: string, answerHash: string): boolean {
    // Nearly always nothing was forgotten: no hashing then.
    if (this.#blocks.size === 0) return false;
    return this.#blocks.get(blockKeyOf(question))?.has(answerHash) ?? false;
  }

  /**
   * Finds an answer for `question` in `scope`: exact normalised match first, then index
   * candidates above the threshold, each verified by `compareQuestions`.
   */
  lookup(question: string, scope: CacheScope, signal?: AbortSignal): Promise<LookupResult> {
    let held: LookupResult | undefined;
    try {
      held = this.#heldRepeat(question, scope);
    } catch (err) {
      return Promise.reject(err);
    }
    if (held) {
      this.#hits++;
      return Promise.resolve(held);
    }
    return this.#lookup(question, scope, signal);
  }

  async #lookup(question: string, scope: CacheScope, signal?: AbortSignal): Promise<LookupResult> {
    const result = await this.#decide(question, scope, signal, true);
    if (result.hit) this.#hits++;
    else this.#misses++;
    return result as LookupResult;
  }

  /**
   * The most common hit, decided without a promise turn: the very same question text as a
   * live entry whose answer is held. What `#decide` would return for it.
   */
  #heldRepeat(question: string, scope: CacheScope): LookupResult | undefined {
    const state = this.#states.get(scope.namespace);
    const label = state?.byId.get(entryIdOf(scope.namespace, scope.contextKey, question));
    const entry = label === undefined ? undefined : state!.byLabel.get(label);
    const record = entry?.held;
    if (record === undefined || entry!.question !== question) return undefined;
    const now = Date.now();
    if (entry!.expiresAt !== 0 && entry!.expiresAt <= now) return undefined;
    // The record's own expiry too: another writer may have re-stored the id with another
    // lifetime before this process caught up (#read checks the record, not the entry).
    if ((record.expiresAt !== 0 && record.expiresAt <= now) || this.#blocked(question, record.answerHash)) return undefined;
    touch(entry!, now);
    this.#heldUsed(entry!);
    return { hit: true, exact: true, similarity: 1, entry: record };
  }

  /**
   * The entry the exact key, the index and the verifier pick for `question`, from memory
   * only: what a lookup decides before its one store read (which fetches the answer and
   * applies `forget` blocks). For measuring and for tools.
   */
  async match(question: string, scope: CacheScope, signal?: AbortSignal): Promise<MatchResult> {
    return (await this.#decide(question, scope, signal, false)) as MatchResult;
  }

  async #decide(question: string, scope: CacheScope, signal: AbortSignal | undefined, read: boolean): Promise<LookupResult | MatchResult> {
    const now = Date.now();
    const state = this.#states.get(scope.namespace);
    const veto: Veto = {};
    // The index knows every entry (other processes' within one sync interval), so a miss
    // costs no store round trip.
    const label = state?.byId.get(entryIdOf(scope.namespace, scope.contextKey, question));
    const exact = label === undefined ? undefined : state!.byLabel.get(label);
    if (exact && (exact.expiresAt === 0 || exact.expiresAt > now)) {
      // Normalisation drops symbols ("() vs []", "= vs =="), so an equal key still gets the
      // slot checks unless the text is literally the same.
      const verdict = exact.question === question ? undefined : compareQuestions(question, exact.question, this.options.text);
      if (verdict && !verdict.same) return { hit: false, reason: 'vetoed', bestSimilarity: 1, vetoedBy: verdict.vetoedBy ?? 'content', detail: verdict.reason };
      const hit = read ? await this.#read(question, state!, exact, veto, now) : exact;
      if (hit) {
        touch(exact, now);
        return read ? { hit: true, exact: true, similarity: 1, entry: hit as EntryRecord } : { hit: true, exact: true, similarity: 1, id: exact.id, question: exact.question };
      }
    }
    if (!state?.vectors || state.vectors.size === 0) return { hit: false, reason: 'empty', vetoedBy: veto.by, detail: veto.detail };
    let vector: Float32Array;
    try {
      [vector] = await this.options.embedder.embed([question], signal);
    } catch (err) {
      if (isAbortError(err) || signal?.aborted) throw err;
      this.#log?.warn({ err }, 'semantic cache: embedding failed; treating as a miss');
      return { hit: false, reason: 'embedder-error', detail: (err as Error).message };
    }
    const { threshold, topK, text } = this.options;
    const matches = state.vectors.search(vector, topK + (scope.contextKey ? topK : 0));
    const bestSimilarity = matches[0]?.similarity;
    // A true paraphrase is almost always the best match or close to it; verifying far-off
    // candidates costs time (the verifier is the expensive step) and finds nothing.
    const floor = Math.max(threshold, (bestSimilarity ?? 0) - (this.options.candidateMargin ?? 2));
    let candidates = 0;
    for (const match of matches) {
      if (match.similarity < floor) break;
      const entry = state.byLabel.get(match.label);
      if (!entry || entry === exact || entry.contextKey !== scope.contextKey) continue;
      if (entry.expiresAt !== 0 && entry.expiresAt <= now) continue;
      candidates++;
      const verdict = compareQuestions(question, entry.question, text);
      if (!verdict.same) {
        veto.by ??= verdict.vetoedBy ?? 'content';
        veto.detail ??= verdict.reason;
        continue;
      }
      if (!read) return { hit: true, exact: false, similarity: match.similarity, id: entry.id, question: entry.question };
      const record = await this.#read(question, state, entry, veto, now);
      if (!record) continue;
      touch(entry, now);
      return { hit: true, exact: false, similarity: match.similarity, entry: record, verification: verdict.reason };
    }
    if (candidates === 0 && !veto.by) return { hit: false, reason: bestSimilarity === undefined ? 'empty' : 'below-threshold', bestSimilarity };
    return { hit: false, reason: 'vetoed', bestSimilarity, vetoedBy: veto.by, detail: veto.detail };
  }

  /** Reads a verified candidate's entry; undefined when it is gone, expired or blocked. */
  async #read(question: string, state: NamespaceState, entry: IndexedEntry, veto: Veto, now: number): Promise<EntryRecord | undefined> {
    let record = entry.held;
    if (record === undefined) {
      const stored = await this.options.store.get<EntryRecord>(`${ENTRY}${entry.id}`);
      if (!isRecord(stored)) {
        // Evicted or forgotten by another process: heal the index.
        this.#removeFromIndex(state.namespace, entry.id);
        return undefined;
      }
      record = stored;
      // Still the same entry after the await (not deleted or re-stored meanwhile): hold it.
      if (state.byLabel.get(entry.label) === entry) this.#hold(entry, stored);
    } else {
      this.#heldUsed(entry);
    }
    if (record.expiresAt !== 0 && record.expiresAt <= now) return undefined;
    if (this.#blocked(question, record.answerHash)) {
      veto.by ??= 'forgotten';
      veto.detail ??= 'an operator made this question forget that answer';
      return undefined;
    }
    return record;
  }

  #hold(entry: IndexedEntry, record: EntryRecord): void {
    const max = this.options.heldAnswers ?? 1000;
    if (max <= 0) return;
    entry.held = { ...record, vector: '' };
    this.#held.add(entry);
    if (this.#held.size > max) {
      const oldest = this.#held.values().next().value!;
      oldest.held = undefined;
      this.#held.delete(oldest);
    }
  }

  /** Most recently hit last, so the bound drops the least recently hit. */
  #heldUsed(entry: IndexedEntry): void {
    this.#held.delete(entry);
    this.#held.add(entry);
  }

  /** Forgets an entry's held answer (the entry leaves the index or is replaced). */
  #unhold(entry: IndexedEntry | undefined): void {
    if (entry?.held === undefined) return;
    entry.held = undefined;
    this.#held.delete(entry);
  }

  #dropHeld(): void {
    for (const entry of this.#held) entry.held = undefined;
    this.#held.clear();
  }

  /**
   * Stores a complete answer. Skips answers an operator made this question forget.
   * @returns the stored record, or undefined when skipped.
   */
  async store(question: string, answer: string, scope: CacheScope, model: string, options: { createdAt?: number; expiresAt?: number; signal?: AbortSignal } = {}): Promise<EntryRecord | undefined> {
    const [record] = await this.#storeMany([{ question, answer, scope, model, createdAt: options.createdAt, expiresAt: options.expiresAt }], options.signal);
    return record;
  }

  async #storeMany(items: { question: string; answer: string; scope: CacheScope; model: string; createdAt?: number; expiresAt?: number }[], signal?: AbortSignal): Promise<EntryRecord[]> {
    const now = Date.now();
    const accepted = items.filter((item) => {
      const answerHash = shortHash(item.answer);
      if (this.#blocked(item.question, answerHash)) {
        this.#log?.info({ question: item.question }, 'semantic cache: not storing an answer an operator made this question forget');
        return false;
      }
      return !(item.expiresAt && item.expiresAt <= now);
    });
    if (accepted.length === 0) return [];
    const vectors = await this.options.embedder.embed(
      accepted.map((item) => item.question),
      signal,
    );
    const records: EntryRecord[] = accepted.map((item, i) => {
      const createdAt = item.createdAt ?? now;
      const expiresAt = item.expiresAt ?? (this.options.ttlMs > 0 ? createdAt + this.options.ttlMs : 0);
      return {
        v: 1,
        id: entryIdOf(item.scope.namespace, item.scope.contextKey, item.question),
        namespace: item.scope.namespace,
        contextKey: item.scope.contextKey,
        question: item.question,
        answer: item.answer,
        model: item.model,
        createdAt,
        expiresAt,
        answerHash: shortHash(item.answer),
        embedder: this.options.embedder.id,
        vector: encodeVector(vectors[i]),
      };
    });
    for (const [i, record] of records.entries()) {
      if (!this.#knownFacts.has(record.namespace)) {
        await this.options.store.set(`ns:${record.namespace}`, accepted[i].scope.facts);
        this.#knownFacts.add(record.namespace);
      }
    }
    // Issued together: a Redis client pipelines them, SQLite queues them on its connection.
    await Promise.all(records.map((record) => this.options.store.set(`${ENTRY}${record.id}`, record, record.expiresAt === 0 ? undefined : Math.max(1, record.expiresAt - now))));
    const byNamespace = new Map<string, string[]>();
    for (const record of records) byNamespace.set(record.namespace, [...(byNamespace.get(record.namespace) ?? []), record.id]);
    for (const [namespace, ids] of byNamespace) await this.#appendOp({ op: 'add', ids, namespace });
    await this.#indexRecords(records);
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
    const all = [...this.#states.values()].flatMap((state) => [...state.byLabel.values()].map((entry) => ({ entry, namespace: state.namespace })));
    all.sort((a, b) => a.entry.lastUsedAt - b.entry.lastUsedAt || (a.entry.useOrder ?? 0) - (b.entry.useOrder ?? 0) || a.entry.createdAt - b.entry.createdAt);
    const victims = new Map<string, string[]>();
    for (const { entry, namespace } of all.slice(0, total - target)) victims.set(namespace, [...(victims.get(namespace) ?? []), entry.id]);
    for (const [namespace, ids] of victims) await this.#delete(namespace, ids);
  }

  async #delete(namespace: string, ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.options.store.delete(`${ENTRY}${id}`)));
    for (const id of ids) this.#removeFromIndex(namespace, id);
    await this.#appendOp({ op: 'del', ids, namespace });
  }

  /** Entries in the in-memory index (all namespaces). */
  get size(): number {
    let total = 0;
    for (const state of this.#states.values()) total += state.byLabel.size;
    return total;
  }

  // ── operator tools ─────────────────────────────────────────────────────────────────────

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
    for (const state of [...this.#states.values()]) {
      const targets = new Set<string>();
      for (const entry of state.byLabel.values()) if (normalize(entry.question) === normalized) targets.add(entry.id);
      for (const match of state.vectors?.search(vector, this.options.topK * 4) ?? []) {
        if (match.similarity < this.options.threshold) break;
        const entry = state.byLabel.get(match.label);
        if (entry && compareQuestions(question, entry.question, this.options.text).same) targets.add(entry.id);
      }
      for (const id of targets) {
        const record = await this.options.store.get<EntryRecord>(`${ENTRY}${id}`);
        if (isRecord(record)) {
          removed.push({ id, namespace: state.namespace, question: record.question, answer: record.answer });
          hashes.add(record.answerHash);
        }
      }
      if (targets.size) await this.#delete(state.namespace, [...targets]);
    }
    if (hashes.size > 0) {
      const key = shortHash(normalized);
      await this.#serial(async () => {
        const blocks = (await this.options.store.get<Blocks>('blocks')) ?? {};
        const block = blocks[key] ?? { question: normalized, answers: [] };
        block.answers = [...new Set([...block.answers, ...hashes])];
        blocks[key] = block;
        await this.options.store.set('blocks', blocks);
        await this.options.store.set('blocks-version', ((await this.options.store.get<number>('blocks-version')) ?? 0) + 1);
      });
      await this.#loadBlocks();
    }
    this.#scheduleSave();
    return { removed, blocked: normalized };
  }

  /** Numbers for `kobza cache stats`. */
  async stats(): Promise<CacheStats> {
    const registry = await this.options.store.get<Registry>('registry');
    const namespaces: CacheStats['namespaces'] = [];
    for (const state of this.#states.values()) {
      if (state.byLabel.size === 0) continue;
      const facts = await this.options.store.get<NamespaceFacts>(`ns:${state.namespace}`);
      namespaces.push({ namespace: state.namespace, model: facts?.model, entries: state.byLabel.size, index: state.vectors?.mode ?? 'empty' });
    }
    return {
      entries: this.size,
      namespaces,
      embedder: this.options.embedder.id,
      threshold: this.options.threshold,
      blockedQuestions: Object.keys(this.#blockRecords).length,
      writers: Object.keys(registry?.writers ?? {}).length,
      hits: this.#hits,
      misses: this.#misses,
      indexFile: this.#manifestFile(),
    };
  }

  /** Removes every entry, block and feed record; other processes notice on their next poll. */
  async clear(onProgress?: (done: number, total: number) => void): Promise<number> {
    const count = this.size;
    onProgress?.(0, count);
    await this.options.store.clear();
    this.#resetStates();
    this.#blocks.clear();
    this.#blockRecords = {};
    this.#positions = new Map();
    this.#seq = 0;
    this.#ownOps = [];
    this.#knownFacts.clear();
    await this.#writeRegistry((r) => r, true);
    this.#blocksVersion = 0;
    this.#registered = false;
    this.#dirty = true;
    this.saveIndex();
    onProgress?.(count, count);
    return count;
  }

  /** Every live entry, for `kobza cache export` (JSONL, one entry a line). */
  async *export(onProgress?: (done: number, total: number) => void): AsyncGenerator<ExportedEntry> {
    const store = this.options.store;
    if (!store.entries) throw new KobzaError('CONFIG_INVALID', 'this store cannot list its entries');
    const facts = new Map<string, NamespaceFacts | undefined>();
    const total = this.size;
    let done = 0;
    const now = Date.now();
    for await (const [key, value] of store.entries(ENTRY)) {
      if (!key.startsWith(ENTRY) || !isRecord(value)) continue;
      if (value.expiresAt !== 0 && value.expiresAt <= now) continue;
      if (!facts.has(value.namespace)) facts.set(value.namespace, await store.get<NamespaceFacts>(`ns:${value.namespace}`));
      done++;
      onProgress?.(done, Math.max(total, done));
      yield {
        question: value.question,
        answer: value.answer,
        namespace: value.namespace,
        contextKey: value.contextKey,
        model: value.model,
        createdAt: value.createdAt,
        expiresAt: value.expiresAt,
        facts: facts.get(value.namespace),
      };
    }
  }

  /** Stores exported entries again (keeping their namespace, context and expiry). */
  async import(entries: Iterable<ExportedEntry> | AsyncIterable<ExportedEntry>, onProgress?: (done: number) => void): Promise<number> {
    let batch: ExportedEntry[] = [];
    let stored = 0;
    let seen = 0;
    const flush = async () => {
      const records = await this.#storeMany(
        batch.map((e) => ({
          question: e.question,
          answer: e.answer,
          model: e.model,
          createdAt: e.createdAt,
          expiresAt: e.expiresAt,
          scope: { namespace: e.namespace, contextKey: e.contextKey ?? '', facts: e.facts ?? { model: e.model, system: '', options: {} } },
        })),
      );
      stored += records.length;
      batch = [];
    };
    for await (const entry of entries) {
      if (typeof entry?.question !== 'string' || typeof entry.answer !== 'string' || typeof entry.namespace !== 'string') {
        throw new KobzaError('BAD_REQUEST', `import line ${seen + 1}: expected an object with question, answer and namespace`);
      }
      batch.push(entry);
      seen++;
      if (batch.length >= 256) {
        await flush();
        onProgress?.(seen);
      }
    }
    if (batch.length) await flush();
    onProgress?.(seen);
    return stored;
  }

  /** Stops polling, saves the index and closes the store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#syncTimer);
    clearInterval(this.#sweepTimer);
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    await this.#syncing?.catch(() => undefined);
    await this.#queue;
    try {
      this.saveIndex();
    } catch (err) {
      this.#log?.warn({ err }, 'semantic cache: could not save the index');
    }
    this.#closed = true;
    await this.options.store.close?.();
  }
}

interface Manifest {
  version: 2;
  embedder: string;
  generation: string;
  positions: Record<string, number>;
  savedAt: number;
  namespaces: {
    namespace: string;
    nextLabel: number;
    mode: 'exact' | 'ann';
    dimensions?: number;
    vectorFile?: string;
    /** label, id, contextKey, question, createdAt, expiresAt */
    entries: [number, string, string, string, number, number][];
  }[];
}
