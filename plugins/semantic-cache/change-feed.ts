/**
 * A change feed per process, so several Kobza processes on one shared store (Redis) see each
 * other's entries within a poll, and a restarted process catches up from its saved index
 * instead of rescanning. Keys: `registry` (the store's generation and the processes that
 * wrote lately), `head:<writer>` (a writer's last sequence number), `op:<writer>:<seq>`
 * (entries added to or deleted from one namespace).
 */
import { randomBytes } from 'node:crypto';
import type { CacheStore } from '../../core/index.js';
import type { QuestionAliases } from './aliases.js';
import type { ForgetBlocks } from './forget-blocks.js';
import type { EntryModeration } from './moderation.js';
import type { NamespaceIndex, NamespaceStates } from './namespace-index.js';
import type { EntryRecord, EntryRecords } from './records.js';
import type { SnapshotState } from './index-snapshot.js';

export interface Registry {
  /** Changes when the store is cleared: a process that sees another one starts over. */
  generation: string;
  /** Writer id → when it last wrote (or polled). */
  writers: Record<string, number>;
}

/** One change in a process's feed: entries added to or deleted from one namespace. */
export interface FeedOp {
  op: 'add' | 'del';
  ids: string[];
  namespace: string;
}

const OP_RETENTION_MS = 6 * 3_600_000;
const WRITER_STALE_MS = 24 * 3_600_000;
const HEARTBEAT_MS = 60_000;
const MAX_CATCH_UP_OPS = 2000;

/** What following the feed keeps in step with the store. */
export interface FeedFollowers {
  index: NamespaceIndex;
  records: EntryRecords;
  blocks: ForgetBlocks;
  aliases: QuestionAliases;
  /** Ratings and quarantine: a quarantine on one process holds on all within a poll. */
  ratings: EntryModeration;
  /** The index changed: save it soon. */
  scheduleSave(): void;
}

/**
 * This process's side of the feed: its writer id and sequence, how far it has read every
 * other writer, one queue for read-modify-write sequences on the store — and following the
 * others: applying their changes to the index, or rescanning when the feed cannot tell.
 * @example
 * const feed = new ChangeFeed(store, true, { index, records, blocks, scheduleSave });
 * await feed.join(savedSnapshot);
 * await feed.append({ op: 'add', ids, namespace });
 * await feed.poll(); // other processes' changes are in the index now
 */
export class ChangeFeed {
  readonly writerId = randomBytes(6).toString('hex');
  /** The store generation this process's index belongs to. */
  generation = '';
  /** Writer → the last sequence number applied here. */
  positions = new Map<string, number>();
  readonly #store: CacheStore;
  readonly #followers: FeedFollowers;
  /** False for a store only this process uses and no saved index: nothing is written. */
  readonly #enabled: boolean;
  #seq = 0;
  #lastHeartbeat = 0;
  #registered = false;
  /** This process's feed records: [seq, written at], oldest first. */
  #ownOps: [number, number][] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: CacheStore, enabled: boolean, followers: FeedFollowers) {
    this.#store = store;
    this.#enabled = enabled;
    this.#followers = followers;
  }

  /** Start-up: takes over a saved snapshot if it still holds, else rescans the store. */
  async join(saved: SnapshotState | undefined): Promise<void> {
    const { index, blocks, aliases, ratings } = this.#followers;
    if (saved) {
      index.replace(saved.states);
      this.generation = saved.generation;
      this.positions = saved.positions;
    }
    const registry = await this.readRegistry();
    if (!registry) {
      // A fresh store (or one that was cleared): whatever a snapshot says is stale.
      if (saved) index.reset();
      await this.#writeRegistry((r) => r, true);
      if (saved) index.changed = true;
    } else if (!saved || registry.generation !== this.generation) {
      await this.#fullScan(registry);
    } else {
      await this.#catchUp(registry);
    }
    await blocks.load();
    await aliases.load();
    await ratings.load();
  }

  /** Applies what other processes changed since the last poll. */
  async poll(): Promise<void> {
    const { index, blocks, aliases, ratings } = this.#followers;
    const registry = await this.readRegistry();
    if (!registry || registry.generation !== this.generation) {
      // Someone cleared the store: start over from what is there now.
      this.#restart();
      if (!registry) {
        index.reset();
        await this.#writeRegistry((r) => r, true);
        index.changed = true;
      } else {
        await this.#fullScan(registry);
      }
      await blocks.load();
      await aliases.load();
      await ratings.load();
      return;
    }
    await blocks.refresh();
    await aliases.refresh();
    await ratings.refresh();
    await this.#catchUp(registry);
    if (this.#registered) await this.#registerSelf(!(this.writerId in registry.writers));
  }

  /** Serialises read-modify-write sequences of this process (registry, feed, blocks, aliases, ratings). */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Settles when every queued sequence has run. */
  idle(): Promise<unknown> {
    return this.#queue;
  }

  readRegistry(): Promise<Registry | undefined> {
    return this.#store.get<Registry>('registry');
  }

  /** Rewrites the registry; `fresh` starts a new generation (an empty or cleared store). */
  async #writeRegistry(change: (registry: Registry) => Registry, fresh = false): Promise<Registry> {
    return this.serial(async () => {
      const current = fresh ? undefined : await this.#store.get<Registry>('registry');
      const base: Registry = current ?? { generation: randomBytes(8).toString('hex'), writers: {} };
      const next = change({ ...base, writers: { ...base.writers } });
      await this.#store.set('registry', next);
      this.generation = next.generation;
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

  /** Records new entries for the other processes: one `add` per namespace. */
  async added(entries: readonly { id: string; namespace: string }[]): Promise<void> {
    const byNamespace = new Map<string, string[]>();
    for (const entry of entries) byNamespace.set(entry.namespace, [...(byNamespace.get(entry.namespace) ?? []), entry.id]);
    for (const [namespace, ids] of byNamespace) await this.append({ op: 'add', ids, namespace });
  }

  /** Records a change for the other processes (and for this one's next start). */
  async append(op: FeedOp): Promise<void> {
    if (!this.#enabled) return;
    // Only processes that write join the registry: `kobza check` or `cache stats` do not.
    if (!this.#registered) {
      this.#registered = true;
      await this.#registerSelf(true);
    }
    await this.serial(async () => {
      const seq = ++this.#seq;
      await this.#store.set(`op:${this.writerId}:${seq}`, op, OP_RETENTION_MS);
      await this.#store.set(`head:${this.writerId}`, seq, WRITER_STALE_MS);
      this.positions.set(this.writerId, seq);
      this.#ownOps.push([seq, Date.now()]);
    });
  }

  /** Applies the other writers' changes since the last poll, in order; rescans when the feed cannot tell. */
  async #catchUp(registry: Registry): Promise<void> {
    const { index, records } = this.#followers;
    for (const writer of Object.keys(registry.writers)) {
      if (writer === this.writerId) continue;
      const head = (await this.#store.get<number>(`head:${writer}`)) ?? 0;
      const known = this.positions.get(writer) ?? 0;
      if (head === known) continue;
      if (head < known || head - known > MAX_CATCH_UP_OPS) return this.#fullScan(registry);
      for (let seq = known + 1; seq <= head; seq++) {
        const op = await this.#store.get<FeedOp>(`op:${writer}:${seq}`);
        // The feed expired under us: only a full scan is safe.
        if (!op) return this.#fullScan(registry);
        if (op.op === 'del') for (const id of op.ids) index.remove(op.namespace, id);
        else await index.add(await records.getMany(op.ids));
        this.positions.set(writer, seq);
      }
      index.changed = true;
    }
    if (index.changed) this.#followers.scheduleSave();
  }

  /** Rebuilds the index from every stored entry (the store was cleared, or the feed lost). */
  async #fullScan(registry: Registry): Promise<void> {
    const { index, records } = this.#followers;
    // Until the scan is done, hits read the store again rather than trust an answer held from before.
    index.dropHeld();
    // Heads first: ops written during the scan are applied again later, which is harmless.
    const heads = new Map<string, number>();
    for (const writer of Object.keys(registry.writers)) heads.set(writer, (await this.#store.get<number>(`head:${writer}`)) ?? 0);
    // Built aside and swapped in at the end, so lookups meanwhile use the old index.
    const states: NamespaceStates = new Map();
    let batch: EntryRecord[] = [];
    for await (const record of records.scan()) {
      batch.push(record);
      if (batch.length >= 256) {
        await index.add(batch, states);
        batch = [];
      }
    }
    await index.add(batch, states);
    index.replace(states);
    this.positions = heads;
    this.positions.set(this.writerId, this.#seq);
    this.generation = registry.generation;
    index.changed = true;
    this.#followers.scheduleSave();
  }

  /** The store was cleared (here or elsewhere): this writer starts a new sequence. */
  #restart(): void {
    this.#seq = 0;
    this.#ownOps = [];
    this.#registered = false;
  }

  /** This process cleared the store: a new generation, read by no one yet. */
  async reset(): Promise<void> {
    this.positions = new Map();
    this.#restart();
    await this.#writeRegistry((r) => r, true);
  }

  /** Deletes this writer's feed records past their retention. */
  async prune(now: number): Promise<void> {
    while (this.#ownOps.length && now - this.#ownOps[0][1] > OP_RETENTION_MS) {
      const [seq] = this.#ownOps.shift()!;
      await this.#store.delete(`op:${this.writerId}:${seq}`);
    }
  }
}
