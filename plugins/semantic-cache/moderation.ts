/**
 * Ratings of cache entries and their quarantine, for `CacheModeration`. A 👎 counts once
 * per conversation; after `quarantineAfter` of them the entry is quarantined: the lookup
 * skips it for everyone, and nothing is deleted until an operator restores or forgets it.
 *
 * Stored as one `ratings` record in the cache's store (few entries are ever rated), loaded
 * when the cache opens; hits are counted in memory since the process started.
 */
import type { CacheEntryRating, CacheStore, Rating } from '../../core/index.js';

/** Store key of the ratings record (beside `e:` entries, blocks and the feed). */
export const RATINGS_KEY = 'ratings';
/** Conversations remembered per entry beyond the threshold (enough to count, bounded). */
const MAX_VOTERS = 64;

interface StoredRating {
  ups: number;
  /** Conversations that gave a 👎 (each counts once). */
  downBy: string[];
  quarantined: boolean;
}

/**
 * @example
 * const moderation = await EntryModeration.load(store, 3);
 * await moderation.rate('e1', 'down', 'chat-1');
 * moderation.isQuarantined('e1'); // false until three conversations said 👎
 */
export class EntryModeration {
  readonly quarantineAfter: number;
  readonly #store: CacheStore;
  #ratings = new Map<string, StoredRating>();
  readonly #hits = new Map<string, number>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(store: CacheStore, quarantineAfter: number) {
    this.#store = store;
    this.quarantineAfter = quarantineAfter;
  }

  static async load(store: CacheStore, quarantineAfter: number): Promise<EntryModeration> {
    const moderation = new EntryModeration(store, quarantineAfter);
    await moderation.reload();
    return moderation;
  }

  /** Reads the ratings record again (after `clear`, or to see another process's votes). */
  async reload(): Promise<void> {
    const stored = await this.#store.get<Record<string, StoredRating>>(RATINGS_KEY).catch(() => undefined);
    this.#ratings = new Map(Object.entries(stored ?? {}));
  }

  isQuarantined(id: string): boolean {
    return this.#ratings.get(id)?.quarantined === true;
  }

  /** The entry's ratings (zeros when never rated). */
  ratingOf(id: string): CacheEntryRating {
    const rating = this.#ratings.get(id);
    return { ups: rating?.ups ?? 0, downs: rating?.downBy.length ?? 0, quarantined: rating?.quarantined === true };
  }

  hitsOf(id: string): number {
    return this.#hits.get(id) ?? 0;
  }

  countHit(id: string): void {
    this.#hits.set(id, (this.#hits.get(id) ?? 0) + 1);
  }

  async rate(id: string, rating: Rating, conversationId: string): Promise<CacheEntryRating> {
    const entry = this.#ratings.get(id) ?? { ups: 0, downBy: [], quarantined: false };
    if (rating === 'up') entry.ups++;
    else if (!entry.downBy.includes(conversationId) && entry.downBy.length < MAX_VOTERS) entry.downBy.push(conversationId);
    if (entry.downBy.length >= this.quarantineAfter) entry.quarantined = true;
    this.#ratings.set(id, entry);
    await this.#save();
    return this.ratingOf(id);
  }

  /** Sets or clears quarantine; clearing also clears the downs (a fresh start). */
  async setQuarantined(id: string, quarantined: boolean): Promise<void> {
    const entry = this.#ratings.get(id) ?? { ups: 0, downBy: [], quarantined: false };
    entry.quarantined = quarantined;
    if (!quarantined) entry.downBy = [];
    this.#ratings.set(id, entry);
    await this.#save();
  }

  /** Drops what is known of entries that no longer exist. */
  async remove(ids: Iterable<string>): Promise<void> {
    let changed = false;
    for (const id of ids) {
      changed = this.#ratings.delete(id) || changed;
      this.#hits.delete(id);
    }
    if (changed) await this.#save();
  }

  /** Writes are serialised so two votes don't overwrite each other. */
  #save(): Promise<void> {
    const snapshot = () => Object.fromEntries(this.#ratings);
    this.#writing = this.#writing.catch(() => undefined).then(() => this.#store.set(RATINGS_KEY, snapshot()));
    return this.#writing;
  }
}
