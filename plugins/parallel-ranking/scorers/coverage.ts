/**
 * `coverage`: does the answer speak to *this* question? Two parts, both from core/text:
 * - the question's content words (stem-aware, synonyms and cross-script spellings, uk/ru/en)
 *   that find a partner among the answer's words;
 * - slot agreement: an answer that names another degree level (bachelor for a master's
 *   question), the other end of a period (the start when the end was asked), other years or
 *   other named entities answers a nearby question; a number-seeking question (how much,
 *   how long, when) answered without any number, and a negated question answered as if it
 *   were positive, are weaker answers.
 */
import { z } from 'zod';
import { lastUserText, type Scorer } from '../../../core/index.js';
import { analyzeQuestion, categoryMembersIn, modelFor, wordPartnerScore, type QuestionAnalysis, type QuestionSlots, type TextModel, type TextOptions } from '../../../core/text/index.js';
import { scorerBase, unit } from './common.js';

const factor = (fallback: number) => z.number({ error: 'expected a factor between 0 and 1' }).min(0).max(1, { error: 'expected a factor between 0 and 1' }).default(fallback);

export const coverageScorerSchema = z.strictObject({
  ...scorerBase(3),
  /** Check slot agreement (degree, start/end, years, entities, numbers asked, negation). */
  slots: z.boolean({ error: 'expected true or false' }).default(true),
  /** Score multipliers for each kind of slot disagreement (1 = ignore it). */
  penalties: z
    .strictObject({
      degree: factor(0.35),
      timePolarity: factor(0.35),
      years: factor(0.5),
      entities: factor(0.4),
      numberMissing: factor(0.6),
      negation: factor(0.8),
    })
    .prefault({}),
  /** Words optional in the lexicon ("університет" in a one-university bot) count this much. */
  optionalWeight: z.number({ error: 'expected a weight between 0 and 1' }).min(0).max(1).default(0.3),
  /**
   * Deployment vocabulary for core/text: synonym groups (each inner list names one concept)
   * and named entities (faculties, specialties, buildings), so that "психологія" vs
   * "журналістика" is an entity disagreement and "общага" covers "гуртожиток".
   */
  vocabulary: z
    .strictObject({
      synonyms: z.array(z.array(z.string({ error: 'expected a word or phrase' }), { error: 'expected a list of words' }), { error: 'expected a list of synonym groups' }).default([]),
      entities: z.array(z.array(z.string({ error: 'expected a name' }), { error: 'expected a list of names' }), { error: 'expected a list of entities, each a list of its names' }).default([]),
    })
    .prefault({}),
  /** A slot disagreement vetoes (off: it only lowers the score). */
  slotVeto: z.boolean({ error: 'expected true or false' }).default(false),
});

export type CoverageScorerConfig = z.output<typeof coverageScorerSchema>;

/** Intents whose answer is a number, an amount, a duration or a date. */
const NUMBER_INTENTS = new Set<QuestionSlots['intent']>(['cost', 'duration', 'count', 'when']);

/**
 * Partial credit for words that share a root the light stemmer did not reach
 * ("звертатися" / "зверніться", "перевестися" / "переведення"): a common beginning of at
 * least 4 letters (5 in Latin script) covering most of the shorter stem.
 * @example
 * sharedRoot('зверта', 'звернi') // 0.6
 */
export function sharedRoot(a: string, b: string): number {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  let common = 0;
  while (common < short.length && short[common] === long[common]) common++;
  const minimum = /^[a-z]/.test(short) ? 5 : 4;
  return common >= minimum && common >= 0.6 * short.length ? 0.6 : 0;
}

/** Credit for a category word ("документи", "contacts") covered by naming its members (паспорт, e-mail). */
const MEMBER_CREDIT = 0.8;

/**
 * The share of the question's content words that the answer covers (0..1), by the best
 * partner of each word, plus the degree levels, entities and years the question names. A
 * category word is covered by its members too: "What documents …?" is answered by
 * "a passport, a certificate and photos" without the word "documents".
 * @example
 * wordCoverage(analyzeQuestion('Скільки коштує гуртожиток?'), analyzeQuestion('Гуртожиток коштує 950 грн.'), 0.3) // 1
 */
export function wordCoverage(question: QuestionAnalysis, answer: QuestionAnalysis, optionalWeight: number, model: TextModel = modelFor()): { share: number; missing: string[] } {
  let total = 0;
  let covered = 0;
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const word of question.content) {
    if (seen.has(word.stem)) continue;
    seen.add(word.stem);
    const weight = word.optional ? optionalWeight : 1;
    let best = 0;
    for (const other of answer.content) {
      best = Math.max(best, wordPartnerScore(word, other), sharedRoot(word.stem, other.stem));
      if (best === 1) break;
    }
    if (best < MEMBER_CREDIT && categoryMembersIn(word, answer, model).length > 0) best = MEMBER_CREDIT;
    total += weight;
    covered += weight * best;
    if (best === 0 && !word.optional) missing.push(word.token);
  }
  // Slot words (a degree level, a named entity, a year) are topic too: "магістратура" is
  // what "Скільки триває навчання на магістратурі?" is about.
  const asked: [readonly string[], readonly string[]][] = [
    [question.slots.degrees, answer.slots.degrees],
    [question.slots.entities, answer.slots.entities],
    [question.slots.years, answer.slots.years],
  ];
  for (const [wanted, given] of asked) {
    for (const value of wanted) {
      total += 1;
      if (given.includes(value)) covered += 1;
      else missing.push(value);
    }
  }
  return { share: total === 0 ? 1 : covered / total, missing };
}

const disjoint = (a: readonly string[], b: readonly string[]) => a.length > 0 && b.length > 0 && !a.some((x) => b.includes(x));

/**
 * The slot disagreements between a question and an answer, each with its kind.
 * @example
 * slotConflicts(extractSlots('Скільки триває магістратура?'), extractSlots('Бакалаврат триває 4 роки.'), 'Бакалаврат триває 4 роки.')
 * // [{ kind: 'degree', reason: 'answer is about bachelor, question asks master' }]
 */
export function slotConflicts(question: QuestionSlots, answer: QuestionSlots, answerText: string): { kind: keyof CoverageScorerConfig['penalties']; reason: string }[] {
  const found: { kind: keyof CoverageScorerConfig['penalties']; reason: string }[] = [];
  if (disjoint(question.degrees, answer.degrees)) found.push({ kind: 'degree', reason: `answer is about ${answer.degrees.join('/')}, question asks ${question.degrees.join('/')}` });
  if (question.timePolarity && answer.timePolarity && question.timePolarity !== answer.timePolarity) {
    found.push({ kind: 'timePolarity', reason: `answer speaks of the ${answer.timePolarity}, question asks the ${question.timePolarity}` });
  }
  if (disjoint(question.years, answer.years)) found.push({ kind: 'years', reason: `answer names ${answer.years.join(', ')}, question asks ${question.years.join(', ')}` });
  if (disjoint(question.entities, answer.entities)) found.push({ kind: 'entities', reason: `answer is about ${answer.entities.join(', ')}, question asks ${question.entities.join(', ')}` });
  if (NUMBER_INTENTS.has(question.intent) && !/\d/u.test(answerText) && answer.numbers.length === 0 && answer.years.length === 0) {
    found.push({ kind: 'numberMissing', reason: `question asks ${question.intent}, answer has no number` });
  }
  if (question.negated && !answer.negated) found.push({ kind: 'negation', reason: 'question is negated, answer is not' });
  return found;
}

/**
 * @example
 * ctx.provide('Scorer', createCoverageScorer(coverageScorerSchema.parse({})));
 */
export function createCoverageScorer(config: CoverageScorerConfig): Scorer {
  const custom = config.vocabulary.synonyms.length > 0 || config.vocabulary.entities.length > 0;
  const vocabulary: TextOptions | undefined = custom ? { synonyms: config.vocabulary.synonyms, entities: config.vocabulary.entities } : undefined;
  const model = modelFor(vocabulary);
  return {
    name: 'coverage',
    weight: config.weight,
    score(candidate, request) {
      const question = analyzeQuestion(lastUserText(request), model);
      const answer = analyzeQuestion(candidate.text, model);
      const { share, missing } = wordCoverage(question, answer, config.optionalWeight, model);
      const reasons: string[] = [];
      if (missing.length) reasons.push(`missing ${missing.slice(0, 4).join(', ')}`);
      let score = share;
      let veto = false;
      if (config.slots) {
        for (const conflict of slotConflicts(question.slots, answer.slots, candidate.text)) {
          score *= config.penalties[conflict.kind];
          reasons.push(conflict.reason);
          if (config.slotVeto && conflict.kind !== 'negation' && conflict.kind !== 'numberMissing') veto = true;
        }
      }
      if (reasons.length === 0) return unit(score);
      return { score: unit(score), veto, reason: reasons.join('; ') };
    },
  };
}
