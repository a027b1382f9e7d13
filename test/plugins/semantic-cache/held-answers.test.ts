/**
 * Answers of recently hit entries are held in memory beside the index, so a repeat hit
 * costs no store read — and a held answer never outlives its entry: forget, clear,
 * another process's forget (once the feed is caught up) and the bound all drop it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKeyvStore, type CacheStore } from '../../../core/index.js';
import { createHashingEmbedder } from '../../../plugins/semantic-cache/embedders.js';
import { namespaceOf, type CacheScope } from '../../../plugins/semantic-cache/scope.js';
import { SemanticCache, type SemanticCacheOptions } from '../../../plugins/semantic-cache/semantic-cache.js';
import { DEFAULT_VECTOR_INDEX_OPTIONS } from '../../../plugins/semantic-cache/vector-index.js';

const facts = { model: 'qwen2.5:7b', system: 'Ти — помічник приймальної комісії', options: {} };
const scope: CacheScope = { namespace: namespaceOf(facts), contextKey: '', facts };

/** A real Keyv store that counts reads of entry records. */
function counting(store: CacheStore): CacheStore & { entryReads: number } {
  const counted = Object.assign(Object.create(null) as object, store, {
    entryReads: 0,
    async get<T>(key: string): Promise<T | undefined> {
      if (key.startsWith('e:')) counted.entryReads++;
      return store.get<T>(key);
    },
  });
  return counted as CacheStore & { entryReads: number };
}

let dir: string;
const opened: SemanticCache[] = [];

async function openCache(store: CacheStore, options: Partial<SemanticCacheOptions> = {}): Promise<SemanticCache> {
  const text = {};
  const cache = await SemanticCache.open({
    store,
    embedder: createHashingEmbedder({ text }),
    threshold: 0.5,
    topK: 8,
    ttlMs: 0,
    maxEntries: 0,
    text,
    index: DEFAULT_VECTOR_INDEX_OPTIONS,
    syncIntervalMs: 0,
    ...options,
  });
  opened.push(cache);
  return cache;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-held-'));
});

afterEach(async () => {
  // Closing a cache closes its store.
  for (const cache of opened.splice(0)) await cache.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('semantic cache: held answers', () => {
  it('a repeat hit does not read the store; heldAnswers: 0 reads it every time', async () => {
    for (const heldAnswers of [undefined, 0]) {
      const store = counting(await openKeyvStore('memory', 'semantic-cache'));
      const cache = await openCache(store, heldAnswers === undefined ? {} : { heldAnswers });
      await cache.store('Скільки коштує гуртожиток?', '1200 грн на місяць', scope, 'qwen2.5:7b');
      const reads: number[] = [];
      for (let i = 0; i < 3; i++) {
        const result = await cache.lookup('Скільки коштує гуртожиток?', scope);
        expect(result).toMatchObject({ hit: true, entry: { answer: '1200 грн на місяць' } });
        reads.push(store.entryReads);
      }
      expect(reads).toEqual(heldAnswers === 0 ? [1, 2, 3] : [1, 1, 1]);
      // A paraphrase of a held entry is served from memory as well.
      const paraphrase = await cache.lookup('skilky koshtuie hurtozhytok', scope);
      expect(paraphrase).toMatchObject({ hit: true, exact: false, entry: { answer: '1200 грн на місяць' } });
      expect(store.entryReads).toBe(heldAnswers === 0 ? 4 : 1);
    }
  });

  it('holds at most heldAnswers answers, dropping the least recently hit', async () => {
    const store = counting(await openKeyvStore('memory', 'semantic-cache'));
    const cache = await openCache(store, { heldAnswers: 2 });
    const questions = ['Скільки коштує гуртожиток?', 'Де знаходиться бібліотека?', 'Коли початок сесії?'];
    for (const q of questions) await cache.store(q, `Відповідь: ${q}`, scope, 'qwen2.5:7b');
    for (const q of questions) expect((await cache.lookup(q, scope)).hit).toBe(true);
    expect(store.entryReads).toBe(3);
    // The last two are held; the first was dropped when the third came in.
    await cache.lookup(questions[2], scope);
    await cache.lookup(questions[1], scope);
    expect(store.entryReads).toBe(3);
    const first = await cache.lookup(questions[0], scope);
    expect(first).toMatchObject({ hit: true, entry: { answer: `Відповідь: ${questions[0]}` } });
    expect(store.entryReads).toBe(4);
  });

  it('forget, clear and a re-stored answer never leave a held answer behind', async () => {
    const store = await openKeyvStore('memory', 'semantic-cache');
    const cache = await openCache(store);
    await cache.store('Скільки коштує гуртожиток?', '1200 грн', scope, 'qwen2.5:7b');
    expect(await cache.lookup('Скільки коштує гуртожиток?', scope)).toMatchObject({ hit: true, entry: { answer: '1200 грн' } });
    // Stored again under the same key (a new answer): the new one is served.
    await cache.store('Скільки коштує гуртожиток?', '1500 грн', scope, 'qwen2.5:7b');
    expect(await cache.lookup('Скільки коштує гуртожиток?', scope)).toMatchObject({ hit: true, entry: { answer: '1500 грн' } });

    expect((await cache.forget('Скільки коштує гуртожиток?')).removed).toHaveLength(1);
    expect(await cache.lookup('Скільки коштує гуртожиток?', scope)).toMatchObject({ hit: false });
    // The forgotten answer stays blocked for that question even when a model says it again.
    expect(await cache.store('Скільки коштує гуртожиток?', '1500 грн', scope, 'qwen2.5:7b')).toBeUndefined();

    await cache.store('Де знаходиться бібліотека?', 'Корпус 2', scope, 'qwen2.5:7b');
    expect((await cache.lookup('Де знаходиться бібліотека?', scope)).hit).toBe(true);
    await cache.clear();
    expect(await cache.lookup('Де знаходиться бібліотека?', scope)).toMatchObject({ hit: false });
  });

  it('SQLite shared by two processes: a forget in one reaches the other’s held answer at its next sync', async () => {
    const url = `sqlite://${path.join(dir, 'shared.sqlite')}`;
    const storeA = await openKeyvStore(url, 'semantic-cache');
    const storeB = await openKeyvStore(url, 'semantic-cache');
    // syncIntervalMs would poll on a timer; the test calls sync() itself.
    const a = await openCache(storeA, { syncIntervalMs: 60_000 });
    const b = await openCache(storeB, { syncIntervalMs: 60_000 });
    await a.store('Скільки коштує гуртожиток?', '1200 грн', scope, 'qwen2.5:7b');
    await b.sync();
    expect(await b.lookup('Скільки коштує гуртожиток?', scope)).toMatchObject({ hit: true, entry: { answer: '1200 грн' } });
    expect(await b.lookup('Скільки коштує гуртожиток?', scope)).toMatchObject({ hit: true });

    await a.forget('Скільки коштує гуртожиток?');
    await b.sync();
    expect(await b.lookup('Скільки коштує гуртожиток?', scope)).toMatchObject({ hit: false });

    await a.store('Де знаходиться бібліотека?', 'Корпус 2', scope, 'qwen2.5:7b');
    await b.sync();
    expect((await b.lookup('Де знаходиться бібліотека?', scope)).hit).toBe(true);
    await a.clear();
    await b.sync();
    expect(await b.lookup('Де знаходиться бібліотека?', scope)).toMatchObject({ hit: false });
  });
});
