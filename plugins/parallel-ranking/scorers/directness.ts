/**
 * `directness`: the answer comes first. A careful reader of "Чи є в ХДУ військова кафедра?"
 * wants "Так, …" or "Ні, …" before the details, and the reader of "Скільки коштує …?" /
 * "Коли …?" / "How long …?" wants the figure in the first sentence — not a paragraph about
 * the topic with the answer buried at the end (or missing). Questions of other kinds (how,
 * what, where, why) are not judged here: every answer scores 1.
 */
import { z } from 'zod';
import { lastUserText, type Scorer } from '../../../core/index.js';
import { analyzeQuestion, tokenize, type QuestionSlots } from '../../../core/text/index.js';
import { scorerBase } from './common.js';

export const directnessScorerSchema = z.strictObject({
  ...scorerBase(1),
  /** Score of an answer that does not open with the answer. */
  indirectScore: z.number({ error: 'expected a score between 0 and 1' }).min(0).max(1, { error: 'expected a score between 0 and 1' }).default(0.5),
  /** How many words at the start may come before the yes or no ("На жаль, ні"). */
  openingWords: z.number({ error: 'expected a number of words' }).int().min(1, { error: 'expected at least 1 word' }).default(3),
});

export type DirectnessScorerConfig = z.output<typeof directnessScorerSchema>;

/** Yes and no, uk / ru / en. */
const YES_NO = new Set(['так', 'ні', 'да', 'нет', 'yes', 'no', 'nope', 'yep', 'звісно', 'звичайно', 'авжеж', 'безумовно', 'конечно', 'разумеется', 'sure', 'certainly', 'definitely', 'absolutely', 'course']);
/**
 * Words that answer a yes/no question by restating its predicate ("Можна, якщо …", "Є дві
 * програми", "Не потрібно", "You can …", "There is …").
 */
const RESTATED_PREDICATE = new Set([
  'можна', 'можно', 'нельзя', 'неможна', 'є', 'есть', 'немає', 'нема', 'треба', 'потрібно', 'потрібен', 'потрібна', 'потрібні',
  'нужно', 'нужен', 'нужна', 'нужны', 'надо', 'обов\'язково', 'обязательно', 'не', 'you', 'there', 'it', 'we',
]);
/** Intents whose answer is a figure: a price, an amount, a duration, a count, a date. */
const FIGURE_INTENTS = new Set<QuestionSlots['intent']>(['cost', 'amount', 'duration', 'count', 'when']);

/**
 * The first sentence of an answer, without leading markdown and emoji.
 * @example
 * firstSentence('**Так.** Кафедра працює з 2 курсу.') // 'Так.'
 */
export function firstSentence(text: string): string {
  const plain = text.replace(/[*_#>`~|]+/gu, ' ').replace(/\p{Extended_Pictographic}/gu, ' ');
  const lines = plain.split('\n').map((l) => l.replace(/^\s*(?:[-+•]|\d+[.)])\s+/u, '').trim()).filter((l) => /\p{L}|\p{N}/u.test(l));
  const first = lines[0] ?? '';
  // A full stop between digits ("1.5", "18.00") or after an initial does not end the sentence.
  const end = first.search(/(?<![\d\s]\p{Lu}|\d)[.!?…](?=\s|$)/u);
  return end >= 0 ? first.slice(0, end + 1) : first;
}

/**
 * Does the answer open with what the question asks for? `undefined` when the question is of
 * a kind this scorer does not judge.
 * @example
 * opensWithAnswer('Чи є гуртожиток?', 'Так, є три гуртожитки.') // true
 * opensWithAnswer('Скільки коштує гуртожиток?', 'Гуртожиток — це важлива частина студентського життя.') // false
 */
export function opensWithAnswer(question: string, answer: string, openingWords = 3): boolean | undefined {
  const intent = analyzeQuestion(question).slots.intent;
  const sentence = firstSentence(answer);
  if (intent === 'yesno') {
    const words = tokenize(sentence);
    if (words.slice(0, openingWords).some((w) => YES_NO.has(w))) return true;
    return words.length > 0 && RESTATED_PREDICATE.has(words[0]);
  }
  if (FIGURE_INTENTS.has(intent)) {
    if (/\d/u.test(sentence)) return true;
    const slots = analyzeQuestion(sentence).slots;
    return slots.numbers.length > 0 || slots.years.length > 0;
  }
  return undefined;
}

/**
 * @example
 * ctx.provide('Scorer', createDirectnessScorer(directnessScorerSchema.parse({})));
 */
export function createDirectnessScorer(config: DirectnessScorerConfig): Scorer {
  return {
    name: 'directness',
    weight: config.weight,
    score(candidate, request) {
      const question = lastUserText(request);
      const direct = opensWithAnswer(question, candidate.text, config.openingWords);
      if (direct !== false) return 1;
      const intent = analyzeQuestion(question).slots.intent;
      return { score: config.indirectScore, reason: intent === 'yesno' ? 'does not open with a yes or no' : `asks ${intent}, the first sentence has no figure` };
    },
  };
}
