/**
 * The semantic cache's rooms on their own (the façade's behaviour is covered by the other
 * files here): held answers and their bound, entry ids and their memo, the index's eviction
 * and expiry picks, and forget blocks as another process sees them.
 */
import { describe, expect, it } from 'vitest';
import { openKeyvStore } from '../../../core/index.js';
import { createHashingEmbedder } from '../../../plugins/semantic-cache/embedders.js';
import { ForgetBlocks } from '../../../plugins/semantic-cache/forget-blocks.js';
import { HeldAnswers } from '../../../plugins/semantic-cache/held-answers.js';
import { NamespaceIndex, type IndexedEntry } from '../../../plugins/semantic-cache/namespace-index.js';
import { EntryIds, entryIdOf, recordOf, type EntryRecord } from '../../../plugins/semantic-cache/records.js';
import { namespaceOf, shortHash, type CacheScope } from '../../../plugins/semantic-cache/scope.js';
import { DEFAULT_VECTOR_INDEX_OPTIONS } from '../../../plugins/semantic-cache/vector-index.js';

const facts = { model: 'qwen2.5:7b', system: '', options: {} };
const scope: CacheScope = { namespace: namespaceOf(facts), contextKey: '', facts };
const embedder = createHashingEmbedder({});

function entry(id: string): IndexedEntry {
  return { label: 1, id, contextKey: '', question: id, createdAt: 0, expiresAt: 0, lastUsedAt: 0 };
}

function record(question: string, answer: string, times: { createdAt?: number; expiresAt?: number } = {}): EntryRecord {
  const vector = embedder.embedOne(question);
  return recordOf({ question, answer, scope, model: 'm', ...times }, entryIdOf(scope.namespace, '', question), vector, embedder.id, Date.now(), 0);
}

describe('semantic cache rooms', () => {
  it('HeldAnswers keeps at most max records without their vectors, dropping the least recently hit; 0 holds nothing', () => {
    const held = new HeldAnswers(2);
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    held.hold(a, record('a?', 'A'));
    held.hold(b, record('b?', 'B'));
    expect(held.get(a)).toMatchObject({ answer: 'A', vector: '' });
    held.used(a, held.get(a)!);
    held.hold(c, record('c?', 'C'));
    expect([held.get(a)?.answer, held.get(b)?.answer, held.get(c)?.answer]).toEqual(['A', undefined, 'C']);
    held.drop(a);
    expect(held.get(a)).toBeUndefined();
    held.dropAll();
    expect(held.get(c)).toBeUndefined();

    const none = new HeldAnswers(0);
    none.hold(a, record('a?', 'A'));
    expect(none.get(a)).toBeUndefined();
  });

  it('EntryIds gives entryIdOf’s id, remembered or not, and keeps symbols and scopes apart', () => {
    const ids = new EntryIds();
    const question = 'Скільки коштує гуртожиток?';
    expect(ids.of(scope.namespace, '', question)).toBe(entryIdOf(scope.namespace, '', question));
    expect(ids.of(scope.namespace, '', question)).toBe(entryIdOf(scope.namespace, '', question));
    expect(ids.of(scope.namespace, '', 'скільки коштує гуртожиток')).toBe(entryIdOf(scope.namespace, '', question));
    expect(ids.of('ns-other', '', question)).not.toBe(ids.of(scope.namespace, '', question));
    expect(ids.of(scope.namespace, 'ctx-1', question)).toBe(entryIdOf(scope.namespace, 'ctx-1', question));
    expect(ids.of(scope.namespace, 'ctx-1', question)).not.toBe(ids.of(scope.namespace, '', question));
    expect(ids.of(scope.namespace, '', 'a = b')).not.toBe(ids.of(scope.namespace, '', 'a == b'));
  });

  it('NamespaceIndex picks the least recently used for eviction and removes expired entries with their held answers', async () => {
    const held = new HeldAnswers(10);
    const index = new NamespaceIndex(embedder, DEFAULT_VECTOR_INDEX_OPTIONS, held);
    const now = Date.now();
    const records = ['перше?', 'друге?', 'третє?'].map((q) => record(q, q.toUpperCase(), { createdAt: now }));
    await index.add([...records, record('старе?', 'x', { createdAt: now - 10, expiresAt: now - 1 })]);
    expect(index.size).toBe(3);
    const [first, second, third] = records.map((r) => index.entry(scope.namespace, r.id)!);
    index.touch(first, now + 5);
    index.touch(third, now + 5);
    expect(index.overflow(0).size).toBe(0);
    expect(index.overflow(3).size).toBe(0);
    expect(index.overflow(2).get(scope.namespace)).toEqual([second.id]);

    const soon = record('скоро?', 'y', { createdAt: now, expiresAt: now + 1000 });
    await index.add([soon]);
    const soonEntry = index.entry(scope.namespace, soon.id)!;
    held.hold(soonEntry, soon);
    expect(index.removeExpired(now + 2000).get(scope.namespace)).toEqual([soon.id]);
    expect(index.entry(scope.namespace, soon.id)).toBeUndefined();
    expect(held.get(soonEntry)).toBeUndefined();
    expect(index.size).toBe(3);
  });

  it('ForgetBlocks: a block written by one process is seen by another after refresh', async () => {
    const store = await openKeyvStore('memory', 'semantic-cache');
    const serial = <T>(task: () => Promise<T>) => task();
    const writer = new ForgetBlocks(store, serial);
    const reader = new ForgetBlocks(store, serial);
    await writer.load();
    await reader.load();
    const held = new HeldAnswers(10);
    const index = new NamespaceIndex(embedder, DEFAULT_VECTOR_INDEX_OPTIONS, held);
    const stored = record('Скільки коштує гуртожиток?', '1200 грн');
    await store.set(`e:${stored.id}`, stored);
    await index.add([stored]);
    const deleted: string[] = [];
    const result = await writer.forget('скільки коштує гуртожиток', embedder.embedOne('скільки коштує гуртожиток'), {
      index,
      records: { get: async (id: string) => (id === stored.id ? stored : undefined) } as never,
      search: { threshold: 0.5, topK: 8, text: {} },
      delete: async (_namespace, ids) => void deleted.push(...ids),
    });
    expect(result).toMatchObject({ removed: [{ id: stored.id, answer: '1200 грн' }], blocked: 'скільки коштує гуртожиток' });
    expect(deleted).toEqual([stored.id]);
    expect(writer.has('Скільки коштує гуртожиток?', shortHash('1200 грн'))).toBe(true);
    expect(writer.has('Скільки коштує гуртожиток?', shortHash('1500 грн'))).toBe(false);
    expect(reader.has('Скільки коштує гуртожиток?', shortHash('1200 грн'))).toBe(false);
    await reader.refresh();
    expect(reader.has('Скільки коштує гуртожиток?', shortHash('1200 грн'))).toBe(true);
    expect(reader.size).toBe(1);
    await store.close?.();
  });
});
