/**
 * Tuning / held-out splits of a labelled pair file, fixed by a hash of each pair's text so
 * that a split never changes between runs, machines or file orderings. Rules are tuned on
 * the `tune` part only; the `holdout` part says whether they generalise.
 */
import { createHash } from 'node:crypto';
import type { CachePair } from './eval-cache.js';

/** Which part of a pair file to evaluate. */
export type PairSplit = 'all' | 'tune' | 'holdout' | 'both';

/**
 * Where a pair falls: a number in [0, 1) from the SHA-1 of its two questions (the id is not
 * used: QQP ids are row numbers, and a renumbered file must keep its split).
 *
 * @example
 * splitPosition({ cached: 'a', query: 'b' }) < 0.5 // held out at ratio 0.5
 */
export function splitPosition(pair: Pick<CachePair, 'cached' | 'query'>): number {
  const digest = createHash('sha1').update(`${pair.cached}\u0000${pair.query}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/**
 * The tuning and held-out parts: a pair is held out when its position is below `holdoutRatio`.
 *
 * @example
 * const { tune, holdout } = splitPairs(pairs, 0.5);
 */
export function splitPairs(pairs: readonly CachePair[], holdoutRatio: number): { tune: CachePair[]; holdout: CachePair[] } {
  const tune: CachePair[] = [];
  const holdout: CachePair[] = [];
  for (const pair of pairs) (splitPosition(pair) < holdoutRatio ? holdout : tune).push(pair);
  return { tune, holdout };
}
