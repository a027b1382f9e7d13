/**
 * The `parallel-ranking` config block: when to rank, how to draft, and each built-in
 * scorer's own settings and weight.
 */
import { z } from 'zod';
import { DEFAULT_COMPARISON_WORDS } from './policy.js';
import { consensusScorerSchema } from './scorers/consensus.js';
import { coverageScorerSchema } from './scorers/coverage.js';
import { directnessScorerSchema } from './scorers/directness.js';
import { forbiddenScorerSchema } from './scorers/forbidden.js';
import { languageScorerSchema } from './scorers/language.js';
import { lengthScorerSchema } from './scorers/length.js';
import { overclaimScorerSchema } from './scorers/overclaim.js';
import { refusalScorerSchema } from './scorers/refusal.js';
import { repetitionScorerSchema } from './scorers/repetition.js';
import { substanceScorerSchema } from './scorers/substance.js';
import { truncationScorerSchema } from './scorers/truncation.js';

const sampling = z.number();

export const samplingVariantSchema = z.strictObject({
  temperature: sampling.min(0).optional(),
  top_p: sampling.gt(0).max(1).optional(),
  top_k: sampling.int().min(1).optional(),
  min_p: sampling.min(0).max(1).optional(),
  repeat_penalty: sampling.min(0).optional(),
});

/** Low, middle and high temperature: one careful draft, one usual, one adventurous. */
export const DEFAULT_VARIANTS = [
  { temperature: 0.3, top_p: 0.9 },
  { temperature: 0.7, top_p: 0.95 },
  { temperature: 1.0, top_p: 1 },
];

export const hardRulesSchema = z.strictObject({
  /** Comparison markers; whole words, or prefixes ending in `*`. */
  comparisonWords: z.array(z.string()).default([...DEFAULT_COMPARISON_WORDS]),
  /** This many question marks in one message make it hard (0 = rule off). */
  minQuestions: z.number().int().min(0).default(2),
  /** A message at least this long (characters) is hard (0 = rule off). */
  minChars: z.number().int().min(0).default(280),
});

export const rankingConfigSchema = z
  .strictObject({
    /** `always`, `never`, or `hard` questions only; `metadata.ranking: on|off` overrides per request. */
    when: z.enum(['always', 'never', 'hard']).default('hard'),
    hard: hardRulesSchema.prefault({}),
    /** Drafts per ranked request. */
    candidates: z.number().int().min(1).max(16).default(3),
    /** Drafts generated at once (match the upstream's OLLAMA_NUM_PARALLEL); default: all at once. */
    concurrency: z.number().int().min(1).optional(),
    /** After this long, rank what has finished (at least one) and abort the rest; 0 = wait for all. */
    deadlineMs: z.number().int().min(0).default(20_000),
    sampling: z
      .strictObject({
        /** Draft i uses variant i mod length, merged over the request's options. */
        variants: z.array(samplingVariantSchema).min(1).default(DEFAULT_VARIANTS),
        /** `spread`: draft i gets seed base+i; `keep`: the request's seed is used as is. */
        seeds: z.enum(['spread', 'keep']).default('spread'),
      })
      .prefault({}),
    /** A scorer slower than this is left out for that candidate. */
    scorerTimeoutMs: z.number().int().min(1).default(2000),
    /** Weight overrides by scorer name, for any scorer (built-in or from another plugin). */
    weights: z.record(z.string(), z.number().min(0)).default({}),
    scorers: z
      .strictObject({
        language: languageScorerSchema.prefault({}),
        refusal: refusalScorerSchema.prefault({}),
        repetition: repetitionScorerSchema.prefault({}),
        truncation: truncationScorerSchema.prefault({}),
        coverage: coverageScorerSchema.prefault({}),
        length: lengthScorerSchema.prefault({}),
        consensus: consensusScorerSchema.prefault({}),
        forbidden: forbiddenScorerSchema.prefault({}),
        substance: substanceScorerSchema.prefault({}),
        overclaim: overclaimScorerSchema.prefault({}),
        directness: directnessScorerSchema.prefault({}),
      })
      .prefault({}),
  });

export type RankingConfig = z.output<typeof rankingConfigSchema>;
