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

type KeyvAny = Keyv<unknown>;

function wrapKeyv(keyv: KeyvAny, close?: () => Promise<void>): CacheStore {
  return {
    async get<T>(key: string) {
      return (await keyv.get(key)) as T | undefined;
    },
    async set(key, value, ttlMs) {
      await keyv.set(key, value, ttlMs && ttlMs > 0 ? ttlMs : undefined);
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
    const keyv = new Keyv({ store, namespace });
    return wrapKeyv(keyv, async () => {
      await keyv.disconnect();
    });
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { default: KeyvRedis } = await import('@keyv/redis');
    const store = new KeyvRedis(url);
    const keyv = new Keyv({ store, namespace, useKeyPrefix: false });
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
