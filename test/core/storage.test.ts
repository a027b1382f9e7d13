import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyvStoreFactory, openKeyvStore, type CacheStore } from '../../core/index.js';
import { startTestRedis } from '../helpers/redis.js';

async function exercise(store: CacheStore) {
  await store.set('a:1', { answer: 'перша' });
  await store.set('a:2', { answer: 'друга' }, 60_000);
  await store.set('b:1', 'інше');
  await store.set('gone', 'x', 1);
  await new Promise((r) => setTimeout(r, 15));
  expect(await store.get('a:1')).toEqual({ answer: 'перша' });
  expect(await store.get('gone')).toBeUndefined();
  const listed: string[] = [];
  for await (const [key] of store.entries!('a:')) listed.push(key);
  expect(listed.sort()).toEqual(['a:1', 'a:2']);
  expect(await store.delete('a:1')).toBe(true);
  expect(await store.get('a:1')).toBeUndefined();
  await store.clear();
  expect(await store.get('b:1')).toBeUndefined();
}

describe('Keyv stores behind CacheStore', () => {
  it('memory store: get/set/ttl/entries/delete/clear', async () => {
    await exercise(await openKeyvStore('memory', 'test'));
  });

  it('SQLite store: the same, and data survives reopening; namespaces stay apart', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kobza-store-')), 'store.sqlite');
    const store = await openKeyvStore(`sqlite://${file}`, 'one');
    await exercise(store);
    await store.set('kept', 42);
    expect(existsSync(`${file}-wal`)).toBe(true); // write-ahead log mode
    await store.close?.();
    const factory = keyvStoreFactory(`sqlite://${file}`);
    const again = await factory.open('one');
    const other = await factory.open('two');
    expect(await again.get('kept')).toBe(42);
    expect(await other.get('kept')).toBeUndefined();
    await again.close?.();
    await other.close?.();
  });

  it('Redis store: the same against a real redis-server; two clients see each other\'s writes', async () => {
    const redis = await startTestRedis();
    const namespace = `test-${process.pid}-${Date.now()}`;
    const a = await openKeyvStore(redis.url, namespace);
    const b = await openKeyvStore(redis.url, namespace);
    try {
      await exercise(a);
      await a.set('shared', { from: 'a' });
      expect(await b.get('shared')).toEqual({ from: 'a' });
      await a.clear();
    } finally {
      await a.close?.();
      await b.close?.();
      await redis.stop();
    }
  });

  it('rejects an unknown store URL with a coded error', async () => {
    await expect(openKeyvStore('mongodb://x', 'n')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('expected memory, sqlite://path or redis://host:port') });
  });
});
