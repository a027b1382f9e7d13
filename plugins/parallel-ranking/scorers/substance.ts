/**
 * `substance`: markdown or emoji "soup" — headings, bold, bullets and pictograms around
 * next to no content ("- ✅ Можна\n- ❌ Не можна\n- 🤷 Залежить"), rhetorical question
 * lists ("1. **Куди?** 2. *Як?*") and pointers to nowhere ("див. вище", "see the website").
 * Formatting itself is fine; formatting *instead of* content is what scores low.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase, unit } from './common.js';

export const substanceScorerSchema = z.strictObject({
  ...scorerBase(1.5),
  /** Phrases that point elsewhere instead of answering (regular expressions, case-insensitive), added to the built-in ones. */
  emptyPointers: z.array(z.string({ error: 'expected a regular expression' }), { error: 'expected a list of regular expressions' }).default([]),
});

export type SubstanceScorerConfig = z.output<typeof substanceScorerSchema>;

/** Pointers that stand in for an answer. */
export const EMPTY_POINTERS: readonly RegExp[] = [
  /див\.?\s*(?:вище|нижче|сайт|таблицю|пункти)/iu,
  /см\.?\s*(?:выше|ниже|сайт|таблицу|пункты)/iu,
  /\bsee (?:above|below|the (?:website|table|list))\b/iu,
  /(?:all|усі|все) (?:contacts|контакти|відповіді|ответы)[^.!?\n]{0,20}(?:above|вище|выше)/iu,
  /\?{2,}/u,
];

const MARKUP = /[#*_~`>|]|^\s*[-+•]\s|^\s*\d+[.)]\s|-{3,}/gmu;
const PICTOGRAPH = /\p{Extended_Pictographic}/gu;

export interface SubstanceFacts {
  /** Share of non-space characters that are markup or pictographs. */
  markupShare: number;
  /** Lines that are list items, table rows or headings with at most two words of content. */
  hollowLines: number;
  /** Structured lines (list items, table rows, headings). */
  structuredLines: number;
  /** Sentences or items that are only a short question ("Куди?"). */
  questionItems: number;
  /** Pointers to elsewhere instead of an answer. */
  pointers: number;
}

/**
 * Measures how much of a text is formatting rather than content.
 * @example
 * substanceFacts('- ✅ Можна\n- ❌ Не можна').hollowLines // 2
 */
export function substanceFacts(text: string, extraPointers: readonly RegExp[] = []): SubstanceFacts {
  const visible = text.replace(/\s+/gu, '');
  const markupChars = (text.match(MARKUP) ?? []).join('').replace(/\s+/gu, '').length + (text.match(PICTOGRAPH) ?? []).length;
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  let hollowLines = 0;
  let structuredLines = 0;
  let questionItems = 0;
  for (const line of lines) {
    const structured = /^(?:[-*+•]\s|\d+[.)]\s|\||#{1,6}\s|>)/u.test(line);
    const words = line.match(/[\p{L}\p{N}]{2,}/gu) ?? [];
    if (structured) {
      structuredLines++;
      if (words.length <= 2) hollowLines++;
    }
    if (words.length <= 2 && /\?\s*[*_~`]*$/u.test(line)) questionItems++;
  }
  let pointers = 0;
  for (const pattern of [...EMPTY_POINTERS, ...extraPointers]) {
    const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    pointers += (text.match(global) ?? []).length;
  }
  return { markupShare: visible.length ? markupChars / visible.length : 0, hollowLines, structuredLines, questionItems, pointers };
}

/**
 * @example
 * ctx.provide('Scorer', createSubstanceScorer(substanceScorerSchema.parse({})));
 */
export function createSubstanceScorer(config: SubstanceScorerConfig): Scorer {
  const extra = config.emptyPointers.map((source) => new RegExp(source, 'iu'));
  return {
    name: 'substance',
    weight: config.weight,
    score(candidate) {
      const facts = substanceFacts(candidate.text, extra);
      const reasons: string[] = [];
      let score = 1;
      // A little markup is normal (a bold term, a few bullets); beyond ~6 % it is decoration.
      if (facts.markupShare > 0.06) {
        score -= Math.min(0.5, (facts.markupShare - 0.06) * 3);
        reasons.push(`${Math.round(facts.markupShare * 100)} % markup`);
      }
      if (facts.structuredLines > 0 && facts.hollowLines > 0) {
        score -= 0.5 * (facts.hollowLines / facts.structuredLines);
        reasons.push(`${facts.hollowLines}/${facts.structuredLines} hollow items`);
      }
      if (facts.questionItems > 0) {
        score -= Math.min(0.4, 0.15 * facts.questionItems);
        reasons.push(`${facts.questionItems} bare question items`);
      }
      if (facts.pointers > 0) {
        score -= Math.min(0.4, 0.2 * facts.pointers);
        reasons.push(`${facts.pointers} pointers elsewhere`);
      }
      if (reasons.length === 0) return 1;
      return { score: unit(score), reason: reasons.join(', ') };
    },
  };
}
