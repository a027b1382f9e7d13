/**
 * `length`: a soft preference for answers that are neither curt ("Так.") nor sprawling.
 * Inside the window the score is 1; outside it falls gently and never below `floor`, and
 * its default weight is small — length must never be what decides between two answers
 * that differ in substance (the old four-heuristic rule rewarded long answers and lost).
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase, unit } from './common.js';

export const lengthScorerSchema = z
  .strictObject({
    ...scorerBase(0.5),
    /** Shortest answer (characters) that still scores 1. */
    min: z.number({ error: 'expected a number of characters' }).int().min(0, { error: 'expected 0 or more characters' }).default(150),
    /** Longest answer (characters) that still scores 1. */
    max: z.number({ error: 'expected a number of characters' }).int().min(1, { error: 'expected at least 1 character' }).default(500),
    /** The lowest score an answer can get for its length alone (empty answers get 0). */
    floor: z.number({ error: 'expected a score between 0 and 1' }).min(0).max(1, { error: 'expected a score between 0 and 1' }).default(0.1),
  })
  .refine((c) => c.max > c.min, { error: 'expected max to be greater than min', path: ['max'] });

export type LengthScorerConfig = z.output<typeof lengthScorerSchema>;

/**
 * The length score of a text of `chars` characters.
 * @example
 * lengthScore(75, { min: 150, max: 500, floor: 0.1 }) // 0.5
 */
export function lengthScore(chars: number, window: Pick<LengthScorerConfig, 'min' | 'max' | 'floor'>): number {
  if (chars === 0) return 0;
  if (chars < window.min) return Math.max(window.floor, chars / window.min);
  if (chars > window.max) return Math.max(window.floor, unit(window.max / chars) ** 0.5);
  return 1;
}

/**
 * @example
 * ctx.provide('Scorer', createLengthScorer(lengthScorerSchema.parse({})));
 */
export function createLengthScorer(config: LengthScorerConfig): Scorer {
  return {
    name: 'length',
    weight: config.weight,
    score(candidate) {
      const chars = candidate.text.trim().length;
      const score = lengthScore(chars, config);
      if (score === 1) return 1;
      return { score, reason: chars < config.min ? `short (${chars} < ${config.min} chars)` : `long (${chars} > ${config.max} chars)` };
    },
  };
}

