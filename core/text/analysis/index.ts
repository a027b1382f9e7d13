/**
 * Question analysis: one pass over a question that separates its *content words* (what it
 * is about) from its *slots* (what would change the answer: numbers, years, degree level,
 * negation, start/end, this/next year, question intent, named entities). The rooms:
 * `model` (the compiled lexicon and the shared types), `tokens` (text → tokens), `slots`
 * (the pass over the tokens), `intent` (what kind of answer is asked for); the words
 * themselves are data in `../lexicon/`.
 */

import { scriptOf } from '../normalize.js';
import { spellingKey } from '../transliterate.js';
import { CUES, INTENT_BY_TOKEN, WORDS, modelStem } from './cues.js';
import { asksDefinition, resolveIntent, type IntentCues } from './intent.js';
import { conceptsOf, modelFor, type ContentWord, type QuestionAnalysis, type QuestionSlots, type TextModel } from './model.js';
import { scanToken, startScan, type Candidate, type Scan } from './slots.js';
import { acronymsOf, questionTokens, quotedWordsOf, symbolsOf } from './tokens.js';

export type {
  TextOptions, QuestionSlots, QuestionIntent, DegreeLevel, ContentWord, QuestionAnalysis, TextModel,
} from './model.js';
export { compileTextModel, modelFor } from './model.js';

const ANALYSIS_CACHE_LIMIT = 4096;

/**
 * Analyse one question against a compiled model (memoised per model).
 *
 * @example
 * analyzeQuestion('Коли кінець сесії?', modelFor()).slots.timePolarity // 'end'
 */
export function analyzeQuestion(text: string, model: TextModel = modelFor()): QuestionAnalysis {
  const cached = model.cache.get(text);
  if (cached) return cached;
  const result = analyzeUncached(text, model);
  if (model.cache.size >= ANALYSIS_CACHE_LIMIT) {
    const oldest = model.cache.keys().next().value;
    if (oldest !== undefined) model.cache.delete(oldest);
  }
  model.cache.set(text, result);
  return result;
}

const NO_SLOTS: Omit<QuestionSlots, 'numbers' | 'years' | 'degrees' | 'entities' | 'lang'> = { negated: false, symbols: [], modality: [] };

/**
 * A lighter analysis for documents (a knowledge base's passages): tokens, stems, spelling
 * keys and lexicon concepts of the content words, and the numbers, years, degree levels and
 * entities — none of the question-only rules (intent, negation, polarity, person,
 * follow-ups), and not memoised (a document is analysed once). Its features are the ones a
 * question's analysis produces for the same words, so the two meet in an index.
 *
 * @example
 * analyzeDocument('Гуртожиток коштує 1 500 грн на місяць.', modelFor()).content.map((w) => w.stem)
 */
export function analyzeDocument(text: string, model: TextModel = modelFor()): QuestionAnalysis {
  const { normalized, tokens, guess } = questionTokens(text);
  const stems = tokens.map(modelStem);
  const numbers: string[] = [];
  const years: string[] = [];
  const degrees: QuestionSlots['degrees'] = [];
  const entities: string[] = [];
  const content: ContentWord[] = [];
  let phraseConcepts: number[] = [];
  let phraseLeft = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const s = stems[i];
    if (phraseLeft > 0) phraseLeft--;
    else {
      // Multi-word entries, longest first: a degree or entity phrase is a slot and takes its
      // words; a synonym phrase lends its concept to each of its words.
      phraseConcepts = [];
      let consumed = 0;
      for (const p of model.phrasesByFirstStem.get(s) ?? []) {
        if (phraseConcepts.length && p.stems.length < phraseLeft + 1) break;
        if (i + p.stems.length > tokens.length || p.stems.some((ps, k) => stems[i + k] !== ps)) continue;
        if ((p.degree || p.entity) && phraseConcepts.length) break;
        if (p.degree) degrees.push(p.degree);
        if (p.entity) entities.push(p.entity);
        if (p.degree || p.entity) { consumed = p.stems.length; break; }
        if (p.concept === undefined) break;
        // The same phrase may name several concepts (built-in and a deployment's synonyms): all of them.
        if (!phraseConcepts.includes(p.concept)) phraseConcepts.push(p.concept);
        phraseLeft = p.stems.length - 1;
      }
      if (consumed) { i += consumed - 1; continue; }
    }
    if (/^\d/.test(token)) {
      const digits = token.replace(/\.$/, '');
      if (/^(19|20)\d\d$/.test(digits)) years.push(digits);
      else numbers.push(digits.replace(/^0+(?=\d)/, ''));
      continue;
    }
    if (model.stop.has(token) || CUES.negation.has(token)) continue;
    const degree = model.degreeByStem.get(s);
    if (degree) { degrees.push(degree); continue; }
    const entity = model.entityByStem.get(s);
    if (entity) { entities.push(entity); continue; }
    const own = conceptsOf(token, s, model);
    const concepts = phraseConcepts.length ? [...new Set([...own.concepts, ...phraseConcepts])] : own.concepts;
    const key = spellingKey(s);
    const optional = model.optionalStems.has(s) || model.lightStems.has(s) || concepts.some((id) => model.optionalConcepts.has(id));
    content.push({ token, stem: s, key, concepts, conceptsExact: own.exact, optional, position: i });
  }
  return {
    normalized, tokens, content, anaphora: 0, infoSeeking: false, deictic: false, relation: [], frontedUntil: 0,
    slots: { ...NO_SLOTS, numbers: uniqueSorted(numbers), years: uniqueSorted(years), degree: degrees[0], degrees: uniqueSorted(degrees), entities: uniqueSorted(entities), lang: guess.lang },
  };
}

type Cue = 'cost' | 'duration' | 'date' | 'place' | undefined;

/** The intent a content word restates, if any ("вартість" → cost, "дата" → date). */
function cueOf(c: Candidate, concepts: readonly number[], model: TextModel): Cue {
  const has = (set: Set<number>) => concepts.some((id) => set.has(id));
  if (CUES.costStems.has(c.stem) || has(model.cueConcepts.cost)) return 'cost';
  if (CUES.durationStems.has(c.stem) || has(model.cueConcepts.duration)) return 'duration';
  if (CUES.dateStems.has(c.stem) || has(model.cueConcepts.date)) return 'date';
  if (CUES.placeStems.has(c.stem) || has(model.cueConcepts.place)) return 'place';
  return undefined;
}

/** Content words from the candidates, with the intent each restates. */
function buildContent(candidates: readonly Candidate[], model: TextModel): { content: ContentWord[]; cues: Cue[]; found: IntentCues } {
  const content: ContentWord[] = [];
  const found: IntentCues = { hasCost: false, hasMoney: false, hasDuration: false, hasDate: false, hasPlace: false };
  const cues: Cue[] = [];
  for (const c of candidates) {
    const lookedUp = conceptsOf(c.token, c.stem, model);
    const own = lookedUp.concepts;
    const concepts = c.extraConcepts.length ? [...new Set([...own, ...c.extraConcepts])] : own;
    const key = spellingKey(c.stem);
    const cue = cueOf(c, concepts, model);
    if (cue === 'cost') found.hasCost = true;
    if (CUES.moneyStems.has(c.stem)) found.hasMoney = true;
    if (cue === 'duration') found.hasDuration = true;
    if (cue === 'date') found.hasDate = true;
    if (cue === 'place') found.hasPlace = true;
    cues.push(cue);
    // Spelling keys catch typed variants of Cyrillic light verbs; an English word is never one ("dad" is not "дадуть").
    const optional = model.optionalStems.has(c.stem) || model.lightStems.has(c.stem) || (scriptOf(c.token) === 'cyrillic' && model.lightKeys.has(key)) ||
      concepts.some((id) => model.optionalConcepts.has(id));
    content.push({ token: c.token, stem: c.stem, key, concepts, conceptsExact: lookedUp.exact || c.extraConcepts.length > 0, optional, position: c.position });
  }
  return { content, cues, found };
}

/** "з заочної на денну" ≠ "з денної на заочну": roles only where both ends are marked. */
function assignRoles(content: ContentWord[], tokens: readonly string[]): void {
  const roleOf = (w: ContentWord) => {
    const before = tokens[w.position - 1];
    return before && WORDS.sourcePrepositions.has(before) ? 'source' : before && WORDS.targetPrepositions.has(before) ? 'target' : undefined;
  };
  const roles = content.map(roleOf);
  if (roles.includes('source') && roles.includes('target')) content.forEach((w, k) => { if (roles[k]) w.role = roles[k]; });
}

const uniqueSorted = <T extends string>(xs: T[]) => [...new Set(xs)].sort();

function slotsOf(scan: Scan, text: string, intent: QuestionSlots['intent'], lang: QuestionSlots['lang']): QuestionSlots {
  return {
    numbers: uniqueSorted(scan.numbers),
    years: uniqueSorted(scan.years),
    degree: scan.degrees[0],
    degrees: uniqueSorted(scan.degrees),
    negated: scan.negated,
    timePolarity: scan.timePolarity,
    timeRelative: scan.timeRelative,
    intent,
    entities: uniqueSorted(scan.entities),
    symbols: symbolsOf(text),
    manner: scan.manner,
    person: scan.person,
    modality: uniqueSorted(scan.modalities),
    lang,
  };
}

/** "In the library, is there …": a preposition phrase before the question word or auxiliary (up to 6 words). */
function frontedPhraseEnd(tokens: readonly string[]): number {
  if (!WORDS.frontingPrepositions.has(tokens[0] ?? '')) return 0;
  for (let k = 2; k < Math.min(tokens.length - 1, 7); k++) {
    if (WORDS.yesNoOpeners.has(tokens[k]) || INTENT_BY_TOKEN.has(tokens[k])) return k;
  }
  return 0;
}

function analyzeUncached(text: string, model: TextModel): QuestionAnalysis {
  const { normalized, tokens, transliterated, guess } = questionTokens(text);
  const scan = startScan(tokens, tokens.map(modelStem), model, { transliterated, acronyms: acronymsOf(text), quoted: quotedWordsOf(text) });
  for (let i = 0; i < tokens.length; i++) scanToken(scan, i);

  // Qualifiers of "the best way to" went with it.
  const candidates = scan.candidates;
  if (scan.dropPrevious.size) for (let k = candidates.length - 1; k >= 0; k--) if (scan.dropPrevious.has(candidates[k].position)) candidates.splice(k, 1);
  // Build content words, noting which restate the question's intent.
  const { content, cues, found } = buildContent(candidates, model);
  assignRoles(content, tokens);
  if (scan.durationByUnit) found.hasDuration = true;
  // "What is the tuition fee?", "What is the deadline?" ask a price and a date, not what a fee is.
  const intent = asksDefinition(tokens, model) && !found.hasCost && !found.hasDate ? 'definition' : resolveIntent(tokens, scan.firstIntent, scan.intentTokenIndex, found);
  // "What is meant by X", "what does X mean", "the meaning of X": the definition words are the intent.
  if (intent === 'definition') for (let k = content.length - 1; k >= 0; k--) if (WORDS.definitionWords.has(content[k].token)) { content.splice(k, 1); cues.splice(k, 1); }
  // A word that only restates the intent ("яка *вартість*" = "скільки коштує", "якого *числа*"
  // = "коли", "де *знаходиться*") is part of the intent, not of the topic.
  const restated: Record<string, string> = { cost: 'cost', duration: 'duration', when: 'date', where: 'place' };
  const topical = intent && restated[intent] ? content.filter((_, k) => cues[k] !== restated[intent]) : content;
  const relation = tokens.map((t) => WORDS.relation.has(t));
  return {
    normalized, tokens, content: topical, slots: slotsOf(scan, text, intent, guess.lang), anaphora: scan.anaphora,
    infoSeeking: scan.infoSeeking, deictic: scan.deictic, relation, frontedUntil: frontedPhraseEnd(tokens),
  };
}

/**
 * The words of a text that name members of the category a question word names: for
 * "документи", the "паспорт", "довідка", "фото" of an answer. Empty when the word is not a
 * category word. Not used by {@link compareQuestions} (a member is not a synonym); meant for
 * judging whether an answer covers a question.
 *
 * @example
 * const m = modelFor();
 * const word = analyzeQuestion('Які документи потрібні?', m).content[0];
 * categoryMembersIn(word, analyzeQuestion('Паспорт, атестат і два фото.', m), m) // ['паспорт', 'атестат', 'фото']
 */
export function categoryMembersIn(word: ContentWord, text: QuestionAnalysis, model: TextModel = modelFor()): string[] {
  const categories = model.categoryByStem.get(word.stem);
  if (!categories) return [];
  const found: string[] = [];
  for (const w of text.content) {
    const of = model.memberByStem.get(w.stem);
    if (of && of.some((id) => categories.includes(id)) && !found.includes(w.token)) found.push(w.token);
  }
  return found;
}

/**
 * Does this question lean on an earlier turn? True for follow-ups that open with "а", "і",
 * "and", "what about", and for questions whose topic is only a pronoun ("скільки це
 * коштує?", "where is it?").
 *
 * @example
 * needsContext('А скільки це коштує?')        // true
 * needsContext('Скільки коштує гуртожиток?')  // false
 */
export function needsContextOf(analysis: QuestionAnalysis): boolean {
  const t = analysis.tokens;
  if (t.length === 0) return false;
  const text = t.join(' ');
  if (CUES.openerPhrases.some((p) => text === p || text.startsWith(p + ' '))) return true;
  const topical = analysis.content.filter((c) => !c.optional).length;
  const slotTopic = analysis.slots.degrees.length + analysis.slots.entities.length + analysis.slots.numbers.length + analysis.slots.years.length;
  if (CUES.openers.has(t[0]) && t.length <= 8) return true;
  if (analysis.anaphora > 0 && topical + slotTopic <= 1) {
    // "що таке НМТ" / "що це таке" define a term, they do not point back.
    if (t.includes('таке') || t.includes('такое')) return topical + slotTopic === 0;
    return true;
  }
  return topical + slotTopic === 0 && analysis.slots.intent !== undefined && t.length <= 4;
}
