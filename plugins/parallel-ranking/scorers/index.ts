/**
 * The built-in scorers, built from their config blocks. Disabled ones are left out.
 */
import type { Scorer } from '../../../core/index.js';
import type { RankingConfig } from '../config.js';
import { createConsensusScorer } from './consensus.js';
import { createCoverageScorer } from './coverage.js';
import { createDirectnessScorer } from './directness.js';
import { createForbiddenScorer } from './forbidden.js';
import { createLanguageScorer } from './language.js';
import { createLengthScorer } from './length.js';
import { createOverclaimScorer } from './overclaim.js';
import { createRefusalScorer } from './refusal.js';
import { createRepetitionScorer } from './repetition.js';
import { createSubstanceScorer } from './substance.js';
import { createTruncationScorer } from './truncation.js';

export { createConsensusScorer, createCoverageScorer, createDirectnessScorer, createForbiddenScorer, createLanguageScorer, createLengthScorer, createOverclaimScorer, createRefusalScorer, createRepetitionScorer, createSubstanceScorer, createTruncationScorer };

/**
 * Every enabled built-in scorer, in a fixed order.
 * @example
 * for (const scorer of builtinScorers(config.scorers)) ctx.provide('Scorer', scorer);
 */
export function builtinScorers(config: RankingConfig['scorers']): Scorer[] {
  const scorers: Scorer[] = [];
  if (config.language.enabled) scorers.push(createLanguageScorer(config.language));
  if (config.refusal.enabled) scorers.push(createRefusalScorer(config.refusal));
  if (config.repetition.enabled) scorers.push(createRepetitionScorer(config.repetition));
  if (config.truncation.enabled) scorers.push(createTruncationScorer(config.truncation));
  if (config.coverage.enabled) scorers.push(createCoverageScorer(config.coverage));
  if (config.length.enabled) scorers.push(createLengthScorer(config.length));
  if (config.consensus.enabled) scorers.push(createConsensusScorer(config.consensus));
  if (config.forbidden.enabled) scorers.push(createForbiddenScorer(config.forbidden));
  if (config.substance.enabled) scorers.push(createSubstanceScorer(config.substance));
  if (config.overclaim.enabled) scorers.push(createOverclaimScorer(config.overclaim));
  if (config.directness.enabled) scorers.push(createDirectnessScorer(config.directness));
  return scorers;
}
