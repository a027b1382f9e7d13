/**
 * Ratings of cache entries and their quarantine, for `CacheModeration`. A 👎 counts once
 * per voter (a conversation, an API key, a client address — the front door says which);
 * after `quarantineAfter` of them the entry is quarantined: the lookup skips it for
 * everyone, and nothing is deleted until an operator restores or forgets it.
 *
 * Stored as one `ratings` record in the cache's store (few entries are ever rated), with a
 * `ratings-version` other processes poll like the forget blocks' — so a quarantine on one
 * process holds on all of them within a sync interval. Hits are counted in memory since the
 * process started.
 */
import type { CacheEntryRating, CacheStore, Rating } from '../../core/index.js';

/** Store key of the ratings record (beside `e:` entries, blocks and the feed). */
export const RATINGS_KEY = 'ratings';
const VERSION_KEY = 'ratings-version';
/** Voters remembered per entry beyond the threshold (enough to count, bounded). */
const MAX_VOTERS = 64;

interface StoredRating {
  ups: number;
  /** Voters that gave a 👎 (each counts once). */
  downBy: string[];
  quarantined: boolean;
}

type Ratings = Map<string, StoredRating>;

const fresh = (): StoredRating => ({ ups: 0, downBy: [], quarantined: false });

/**
 * @example
 * const moderation = new EntryModeration(store, 3, (task) => feed.serial(task));
 * await moderation.load();
 * await moderation.rate('e1', 'down', 'chat-1');
 * moderation.isQuarantined('e1'); // false until three voters said 👎
 */
export class EntryModeration {
  readonly quarantineAfter: number;
  readonly #store: CacheStore;
  readonly #serial: <T>(task: () => Promise<T>) => Promise<T>;
  #ratings: Ratings = new Map();
  #version = 0;
  readonly #hits = new Map<string, number>();

  constructor(store: CacheStore, quarantineAfter: number, serial: <T>(task: () => Promise<T>) => Promise<T>) {
    this.#store = store;
    this.quarantineAfter = quarantineAfter;
    this.#serial = serial;
  }

  /** Reads the ratings record (at start, after `clear`, when another process changed it). */
  async load(): Promise<void> {
    // The version is read first: a change written in between is loaded again next poll.
    this.#version = (await this.#store.get<number>(VERSION_KEY)) ?? 0;
    const stored = await this.#store.get<Record<string, StoredRating>>(RATINGS_KEY);
    this.#ratings = new Map(Object.entries(stored ?? {}));
  }

  /** Loads the ratings again if another process changed them. */
  async refresh(): Promise<void> {
    if (((await this.#store.get<number>(VERSION_KEY)) ?? 0) !== this.#version) await this.load();
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

  async rate(id: string, rating: Rating, voter: string): Promise<CacheEntryRating> {
    await this.#update((ratings) => {
      const entry = ratings.get(id) ?? fresh();
      if (rating === 'up') entry.ups++;
      else if (!entry.downBy.includes(voter) && entry.downBy.length < MAX_VOTERS) entry.downBy.push(voter);
      if (entry.downBy.length >= this.quarantineAfter) entry.quarantined = true;
      ratings.set(id, entry);
      return true;
    });
    return this.ratingOf(id);
  }

  /** Sets or clears quarantine; clearing also clears the downs (a fresh start). */
  async setQuarantined(id: string, quarantined: boolean): Promise<void> {
    await this.#update((ratings) => {
      const entry = ratings.get(id) ?? fresh();
      entry.quarantined = quarantined;
      if (!quarantined) entry.downBy = [];
      ratings.set(id, entry);
      return true;
    });
  }

  /** Drops what is known of entries that no longer exist. */
  async remove(ids: Iterable<string>): Promise<void> {
    const gone = [...ids];
    for (const id of gone) this.#hits.delete(id);
    if (gone.some((id) => this.#ratings.has(id))) await this.#update((ratings) => gone.map((id) => ratings.delete(id)).some(Boolean));
  }

  /** The store was cleared. */
  reset(): void {
    this.#ratings = new Map();
    this.#version = 0;
  }

  /**
   * Read-modify-write of the stored record (serialised in this process; the record read
   * is the store's, so another process's votes are kept), then the version bump others poll.
   */
  async #update(change: (ratings: Ratings) => boolean): Promise<void> {
    await this.#serial(async () => {
      const ratings: Ratings = new Map(Object.entries((await this.#store.get<Record<string, StoredRating>>(RATINGS_KEY)) ?? {}));
      if (!change(ratings)) return;
      await this.#store.set(RATINGS_KEY, Object.fromEntries(ratings));
      await this.#store.set(VERSION_KEY, ((await this.#store.get<number>(VERSION_KEY)) ?? 0) + 1);
    });
    await this.load();
  }
}
