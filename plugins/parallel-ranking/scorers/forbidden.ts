/**
 * `forbidden`: words and patterns a deployment never wants in an answer (a competitor's
 * name, "гарантовано", a leaked internal URL). Each hit lowers the score; `veto: true`
 * makes any hit disqualifying. Empty by default.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase } from './common.js';

export const forbiddenScorerSchema = z.strictObject({
  ...scorerBase(1),
  /** Whole words or phrases, case-insensitive. */
  words: z.array(z.string({ error: 'expected a word' }).min(1, { error: 'expected a non-empty word' }), { error: 'expected a list of words' }).default([]),
  /** Regular expressions (JavaScript syntax, matched case-insensitively). */
  patterns: z
    .array(
      z.string({ error: 'expected a regular expression' }).refine(
        (source) => {
          try {
            new RegExp(source, 'iu');
            return true;
          } catch {
            return false;
          }
        },
        { error: 'expected a valid regular expression' },
      ),
      { error: 'expected a list of regular expressions' },
    )
    .default([]),
  /** Any hit disqualifies (otherwise each hit halves the score). */
  veto: z.boolean({ error: 'expected true or false' }).default(false),
});

export type ForbiddenScorerConfig = z.output<typeof forbiddenScorerSchema>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * @example
 * ctx.provide('Scorer', createForbiddenScorer(forbiddenScorerSchema.parse({ words: ['гарантовано'] })));
 */
export function createForbiddenScorer(config: ForbiddenScorerConfig): Scorer {
  const matchers = [
    ...config.words.map((word) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word.trim()).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}])`, 'giu')),
    ...config.patterns.map((source) => new RegExp(source, 'giu')),
  ];
  return {
    name: 'forbidden',
    weight: config.weight,
    score(candidate) {
      const hits: string[] = [];
      for (const matcher of matchers) {
        matcher.lastIndex = 0;
        for (const found of candidate.text.matchAll(matcher)) {
          hits.push(found[0]);
          if (hits.length >= 10) break;
        }
      }
      if (hits.length === 0) return 1;
      return { score: 0.5 ** hits.length, veto: config.veto, reason: `forbidden: ${[...new Set(hits)].map((h) => `"${h}"`).join(', ')}` };
    },
  };
}
