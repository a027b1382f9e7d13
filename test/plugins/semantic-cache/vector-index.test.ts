import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeVector } from '../../../plugins/semantic-cache/embedders.js';
import { DEFAULT_VECTOR_INDEX_OPTIONS, VectorIndex } from '../../../plugins/semantic-cache/vector-index.js';

/** Deterministic pseudo-random unit vectors (xorshift). */
function vectors(count: number, dimensions: number, seed = 7): Float32Array[] {
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 0xffffffff) * 2 - 1;
  };
  return Array.from({ length: count }, () => normalizeVector(Float32Array.from({ length: dimensions }, next)));
}

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('VectorIndex', () => {
  it('exact: finds each vector as its own nearest neighbour, most similar first; remove and replace work', () => {
    const data = vectors(50, 32);
    const index = new VectorIndex({ ...DEFAULT_VECTOR_INDEX_OPTIONS, dimensions: 32 });
    data.forEach((v, i) => index.add(i + 1, v));
    expect(index.mode).toBe('exact');
    for (let i = 0; i < data.length; i++) expect(index.search(data[i], 1)[0]).toMatchObject({ label: i + 1 });
    const top = index.search(data[3], 5);
    expect(top[0].similarity).toBeCloseTo(1, 5);
    expect(top.map((m) => m.similarity)).toEqual([...top.map((m) => m.similarity)].sort((a, b) => b - a));
    expect(index.remove(4)).toBe(true);
    expect(index.remove(4)).toBe(false);
    expect(index.search(data[3], 1)[0].label).not.toBe(4);
    index.add(10, data[3]); // replaces label 10's vector
    expect(index.search(data[3], 1)[0].label).toBe(10);
    expect(index.size).toBe(49);
  });

  it('switches to the usearch ANN graph above annAbove and agrees with exact search on top-1', () => {
    const data = vectors(600, 48, 11);
    const exact = new VectorIndex({ ...DEFAULT_VECTOR_INDEX_OPTIONS, dimensions: 48, annAbove: 10_000 });
    const ann = new VectorIndex({ ...DEFAULT_VECTOR_INDEX_OPTIONS, dimensions: 48, annAbove: 100 });
    const labels = data.map((_, i) => i + 1);
    exact.addMany(labels, data);
    ann.addMany(labels.slice(0, 50), data.slice(0, 50));
    expect(ann.mode).toBe('exact');
    ann.addMany(labels.slice(50), data.slice(50));
    expect(ann.mode).toBe('ann');
    expect(ann.size).toBe(600);
    const queries = vectors(100, 48, 99);
    const agree = queries.filter((q) => exact.search(q, 1)[0].label === ann.search(q, 1)[0].label).length;
    expect(agree).toBeGreaterThanOrEqual(97);
    expect(ann.remove(1)).toBe(true);
    expect(ann.search(data[0], 1)[0].label).not.toBe(1);
  });

  it.each(['exact', 'ann'] as const)('saves and loads the %s form', (mode) => {
    dir = mkdtempSync(path.join(tmpdir(), 'kobza-index-'));
    const data = vectors(120, 16, 5);
    const options = { ...DEFAULT_VECTOR_INDEX_OPTIONS, dimensions: 16, annAbove: mode === 'ann' ? 50 : 1000 };
    const index = new VectorIndex(options);
    index.addMany(data.map((_, i) => i + 1), data);
    index.remove(7);
    const file = path.join(dir, `index.${mode}`);
    index.save(file);
    const labels = data.map((_, i) => i + 1).filter((l) => l !== 7);
    const loaded = VectorIndex.load(file, options, mode, labels);
    expect(loaded.mode).toBe(mode);
    expect(loaded.size).toBe(119);
    expect(loaded.search(data[20], 1)[0].label).toBe(21);
    loaded.add(500, data[6]);
    expect(loaded.search(data[6], 1)[0].label).toBe(500);
    expect(() => VectorIndex.load(file, options, mode, labels.slice(1))).toThrow();
  });
});
