/**
 * `truncation`: an answer that stops mid-sentence, or that the provider cut at
 * `num_predict` (`done_reason: length`), is incomplete. It vetoes by default, and the
 * ranking marks a truncated winner so the cache will not keep it.
 */
import { z } from 'zod';
import type { Scorer } from '../../../core/index.js';
import { scorerBase } from './common.js';

export const truncationScorerSchema = z.strictObject({
  ...scorerBase(1.5),
  /** A truncated answer loses to any answer that is not vetoed. */
  veto: z.boolean({ error: 'expected true or false' }).default(true),
});

export type TruncationScorerConfig = z.output<typeof truncationScorerSchema>;

/** Marks that close a sentence (after trailing markdown emphasis and brackets are stripped). */
const SENTENCE_END = /[.!?…。！？]$/u;
/** Lines that need no closing punctuation: list items, table rows, headings, quotes, code fences. */
const STRUCTURAL_LINE = /^\s*(?:[-*+•]\s|\d+[.)]\s|\||#{1,6}\s|>|```)/u;
const URL_OR_EMAIL_END = /(?:https?:\/\/\S+|\S+@\S+\.\S+)$/iu;
const EMOJI_END = /\p{Extended_Pictographic}\uFE0F?$/u;

/** A JSON answer (`format: json`) ends with its closing bracket, not a full stop. */
function isJson(text: string): boolean {
  if (!/^[[{]/u.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why a text looks cut off, or undefined when it ends properly.
 * @example
 * truncationReason('Для переведення необхідно звернутися до свого університету й отримати') // 'ends mid-sentence: "й отримати"'
 */
export function truncationReason(text: string, doneReason?: string): string | undefined {
  if (doneReason === 'length') return 'the provider stopped at the token limit (done_reason: length)';
  const trimmed = text.trimEnd();
  if (trimmed.length === 0) return 'empty answer';
  const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
  if (/```\s*$/u.test(trimmed) || isJson(trimmed)) return undefined;
  // Closing quotes, brackets and emphasis markers may follow the sentence's end.
  const core = trimmed.replace(/[\s"'»”’)\]}*_~`]+$/u, '');
  if (SENTENCE_END.test(core) || EMOJI_END.test(core) || URL_OR_EMAIL_END.test(core)) return undefined;
  if (/[,;:(–—-]$/u.test(core)) return `ends with "${core.slice(-1)}"`;
  if (STRUCTURAL_LINE.test(lastLine)) return undefined;
  const tail = core.split(/\s+/u).slice(-2).join(' ');
  return `ends mid-sentence: "${tail}"`;
}

/**
 * @example
 * ctx.provide('Scorer', createTruncationScorer(truncationScorerSchema.parse({})));
 */
export function createTruncationScorer(config: TruncationScorerConfig): Scorer {
  return {
    name: 'truncation',
    weight: config.weight,
    score(candidate) {
      const reason = truncationReason(candidate.text, candidate.meta.doneReason);
      if (!reason) return 1;
      return { score: 0, veto: config.veto, reason };
    },
  };
}
