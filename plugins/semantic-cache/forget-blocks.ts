/**
 * Questions an operator made `forget`, with the answers they must never get again: a hit on
 * such an answer is vetoed and storing it is skipped. Kept in the store (`blocks`, and a
 * `blocks-version` other processes poll), so a forget on one process holds on all of them.
 */
import { memoizeString, type CacheStore } from '../../core/index.js';
import { normalize, type TextOptions } from '../../core/text/index.js';
import type { NamespaceIndex } from './namespace-index.js';
import type { EntryRecords } from './records.js';
import { shortHash } from './scope.js';

export interface ForgetResult {
  removed: { id: string; namespace: string; question: string; answer: string }[];
  /** The normalised question now blocked from those answers. */
  blocked: string;
}

/** What `forget` searches and how it deletes. */
export interface ForgetParts {
  index: NamespaceIndex;
  records: EntryRecords;
  search: { threshold: number; topK: number; text: TextOptions };
  /** Deletes entries everywhere: store, index, feed. */
  delete(namespace: string, ids: string[]): Promise<void>;
}

type Blocks = Record<string, { question: string; answers: string[] }>;

/**
 * The forget blocks of one store, as last loaded.
 * @example
 * const blocks = new ForgetBlocks(store, (task) => feed.serial(task));
 * await blocks.load();
 * blocks.has(question, record.answerHash) // true: never serve it for this question
 */
export class ForgetBlocks {
  readonly #store: CacheStore;
  readonly #serial: <T>(task: () => Promise<T>) => Promise<T>;
  /** Block key → hashes of the blocked answers. */
  #blocks = new Map<string, Set<string>>();
  #records: Blocks = {};
  #version = 0;
  /** The key of a question's block: a hash of its normal form (questions repeat, so it is remembered). */
  readonly #keyOf = memoizeString((question: string) => shortHash(normalize(question)), 1024, 1024);

  constructor(store: CacheStore, serial: <T>(task: () => Promise<T>) => Promise<T>) {
    this.#store = store;
    this.#serial = serial;
  }

  /** Blocked questions. */
  get size(): number {
    return Object.keys(this.#records).length;
  }

  /** Whether an operator made `question` forget the answer with this hash. */
  has(question: string, answerHash: string): boolean {
    // Nearly always nothing was forgotten: no hashing then.
    if (this.#blocks.size === 0) return false;
    return this.#blocks.get(this.#keyOf(question))?.has(answerHash) ?? false;
  }

  async load(): Promise<void> {
    // The version is read first: a block written in between is loaded again next poll.
    this.#version = (await this.#store.get<number>('blocks-version')) ?? 0;
    this.#records = (await this.#store.get<Blocks>('blocks')) ?? {};
    this.#blocks = new Map(Object.entries(this.#records).map(([key, block]) => [key, new Set(block.answers)]));
  }

  /** Loads the blocks again if another process changed them. */
  async refresh(): Promise<void> {
    if (((await this.#store.get<number>('blocks-version')) ?? 0) !== this.#version) await this.load();
  }

  /**
   * Removes every entry `question` (embedded as `vector`) would hit, in any namespace and
   * context, and blocks those answers for this question for good.
   */
  async forget(question: string, vector: Float32Array, parts: ForgetParts): Promise<ForgetResult> {
    const normalized = normalize(question);
    const removed: ForgetResult['removed'] = [];
    const hashes = new Set<string>();
    for (const [namespace, targets] of parts.index.sameQuestion(question, vector, parts.search)) {
      for (const id of targets) {
        const record = await parts.records.get(id);
        if (record) {
          removed.push({ id, namespace, question: record.question, answer: record.answer });
          hashes.add(record.answerHash);
        }
      }
      if (targets.size) await parts.delete(namespace, [...targets]);
    }
    if (hashes.size > 0) await this.#add(normalized, hashes);
    return { removed, blocked: normalized };
  }

  /** Blocks these answers for the question with this normal form. */
  async #add(normalized: string, answerHashes: Iterable<string>): Promise<void> {
    const key = shortHash(normalized);
    await this.#serial(async () => {
      const blocks = (await this.#store.get<Blocks>('blocks')) ?? {};
      const block = blocks[key] ?? { question: normalized, answers: [] };
      block.answers = [...new Set([...block.answers, ...answerHashes])];
      blocks[key] = block;
      await this.#store.set('blocks', blocks);
      await this.#store.set('blocks-version', ((await this.#store.get<number>('blocks-version')) ?? 0) + 1);
    });
    await this.load();
  }

  /** The store was cleared. */
  reset(): void {
    this.#blocks.clear();
    this.#records = {};
    this.#version = 0;
  }
}
