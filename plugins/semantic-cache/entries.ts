/**
 * One entry at a time, as the operator console and ratings see them (`CacheModeration`):
 * rate, quarantine or restore, forget, alias another wording to it, and list entries with
 * their hits and ratings. Over the index (which entries exist), the records (their text)
 * and the ratings (moderation.ts); forgetting and aliasing go through the cache's own
 * `forget` and `alias`, so they are shared with every process like the CLI's.
 */
import type { CacheEntryRating, CacheEntrySummary, Rating } from '../../core/index.js';
import type { EntryModeration } from './moderation.js';
import type { NamespaceIndex } from './namespace-index.js';
import type { EntryRecords } from './records.js';

/** What the entry actions work over. */
export interface EntryParts {
  index: NamespaceIndex;
  records: EntryRecords;
  ratings: EntryModeration;
  /** The cache's `forget(question)`. */
  forget(question: string): Promise<unknown>;
  /** The cache's `alias(a, b)`. */
  alias(a: string, b: string): Promise<unknown>;
  /** Deletes entries everywhere: store, index, feed. */
  delete(namespace: string, ids: string[]): Promise<void>;
}

export interface ListOptions {
  /** Matches question or answer text (case-insensitive). */
  query?: string;
  limit?: number;
  quarantinedOnly?: boolean;
}

/**
 * @example
 * const entries = new CacheEntries({ index, records, ratings, forget, alias, delete: remove });
 * await entries.rate(id, 'down', 'chat-1');
 * await entries.list({ query: 'гуртожиток' });
 */
export class CacheEntries {
  readonly #parts: EntryParts;

  constructor(parts: EntryParts) {
    this.#parts = parts;
  }

  /** Counts a rating against an entry; undefined when the entry is gone. */
  async rate(id: string, rating: Rating, voter: string): Promise<CacheEntryRating | undefined> {
    if (!this.find(id)) return undefined;
    return this.#parts.ratings.rate(id, rating, voter);
  }

  /** Quarantines (true) or restores (false) an entry; false when there is no such entry. */
  async setQuarantined(id: string, quarantined: boolean): Promise<boolean> {
    if (!this.find(id)) return false;
    await this.#parts.ratings.setQuarantined(id, quarantined);
    return true;
  }

  /** Forgets the question of entry `id` (see the cache's `forget`); false when there is no such entry. */
  async forget(id: string): Promise<boolean> {
    const found = this.find(id);
    if (!found) return false;
    await this.#parts.forget(found.question);
    if (this.find(id)) await this.#parts.delete(found.namespace, [id]);
    await this.#parts.ratings.remove([id]);
    return true;
  }

  /** Makes `question` the same as entry `id`'s question (an alias); false when there is no such entry. */
  async alias(id: string, question: string): Promise<boolean> {
    const found = this.find(id);
    if (!found) return false;
    await this.#parts.alias(found.question, question);
    return true;
  }

  /** Entries with their ratings, most recently used first. */
  async list(options: ListOptions = {}): Promise<CacheEntrySummary[]> {
    const { index, records, ratings } = this.#parts;
    const all: { id: string; createdAt: number; lastUsedAt: number }[] = [];
    for (const state of index.states()) for (const entry of state.byLabel.values()) all.push(entry);
    all.sort((a, b) => b.lastUsedAt - a.lastUsedAt);
    const query = options.query?.toLocaleLowerCase();
    const limit = options.limit ?? 200;
    const out: CacheEntrySummary[] = [];
    for (let i = 0; i < all.length && out.length < limit; i += 100) {
      const batch = all.slice(i, i + 100).filter((entry) => !options.quarantinedOnly || ratings.isQuarantined(entry.id));
      const found = new Map((await records.getMany(batch.map((entry) => entry.id))).map((r) => [r.id, r]));
      for (const entry of batch) {
        const record = found.get(entry.id);
        if (!record) continue;
        if (query && !record.question.toLocaleLowerCase().includes(query) && !record.answer.toLocaleLowerCase().includes(query)) continue;
        out.push({ key: entry.id, question: record.question, answer: record.answer, model: record.model, hits: ratings.hitsOf(entry.id), createdAt: entry.createdAt, lastUsedAt: entry.lastUsedAt, ...ratings.ratingOf(entry.id) });
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /** The namespace and question of entry `id`, if it is in the index. */
  find(id: string): { namespace: string; question: string } | undefined {
    const { index } = this.#parts;
    for (const state of index.states()) {
      const entry = index.entry(state.namespace, id);
      if (entry) return { namespace: state.namespace, question: entry.question };
    }
    return undefined;
  }
}
