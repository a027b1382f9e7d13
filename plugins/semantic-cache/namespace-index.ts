/**
 * What this process knows of the store, in memory: per namespace, the entries (id, question,
 * times, recency) and a vector index of their questions. A lookup decides from here alone, so
 * a miss costs no store round trip; the store is read only for a verified hit's answer.
 */
import { KobzaError, type Embedder } from '../../core/index.js';
import { compareQuestions, normalize, type TextOptions } from '../../core/text/index.js';
import type { HeldAnswers } from './held-answers.js';
import { decodeVector, type EntryRecord } from './records.js';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';

/** An entry as the index knows it (no answer, no vector). */
export interface IndexedEntry {
  label: number;
  id: string;
  contextKey: string;
  question: string;
  createdAt: number;
  expiresAt: number;
  /** In-memory recency for eviction (a hit does not touch the stored TTL). */
  lastUsedAt: number;
  /** Use order within this index: breaks ties between uses in the same millisecond. */
  useOrder?: number;
}

/** One namespace: its entries by vector label and by id, and their vectors. */
export interface NamespaceState {
  namespace: string;
  vectors: VectorIndex | undefined;
  byLabel: Map<number, IndexedEntry>;
  byId: Map<string, number>;
  nextLabel: number;
}

export type NamespaceStates = Map<string, NamespaceState>;

export function emptyState(namespace: string, nextLabel = 1): NamespaceState {
  return { namespace, vectors: undefined, byLabel: new Map(), byId: new Map(), nextLabel };
}

/**
 * The in-memory index of every namespace.
 * @example
 * const index = new NamespaceIndex(embedder, DEFAULT_VECTOR_INDEX_OPTIONS, held);
 * await index.add(records);
 * index.entry(namespace, id)?.question
 */
export class NamespaceIndex {
  /** Something a saved snapshot holds changed since it was written. */
  changed = false;
  #states: NamespaceStates = new Map();
  #useCounter = 0;
  readonly #embedder: Embedder;
  readonly #options: Omit<VectorIndexOptions, 'dimensions'>;
  readonly #held: HeldAnswers;

  constructor(embedder: Embedder, options: Omit<VectorIndexOptions, 'dimensions'>, held: HeldAnswers) {
    this.#embedder = embedder;
    this.#options = options;
    this.#held = held;
  }

  get(namespace: string): NamespaceState | undefined {
    return this.#states.get(namespace);
  }

  /** The live index entry of `id` in `namespace`, if the index has it. */
  entry(namespace: string, id: string): IndexedEntry | undefined {
    const state = this.#states.get(namespace);
    const label = state?.byId.get(id);
    return label === undefined ? undefined : state!.byLabel.get(label);
  }

  states(): IterableIterator<NamespaceState> {
    return this.#states.values();
  }

  /** Entries in all namespaces. */
  get size(): number {
    let total = 0;
    for (const state of this.#states.values()) total += state.byLabel.size;
    return total;
  }

  /** Marks an entry as just used. */
  touch(entry: IndexedEntry, now: number): void {
    entry.lastUsedAt = now;
    entry.useOrder = ++this.#useCounter;
  }

  /** Forgets every held answer: the store changed under this process. */
  dropHeld(): void {
    this.#held.dropAll();
  }

  /** Empties the index (and the held answers with it). */
  reset(): void {
    this.#held.dropAll();
    this.#states = new Map();
  }

  /** Puts states built aside (a scan, a snapshot) in place of the current ones. */
  replace(states: NamespaceStates): void {
    this.#held.dropAll();
    this.#states = states;
  }

  /**
   * Puts records into the index (or into `states`, built aside), re-embedding those made by
   * another embedder. Expired records are skipped.
   */
  async add(records: EntryRecord[], states = this.#states): Promise<void> {
    const now = Date.now();
    const live = records.filter((r) => r.expiresAt === 0 || r.expiresAt > now);
    const foreign = live.filter((r) => r.embedder !== this.#embedder.id || !r.vector);
    const fresh = foreign.length ? await this.#embedder.embed(foreign.map((r) => r.question)) : [];
    const vectors = new Map<EntryRecord, Float32Array>(foreign.map((r, i) => [r, fresh[i]]));
    const grouped = new Map<string, { labels: number[]; vectors: Float32Array[] }>();
    for (const record of live) {
      const vector = vectors.get(record) ?? decodeVector(record.vector);
      const state = stateOf(states, record.namespace);
      const existing = state.byId.get(record.id);
      if (existing !== undefined) {
        this.#held.drop(state.byLabel.get(existing));
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
        useOrder: ++this.#useCounter,
      });
      const group = grouped.get(record.namespace) ?? { labels: [], vectors: [] };
      group.labels.push(label);
      group.vectors.push(vector);
      grouped.set(record.namespace, group);
    }
    for (const [namespace, group] of grouped) {
      this.#vectorsOf(stateOf(states, namespace), group.vectors[0].length).addMany(group.labels, group.vectors);
    }
    if (live.length) this.changed = true;
  }

  #vectorsOf(state: NamespaceState, dimensions: number): VectorIndex {
    state.vectors ??= new VectorIndex({ ...this.#options, dimensions });
    if (state.vectors.options.dimensions !== dimensions) throw new KobzaError('INTERNAL', `embedder "${this.#embedder.id}" returned ${dimensions} dimensions, the index holds ${state.vectors.options.dimensions}`);
    return state.vectors;
  }

  /** Drops an entry (and its held answer); false when the index did not have it. */
  remove(namespace: string, id: string): boolean {
    const state = this.#states.get(namespace);
    const label = state?.byId.get(id);
    if (!state || label === undefined) return false;
    this.#held.drop(state.byLabel.get(label));
    state.byId.delete(id);
    state.byLabel.delete(label);
    state.vectors?.remove(label);
    this.changed = true;
    return true;
  }

  /** Drops expired entries; returns their ids, by namespace. */
  removeExpired(now: number): Map<string, string[]> {
    const result = new Map<string, string[]>();
    for (const state of [...this.#states.values()]) {
      const expired = [...state.byLabel.values()].filter((e) => e.expiresAt !== 0 && e.expiresAt <= now).map((e) => e.id);
      for (const id of expired) this.remove(state.namespace, id);
      result.set(state.namespace, expired);
    }
    return result;
  }

  /**
   * With more than `max` entries (0 = unlimited), the least recently used ones to evict,
   * by namespace: a little more than needed, so a full cache does not sort on every store.
   */
  overflow(max: number): Map<string, string[]> {
    const total = this.size;
    const victims = new Map<string, string[]>();
    if (max <= 0 || total <= max) return victims;
    const target = Math.max(0, max - Math.floor(max * 0.02));
    const all = [...this.#states.values()].flatMap((state) => [...state.byLabel.values()].map((entry) => ({ entry, namespace: state.namespace })));
    all.sort((a, b) => a.entry.lastUsedAt - b.entry.lastUsedAt || (a.entry.useOrder ?? 0) - (b.entry.useOrder ?? 0) || a.entry.createdAt - b.entry.createdAt);
    for (const { entry, namespace } of all.slice(0, total - target)) victims.set(namespace, [...(victims.get(namespace) ?? []), entry.id]);
    return victims;
  }

  /**
   * Ids of every entry `question` would hit, by namespace, in any context: the same normal
   * form, or an index candidate (of `vector`) that the verifier calls the same question.
   */
  sameQuestion(question: string, vector: Float32Array, search: { threshold: number; topK: number; text: TextOptions }): Map<string, Set<string>> {
    const normalized = normalize(question);
    const result = new Map<string, Set<string>>();
    for (const state of this.#states.values()) {
      const targets = new Set<string>();
      for (const entry of state.byLabel.values()) if (normalize(entry.question) === normalized) targets.add(entry.id);
      for (const match of state.vectors?.search(vector, search.topK * 4) ?? []) {
        if (match.similarity < search.threshold) break;
        const entry = state.byLabel.get(match.label);
        if (entry && compareQuestions(question, entry.question, search.text).same) targets.add(entry.id);
      }
      result.set(state.namespace, targets);
    }
    return result;
  }
}

function stateOf(states: NamespaceStates, namespace: string): NamespaceState {
  let state = states.get(namespace);
  if (!state) {
    state = emptyState(namespace);
    states.set(namespace, state);
  }
  return state;
}
