/**
 * Answers of recently hit entries, held in memory beside the index so a repeat hit costs no
 * store read (and parses no record with its base64 vector): ~20 µs a hit on the HTTP path.
 * A held answer lives and dies with its index entry: a delete, a re-store or a clear — here,
 * or in another process once the feed is caught up — drops it (the index calls `drop`).
 */
import { BoundedMap } from '../../core/index.js';
import type { IndexedEntry } from './namespace-index.js';
import type { EntryRecord } from './records.js';

/**
 * At most `max` records (their vectors dropped), keyed by the index entry they belong to,
 * least recently hit first.
 * @example
 * const held = new HeldAnswers(1000);
 * held.hold(entry, record);
 * held.get(entry)?.answer
 */
export class HeldAnswers {
  /** Undefined when `max` is 0: every hit reads the store. */
  #records: BoundedMap<IndexedEntry, EntryRecord> | undefined;
  /** The entry last marked by `used` while it is still the most recently hit (last in order). */
  #newest: IndexedEntry | undefined;

  constructor(max: number) {
    this.#records = max > 0 ? new BoundedMap(max) : undefined;
  }

  get(entry: IndexedEntry): EntryRecord | undefined {
    return this.#records?.get(entry);
  }

  /** Holds `record` for `entry`; the least recently hit answer goes when full. */
  hold(entry: IndexedEntry, record: EntryRecord): void {
    this.#newest = undefined;
    this.#records?.set(entry, { ...record, vector: '' });
  }

  /**
   * Marks a held answer (`record`, what `get(entry)` returned) as just hit: most recently
   * hit last, so the bound drops the least recently hit. Already last (the same FAQ
   * question hit again): nothing to move.
   */
  used(entry: IndexedEntry, record: EntryRecord): void {
    if (entry === this.#newest) return;
    const records = this.#records!;
    records.delete(entry);
    records.set(entry, record);
    this.#newest = entry;
  }

  /** Forgets an entry's held answer (the entry leaves the index or is replaced). */
  drop(entry: IndexedEntry | undefined): void {
    if (entry === undefined) return;
    if (entry === this.#newest) this.#newest = undefined;
    this.#records?.delete(entry);
  }

  /** Forgets every held answer (the store was cleared or is being rescanned). */
  dropAll(): void {
    this.#newest = undefined;
    this.#records?.clear();
  }
}
