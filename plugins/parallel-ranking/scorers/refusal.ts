/**
 * `refusal`: a needless refusal ("Як модель ШІ я не можу…", "As an AI I cannot…",
 * "Как ИИ, я не могу…", "Вибачте, я не можу надати…") is never the best answer. It vetoes,
 * and the ranking marks a refused winner so the cache will not keep it.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase } from './common.js';

export const refusalScorerSchema = z.strictObject({
  ...scorerBase(1),
  /** A refusal loses to any answer that is not vetoed. */
  veto: z.boolean({ error: 'expected true or false' }).default(true),
  /** Extra refusal phrases (regular expressions, case-insensitive), added to the built-in ones. */
  patterns: z.array(z.string({ error: 'expected a regular expression' }), { error: 'expected a list of regular expressions' }).default([]),
  /** First-person "I cannot…" counts only this near the start (AI disclaimers count anywhere). */
  openingChars: z.number({ error: 'expected a number of characters' }).int().min(20, { error: 'expected at least 20 characters' }).default(200),
});

export type RefusalScorerConfig = z.output<typeof refusalScorerSchema>;

/** "As an AI" disclaimers: a refusal wherever they appear. */
export const AI_DISCLAIMERS: readonly RegExp[] = [
  /як (?:мовна |велика мовна )?модель(?: ші| штучного інтелекту)?[\s,]/iu,
  /як (?:штучний інтелект|ші)[\s,]/iu,
  /я (?:—|-|–)?\s*(?:лише )?(?:мовна модель|штучний інтелект|ші-асистент)/iu,
  /как (?:языковая |большая языковая )?модель(?: ии| искусственного интеллекта)?[\s,]/iu,
  /как (?:искусственный интеллект|ии)[\s,]/iu,
  /\bas an ai\b/iu,
  /\bas an? (?:large )?language model\b/iu,
  /\bi(?:'m| am) (?:just |only )?an ai\b/iu,
];

/** First-person refusals: a refusal when the answer opens with one. */
export const OPENING_REFUSALS: readonly RegExp[] = [
  /(?<![\p{L}])я не (?:можу|маю (?:змоги|можливості|права|доступу)|в змозі|володію)/iu,
  /(?<![\p{L}])не можу (?:надати|допомогти|відповісти|давати|дати|обробляти|гарантувати|порадити)/iu,
  /(?<![\p{L}])(?:на жаль|вибачте),? (?:але )?(?:я )?(?:не можу|не маю)/iu,
  /(?<![\p{L}])я не (?:могу|имею (?:возможности|права|доступа)|в состоянии)/iu,
  /(?<![\p{L}])не могу (?:предоставить|помочь|ответить|давать|дать|обрабатывать|гарантировать)/iu,
  /(?<![\p{L}])(?:к сожалению|извините),? (?:но )?(?:я )?(?:не могу|не имею)/iu,
  /\bi (?:cannot|can't|can ?not|am unable to|am not able to|won't be able to)\b/iu,
  /\bi'm (?:sorry|unable|not able)\b/iu,
  /\bsorry, (?:but )?i\b/iu,
];

/**
 * Finds the refusal phrase in a text, if any.
 * @example
 * findRefusal('Як модель ШІ, я не можу…', 200, []) // 'Як модель ШІ,'
 */
export function findRefusal(text: string, openingChars: number, extra: readonly RegExp[]): string | undefined {
  for (const pattern of [...AI_DISCLAIMERS, ...extra]) {
    const found = pattern.exec(text);
    if (found) return found[0].trim();
  }
  const opening = text.slice(0, openingChars);
  for (const pattern of OPENING_REFUSALS) {
    const found = pattern.exec(opening);
    if (found) return found[0].trim();
  }
  return undefined;
}

/**
 * @example
 * ctx.provide('Scorer', createRefusalScorer(refusalScorerSchema.parse({})));
 */
export function createRefusalScorer(config: RefusalScorerConfig): Scorer {
  const extra = config.patterns.map((source) => new RegExp(source, 'iu'));
  return {
    name: 'refusal',
    weight: config.weight,
    score(candidate) {
      const phrase = findRefusal(candidate.text, config.openingChars, extra);
      if (!phrase) return 1;
      return { score: 0, veto: config.veto, reason: `refusal: "${phrase}"` };
    },
  };
}
