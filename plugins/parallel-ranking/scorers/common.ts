/**
 * Pieces every built-in scorer's config shares: whether it runs and its weight.
 */
import { z } from 'zod';

/**
 * The `enabled` and `weight` keys of a scorer's config block.
 * @example
 * const schema = z.strictObject({ ...scorerBase(1.5), veto: z.boolean().default(true) });
 */
export function scorerBase(defaultWeight: number) {
  return {
    /** Off → the scorer is not registered at all. */
    enabled: z.boolean({ error: 'expected true or false' }).default(true),
    /** Weight in the final weighted mean (vetoes are applied before weights). */
    weight: z.number({ error: 'expected a weight (a number ≥ 0)' }).min(0, { error: 'expected a weight ≥ 0' }).default(defaultWeight),
  };
}

/** Clamps to [0, 1]. */
export function unit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
