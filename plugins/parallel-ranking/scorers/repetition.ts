/**
 * `repetition`: a model stuck in a loop repeats word n-grams, sentences or lines. The score
 * falls with the share of repeated material; past `vetoAbove` the answer is vetoed, since
 * a loop is never what a person wants to read.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase, unit } from './common.js';

export const repetitionScorerSchema = z.strictObject({
  ...scorerBase(1.5),
  /** Length of the word n-grams compared. */
  ngram: z.number({ error: 'expected a whole number of words' }).int().min(2, { error: 'expected at least 2 words' }).max(8, { error: 'expected at most 8 words' }).default(3),
  /** A repeated share at or above this vetoes (1 = never). */
  vetoAbove: z.number({ error: 'expected a share between 0 and 1' }).min(0).max(1, { error: 'expected a share between 0 and 1' }).default(0.4),
  /** A repeated share this high scores 0 (the score falls linearly up to it). */
  zeroAt: z.number({ error: 'expected a share between 0 and 1' }).gt(0, { error: 'expected a share above 0' }).max(1).default(0.5),
});

export type RepetitionScorerConfig = z.output<typeof repetitionScorerSchema>;

function repeatedShare(items: readonly string[]): number {
  if (items.length < 2) return 0;
  const seen = new Set<string>();
  let repeated = 0;
  for (const item of items) {
    if (seen.has(item)) repeated++;
    else seen.add(item);
  }
  return repeated / items.length;
}

/**
 * The share of repeated material: the largest of repeated word n-grams, repeated sentences
 * and repeated lines.
 * @example
 * repetitionShare('Зверніться до деканату. Зверніться до деканату. Зверніться до деканату.', 3) // ≈ 0.67
 */
export function repetitionShare(text: string, n: number): { share: number; what: string } {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const grams: string[] = [];
  for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(' '));
  const sentences = text
    .split(/(?<=[.!?…])\s+|\n+/u)
    .map((s) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim())
    .filter((s) => s.length > 0);
  const lines = text
    .split('\n')
    .map((line) => line.trim().toLowerCase())
    .filter((line) => line.length > 0);
  const measures = [
    { share: repeatedShare(grams), what: `${n}-word phrases` },
    { share: repeatedShare(sentences), what: 'sentences' },
    { share: repeatedShare(lines), what: 'lines' },
  ];
  return measures.reduce((best, m) => (m.share > best.share ? m : best));
}

/**
 * @example
 * ctx.provide('Scorer', createRepetitionScorer(repetitionScorerSchema.parse({})));
 */
export function createRepetitionScorer(config: RepetitionScorerConfig): Scorer {
  return {
    name: 'repetition',
    weight: config.weight,
    score(candidate) {
      const { share, what } = repetitionShare(candidate.text, config.ngram);
      if (share === 0) return 1;
      const reason = `${Math.round(share * 100)} % repeated ${what}`;
      return { score: unit(1 - share / config.zeroAt), veto: share >= config.vetoAbove, reason };
    },
  };
}
