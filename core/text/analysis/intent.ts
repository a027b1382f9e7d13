/**
 * The question's intent — what kind of answer it asks for — from its first question word
 * and the words that restate it ("яка вартість" asks the cost like "скільки коштує").
 */

import type { IntentCue } from '../lexicon/index.js';
import { stem } from '../stem.js';
import { WORDS } from './cues.js';
import type { QuestionIntent, TextModel } from './model.js';

/** Which intent-restating words a question's content holds. */
export interface IntentCues {
  hasCost: boolean;
  hasMoney: boolean;
  hasDuration: boolean;
  hasDate: boolean;
  hasPlace: boolean;
}

const PARTICIPLE = /^[a-z]{3,}ed$/;
/** Adjective endings, for "how + adjective" (a degree: "how safe", "how successful"). */
const ADJECTIVE_SUFFIX = /^[a-z]{2,}(?:ful|ous|ive|able|ible|ical|less|ant|ent|ary|ory|ish)$/;

/** The term of a definition question must be a bare noun phrase: no pronoun, preposition, verb, number or evaluative word. */
function bareTerm(np: readonly string[], model: TextModel): boolean {
  const { articles } = WORDS;
  return np.length > 0 && np.length <= 4 && !articles.has(np[np.length - 1]) &&
    np.every((w) => (articles.has(w) || !model.stop.has(w)) && !WORDS.evaluative.has(w) && !WORDS.prepositions.has(w) && !/\d/.test(w) && !model.numberByStem.has(stem(w)) && !/^\p{L}+iest$/u.test(w));
}

/**
 * "What is X?", "Що таке X?", "What does X mean?", "What is meant by X?": a question that asks
 * what a term *is*, and nothing else. "What is X about?", "What is your X?", "What is in X?",
 * "What are some X?", "What is the best X?" ask something else, so the term must be a bare
 * noun phrase — no pronoun, preposition, verb, number or evaluative word ("best", "top").
 *
 * @example
 * asksDefinition(['what', 'is', 'a', 'visa'], modelFor()) // true
 */
export function asksDefinition(tokens: readonly string[], model: TextModel): boolean {
  const words = tokens.filter((t, i) => i === 0 || !WORDS.hedges.has(t));
  const bare = (np: readonly string[]) => bareTerm(np, model);
  const [w0, w1] = words;
  if ((w0 === 'what' && WORDS.copulas.has(w1)) || ((w0 === 'що' || w0 === 'шо' || w0 === 'что') && (w1 === 'таке' || w1 === 'такое'))) {
    let rest = words.slice(2);
    if (rest[0] === 'meant' && rest[1] === 'by') return bare(rest.slice(2));
    if (rest[0] === 'the') rest = rest.slice(1);
    if ((rest[0] === 'meaning' || rest[0] === 'definition') && rest[1] === 'of') return bare(rest.slice(2));
    return bare(rest);
  }
  if (w0 === 'what' && (w1 === 'does' || w1 === 'do') && words[words.length - 1] === 'mean') return bare(words.slice(2, -1));
  if (w0 === 'what' && words.length >= 3 && words[words.length - 1] === 'means') return bare(words.slice(1, -1));
  if ((w0 === 'що' || w0 === 'что') && w1 && WORDS.definitionVerbs.has(w1)) return bare(words.slice(2));
  if (w0 === 'define' || (w0 === 'meaning' && w1 === 'of')) return bare(words.slice(w0 === 'define' ? 1 : 2));
  return false;
}

/** "how long", "how safe", "how many", "how much", "how often", "How is X?": what a "how" asks. */
function howIntent(tokens: string[], at: number, cues: IntentCues): QuestionIntent {
  const after = tokens[at + 1];
  if (after === 'long' || after === 'довго') return 'duration';
  // "How is the broadband in Lviv?" asks what it is like; "How is polyester made?" asks how.
  if (after && WORDS.copulas.has(after) && at === 0) {
    const last = tokens[tokens.length - 1] ?? '';
    return PARTICIPLE.test(last) || WORDS.irregularParticiples.has(last) ? 'how' : 'quality';
  }
  // "How safe is …", "How successful …": a degree, not a way.
  if (after && (ADJECTIVE_SUFFIX.test(after) || WORDS.commonAdjectives.has(after))) return 'degree';
  if (after === 'many') return cues.hasDuration && !cues.hasCost ? 'duration' : 'count';
  if (after === 'much') return cues.hasCost || cues.hasMoney ? 'cost' : cues.hasDuration ? 'duration' : 'amount';
  if (after === 'often' || after === 'часто') return 'frequency';
  return 'how';
}

/**
 * The intent of a question from its first question word (`first`, at token `at`) and the
 * intent-restating words of its content.
 *
 * @example
 * resolveIntent(['скільки', 'коштує', 'навчання'], 'quantity', 0, { hasCost: true, … }) // 'cost'
 */
export function resolveIntent(tokens: string[], first: IntentCue | undefined, at: number, cues: IntentCues): QuestionIntent | undefined {
  const after = tokens[at + 1];
  if (first === 'how') return howIntent(tokens, at, cues);
  if (first === 'what' && tokens[tokens.length - 1] === 'for' && tokens[0] === 'what') return 'why';
  if (first === 'quantity') return cues.hasCost || cues.hasMoney ? 'cost' : cues.hasDuration ? 'duration' : 'count';
  // "Is now a good time to …?", "Can I pay the fee online?": an auxiliary first asks yes or no.
  if (first === undefined && tokens.length > 0 && WORDS.yesNoOpeners.has(tokens[0])) return 'yesno';
  if (first === 'what' || first === 'list' || first === undefined) {
    if (after === 'time' || after === 'годині' || after === 'часу') return 'when';
    if (cues.hasCost) return 'cost';
    if (cues.hasDuration) return 'duration';
    if (cues.hasDate) return 'when';
    if (cues.hasPlace && first !== undefined) return 'where';
    if (first === undefined) {
      if (tokens.length > 0 && WORDS.yesNoOpeners.has(tokens[0])) return 'yesno';
      return undefined;
    }
    return first;
  }
  return first;
}
