/**
 * The compiled text model: the lexicon (built-in, plus a deployment's options) stemmed and
 * indexed once, and the types every part of the analysis shares. Analyses are memoised per
 * model because the semantic cache compares one stored question against many queries.
 */

import { BUILT_IN_LEXICON, mergeLexicons, type Lexicon } from '../lexicon/index.js';
import type { Lang } from '../language.js';
import { editDistanceWithin } from '../edit-distance.js';
import { normalize } from '../normalize.js';
import { spellingKey } from '../transliterate.js';
import { modelStem, stemSet, tokenSet } from './cues.js';

/** Deployment-specific vocabulary, merged into the built-in lexicon. */
export interface TextOptions {
  /** Extra synonym groups: each inner list names one concept (words or phrases, any language). */
  synonyms?: string[][];
  /** Named entities (faculties, specialties, buildings, cities): each inner list is every name of one entity. */
  entities?: string[][];
  /**
   * A deployment's vocabulary in the built-in lexicon's shape, merged over it: concepts,
   * synonyms, colloquial forms, a glossary, entities, stop / optional / light words.
   */
  lexicon?: Lexicon;
  /**
   * Strong-embedder mode: the similarity of two content words as a semantic embedding model
   * sees them (undefined when not known). A word the rules leave without a partner pairs with
   * the other question's most similar word at {@link TextOptions.wordSimilarityMin} or more;
   * the slot vetoes (numbers, negation, time, entity, degree, intent) stay hard.
   */
  wordSimilarity?: (a: string, b: string) => number | undefined;
  /** Least word similarity that pairs two words (default 0.8). */
  wordSimilarityMin?: number;
}

/** Degree levels, from the shortest programme to the longest. */
export type DegreeLevel = 'junior-bachelor' | 'bachelor' | 'master' | 'phd' | 'doctor';

/** What kind of answer a question asks for. */
export type QuestionIntent =
  | 'cost' | 'amount' | 'duration' | 'count' | 'when' | 'where' | 'who' | 'why' | 'how' | 'what' | 'list' | 'yesno' | 'frequency'
  | 'definition' | 'quality' | 'degree';

/** Answer-changing details of a question. Two questions that differ in any of them differ. */
export interface QuestionSlots {
  /** Numbers, number words and ordinals as values ("2", "перший" → "1"), sorted. Years excluded. */
  numbers: string[];
  /** Four-digit years 1900–2099, sorted. */
  years: string[];
  /** The first degree level named, if any. */
  degree?: DegreeLevel;
  /** Every degree level named, sorted. */
  degrees: DegreeLevel[];
  /** The question is negated (не, без, not, without, нет …); polite "не підкажете" is not. */
  negated: boolean;
  /** Start or end of a period (початок/кінець, first/last day, deadline). */
  timePolarity?: 'start' | 'end';
  /** This / next / previous year, semester, month or week. */
  timeRelative?: 'current' | 'next' | 'previous';
  /** The kind of answer asked for. */
  intent?: QuestionIntent;
  /** Named entities, by their canonical (first) name, sorted. */
  entities: string[];
  /** Who the question is about: the asker ("I", "мені") or the one asked ("you", "вам"), first named. */
  person?: 'speaker' | 'addressee';
  /** Modal classes named: possibility (can, можна), obligation (must, треба), past (did), future, conditional. */
  modality: string[];
  /** The qualifier of "the best / easiest / cheapest way to …", if any. */
  manner?: string;
  /** Code-like symbols outside words ("()", "[]", "==", "%", "~"), sorted: "= vs ==" differ. */
  symbols: string[];
  /** Detected language of the question. */
  lang: Lang | 'unknown';
}

/** A word that carries topic, with the keys used to find its partner in another question. */
export interface ContentWord {
  /** The token as analysed (Cyrillic if the question was transliterated). */
  token: string;
  stem: string;
  /** Cross-script spelling key of the stem. */
  key: string;
  /** Synonym concepts the word belongs to (ids into the compiled lexicon). */
  concepts: readonly number[];
  /** The concepts come from the lexicon as written, not from a typo-tolerant guess. */
  conceptsExact?: boolean;
  /** May stay without a partner (e.g. "університет" in a one-university bot). */
  optional: boolean;
  /** Index of the token in {@link QuestionAnalysis.tokens}. */
  position: number;
  /** In a "from X to Y" frame (з X на Y, from X to Y): which end this word is. */
  role?: 'source' | 'target';
}

/** Everything the comparison needs about one question. */
export interface QuestionAnalysis {
  normalized: string;
  /** Tokens after transliteration of Latin-letter Ukrainian/Russian. */
  tokens: string[];
  content: ContentWord[];
  slots: QuestionSlots;
  /** Number of anaphoric words (це, it, там …), for {@link needsContextOf}. */
  anaphora: number;
  /** Asks where to find information ("як дізнатися", "де подивитися", "how to check"). */
  infoSeeking: boolean;
  /**
   * Points at something outside the text: "this picture", "these symptoms", "the code below".
   * Two people asking "what is this plant?" may mean different plants.
   */
  deictic: boolean;
  /** Per token: a word that relates two others in English ("X to Y", "X than Y", "X are Y"), for order checks. */
  relation: boolean[];
  /**
   * Tokens before this index are a fronted phrase ("In the library, is there wifi?"): their
   * place says nothing about roles, so the order check skips them. 0 when there is none.
   */
  frontedUntil: number;
}

/** A multi-word lexicon entry, matched on stems. */
export interface Phrase {
  stems: string[];
  concept?: number;
  entity?: string;
  degree?: DegreeLevel;
}

/** The compiled lexicon: built-in lists plus options, stemmed and indexed. */
export interface TextModel {
  readonly stop: Set<string>;
  readonly conceptsByStem: Map<string, number[]>;
  /** Lexicon words as written (a light stemmer cuts "диплом" to "дипл" but "диплома" to "диплом"). */
  readonly conceptsByWord: Map<string, number[]>;
  readonly conceptsByKey: Map<string, number[]>;
  /** Lexicon stems by first letter, for typo-tolerant concept lookup. */
  readonly stemsByInitial: Map<string, string[]>;
  readonly optionalConcepts: Set<number>;
  readonly optionalStems: Set<string>;
  readonly lightStems: Set<string>;
  readonly lightKeys: Set<string>;
  readonly phrasesByFirstStem: Map<string, Phrase[]>;
  readonly entityByStem: Map<string, string>;
  readonly degreeByStem: Map<string, DegreeLevel>;
  readonly numberByStem: Map<string, string>;
  /** Concepts that restate an intent (вартість → cost, дата → when, адреса → where, тривалість → duration). */
  readonly cueConcepts: { cost: Set<number>; duration: Set<number>; date: Set<number>; place: Set<number> };
  readonly conceptMemo: Map<string, readonly number[]>;
  /** Stem of an implied word → concepts that imply it ("проживання" ← гуртожиток). */
  readonly impliedBy: Map<string, number[]>;
  /** Stem of a category word ("документи") → its categories (ids into the lexicon's category list). */
  readonly categoryByStem: Map<string, number[]>;
  /** Stem of a member word ("паспорт") → the categories it belongs to. */
  readonly memberByStem: Map<string, number[]>;
  readonly cache: Map<string, QuestionAnalysis>;
}

const CONCEPT_MEMO_LIMIT = 20000;

type Concepts = Pick<TextModel, 'conceptsByStem' | 'conceptsByWord' | 'conceptsByKey' | 'phrasesByFirstStem' | 'optionalConcepts'>;

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [id]);
  else if (!list.includes(id)) list.push(id);
}

function addPhrase(phrasesByFirstStem: Map<string, Phrase[]>, stems: string[], phrase: Omit<Phrase, 'stems'>): void {
  const list = phrasesByFirstStem.get(stems[0]) ?? [];
  list.push({ stems, ...phrase });
  list.sort((a, b) => b.stems.length - a.stems.length);
  phrasesByFirstStem.set(stems[0], list);
}

const wordsOf = (text: string) => normalize(text).split(' ').filter(Boolean);
const stemsOf = (text: string) => wordsOf(text).map(modelStem);

/**
 * Concept groups in id order: named concepts, calendar, unnamed synonyms, options. A colloquial
 * form or a glossary word joins every group that names its standard word («стіпуха» joins
 * стипендія's concept, and so meets "scholarship" too); a standard word no group names makes a
 * new pair at the end.
 */
function conceptGroups(lexicon: Lexicon, options: TextOptions): (readonly string[])[] {
  const groups: string[][] = [
    ...Object.values(lexicon.concepts ?? {}), ...Object.values(lexicon.calendar ?? {}), ...(lexicon.synonyms ?? []),
    ...(options.synonyms ?? []),
  ].map((group) => [...group]);
  const byMember = new Map<string, number[]>();
  groups.forEach((group, id) => {
    for (const member of group) push(byMember, normalize(member), id);
  });
  for (const [form, standard] of [...Object.entries(lexicon.colloquial ?? {}), ...Object.entries(lexicon.glossary ?? {})]) {
    const ids = byMember.get(normalize(standard));
    if (ids) for (const id of ids) groups[id].push(form);
    else {
      push(byMember, normalize(standard), groups.length);
      groups.push([form, standard]);
    }
  }
  return groups;
}

/** Index every synonym concept by stem, word, spelling key and (for phrases) first stem. */
function indexConcepts(groups: readonly (readonly string[])[], optionalStems: Set<string>, phrasesByFirstStem: Map<string, Phrase[]>): Concepts {
  const out: Concepts = { conceptsByStem: new Map(), conceptsByWord: new Map(), conceptsByKey: new Map(), phrasesByFirstStem, optionalConcepts: new Set() };
  groups.forEach((group, id) => {
    for (const member of group) {
      const tokens = wordsOf(member);
      if (tokens.length === 0) continue;
      const stems = tokens.map(modelStem);
      if (stems.length > 1) addPhrase(phrasesByFirstStem, stems, { concept: id });
      else {
        push(out.conceptsByStem, stems[0], id);
        push(out.conceptsByWord, tokens[0], id);
        // The word itself as a stem too: "диплома" stems to "диплом", the lexicon's "диплом" to "дипл".
        if (tokens[0].length >= 5) push(out.conceptsByStem, tokens[0], id);
        const key = spellingKey(stems[0]);
        if (key.length >= 4) push(out.conceptsByKey, key, id);
        if (optionalStems.has(stems[0])) out.optionalConcepts.add(id);
      }
    }
  });
  return out;
}

function stemsByInitialOf(conceptsByStem: Map<string, number[]>): Map<string, string[]> {
  const stemsByInitial = new Map<string, string[]>();
  for (const s of conceptsByStem.keys()) {
    if (s.length < 4) continue;
    const list = stemsByInitial.get(s[0]) ?? [];
    list.push(s);
    stemsByInitial.set(s[0], list);
  }
  return stemsByInitial;
}

/** Entities and degree levels: single words by stem, phrases beside the synonym phrases. */
function indexSlotWords(lexicon: Lexicon, options: TextOptions, phrasesByFirstStem: Map<string, Phrase[]>) {
  const entityByStem = new Map<string, string>();
  const degreeByStem = new Map<string, DegreeLevel>();
  const numberByStem = new Map<string, string>();
  for (const group of [...Object.values(lexicon.entities ?? {}), ...(options.entities ?? [])]) {
    const name = normalize(group[0]);
    for (const member of group) {
      const stems = stemsOf(member);
      if (stems.length === 0) continue;
      if (stems.length > 1) addPhrase(phrasesByFirstStem, stems, { entity: name });
      else entityByStem.set(stems[0], name);
    }
  }
  for (const [level, words] of Object.entries(lexicon.degreeWords ?? {}) as [DegreeLevel, readonly string[]][]) {
    for (const w of words) {
      const stems = stemsOf(w);
      if (stems.length > 1) addPhrase(phrasesByFirstStem, stems, { degree: level });
      else if (stems.length === 1 && !degreeByStem.has(stems[0])) degreeByStem.set(stems[0], level);
    }
  }
  for (const [value, words] of Object.entries(lexicon.numberWords ?? {})) {
    for (const w of words) numberByStem.set(modelStem(normalize(w)), value);
  }
  return { entityByStem, degreeByStem, numberByStem };
}

/** Implied words and answer categories, by the concepts and categories that carry them. */
function indexRelations(lexicon: Lexicon, concepts: Concepts) {
  const impliedBy = new Map<string, number[]>();
  for (const { words: implied, impliedBy: by } of Object.values(lexicon.implied ?? {})) {
    const ids = new Set<number>();
    for (const w of by) {
      const stems = stemsOf(w);
      if (stems.length === 1) for (const id of concepts.conceptsByStem.get(stems[0]) ?? []) ids.add(id);
      else for (const p of concepts.phrasesByFirstStem.get(stems[0]) ?? []) if (p.concept !== undefined && p.stems.join(' ') === stems.join(' ')) ids.add(p.concept);
    }
    for (const w of implied) {
      for (const t of wordsOf(w)) for (const id of ids) push(impliedBy, modelStem(t), id);
    }
  }
  const categoryByStem = new Map<string, number[]>();
  const memberByStem = new Map<string, number[]>();
  Object.values(lexicon.categories ?? {}).forEach(({ names, members }, id) => {
    for (const w of names) for (const t of wordsOf(w)) push(categoryByStem, modelStem(t), id);
    for (const w of members) {
      const tokens = wordsOf(w);
      // Members are matched word by word, so a phrase member would be too loose.
      if (tokens.length === 1) push(memberByStem, modelStem(tokens[0]), id);
    }
  });
  return { impliedBy, categoryByStem, memberByStem };
}

/**
 * Compile the lexicon with deployment options. Cheap enough to call at plugin start; the
 * functions taking `options` memoise the compiled model per options object.
 *
 * @example
 * const model = compileTextModel({ entities: [['медицина', 'medicine'], ['фармація', 'pharmacy']] });
 */
export function compileTextModel(options: TextOptions = {}): TextModel {
  const lexicon = options.lexicon ? mergeLexicons(BUILT_IN_LEXICON, options.lexicon) : BUILT_IN_LEXICON;
  const optionalStems = stemSet(lexicon.optionalWords ?? []);
  const lightStems = stemSet(lexicon.lightWords ?? []);
  const lightKeys = new Set([...lightStems].map(spellingKey).filter((k) => k.length >= 3));
  const concepts = indexConcepts(conceptGroups(lexicon, options), optionalStems, new Map());
  const slotWords = indexSlotWords(lexicon, options, concepts.phrasesByFirstStem);
  const cueSet = (cues: readonly string[] | undefined) => {
    const out = new Set<number>();
    for (const c of stemSet(cues ?? [])) for (const id of concepts.conceptsByStem.get(c) ?? []) out.add(id);
    return out;
  };
  return {
    stop: tokenSet(lexicon.stopWords ?? []), ...concepts, stemsByInitial: stemsByInitialOf(concepts.conceptsByStem),
    optionalStems, lightStems, lightKeys, ...slotWords, ...indexRelations(lexicon, concepts),
    cueConcepts: {
      cost: cueSet(BUILT_IN_LEXICON.costCues), duration: cueSet(BUILT_IN_LEXICON.durationCues),
      date: cueSet(BUILT_IN_LEXICON.dateCues), place: cueSet(BUILT_IN_LEXICON.placeCues),
    },
    conceptMemo: new Map(), cache: new Map(),
  };
}

/** Concepts of a stem: exact, by spelling key, then by one typo against the lexicon (memoised). */
export function conceptsOf(token: string, s: string, model: TextModel): { concepts: readonly number[]; exact: boolean } {
  const byWord = model.conceptsByWord.get(token);
  const byStem = model.conceptsByStem.get(s);
  if (byWord && byStem && byWord !== byStem) return { concepts: [...new Set([...byWord, ...byStem])], exact: true };
  const exact = byWord ?? byStem ?? model.conceptsByKey.get(spellingKey(s));
  if (exact) return { concepts: exact, exact: true };
  const memo = model.conceptMemo.get(s);
  if (memo) return { concepts: memo, exact: false };
  // One typo, or a longer/shorter inflection, away from a lexicon stem: the closest wins.
  let found: readonly number[] = [];
  let bestCost = Infinity;
  if (s.length >= 5) {
    for (const candidate of model.stemsByInitial.get(s[0]) ?? []) {
      const [short, long] = s.length <= candidate.length ? [s, candidate] : [candidate, s];
      let cost = Infinity;
      if (candidate.length >= 5 && editDistanceWithin(s, candidate, 1) <= 1) cost = 1;
      else if (short.length >= 4 && long.startsWith(short) && long.length - short.length <= 2) cost = long.length - short.length + 0.5;
      if (cost < bestCost) {
        bestCost = cost;
        found = model.conceptsByStem.get(candidate) ?? [];
      }
    }
  }
  if (model.conceptMemo.size >= CONCEPT_MEMO_LIMIT) model.conceptMemo.clear();
  model.conceptMemo.set(s, found);
  return { concepts: found, exact: false };
}

const DEFAULT_MODEL_OPTIONS: TextOptions = {};
const models = new WeakMap<TextOptions, TextModel>();

/**
 * The compiled model for an options object (memoised; pass the same object to reuse it).
 *
 * @example
 * const options = { entities: [['хімфак', 'хімічний факультет']] };
 * analyzeQuestion('Де хімфак?', modelFor(options)).slots.entities // ['хімфак']
 */
export function modelFor(options: TextOptions = DEFAULT_MODEL_OPTIONS): TextModel {
  let model = models.get(options);
  if (!model) {
    // Options that add nothing (the empty lists configs default to) share the built-in model,
    // and with it the analyses: the knowledge plugin and the semantic cache then analyse a
    // new question once, not once each.
    model = options !== DEFAULT_MODEL_OPTIONS && addsNothing(options) ? modelFor(DEFAULT_MODEL_OPTIONS) : compileTextModel(options);
    models.set(options, model);
  }
  return model;
}

function addsNothing(options: TextOptions): boolean {
  return options.lexicon === undefined && !options.synonyms?.length && !options.entities?.length;
}
