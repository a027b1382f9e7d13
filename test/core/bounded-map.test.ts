import { describe, expect, it } from 'vitest';
import { BoundedMap, memoizeString } from '../../core/index.js';

describe('BoundedMap', () => {
  it('drops the oldest key when a new one comes in at the bound; updating a key does not', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    map.set('a', 10);
    expect([...map]).toEqual([
      ['a', 10],
      ['b', 2],
    ]);
    map.set('c', 3);
    expect([...map.keys()]).toEqual(['b', 'c']);
    expect(map.size).toBe(2);
  });

  it('refuses a bound that is not a whole number above 0', () => {
    expect(() => new BoundedMap(0)).toThrow(/whole number above 0/);
    expect(() => new BoundedMap(1.5)).toThrow(/whole number above 0/);
  });
});

describe('memoizeString', () => {
  it('computes each input once (undefined results included), long inputs every time', () => {
    const calls: string[] = [];
    const fn = memoizeString((s: string) => {
      calls.push(s);
      return s === 'none' ? undefined : s.toUpperCase();
    }, 8, 10);
    expect([fn('abc'), fn('abc'), fn('none'), fn('none')]).toEqual(['ABC', 'ABC', undefined, undefined]);
    const long = 'x'.repeat(11);
    fn(long);
    fn(long);
    expect(calls).toEqual(['abc', 'none', long, long]);
  });
});
