/**
 * Keyv-backed CacheStore: `memory`, `sqlite://path/to/file.sqlite`, `redis://host:port`.
 * Kobza keeps Keyv behind the few calls of `CacheStore`, so a custom store implements
 * only those.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import Keyv from 'keyv';
import { KobzaError } from './errors.js';
import type { CacheStore, CacheStoreFactory } from './contracts.js';
import type { EventBus } from './events.js';
import { redactUrl, type Logger } from './logger.js';

type KeyvAny = Keyv<unknown>;

function wrapKeyv(keyv: KeyvAny, close?: () => Promise<void>): CacheStore {
  return {
    async get<T>(key: string) {
      return (await keyv.get(key)) as T | undefined;
    },
    async set(key, value, ttlMs) {
      // Keyv reports some failures (a read-only file, a refused write) as `false`.
      if ((await keyv.set(key, value, ttlMs && ttlMs > 0 ? ttlMs : undefined)) === false) {
        throw new KobzaError('STORE_UNAVAILABLE', `the store refused to write ${key}`);
      }
    },
    async delete(key) {
      return keyv.delete(key);
    },
    async clear() {
      await keyv.clear();
    },
    async *entries(prefix?: string) {
      if (!keyv.iterator) throw new KobzaError('INTERNAL', 'this store cannot list its entries');
      for await (const [key, value] of keyv.iterator(undefined) as AsyncIterable<[string, unknown]>) {
        if (value === undefined) continue;
        if (prefix && !key.startsWith(prefix)) continue;
        yield [key, value] as [string, unknown];
      }
    },
    async close() {
      await close?.();
    },
  };
}

/**
 * Opens a Keyv store by URL under a namespace.
 * @example
 * const store = await openKeyvStore('sqlite://data/kobza.sqlite', 'semantic-cache', configDir);
 * await store.set('k', { answer: '…' }, 86_400_000);
 */
export async function openKeyvStore(url: string, namespace: string, baseDir = process.cwd()): Promise<CacheStore> {
  if (url === 'memory' || url === 'memory://') {
    return wrapKeyv(new Keyv({ namespace }));
  }
  if (url.startsWith('sqlite://')) {
    const file = url.slice('sqlite://'.length);
    if (!file) throw new KobzaError('CONFIG_INVALID', `expected sqlite://path/to/file.sqlite, got ${url}`);
    const absolute = file === ':memory:' ? file : path.resolve(baseDir, file);
    if (absolute !== ':memory:') mkdirSync(path.dirname(absolute), { recursive: true });
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    // @keyv/sqlite lists entries 10 rows per query by default, recursively: listing 100k
    // entries (a cache rebuilding its index) would take minutes instead of seconds.
    const store = new KeyvSqlite({ uri: `sqlite://${absolute}`, table: 'kobza', busyTimeout: 5000, iterationLimit: 1000 });
    if (absolute !== ':memory:') {
      // WAL: a write costs ~0.2 ms instead of ~0.8 ms, and readers (the CLI beside a running
      // server) don't block the writer.
      await store.query('PRAGMA journal_mode=WAL');
    }
    const keyv = new Keyv({ store, namespace, throwOnErrors: true });
    return wrapKeyv(keyv, async () => {
      await keyv.disconnect();
    });
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { default: KeyvRedis } = await import('@keyv/redis');
    const store = new KeyvRedis(url);
    const keyv = new Keyv({ store, namespace, useKeyPrefix: false, throwOnErrors: true });
    return wrapKeyv(keyv, async () => {
      await keyv.disconnect();
    });
  }
  throw new KobzaError('CONFIG_INVALID', `unknown store URL ${url}; expected memory, sqlite://path or redis://host:port`);
}

/**
 * A CacheStoreFactory over one Keyv URL, one namespace per caller.
 * @example
 * ctx.provide('CacheStore', keyvStoreFactory('sqlite://data/kobza.sqlite', ctx.config.dir));
 */
export function keyvStoreFactory(url: string, baseDir?: string): CacheStoreFactory {
  return {
    describe: () => url,
    open: (namespace) => openKeyvStore(url, namespace, baseDir),
  };
}

/** What a guarded store reports for `/readyz` and `kobza check`. */
export interface StoreHealth {
  /** `degraded`: the last call failed or timed out; answers go on without the store. */
  status: 'ok' | 'degraded';
  /** The store's URL with credentials redacted. */
  store: string;
  /** Failed or timed-out calls since start. */
  errors: number;
  /** `Date.now()` when the current outage began. */
  since?: number;
  /** The current outage's first error message. */
  lastError?: string;
}

/** A store whose calls never hang: see `guardStore`. */
export interface GuardedStore extends CacheStore {
  health(): StoreHealth;
  /** True during an outage (what `health().status` says, without building the report). */
  readonly degraded: boolean;
}

export interface StoreGuardOptions {
  /** Longest a call may take before it fails with STORE_UNAVAILABLE. */
  timeoutMs: number;
  /** The store's URL or description (redacted before it is logged or reported). */
  description: string;
  /** Who uses the store (`semantic-cache`, `memory`), for logs and events. */
  owner: string;
  logger?: Pick<Logger, 'warn' | 'info'>;
  events?: EventBus;
}

/**
 * Wraps a store so that every call fails within `timeoutMs` instead of hanging (a stopped
 * Redis holds a call forever) and every failure is counted and reported: one warning per
 * outage with the store's redacted URL, an info line on recovery, a `store:error` event per
 * failed call (the HTTP adapter counts them for `/metrics`) and `health()` for `/readyz`.
 * Callers treat a STORE_UNAVAILABLE rejection as a miss.
 * @example
 * const store = guardStore(await openKeyvStore(url, 'semantic-cache'), { timeoutMs: 300, description: url, owner: 'semantic-cache', logger, events });
 * store.health().status // 'ok' | 'degraded'
 */
export function guardStore(store: CacheStore, options: StoreGuardOptions): GuardedStore {
  const description = redactUrl(options.description);
  const health: StoreHealth = { status: 'ok', store: description, errors: 0 };
  const failed = (operation: string, err: unknown, timedOut: boolean): KobzaError => {
    health.errors++;
    const message = timedOut ? `no answer within ${options.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
    options.events?.emit('store:error', { owner: options.owner, store: description, operation, timedOut, message });
    if (health.status === 'ok') {
      health.status = 'degraded';
      health.since = Date.now();
      health.lastError = message;
      options.logger?.warn({ store: description, owner: options.owner, operation, err: timedOut ? undefined : err }, `${options.owner}: store ${description} failed (${message}); answering without it until it recovers`);
    }
    return new KobzaError('STORE_UNAVAILABLE', `${options.owner}: store ${description} ${timedOut ? 'timed out' : 'failed'} on ${operation}: ${message}`, { cause: err });
  };
  const succeeded = (): void => {
    if (health.status === 'ok') return;
    options.logger?.info({ store: description, owner: options.owner, downMs: Date.now() - (health.since ?? Date.now()) }, `${options.owner}: store ${description} is back`);
    options.events?.emit('store:recovered', { owner: options.owner, store: description, downMs: Date.now() - (health.since ?? Date.now()) });
    health.status = 'ok';
    health.since = undefined;
    health.lastError = undefined;
  };
  const guarded = <T>(operation: string, call: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(failed(operation, undefined, true));
      }, options.timeoutMs);
      timer.unref?.();
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (err) {
        pending = Promise.reject(err);
      }
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          succeeded();
          resolve(value);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(failed(operation, err, false));
        },
      );
    });
  const entries = store.entries?.bind(store);
  return {
    health: () => ({ ...health }),
    get degraded() {
      return health.status === 'degraded';
    },
    get: (key) => guarded('get', () => store.get(key)),
    set: (key, value, ttlMs) => guarded('set', () => store.set(key, value, ttlMs)),
    delete: (key) => guarded('delete', () => store.delete(key)),
    clear: () => guarded('clear', () => store.clear()),
    entries: entries
      ? async function* guardedEntries(prefix?: string) {
          const iterator = entries(prefix)[Symbol.asyncIterator]();
          while (true) {
            const step = await guarded('entries', () => iterator.next());
            if (step.done) return;
            yield step.value;
          }
        }
      : undefined,
    close: store.close ? () => store.close!() : undefined,
  };
}
