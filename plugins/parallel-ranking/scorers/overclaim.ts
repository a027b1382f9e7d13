/**
 * `overclaim`: hallucinated answers tend to come with categorical, over-precise claims —
 * "never", "only in bitcoin", "exactly 14 months and 3 weeks", "does not exist" — where a
 * careful answer hedges or gives a range. Each categorical marker lowers the score a
 * little; one is normal speech, several in a short answer are a warning sign.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase, unit } from './common.js';

export const overclaimScorerSchema = z.strictObject({
  ...scorerBase(1),
  /** Extra categorical markers (regular expressions, case-insensitive), added to the built-in ones. */
  patterns: z.array(z.string({ error: 'expected a regular expression' }), { error: 'expected a list of regular expressions' }).default([]),
  /** Score lost per marker. */
  perMarker: z.number({ error: 'expected a share between 0 and 1' }).min(0).max(1, { error: 'expected a share between 0 and 1' }).default(0.3),
});

export type OverclaimScorerConfig = z.output<typeof overclaimScorerSchema>;

const WORD_START = '(?<![\\p{L}\\p{N}])';
const WORD_END = '(?![\\p{L}\\p{N}])';

/** Categorical markers in uk / ru / en. */
export const CATEGORICAL_MARKERS: readonly RegExp[] = [
  // never / always
  new RegExp(`${WORD_START}(?:ніколи|никогда|never|завжди|всегда|always)${WORD_END}`, 'giu'),
  // only / exclusively
  new RegExp(`${WORD_START}(?:лише|тільки|лишь|только|only|solely|виключно|исключительно|exclusively)${WORD_END}`, 'giu'),
  // exactly
  new RegExp(`${WORD_START}(?:рівно|ровно|exactly|precisely|точно)${WORD_END}`, 'giu'),
  // guaranteed / absolutely
  new RegExp(`${WORD_START}(?:гарантовано|гарантированно|guaranteed|абсолютно|absolutely)${WORD_END}`, 'giu'),
  // does not exist / no such thing
  new RegExp(`${WORD_START}(?:не існує|не существует|does not exist|doesn't exist|there is no)${WORD_END}`, 'giu'),
];

/**
 * The categorical markers found in a text.
 * @example
 * categoricalMarkers('Стипендію не платять ніколи, лише з 3 курсу.') // ['ніколи', 'лише']
 */
export function categoricalMarkers(text: string, extra: readonly RegExp[] = []): string[] {
  const found: string[] = [];
  for (const pattern of [...CATEGORICAL_MARKERS, ...extra]) {
    const global = pattern.flags.includes('g') ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    global.lastIndex = 0;
    for (const match of text.matchAll(global)) found.push(match[0].toLowerCase());
  }
  return found;
}

/**
 * @example
 * ctx.provide('Scorer', createOverclaimScorer(overclaimScorerSchema.parse({})));
 */
export function createOverclaimScorer(config: OverclaimScorerConfig): Scorer {
  const extra = config.patterns.map((source) => new RegExp(source, 'giu'));
  return {
    name: 'overclaim',
    weight: config.weight,
    score(candidate) {
      const markers = categoricalMarkers(candidate.text, extra);
      if (markers.length === 0) return 1;
      return { score: unit(1 - config.perMarker * markers.length), reason: `categorical: ${markers.map((m) => `"${m}"`).join(', ')}` };
    },
  };
}
