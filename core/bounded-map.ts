/**
 * A Map that holds at most `max` entries: setting a new key when full drops the oldest
 * one (insertion order). For memoising pure functions on a hot path — a FAQ bot sees the
 * same questions again and again — without letting a stream of new inputs grow memory.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  readonly max: number;

  constructor(max: number) {
    super();
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`BoundedMap: expected a whole number above 0, got ${max}`);
    this.max = max;
  }

  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

/**
 * Memoises a pure one-string function in a BoundedMap. Inputs longer than `maxKeyLength`
 * are computed every time (they are rare and would hold a lot of memory).
 * @example
 * const fastNormalize = memoizeString(normalize, 4096);
 */
export function memoizeString<R>(fn: (input: string) => R, max: number, maxKeyLength = 1024): (input: string) => R {
  const memo = new BoundedMap<string, R>(max);
  return (input: string): R => {
    if (input.length > maxKeyLength) return fn(input);
    let result = memo.get(input);
    if (result === undefined && !memo.has(input)) {
      result = fn(input);
      memo.set(input, result);
    }
    return result as R;
  };
}
