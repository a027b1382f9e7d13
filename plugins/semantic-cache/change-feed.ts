/**
 * A change feed per process, so several Kobza processes on one shared store (Redis) see each
 * other's entries within a poll, and a restarted process catches up from its saved index
 * instead of rescanning. Keys: `registry` (the store's generation and the processes that
 * wrote lately), `head:<writer>` (a writer's last sequence number), `op:<writer>:<seq>`
 * (entries added to or deleted from one namespace).
 */
import { randomBytes } from 'node:crypto';
import type { CacheStore } from '../../core/index.js';

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

/**
 * This process's side of the feed: its writer id and sequence, how far it has read every
 * other writer, and one queue for read-modify-write sequences on the store.
 * @example
 * const feed = new ChangeFeed(store, true);
 * await feed.append({ op: 'add', ids, namespace });
 * const outcome = await feed.catchUp(registry, applyOp); // 'rescan' when only a full scan is safe
 */
export class ChangeFeed {
  readonly writerId = randomBytes(6).toString('hex');
  /** The store generation this process's index belongs to. */
  generation = '';
  /** Writer → the last sequence number applied here. */
  positions = new Map<string, number>();
  readonly #store: CacheStore;
  /** False for a store only this process uses and no saved index: nothing is written. */
  readonly #enabled: boolean;
  #seq = 0;
  #lastHeartbeat = 0;
  #registered = false;
  /** This process's feed records: [seq, written at], oldest first. */
  #ownOps: [number, number][] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: CacheStore, enabled: boolean) {
    this.#store = store;
    this.#enabled = enabled;
  }

  /** Serialises read-modify-write sequences of this process (registry, feed, blocks). */
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
  async writeRegistry(change: (registry: Registry) => Registry, fresh = false): Promise<Registry> {
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
    await this.writeRegistry((registry) => {
      registry.writers[this.writerId] = now;
      for (const [writer, seenAt] of Object.entries(registry.writers)) {
        if (now - seenAt > WRITER_STALE_MS) delete registry.writers[writer];
      }
      return registry;
    });
  }

  /** Keeps this writer in the registry (after a poll), once it has written. */
  async heartbeat(registry: Registry): Promise<void> {
    if (this.#registered) await this.#registerSelf(!(this.writerId in registry.writers));
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

  /**
   * Applies the other writers' changes since the last poll, in order.
   * @returns 'rescan' when the feed cannot tell (expired, reset or too far behind); else
   *   whether anything was applied.
   */
  async catchUp(registry: Registry, apply: (op: FeedOp) => Promise<void>): Promise<'rescan' | boolean> {
    let applied = false;
    for (const writer of Object.keys(registry.writers)) {
      if (writer === this.writerId) continue;
      const head = (await this.#store.get<number>(`head:${writer}`)) ?? 0;
      const known = this.positions.get(writer) ?? 0;
      if (head === known) continue;
      if (head < known || head - known > MAX_CATCH_UP_OPS) return 'rescan';
      for (let seq = known + 1; seq <= head; seq++) {
        const op = await this.#store.get<FeedOp>(`op:${writer}:${seq}`);
        // The feed expired under us: only a full scan is safe.
        if (!op) return 'rescan';
        await apply(op);
        this.positions.set(writer, seq);
      }
      applied = true;
    }
    return applied;
  }

  /** Every writer's head, read before a full scan (ops written during it are applied again later, harmlessly). */
  async heads(registry: Registry): Promise<Map<string, number>> {
    const heads = new Map<string, number>();
    for (const writer of Object.keys(registry.writers)) heads.set(writer, (await this.#store.get<number>(`head:${writer}`)) ?? 0);
    return heads;
  }

  /** After a full scan: the index is as of `heads` in `registry`'s generation. */
  scanned(registry: Registry, heads: Map<string, number>): void {
    this.positions = heads;
    this.positions.set(this.writerId, this.#seq);
    this.generation = registry.generation;
  }

  /** The store was cleared (here or elsewhere): this writer starts a new sequence. */
  restart(): void {
    this.#seq = 0;
    this.#ownOps = [];
    this.#registered = false;
  }

  /** Deletes this writer's feed records past their retention. */
  async prune(now: number): Promise<void> {
    while (this.#ownOps.length && now - this.#ownOps[0][1] > OP_RETENTION_MS) {
      const [seq] = this.#ownOps.shift()!;
      await this.#store.delete(`op:${this.writerId}:${seq}`);
    }
  }
}
