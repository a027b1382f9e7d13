/**
 * `language`: the answer must be in the language of the question (uk vs ru vs en, decided
 * by letters such as ї є ґ і vs ы э ё ъ and by frequent words — see `detectLanguage` in
 * core/text). A mismatch vetoes: a Russian answer to a Ukrainian question is wrong however
 * good its content. When the question's language cannot be told, earlier user messages
 * decide; when nothing decides, every answer passes.
 */
import { z } from 'zod';
import type { ChatRequest, Scorer } from '../../../core/index.js';
import { detectLanguage, tokenize } from '../../../core/text/index.js';
import { scorerBase } from './common.js';

export const languageScorerSchema = z.strictObject({
  ...scorerBase(2),
  /** An answer in another language loses to any answer that is not vetoed. */
  veto: z.boolean({ error: 'expected true or false' }).default(true),
  /** A Cyrillic answer to a Ukrainian question with this many words and no і ї є ґ is not Ukrainian. */
  minWordsForLetters: z.number({ error: 'expected a number of words' }).int().min(1, { error: 'expected at least 1 word' }).default(6),
  /** Score of an answer whose language cannot be told (too short, no telling letters). */
  unknownScore: z.number({ error: 'expected a score between 0 and 1' }).min(0).max(1, { error: 'expected a score between 0 and 1' }).default(0.6),
});

export type LanguageScorerConfig = z.output<typeof languageScorerSchema>;

/**
 * The language the answer should be in: the last user message's, else the latest earlier
 * user message whose language is clear.
 * @example
 * expectedLanguage(request) // 'uk'
 */
export function expectedLanguage(request: Pick<ChatRequest, 'messages'>): 'uk' | 'ru' | 'en' | 'unknown' {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message.role !== 'user') continue;
    const lang = detectLanguage(message.content);
    if (lang !== 'unknown') return lang;
  }
  return 'unknown';
}

const UKRAINIAN_LETTERS = /[іїєґ]|\p{L}['’ʼ]\p{L}/iu;

/**
 * True when a text is long enough Cyrillic to be told apart, yet has none of the letters
 * almost every Ukrainian sentence has (і ї є ґ, the apostrophe): Russian without ы э ё ъ,
 * which `detectLanguage` leaves undecided.
 * @example
 * lacksUkrainianLetters('Прием документов на бакалавриат заканчивается двадцать третьего июля.', 8) // true
 */
export function lacksUkrainianLetters(text: string, minWords: number): boolean {
  const cyrillicWords = tokenize(text).filter((t) => /^[\u0400-\u04FF'’ʼ-]+$/u.test(t) && t.length > 1);
  return cyrillicWords.length >= minWords && !UKRAINIAN_LETTERS.test(text);
}

/**
 * @example
 * ctx.provide('Scorer', createLanguageScorer(languageScorerSchema.parse({})));
 */
export function createLanguageScorer(config: LanguageScorerConfig): Scorer {
  // One request has N candidates; detect the question's language once per request.
  const asked = new WeakMap<ChatRequest, ReturnType<typeof expectedLanguage>>();
  return {
    name: 'language',
    weight: config.weight,
    score(candidate, request) {
      let want = asked.get(request);
      if (want === undefined) {
        want = expectedLanguage(request);
        asked.set(request, want);
      }
      if (want === 'unknown') return 1;
      const got = detectLanguage(candidate.text);
      if (got === want) return 1;
      if (got === 'unknown' && want === 'uk' && lacksUkrainianLetters(candidate.text, config.minWordsForLetters)) {
        return { score: 0, veto: config.veto, reason: 'answer has no Ukrainian letters (і ї є ґ), question is uk' };
      }
      if (got === 'unknown') return { score: config.unknownScore, reason: 'the answer’s language cannot be told' };
      return { score: 0, veto: config.veto, reason: `answer is ${got}, question is ${want}` };
    },
  };
}
