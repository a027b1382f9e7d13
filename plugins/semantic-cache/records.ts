/**
 * Entries as the store keeps them: the record shape, its id, and every read and write of
 * `e:<id>` (entries) and `ns:<namespace>` (the facts a namespace was built from) keys, plus
 * the JSONL export of them. Nothing here knows about the index or the change feed.
 */
import { BoundedMap, KobzaError, type CacheStore } from '../../core/index.js';
import { normalize } from '../../core/text/index.js';
import { shortHash, type CacheScope, type NamespaceFacts } from './scope.js';

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

/**
 * What is wrong with one line of an export, or undefined when it can be imported: a
 * non-empty `question` and `answer`, a `namespace`, and `expiresAt` a number of ms since
 * 1970 (0 = never) or null (never). Checked before anything is stored, so `stats` and
 * `export` never disagree about an entry that should not exist.
 * @example
 * problemOfExportedEntry({ question: 'Q', answer: '', namespace: 'ns', expiresAt: 0 }) // 'answer: expected a non-empty string, got ""'
 */
export function problemOfExportedEntry(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object (an exported entry)';
  const entry = value as Record<string, unknown>;
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 40) ?? String(v));
  for (const field of ['question', 'answer', 'namespace'] as const) {
    const v = entry[field];
    if (typeof v !== 'string' || v.trim() === '') return `${field}: expected a non-empty string, got ${show(v)}`;
  }
  for (const field of ['model', 'contextKey'] as const) {
    if (entry[field] !== undefined && typeof entry[field] !== 'string') return `${field}: expected a string, got ${show(entry[field])}`;
  }
  const expiresAt = entry.expiresAt;
  if (expiresAt !== null && !(typeof expiresAt === 'number' && Number.isFinite(expiresAt) && expiresAt >= 0)) {
    return `expiresAt: expected a number (ms since 1970; 0 = never) or null, got ${show(expiresAt)}`;
  }
  const createdAt = entry.createdAt;
  if (createdAt !== undefined && !(typeof createdAt === 'number' && Number.isFinite(createdAt) && createdAt >= 0)) return `createdAt: expected a number (ms since 1970), got ${show(createdAt)}`;
  return undefined;
}

/** Key prefix of entries inside the store's `semantic-cache` namespace. */
export const ENTRY = 'e:';

export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function decodeVector(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export function isRecord(value: unknown): value is EntryRecord {
  return typeof value === 'object' && value !== null && (value as EntryRecord).v === 1 && typeof (value as EntryRecord).question === 'string' && typeof (value as EntryRecord).answer === 'string';
}

/**
 * The id (and exact-match key) of a question in a scope.
 * @example
 * entryIdOf('ns-3f…', '', 'Скільки коштує гуртожиток?') // 32 hex digits
 */
export function entryIdOf(namespace: string, contextKey: string, question: string): string {
  // Normalisation drops code-like symbols; keep them in the key so "= vs ==" are two entries.
  const symbols = (question.match(/[()[\]{}<>=+*/\\%~^&|#$@]+/g) ?? []).join(' ');
  return shortHash(`${namespace}\u0000${contextKey}\u0000${normalize(question)}\u0000${symbols}`, 32);
}

/**
 * `entryIdOf` with the ids of recently asked self-contained questions remembered: a repeat's
 * exact key costs one Map read instead of a normalisation and a SHA-256.
 */
export class EntryIds {
  /**
   * Per namespace (a few: models × tenants), then per question text: the question string
   * itself is the key, so no joined key string is built and hashed on every request.
   */
  #memo = new BoundedMap<string, BoundedMap<string, string>>(16);

  of(namespace: string, contextKey: string, question: string): string {
    if (contextKey !== '' || question.length > 512) return entryIdOf(namespace, contextKey, question);
    let ids = this.#memo.get(namespace);
    if (ids === undefined) {
      ids = new BoundedMap<string, string>(4096);
      this.#memo.set(namespace, ids);
    }
    let id = ids.get(question);
    if (id === undefined) {
      id = entryIdOf(namespace, contextKey, question);
      ids.set(question, id);
    }
    return id;
  }
}

/** An answer to store: `SemanticCache.store`'s arguments, or an imported entry. */
export interface NewAnswer {
  question: string;
  answer: string;
  scope: CacheScope;
  model: string;
  createdAt?: number;
  expiresAt?: number;
}

/**
 * The entries and namespace facts of one store.
 * @example
 * const records = new EntryRecords(store);
 * await records.get(id) // EntryRecord | undefined
 */
export class EntryRecords {
  readonly store: CacheStore;
  /** Namespaces whose facts this process has written already. */
  #knownFacts = new Set<string>();

  constructor(store: CacheStore) {
    this.store = store;
  }

  /** The stored record of `id`; undefined when it is gone (or not a record). */
  async get(id: string): Promise<EntryRecord | undefined> {
    const stored = await this.store.get<EntryRecord>(`${ENTRY}${id}`);
    return isRecord(stored) ? stored : undefined;
  }

  /** The stored records of `ids` that still exist. */
  async getMany(ids: string[]): Promise<EntryRecord[]> {
    return (await Promise.all(ids.map((id) => this.store.get<EntryRecord>(`${ENTRY}${id}`)))).filter(isRecord);
  }

  /** Writes records (and, once per namespace, its facts). */
  async setMany(records: EntryRecord[], facts: NamespaceFacts[], now: number): Promise<void> {
    for (const [i, record] of records.entries()) {
      if (!this.#knownFacts.has(record.namespace)) {
        await this.store.set(`ns:${record.namespace}`, facts[i]);
        this.#knownFacts.add(record.namespace);
      }
    }
    // Issued together: a Redis client pipelines them, SQLite queues them on its connection.
    await Promise.all(records.map((record) => this.store.set(`${ENTRY}${record.id}`, record, record.expiresAt === 0 ? undefined : Math.max(1, record.expiresAt - now))));
  }

  async deleteMany(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.store.delete(`${ENTRY}${id}`)));
  }

  facts(namespace: string): Promise<NamespaceFacts | undefined> {
    return this.store.get<NamespaceFacts>(`ns:${namespace}`);
  }

  /** The store was cleared: facts must be written again. */
  forgetFacts(): void {
    this.#knownFacts.clear();
  }

  /** Every stored record, in store order; `withoutListing` is the error for a store that cannot list its keys. */
  async *scan(withoutListing = 'the semantic cache needs a store that can list its entries (CacheStore.entries)'): AsyncGenerator<EntryRecord> {
    const store = this.store;
    if (!store.entries) throw new KobzaError('CONFIG_INVALID', withoutListing);
    for await (const [key, value] of store.entries(ENTRY)) {
      if (key.startsWith(ENTRY) && isRecord(value)) yield value;
    }
  }

  /** Every live entry with its namespace's facts, for `kobza cache export`. */
  async *export(total: number, onProgress?: (done: number, total: number) => void): AsyncGenerator<ExportedEntry> {
    const facts = new Map<string, NamespaceFacts | undefined>();
    let done = 0;
    const now = Date.now();
    for await (const value of this.scan('this store cannot list its entries')) {
      if (value.expiresAt !== 0 && value.expiresAt <= now) continue;
      if (!facts.has(value.namespace)) facts.set(value.namespace, await this.facts(value.namespace));
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
}

/** The record of a new answer; without its own times it lives `ttlMs` from `now` (0 = for good). */
export function recordOf(item: NewAnswer, id: string, vector: Float32Array, embedderId: string, now: number, ttlMs: number): EntryRecord {
  const createdAt = item.createdAt ?? now;
  return {
    v: 1,
    id,
    namespace: item.scope.namespace,
    contextKey: item.scope.contextKey,
    question: item.question,
    answer: item.answer,
    model: item.model,
    createdAt,
    expiresAt: item.expiresAt ?? (ttlMs > 0 ? createdAt + ttlMs : 0),
    answerHash: shortHash(item.answer),
    embedder: embedderId,
    vector: encodeVector(vector),
  };
}

/** An exported entry as an answer to store again (its namespace, context and times kept). */
function answerOf(e: ExportedEntry): NewAnswer {
  const scope = { namespace: e.namespace, contextKey: e.contextKey ?? '', facts: e.facts ?? { model: e.model, system: '', options: {} } };
  return { question: e.question, answer: e.answer, model: e.model, createdAt: e.createdAt, expiresAt: e.expiresAt ?? 0, scope };
}

/**
 * Reads exported entries in batches of 256 and hands each batch to `store`.
 * @returns how many entries `store` kept.
 */
export async function importEntries(
  entries: Iterable<ExportedEntry> | AsyncIterable<ExportedEntry>,
  store: (batch: NewAnswer[]) => Promise<unknown[]>,
  onProgress?: (done: number) => void,
): Promise<number> {
  let batch: NewAnswer[] = [];
  let stored = 0;
  let seen = 0;
  for await (const entry of entries) {
    if (typeof entry?.question !== 'string' || typeof entry.answer !== 'string' || typeof entry.namespace !== 'string') {
      throw new KobzaError('BAD_REQUEST', `import line ${seen + 1}: expected an object with question, answer and namespace`);
    }
    batch.push(answerOf(entry));
    seen++;
    if (batch.length >= 256) {
      stored += (await store(batch)).length;
      batch = [];
      onProgress?.(seen);
    }
  }
  if (batch.length) stored += (await store(batch)).length;
  onProgress?.(seen);
  return stored;
}
