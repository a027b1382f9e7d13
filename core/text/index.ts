/**
 * Text analysis for Ukrainian, Russian (and surzhyk), Latin-letter transliteration and
 * English — shared by the semantic cache (verifying a hit) and the ranking scorers
 * (language of an answer, content words of a question). Hand-written rules, no model:
 * normalisation, transliteration, language detection, light stemming, answer-changing
 * slots, follow-up detection and the question comparison itself.
 *
 * @example
 * import { compareQuestions } from '../../core/text/index.js';
 * compareQuestions('Скільки коштує гуртожиток?', 'скільки коштує общага').same // true
 * compareQuestions('Скільки коштує гуртожиток?', 'Скільки триває навчання?').same // false
 */

import { analyzeQuestion, modelFor, needsContextOf, type QuestionSlots, type TextOptions } from './analysis/index.js';
import { guessLanguage, type Lang } from './language.js';
import { memoizeString } from '../bounded-map.js';
import { normalize as normalizeText, tokenize as tokenizeText } from './normalize.js';
import { stem as stemWord } from './stem.js';
import { transliterateToCyrillic as transliterate } from './transliterate.js';

export type { Lang } from './language.js';
export type {
  TextOptions, QuestionSlots, QuestionIntent, DegreeLevel, ContentWord, QuestionAnalysis, TextModel,
} from './analysis/index.js';
export type { QuestionComparison } from './compare.js';
export { compareQuestions, slotDifference, wordPartnerScore } from './compare.js';
export { analyzeDocument, analyzeQuestion, categoryMembersIn, compileTextModel, modelFor } from './analysis/index.js';
export { detectLanguage, guessLanguage } from './language.js';
export { spellingKey } from './transliterate.js';
export { editDistance, editDistanceWithin } from './edit-distance.js';
export { BUILT_IN_LEXICON, mergeLexicons, type Lexicon } from './lexicon/index.js';

/** Questions repeat (that is why there is a cache), so their normal form is remembered. */
const normalizeMemo = memoizeString(normalizeText, 4096);

/**
 * NFC, lowercase, one apostrophe, punctuation and emoji removed, spaces collapsed.
 *
 * @example
 * normalize('Комп’ютерні  НАУКИ!!! 🎓') // "комп'ютерні науки"
 */
export function normalize(text: string): string {
  return normalizeMemo(text);
}

/**
 * Normalised word tokens.
 *
 * @example
 * tokenize('Де гуртожиток №3?') // ['де', 'гуртожиток', '3']
 */
export function tokenize(text: string): string[] {
  return tokenizeText(text);
}

/**
 * Latin-letter Ukrainian (default) or Russian → Cyrillic. Without `lang` the text's own
 * language is guessed (Ukrainian when undecided).
 *
 * @example
 * transliterateToCyrillic('skilky koshtuie navchannia') // 'скілки коштує навчання'
 */
export function transliterateToCyrillic(text: string, lang?: Lang): string {
  const target = lang ?? (guessLanguage(tokenizeText(text)).lang === 'ru' ? 'ru' : 'uk');
  return transliterate(text, target);
}

/**
 * Light stem of a word (uk/ru share one Slavic stemmer; en gets Porter-style step 1).
 *
 * @example
 * stem('гуртожитку') === stem('гуртожиток') // false: 'гуртожитк' vs 'гуртожиток' — partner by spelling distance
 * stem('documents', 'en') // 'document'
 */
export function stem(word: string, lang?: Lang): string {
  return stemWord(word, lang);
}

/**
 * Stems of the words that carry the topic: stop-words, question words and slot words
 * (numbers, negation, degree, start/end) removed; Latin-letter uk/ru transliterated.
 *
 * @example
 * contentWords('Скільки коштує навчання на магістратурі?') // ['навчанн'] ("коштує" is the cost intent, "магістратурі" the degree slot)
 */
export function contentWords(text: string, lang?: Lang, options?: TextOptions): string[] {
  void lang; // the analyser detects the language per text; kept for a stable signature
  return analyzeQuestion(text, modelFor(options)).content.map((w) => w.stem);
}

/**
 * Answer-changing slots of a question.
 *
 * @example
 * extractSlots('Коли кінець прийому заяв на магістратуру 2025?')
 * // { numbers: [], years: ['2025'], degree: 'master', negated: false, timePolarity: 'end', intent: 'when', … }
 */
export function extractSlots(text: string, options?: TextOptions): QuestionSlots {
  return analyzeQuestion(text, modelFor(options)).slots;
}

/**
 * Does the question depend on earlier turns (a follow-up, a pronoun for its topic, an
 * ellipsis)? The semantic cache bypasses such questions unless the context matches.
 *
 * @example
 * needsContext('А скільки це коштує?')       // true
 * needsContext('Скільки коштує гуртожиток?') // false
 */
export function needsContext(text: string, options?: TextOptions): boolean {
  return needsContextOf(analyzeQuestion(text, modelFor(options)));
}

export { isPersonalQuestion, personalQuestionKind, type PersonalKind } from './personal.js';
export { personalDataIn, conversationFactsOf, repeatedConversationFacts, shareableAnswer, type PersonalDataKind } from './pii.js';
export { answersAgree } from './agreement.js';
