import { describe, expect, it } from 'vitest';

import { didYouMean, editDistance as configEditDistance } from '../../../core/config/load.js';
import { editDistance, editDistanceWithin } from '../../../core/text/index.js';

describe('editDistance (the one edit distance)', () => {
  it('counts a swap of two adjacent letters as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('навчання', 'нвачання')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('agrees with the bounded form below its bound', () => {
    for (const [a, b] of [['розклад', 'розклат'], ['semantic-cache', 'smeantic-cahce'], ['abc', 'xyz']]) {
      expect(editDistanceWithin(a, b, 10)).toBe(editDistance(a, b));
    }
    expect(editDistanceWithin('abcdef', 'uvwxyz', 2)).toBe(3);
  });

  it("is the one config's \"did you mean\" uses: a swapped pair in a short name is a likely typo", () => {
    expect(configEditDistance).toBe(editDistance);
    expect(didYouMean('ofo', ['foo', 'bar'])).toBe('foo');
    expect(didYouMean('xyz', ['foo', 'bar'])).toBeUndefined();
  });
});
