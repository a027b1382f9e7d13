/**
 * `consensus`: minimum-Bayes-risk selection. Drafts sampled from one model tend to agree on
 * what is true and to disagree where one of them went astray (a hallucinated figure, an
 * answer to another question). Each candidate scores by its mean agreement with its
 * siblings — shared topic words (stem-aware, across scripts) and shared numbers — scaled
 * so that the most central candidate gets 1.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { analyzeQuestion, tokenize } from '../../../core/text/index.js';
import { scorerBase } from './common.js';

export const consensusScorerSchema = z.strictObject({
  ...scorerBase(1),
  /** Weight of shared numbers against shared words in the agreement (0..1). */
  numberShare: z.number({ error: 'expected a share between 0 and 1' }).min(0).max(1, { error: 'expected a share between 0 and 1' }).default(0.4),
});

export type ConsensusScorerConfig = z.output<typeof consensusScorerSchema>;

interface Gist {
  words: Set<string>;
  numbers: Set<string>;
}

function gistOf(text: string): Gist {
  const analysis = analyzeQuestion(text);
  const words = new Set(analysis.content.map((w) => (w.key.length >= 3 ? w.key : w.stem)));
  // Digits only: "1 200" and "1200" are one number, so glue digit groups split by spaces.
  const glued = text.replace(/(\d)[\s\u00a0\u202f](?=\d{3}\b)/gu, '$1');
  const numbers = new Set(tokenize(glued).filter((t) => /^\d/u.test(t)));
  return { words, numbers };
}

function overlap(a: Set<string>, b: Set<string>): number | undefined {
  if (a.size === 0 && b.size === 0) return undefined;
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.sqrt(a.size * b.size);
}

/**
 * Agreement of two texts in [0, 1].
 * @example
 * agreement('Прийом триває до 23 липня.', 'Прийом документів закінчується 23 липня.', 0.4) // > 0.5
 */
export function agreement(a: string, b: string, numberShare: number): number {
  return gistAgreement(gistOf(a), gistOf(b), numberShare);
}

function gistAgreement(a: Gist, b: Gist, numberShare: number): number {
  const words = overlap(a.words, b.words) ?? 0;
  const numbers = overlap(a.numbers, b.numbers);
  if (numbers === undefined) return words;
  return (1 - numberShare) * words + numberShare * numbers;
}

/**
 * @example
 * ctx.provide('Scorer', createConsensusScorer(consensusScorerSchema.parse({})));
 */
export function createConsensusScorer(config: ConsensusScorerConfig): Scorer {
  // The siblings list is shared by all candidates of a request: compute the matrix once.
  const centrality = new WeakMap<readonly string[], number[]>();
  const compute = (siblings: readonly string[]): number[] => {
    const gists = siblings.map(gistOf);
    const means = gists.map((gist, i) => {
      let sum = 0;
      for (let j = 0; j < gists.length; j++) if (j !== i) sum += gistAgreement(gist, gists[j], config.numberShare);
      return gists.length > 1 ? sum / (gists.length - 1) : 0;
    });
    const best = Math.max(...means);
    return means.map((m) => (best > 0 ? m / best : 1));
  };
  return {
    name: 'consensus',
    weight: config.weight,
    score(candidate) {
      const siblings = candidate.siblings;
      if (siblings.length < 2) return 1;
      let scores = centrality.get(siblings);
      if (!scores) {
        scores = compute(siblings);
        centrality.set(siblings, scores);
      }
      const at = siblings.indexOf(candidate.text);
      return at < 0 ? 1 : scores[at];
    },
  };
}
