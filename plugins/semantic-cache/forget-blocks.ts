/**
 * Questions an operator made `forget`, with the answers they must never get again: a hit on
 * such an answer is vetoed and storing it is skipped. Kept in the store (`blocks`, and a
 * `blocks-version` other processes poll), so a forget on one process holds on all of them.
 */
import { memoizeString, type CacheStore } from '../../core/index.js';
import { normalize } from '../../core/text/index.js';
import { shortHash } from './scope.js';

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

  /** Blocks these answers for the question with this normal form, for good. */
  async add(normalized: string, answerHashes: Iterable<string>): Promise<void> {
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
