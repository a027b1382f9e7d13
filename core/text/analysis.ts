/**
 * Question analysis: one pass over a question that separates its *content words* (what it
 * is about) from its *slots* (what would change the answer: numbers, years, degree level,
 * negation, start/end, this/next year, question intent, named entities). The lexicon is
 * compiled once per set of options into a {@link TextModel}; analyses are memoised per
 * model because the semantic cache compares one stored question against many queries.
 */

import {
  ANAPHORA_WORDS, CALENDAR_GROUPS, CATEGORY_GROUPS, CONTINUATION_OPENERS, CONTINUATION_PHRASES, COST_CUES, DATE_CUES, DEGREE_WORDS,
  ADDRESSEE_WORDS, DURATION_CUES, ENTITY_GROUPS, IMPLIED_WORDS, MODALITY_WORDS, MONEY_CUES, SPEAKER_WORDS, INFO_SEEKING_WORDS, INTENT_WORDS, LIGHT_WORDS, NEGATION_WORDS, NUMBER_WORDS, OPTIONAL_WORDS, ORDER_FIRST_WORDS,
  ORDER_LAST_WORDS, PERIOD_WORDS, PLACE_CUES, POLITE_AFTER_NEGATION, RELATIVE_NEXT_WORDS, RELATIVE_PREVIOUS_WORDS,
  RELATIVE_THIS_WORDS, STOP_WORDS, SYNONYM_GROUPS, TIME_END_WORDS, TIME_START_WORDS,
} from './lexicon.js';
import { guessLanguage, type Lang } from './language.js';
import { editDistanceWithin, normalize, scriptOf } from './normalize.js';
import { stem } from './stem.js';
import { spellingKey, transliterateToken } from './transliterate.js';

/** Deployment-specific vocabulary, merged into the built-in lexicon. */
export interface TextOptions {
  /** Extra synonym groups: each inner list names one concept (words or phrases, any language). */
  synonyms?: string[][];
  /** Named entities (faculties, specialties, buildings, cities): each inner list is every name of one entity. */
  entities?: string[][];
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
}

interface Phrase {
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

const ANALYSIS_CACHE_LIMIT = 4096;
const CONCEPT_MEMO_LIMIT = 20000;

/** Stem used inside the model: script decides, translit already turned into Cyrillic. */
function modelStem(token: string): string {
  return stem(token);
}

function stemSet(words: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const w of words) {
    for (const t of normalize(w).split(' ')) if (t) out.add(modelStem(t));
  }
  return out;
}
function tokenSet(words: readonly string[]): Set<string> {
  return new Set(words.map((w) => normalize(w)).filter(Boolean));
}

const NEGATION = tokenSet(NEGATION_WORDS);
const POLITE = tokenSet(POLITE_AFTER_NEGATION);
const START = stemSet(TIME_START_WORDS);
const START_TOKENS = tokenSet(TIME_START_WORDS);
const END = stemSet(TIME_END_WORDS);
const END_TOKENS = tokenSet(TIME_END_WORDS);
const FIRST = tokenSet(ORDER_FIRST_WORDS);
const LAST = tokenSet(ORDER_LAST_WORDS);
const THIS = tokenSet(RELATIVE_THIS_WORDS);
const NEXT = tokenSet(RELATIVE_NEXT_WORDS);
const PREVIOUS = tokenSet(RELATIVE_PREVIOUS_WORDS);
const PERIOD = tokenSet(PERIOD_WORDS);
const WAY = tokenSet(['way', 'ways', 'method', 'methods', 'спосіб', 'способи', 'способом', 'способ', 'способы']);
const WAY_QUALIFIER = tokenSet(['best', 'good', 'easiest', 'fastest', 'quickest', 'simplest', 'right', 'proper', 'cheapest', 'найкращий', 'найкраще', 'найпростіший', 'найшвидший', 'лучший', 'самый', 'простий', 'простой']);
const TIME_UNITS = tokenSet(['років', 'роки', 'рік', 'місяців', 'місяці', 'тижнів', 'тижні', 'днів', 'дні', 'годин', 'години', 'семестрів', 'лет', 'года', 'месяцев', 'недель', 'дней', 'часов', 'семестров', 'years', 'months', 'weeks', 'days', 'hours', 'semesters']);
const WHICH = tokenSet(['якого', 'якої', 'какого', 'какой', 'when']);
const UNTIL = tokenSet(['до', 'by', 'until', 'till']);
const FROM = tokenSet(['з', 'із', 'зі', 'с', 'from', 'since']);
const PERIOD_YEAR = tokenSet(['рік', 'року', 'році', 'год', 'года', 'году', 'year', 'рр', 'роки', 'роках']);
const SPEAKER = tokenSet(SPEAKER_WORDS);
const ADDRESSEE = tokenSet(ADDRESSEE_WORDS);
const MODALITY_BY_TOKEN = new Map<string, string>(
  Object.entries(MODALITY_WORDS).flatMap(([modality, words]) => words.map((w) => [normalize(w), modality] as [string, string])),
);
const COST = stemSet(COST_CUES);
const MONEY = stemSet(MONEY_CUES);
const DURATION = stemSet(DURATION_CUES);
const DATE = stemSet(DATE_CUES);
const PLACE = stemSet(PLACE_CUES);
const INFO = stemSet(INFO_SEEKING_WORDS);
const ANAPHORA = tokenSet(ANAPHORA_WORDS);
const OPENERS = tokenSet(CONTINUATION_OPENERS);
const OPENER_PHRASES = CONTINUATION_PHRASES.map((p) => normalize(p));
const INTENT_BY_TOKEN = (() => {
  const map = new Map<string, keyof typeof INTENT_WORDS>();
  for (const [intent, words] of Object.entries(INTENT_WORDS) as [keyof typeof INTENT_WORDS, readonly string[]][]) {
    for (const w of words) if (!w.includes(' ') && !map.has(w)) map.set(w, intent);
  }
  return map;
})();
/** Spelling keys of stop and question words, so that a transliterated "skilky" is still a question word. */
const STOP_KEYS = (() => {
  const map = new Map<string, keyof typeof INTENT_WORDS | 'stop'>();
  for (const w of STOP_WORDS) if (w.length >= 3 && !w.includes(' ')) map.set(spellingKey(normalize(w)), INTENT_BY_TOKEN.get(w) ?? 'stop');
  for (const [w, intent] of INTENT_BY_TOKEN) if (w.length >= 3) map.set(spellingKey(w), intent);
  return map;
})();
const YESNO_OPENERS = new Set(['is', 'are', 'am', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'shall', 'was', 'were', 'has', 'have', 'had', 'may', 'might', 'must', 'можна', 'можно', 'чи', 'ли']);

/**
 * Compile the lexicon with deployment options. Cheap enough to call at plugin start; the
 * functions taking `options` memoise the compiled model per options object.
 *
 * @example
 * const model = compileTextModel({ entities: [['медицина', 'medicine'], ['фармація', 'pharmacy']] });
 */
export function compileTextModel(options: TextOptions = {}): TextModel {
  const stop = tokenSet(STOP_WORDS);
  const conceptsByStem = new Map<string, number[]>();
  const conceptsByKey = new Map<string, number[]>();
  const conceptsByWord = new Map<string, number[]>();
  const phrasesByFirstStem = new Map<string, Phrase[]>();
  const entityByStem = new Map<string, string>();
  const degreeByStem = new Map<string, DegreeLevel>();
  const numberByStem = new Map<string, string>();
  const optionalStems = stemSet(OPTIONAL_WORDS);
  const lightStems = stemSet(LIGHT_WORDS);
  const lightKeys = new Set([...lightStems].map(spellingKey).filter((k) => k.length >= 3));
  const optionalConcepts = new Set<number>();

  const addPhrase = (stems: string[], phrase: Omit<Phrase, 'stems'>) => {
    const list = phrasesByFirstStem.get(stems[0]) ?? [];
    list.push({ stems, ...phrase });
    list.sort((a, b) => b.stems.length - a.stems.length);
    phrasesByFirstStem.set(stems[0], list);
  };
  const push = (map: Map<string, number[]>, key: string, id: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [id]);
    else if (!list.includes(id)) list.push(id);
  };

  const groups = [...SYNONYM_GROUPS, ...CALENDAR_GROUPS, ...(options.synonyms ?? [])];
  groups.forEach((group, id) => {
    for (const member of group) {
      const tokens = normalize(member).split(' ').filter(Boolean);
      if (tokens.length === 0) continue;
      const stems = tokens.map(modelStem);
      if (stems.length > 1) addPhrase(stems, { concept: id });
      else {
        push(conceptsByStem, stems[0], id);
        push(conceptsByWord, tokens[0], id);
        // The word itself as a stem too: "диплома" stems to "диплом", the lexicon's "диплом" to "дипл".
        if (tokens[0].length >= 5) push(conceptsByStem, tokens[0], id);
        const key = spellingKey(stems[0]);
        if (key.length >= 4) push(conceptsByKey, key, id);
        if (optionalStems.has(stems[0])) optionalConcepts.add(id);
      }
    }
  });
  const stemsByInitial = new Map<string, string[]>();
  for (const s of conceptsByStem.keys()) {
    if (s.length < 4) continue;
    const list = stemsByInitial.get(s[0]) ?? [];
    list.push(s);
    stemsByInitial.set(s[0], list);
  }

  for (const group of [...ENTITY_GROUPS, ...(options.entities ?? [])]) {
    const name = normalize(group[0]);
    for (const member of group) {
      const stems = normalize(member).split(' ').filter(Boolean).map(modelStem);
      if (stems.length === 0) continue;
      if (stems.length > 1) addPhrase(stems, { entity: name });
      else entityByStem.set(stems[0], name);
    }
  }

  for (const [level, words] of Object.entries(DEGREE_WORDS) as [DegreeLevel, readonly string[]][]) {
    for (const w of words) {
      const stems = normalize(w).split(' ').filter(Boolean).map(modelStem);
      if (stems.length > 1) addPhrase(stems, { degree: level });
      else if (stems.length === 1 && !degreeByStem.has(stems[0])) degreeByStem.set(stems[0], level);
    }
  }
  for (const [value, words] of Object.entries(NUMBER_WORDS)) {
    for (const w of words) numberByStem.set(modelStem(normalize(w)), value);
  }
  const impliedBy = new Map<string, number[]>();
  for (const [implied, by] of IMPLIED_WORDS) {
    const ids = new Set<number>();
    for (const w of by) {
      const stems = normalize(w).split(' ').filter(Boolean).map(modelStem);
      if (stems.length === 1) for (const id of conceptsByStem.get(stems[0]) ?? []) ids.add(id);
      else for (const p of phrasesByFirstStem.get(stems[0]) ?? []) if (p.concept !== undefined && p.stems.join(' ') === stems.join(' ')) ids.add(p.concept);
    }
    for (const w of implied) {
      for (const t of normalize(w).split(' ').filter(Boolean)) for (const id of ids) push(impliedBy, modelStem(t), id);
    }
  }
  const categoryByStem = new Map<string, number[]>();
  const memberByStem = new Map<string, number[]>();
  CATEGORY_GROUPS.forEach(([categoryWords, members], id) => {
    for (const w of categoryWords) for (const t of normalize(w).split(' ').filter(Boolean)) push(categoryByStem, modelStem(t), id);
    for (const w of members) {
      const tokens = normalize(w).split(' ').filter(Boolean);
      // Members are matched word by word, so a phrase member would be too loose.
      if (tokens.length === 1) push(memberByStem, modelStem(tokens[0]), id);
    }
  });
  const cueSet = (cues: Set<string>) => {
    const out = new Set<number>();
    for (const c of cues) for (const id of conceptsByStem.get(c) ?? []) out.add(id);
    return out;
  };

  return {
    stop, conceptsByStem, conceptsByWord, conceptsByKey, stemsByInitial, optionalConcepts, optionalStems, lightStems, lightKeys,
    phrasesByFirstStem, entityByStem, degreeByStem, numberByStem,
    cueConcepts: { cost: cueSet(COST), duration: cueSet(DURATION), date: cueSet(DATE), place: cueSet(PLACE) },
    conceptMemo: new Map(), impliedBy, categoryByStem, memberByStem, cache: new Map(),
  };
}

/** Concepts of a stem: exact, by spelling key, then by one typo against the lexicon (memoised). */
function conceptsOf(token: string, s: string, model: TextModel): { concepts: readonly number[]; exact: boolean } {
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
    model = compileTextModel(options);
    models.set(options, model);
  }
  return model;
}

function numberFromDigits(token: string): { year?: string; number?: string } {
  if (/^(19|20)\d\d$/.test(token)) return { year: token };
  const n = token.replace(/^0+(?=\d)/, '');
  return { number: n };
}

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

interface Candidate {
  token: string;
  stem: string;
  extraConcepts: number[];
  position: number;
}

const SOURCE_PREPOSITIONS = new Set(['з', 'із', 'зі', 'від', 'с', 'со', 'от', 'from']);
const TARGET_PREPOSITIONS = new Set(['на', 'в', 'у', 'до', 'во', 'to', 'into', 'onto']);
const RELATION_WORDS = new Set(['to', 'into', 'from', 'than', 'vs', 'versus', 'over', 'in', 'of', 'about', 'are', 'is', 'for', 'by', 'as', 'like', 'with', 'while', 'during', 'before', 'after', 'without']);

const CONTRACTIONS: Record<string, string[]> = {
  "n't": ['not'], "'re": ['are'], "'ve": ['have'], "'ll": ['will'], "'d": ['would'], "'m": ['am'],
};
const IRREGULAR_NEGATIONS: Record<string, string[]> = { "can't": ['can', 'not'], "won't": ['will', 'not'], "shan't": ['shall', 'not'] };

/** "what's" → what is, "doesn't" → does not: English contractions hide stop-words and negation. */
function expandEnglishContractions(tokens: string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (!t.includes("'") || !/^[a-z']+$/.test(t)) { out.push(t); continue; }
    const irregular = IRREGULAR_NEGATIONS[t];
    if (irregular) { out.push(...irregular); continue; }
    const suffix = Object.keys(CONTRACTIONS).find((c) => t.endsWith(c) && t.length > c.length);
    if (suffix) { out.push(t.slice(0, -suffix.length), ...CONTRACTIONS[suffix]); continue; }
    if (t.endsWith("'s")) {
      const base = t.slice(0, -2);
      // "what's", "it's", "there's" are "… is"; "student's" is a possessive.
      out.push(base);
      if (WH_IS.has(base)) out.push('is');
      continue;
    }
    out.push(t);
  }
  return out;
}
const WH_IS = new Set(['what', 'who', 'where', 'when', 'why', 'how', 'it', 'that', 'there', 'here', 'he', 'she', 'this']);

/** "15k", "15 тис.", "15 thousand" → 15000, so that the same amount compares equal. */
const THOUSAND = new Set(['k', 'к', 'тис', 'тисяч', 'тисячі', 'тыс', 'тысяч', 'тысячи', 'thousand', 'thousands']);
function applyThousands(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (/^\d+(\.\d+)?$/.test(t) && THOUSAND.has(tokens[i + 1] ?? '')) {
      out.push(String(Math.round(Number(t) * 1000)));
      i++;
    } else out.push(t);
  }
  return out;
}

/** Code-like symbols: what remains after dropping natural parentheses "(контракт)". */
function symbolsOf(text: string): string[] {
  const stripped = text.replace(/\([^()]*\p{L}{2,}[^()]*\)/gu, ' ');
  const found = stripped.match(/[\[\](){}<>=~%+*#&|^$@\\]+/g) ?? [];
  return [...new Set(found)].sort();
}

/** Words inside quotation marks (not apostrophes): "…", “…”, „…“, «…». */
function quotedWordsOf(text: string): Set<string> {
  const out = new Set<string>();
  if (!/["“”„«»]/u.test(text)) return out;
  for (const match of text.matchAll(/["“”„«»]+([^"“”„«»]{1,80}?)["“”„«»]+/gu)) {
    for (const t of normalize(match[1]).split(' ')) if (t && !/^\d/.test(t)) out.add(t);
  }
  return out;
}

/**
 * Latin words written in capitals (2–5 letters) that would otherwise read as function words:
 * "IT", "US", "AM", "OR". Only when the text is not shouted in capitals as a whole.
 */
function acronymsOf(text: string): ReadonlySet<string> {
  if (!/[A-Z]{2}/.test(text)) return NO_WORDS;
  const words = text.match(/\p{L}+/gu) ?? [];
  const caps = words.filter((w) => w.length >= 2 && w.length <= 5 && /^[A-Z]+$/.test(w));
  if (caps.length === 0 || caps.length * 2 > words.length) return NO_WORDS;
  return new Set(caps.map((w) => w.toLowerCase()).filter((w) => STOP_WORD_SET.has(w) && !SHOUTED_AUXILIARIES.has(w)));
}
const STOP_WORD_SET = new Set(STOP_WORDS);
const NO_WORDS: ReadonlySet<string> = new Set();
/** Demonstratives that point at a thing ("this photo") and words that point at text not in the question. */
const DEMONSTRATIVES = new Set(['this', 'these', 'those']);
const POINTERS = new Set(['below', 'above', 'attached', 'following']);
/** "this world", "this life" are everyone's: not a pointer. */
const SHARED_REFERENTS = new Set(['world', 'life', 'universe', 'earth', 'planet', 'century', 'generation', 'era', 'age', 'society']);
/** Auxiliaries typed in capitals are emphasis ("CAN it be cured?"), not names. */
const SHOUTED_AUXILIARIES = new Set(['can', 'to', 'do', 'does', 'did', 'will', 'would', 'should', 'could', 'must', 'have', 'has']);

function analyzeUncached(text: string, model: TextModel): QuestionAnalysis {
  const normalized = normalize(text);
  let tokens = normalized ? normalized.split(' ') : [];
  // Split glued digits and letters ("2курс", "5й") so that numbers are always seen.
  tokens = tokens.flatMap((t) => (/\d/.test(t) && /\p{L}/u.test(t) ? t.split(/(?<=\d)(?=\p{L})|(?<=\p{L})(?=\d)/u) : [t]));
  tokens = expandEnglishContractions(tokens);
  tokens = applyThousands(tokens);
  const guess = guessLanguage(tokens);
  const translit = guess.translit && (guess.lang === 'uk' || guess.lang === 'ru');
  const transliterated = new Set<string>();
  if (translit && (guess.lang === 'uk' || guess.lang === 'ru')) {
    const target = guess.lang;
    tokens = tokens.map((t) => {
      if (scriptOf(t) !== 'latin') return t;
      const cyr = transliterateToken(t, target);
      transliterated.add(cyr);
      return cyr;
    });
  }
  const stems = tokens.map(modelStem);

  const numbers: string[] = [];
  const years: string[] = [];
  const degrees: DegreeLevel[] = [];
  const entities: string[] = [];
  const candidates: Candidate[] = [];
  const phraseConcepts: number[][] = tokens.map(() => []);
  let negated = false;
  let timePolarity: 'start' | 'end' | undefined;
  let timeRelative: 'current' | 'next' | 'previous' | undefined;
  let firstIntent: keyof typeof INTENT_WORDS | undefined;
  let intentTokenIndex = -1;
  let infoSeeking = false;
  let durationByUnit = false;
  const dropPrevious = new Set<number>();
  let manner: string | undefined;
  let person: 'speaker' | 'addressee' | undefined;
  const modalities: string[] = [];
  let anaphora = 0;
  const consumed = new Array<boolean>(tokens.length).fill(false);
  const acronyms = acronymsOf(text);
  const quoted = quotedWordsOf(text);
  let deictic = false;

  for (let i = 0; i < tokens.length; i++) {
    if (consumed[i]) continue;
    const token = tokens[i];
    const s = stems[i];
    const next = tokens[i + 1];

    // Multi-word lexicon entries first (longest phrase wins). Degree and entity phrases are
    // slots and consume their words; a synonym phrase lends its concept to each of its words,
    // so that a typo in one of them still lets the other pair up.
    const phrases = model.phrasesByFirstStem.get(s);
    if (phrases) {
      for (const p of phrases) {
        if (i + p.stems.length > tokens.length) continue;
        let ok = true;
        for (let k = 1; k < p.stems.length; k++) if (stems[i + k] !== p.stems[k]) { ok = false; break; }
        if (!ok) continue;
        if (p.degree || p.entity) {
          for (let k = 0; k < p.stems.length; k++) consumed[i + k] = true;
          if (p.degree) degrees.push(p.degree);
          if (p.entity) entities.push(p.entity);
        } else if (p.concept !== undefined) {
          for (let k = 0; k < p.stems.length; k++) phraseConcepts[i + k].push(p.concept);
        }
        break;
      }
      if (consumed[i]) continue;
    }

    // "IT company", "in the US", "full form of AM": a capitalised acronym that spells a
    // function word is a name, not the function word.
    if (acronyms.has(token) && i > 0) {
      candidates.push({ token, stem: token, extraConcepts: phraseConcepts[i], position: i });
      continue;
    }
    // Words in quotation marks are the subject itself ("why I have" vs "why have I"): every
    // word counts, function words too.
    // "get out of a job" is leaving it, not getting it ("find out" stays a stop-word).
    if (token === 'out' && (next === 'of' || next === 'from')) {
      candidates.push({ token, stem: token, extraConcepts: phraseConcepts[i], position: i });
      continue;
    }
    if (quoted.has(token) && model.stop.has(token)) {
      candidates.push({ token, stem: s, extraConcepts: phraseConcepts[i], position: i });
      continue;
    }
    if (/^\d/.test(token)) {
      const { year, number } = numberFromDigits(token.replace(/\.$/, ''));
      // "у 2026 році", "2026 р.", "in the 2026 year": the period word only repeats the year.
      if (year && next && (PERIOD_YEAR.has(next) || next === 'р' || next === 'г')) consumed[i + 1] = true;
      if (year) years.push(year);
      // Academic year "2025/26": the short number is the following year.
      if (year && next && /^\d\d$/.test(next) && Number(next) === (Number(year) + 1) % 100) {
        years.push(String(Number(year) + 1));
        consumed[i + 1] = true;
      }
      else if (number) numbers.push(number);
      continue;
    }
    if (NEGATION.has(token)) {
      // "не підкажете", "чи не могли б" are polite, not negative.
      if (!(next && POLITE.has(next))) negated = true;
      continue;
    }
    const degree = model.degreeByStem.get(s);
    if (degree) { degrees.push(degree); continue; }

    if (THIS.has(token) || NEXT.has(token) || PREVIOUS.has(token) || (LAST.has(token) && /^[a-z]/.test(token))) {
      const periodAt = [i + 1, i + 2].find((k) => k < tokens.length && PERIOD.has(tokens[k]));
      if (periodAt !== undefined) {
        timeRelative = NEXT.has(token) ? 'next' : PREVIOUS.has(token) || LAST.has(token) ? 'previous' : 'current';
        for (let k = i + 1; k <= periodAt; k++) if (PERIOD.has(tokens[k])) consumed[k] = true;
        continue;
      }
      if (PREVIOUS.has(token) || NEXT.has(token)) {
        timeRelative = NEXT.has(token) ? 'next' : 'previous';
        continue;
      }
    }
    if (token === 'торік' || token === 'торішній') { timeRelative = 'previous'; continue; }
    // "how long does it last (for)?": the verb, not "the last day".
    if (token === 'last' && (next === undefined || next === 'for' || next === 'longer')) continue;
    if (LAST.has(token)) { timePolarity = 'end'; continue; }
    if (FIRST.has(token) && next && /^(день|дня|дні|day|date|числа|число|тиждень|week|неделя)$/.test(next)) {
      timePolarity = 'start';
      continue;
    }
    const numberWord = model.numberByStem.get(s);
    if (numberWord !== undefined && token.length > 2 && !model.stop.has(token)) {
      numbers.push(numberWord);
      continue;
    }
    // "the best way to X", "ways to X", "найкращий спосіб": ask how, like "how do I X".
    if (WAY.has(token) && (next === 'to' || next === 'of' || next === 'for' || !next || model.stop.has(next) === false)) {
      if (WAY_QUALIFIER.has(tokens[i - 1] ?? '') || next === 'to' || /^(спосіб|способи|способом|способ|способы)$/.test(token)) {
        if (WAY_QUALIFIER.has(tokens[i - 1] ?? '')) {
          dropPrevious.add(i - 1);
          manner = tokens[i - 1];
        }
        if (firstIntent === undefined || firstIntent === 'what' || firstIntent === 'list') { firstIntent = 'how'; intentTokenIndex = i; }
        continue;
      }
    }
    // English "start learning", "begin to write": the start of an activity, not of a period.
    if (/^(start|starting|begin|beginning)$/.test(token) && next && (next.endsWith('ing') || next === 'to')) continue;
    // "до якого числа" asks for the end, "з якого числа" for the start.
    if (next && WHICH.has(next) && (UNTIL.has(token) || FROM.has(token))) {
      timePolarity = UNTIL.has(token) ? 'end' : 'start';
      continue;
    }
    if (START_TOKENS.has(token) || (s.length >= 4 && START.has(s))) { timePolarity = 'start'; continue; }
    if (END_TOKENS.has(token) || (s.length >= 4 && END.has(s))) { timePolarity = 'end'; continue; }

    const byKey = transliterated.has(token) && token.length >= 3 ? STOP_KEYS.get(spellingKey(token)) : undefined;
    const intent = INTENT_BY_TOKEN.get(token) ?? (byKey && byKey !== 'stop' ? byKey : undefined);
    if (intent && firstIntent === undefined) {
      firstIntent = intent;
      intentTokenIndex = i;
      // "скільки років", "how many years", "сколько лет": a quantity of time is a duration.
      const unitAt = token === 'how' && next === 'many' ? i + 2 : i + 1;
      if ((intent === 'quantity' || (token === 'how' && next === 'many')) && TIME_UNITS.has(tokens[unitAt] ?? '')) {
        durationByUnit = true;
        consumed[unitAt] = true;
      }
    }
    // "is there", "there are" are existential, not a pointer to an earlier place.
    if (!deictic && ((DEMONSTRATIVES.has(token) && next !== undefined && !model.stop.has(next) && !PERIOD.has(next) && !TIME_UNITS.has(next) && !SHARED_REFERENTS.has(next) && !/^\d/.test(next)) || POINTERS.has(token))) deictic = true;
    const existential = token === 'there' && (/^(is|are|was|were|be)$/.test(tokens[i - 1] ?? '') || /^(is|are|was|were)$/.test(next ?? ''));
    if (ANAPHORA.has(token) && !existential) anaphora++;
    if (person === undefined && SPEAKER.has(token)) person = 'speaker';
    if (person === undefined && ADDRESSEE.has(token)) person = 'addressee';
    const modal = MODALITY_BY_TOKEN.get(token);
    if (modal) modalities.push(modal);
    if (INFO.has(s)) infoSeeking = true;
    if (model.stop.has(token) || intent || byKey) continue;

    const entity = model.entityByStem.get(s);
    if (entity) { entities.push(entity); continue; }
    candidates.push({ token, stem: s, extraConcepts: phraseConcepts[i], position: i });
  }

  // Qualifiers of "the best way to" went with it.
  if (dropPrevious.size) for (let k = candidates.length - 1; k >= 0; k--) if (dropPrevious.has(candidates[k].position)) candidates.splice(k, 1);
  // Build content words, noting which restate the question's intent.
  const content: ContentWord[] = [];
  const cues = { hasCost: false, hasMoney: false, hasDuration: false, hasDate: false, hasPlace: false };
  const cueOf: ('cost' | 'duration' | 'date' | 'place' | undefined)[] = [];
  for (const c of candidates) {
    const found = conceptsOf(c.token, c.stem, model);
    const own = found.concepts;
    const concepts = c.extraConcepts.length ? [...new Set([...own, ...c.extraConcepts])] : own;
    const key = spellingKey(c.stem);
    const has = (set: Set<number>) => concepts.some((id) => set.has(id));
    let cue: (typeof cueOf)[number];
    if (COST.has(c.stem) || has(model.cueConcepts.cost)) cue = 'cost';
    else if (DURATION.has(c.stem) || has(model.cueConcepts.duration)) cue = 'duration';
    else if (DATE.has(c.stem) || has(model.cueConcepts.date)) cue = 'date';
    else if (PLACE.has(c.stem) || has(model.cueConcepts.place)) cue = 'place';
    if (cue === 'cost') cues.hasCost = true;
    if (MONEY.has(c.stem)) cues.hasMoney = true;
    if (cue === 'duration') cues.hasDuration = true;
    if (cue === 'date') cues.hasDate = true;
    if (cue === 'place') cues.hasPlace = true;
    cueOf.push(cue);
    // Spelling keys catch typed variants of Cyrillic light verbs; an English word is never one ("dad" is not "дадуть").
    const optional = model.optionalStems.has(c.stem) || model.lightStems.has(c.stem) || (scriptOf(c.token) === 'cyrillic' && model.lightKeys.has(key)) ||
      concepts.some((id) => model.optionalConcepts.has(id));
    content.push({ token: c.token, stem: c.stem, key, concepts, conceptsExact: found.exact || c.extraConcepts.length > 0, optional, position: c.position });
  }
  // "з заочної на денну" ≠ "з денної на заочну": roles only where both ends are marked.
  const roleOf = (w: ContentWord) => {
    const before = tokens[w.position - 1];
    return before && SOURCE_PREPOSITIONS.has(before) ? 'source' : before && TARGET_PREPOSITIONS.has(before) ? 'target' : undefined;
  };
  const roles = content.map(roleOf);
  if (roles.includes('source') && roles.includes('target')) content.forEach((w, k) => { if (roles[k]) w.role = roles[k]; });
  if (durationByUnit) cues.hasDuration = true;
  const intent = asksDefinition(tokens, model) ? 'definition' : resolveIntent(tokens, firstIntent, intentTokenIndex, cues);
  // "What is meant by X", "what does X mean", "the meaning of X": the definition words are the intent.
  if (intent === 'definition') for (let k = content.length - 1; k >= 0; k--) if (DEFINITION_WORDS.has(content[k].token)) { content.splice(k, 1); cueOf.splice(k, 1); }
  // A word that only restates the intent ("яка *вартість*" = "скільки коштує", "якого *числа*"
  // = "коли", "де *знаходиться*") is part of the intent, not of the topic.
  const restated: Record<string, string> = { cost: 'cost', duration: 'duration', when: 'date', where: 'place' };
  const topical = intent && restated[intent] ? content.filter((_, k) => cueOf[k] !== restated[intent]) : content;

  const uniqueSorted = <T extends string>(xs: T[]) => [...new Set(xs)].sort();
  const slots: QuestionSlots = {
    numbers: uniqueSorted(numbers),
    years: uniqueSorted(years),
    degree: degrees[0],
    degrees: uniqueSorted(degrees),
    negated,
    timePolarity,
    timeRelative,
    intent,
    entities: uniqueSorted(entities),
    symbols: symbolsOf(text),
    manner,
    person,
    modality: uniqueSorted(modalities),
    lang: guess.lang,
  };
  const relation = tokens.map((t) => RELATION_WORDS.has(t));
  return { normalized, tokens, content: topical, slots, anaphora, infoSeeking, deictic, relation };
}

const ARTICLES = new Set(['a', 'an', 'the']);
const PARTICIPLE = /^[a-z]{3,}ed$/;
const IRREGULAR_PARTICIPLES = new Set(['taken', 'given', 'written', 'eaten', 'chosen', 'broken', 'spoken', 'forgotten', 'hidden', 'driven', 'seen', 'been', 'beaten', 'fallen', 'ridden', 'risen', 'stolen', 'woken', 'frozen', 'proven', 'made', 'done', 'built', 'sold', 'told', 'paid', 'taught', 'bought', 'brought', 'thought', 'caught', 'found', 'held', 'kept', 'left', 'lost', 'meant', 'met', 'put', 'read', 'run', 'said', 'sent', 'set', 'spent', 'won', 'shot', 'cut', 'hit', 'born', 'grown', 'known', 'shown', 'drawn', 'thrown', 'worn', 'torn', 'sworn', 'flown', 'spun', 'dug', 'hung', 'stuck', 'struck', 'led', 'fed', 'bred', 'spread', 'calculated', 'formed', 'measured']);
/** Adjective endings and common adjectives, for "how + adjective" (a degree: "how safe", "how successful"). */
const ADJECTIVE_SUFFIX = /^[a-z]{2,}(?:ful|ous|ive|able|ible|ical|less|ant|ent|ary|ory|ish)$/;
const COMMON_ADJECTIVES = new Set([
  'good', 'bad', 'big', 'small', 'old', 'young', 'safe', 'hard', 'easy', 'true', 'real', 'accurate', 'strong', 'weak', 'smart',
  'rich', 'poor', 'tall', 'short', 'deep', 'high', 'low', 'fast', 'slow', 'hot', 'cold', 'far', 'close', 'common', 'popular',
  'expensive', 'cheap', 'likely', 'healthy', 'secure', 'reliable', 'difficult', 'tough', 'bright', 'heavy', 'large', 'wide', 'free',
  'sanitary', 'legit', 'legal', 'reliable', 'credible', 'worth', 'busy', 'rare', 'sure', 'happy', 'sad', 'hard',
]);
const DEFINITION_VERBS = new Set(['означає', 'означають', 'значить', 'значит', 'означает', 'означают']);
const DEFINITION_WORDS = new Set([...DEFINITION_VERBS, 'mean', 'means', 'meant', 'meaning', 'definition', 'define']);
const COPULA = new Set(['is', 'are', 'was', 'were']);
const PREPOSITIONS = new Set(['behind', 'between', 'among', 'against', 'within', 'without', 'under', 'over', 'through', 'after', 'before', 'during', 'around', 'across', 'toward', 'towards', 'inside', 'outside', 'near', 'beyond', 'versus', 'vs']);
/** Words that make "what is the X" a request for a pick or an example, not a definition. */
const EVALUATIVE = new Set([
  'best', 'worst', 'most', 'least', 'top', 'good', 'great', 'nice', 'bad', 'better', 'worse', 'favorite', 'favourite', 'ideal',
  'perfect', 'right', 'correct', 'main', 'biggest', 'largest', 'smallest', 'easiest', 'hardest', 'cheapest', 'fastest',
  'latest', 'newest', 'oldest', 'highest', 'lowest', 'greatest', 'first', 'last', 'next', 'current', 'today', 'now', 'tomorrow',
  'yesterday', 'here', 'найкращий', 'найкраща', 'найкраще', 'кращий', 'лучший', 'лучшая', 'лучшее',
]);

/**
 * "What is X?", "Що таке X?", "What does X mean?", "What is meant by X?": a question that asks
 * what a term *is*, and nothing else. "What is X about?", "What is your X?", "What is in X?",
 * "What are some X?", "What is the best X?" ask something else, so the term must be a bare
 * noun phrase — no pronoun, preposition, verb, number or evaluative word ("best", "top").
 */
function asksDefinition(tokens: readonly string[], model: TextModel): boolean {
  const words = tokens.filter((t, i) => i === 0 || !/^(actually|really|exactly)$/.test(t));
  const bare = (np: readonly string[]) =>
    np.length > 0 && np.length <= 4 && !ARTICLES.has(np[np.length - 1]) &&
    np.every((w) => (ARTICLES.has(w) || !model.stop.has(w)) && !EVALUATIVE.has(w) && !PREPOSITIONS.has(w) && !/\d/.test(w) && !model.numberByStem.has(stem(w)) && !/^\p{L}+iest$/u.test(w));
  const [w0, w1] = words;
  if ((w0 === 'what' && COPULA.has(w1)) || ((w0 === 'що' || w0 === 'шо' || w0 === 'что') && (w1 === 'таке' || w1 === 'такое'))) {
    let rest = words.slice(2);
    if (rest[0] === 'meant' && rest[1] === 'by') return bare(rest.slice(2));
    if (rest[0] === 'the') rest = rest.slice(1);
    if ((rest[0] === 'meaning' || rest[0] === 'definition') && rest[1] === 'of') return bare(rest.slice(2));
    return bare(rest);
  }
  if (w0 === 'what' && (w1 === 'does' || w1 === 'do') && words[words.length - 1] === 'mean') return bare(words.slice(2, -1));
  if (w0 === 'what' && words.length >= 3 && words[words.length - 1] === 'means') return bare(words.slice(1, -1));
  if ((w0 === 'що' || w0 === 'что') && w1 && DEFINITION_VERBS.has(w1)) return bare(words.slice(2));
  if (w0 === 'define' || (w0 === 'meaning' && w1 === 'of')) return bare(words.slice(w0 === 'define' ? 1 : 2));
  return false;
}

function resolveIntent(
  tokens: string[],
  first: keyof typeof INTENT_WORDS | undefined,
  at: number,
  cues: { hasCost: boolean; hasMoney: boolean; hasDuration: boolean; hasDate: boolean; hasPlace: boolean },
): QuestionIntent | undefined {
  const after = tokens[at + 1];
  if (first === 'how') {
    if (after === 'long' || after === 'довго') return 'duration';
    // "How is the broadband in Lviv?" asks what it is like; "How is polyester made?" asks how.
    if (after && COPULA.has(after) && at === 0) {
      const last = tokens[tokens.length - 1] ?? '';
      return PARTICIPLE.test(last) || IRREGULAR_PARTICIPLES.has(last) ? 'how' : 'quality';
    }
    // "How safe is …", "How successful …": a degree, not a way.
    if (after && (ADJECTIVE_SUFFIX.test(after) || COMMON_ADJECTIVES.has(after))) return 'degree';
    if (after === 'many') return cues.hasDuration && !cues.hasCost ? 'duration' : 'count';
    if (after === 'much') return cues.hasCost || cues.hasMoney ? 'cost' : cues.hasDuration ? 'duration' : 'amount';
    if (after === 'often' || after === 'часто') return 'frequency';
    return 'how';
  }
  if (first === 'what' && tokens[tokens.length - 1] === 'for' && tokens[0] === 'what') return 'why';
  if (first === 'quantity') return cues.hasCost || cues.hasMoney ? 'cost' : cues.hasDuration ? 'duration' : 'count';
  // "Is now a good time to …?", "Can I pay the fee online?": an auxiliary first asks yes or no.
  if (first === undefined && tokens.length > 0 && YESNO_OPENERS.has(tokens[0])) return 'yesno';
  if (first === 'what' || first === 'list' || first === undefined) {
    if (after === 'time' || after === 'годині' || after === 'часу') return 'when';
    if (cues.hasCost) return 'cost';
    if (cues.hasDuration) return 'duration';
    if (cues.hasDate) return 'when';
    if (cues.hasPlace && first !== undefined) return 'where';
    if (first === undefined) {
      if (tokens.length > 0 && YESNO_OPENERS.has(tokens[0])) return 'yesno';
      return undefined;
    }
    return first;
  }
  return first;
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
  if (OPENER_PHRASES.some((p) => text === p || text.startsWith(p + ' '))) return true;
  const topical = analysis.content.filter((c) => !c.optional).length;
  const slotTopic = analysis.slots.degrees.length + analysis.slots.entities.length + analysis.slots.numbers.length + analysis.slots.years.length;
  if (OPENERS.has(t[0]) && t.length <= 8) return true;
  if (analysis.anaphora > 0 && topical + slotTopic <= 1) {
    // "що таке НМТ" / "що це таке" define a term, they do not point back.
    if (t.includes('таке') || t.includes('такое')) return topical + slotTopic === 0;
    return true;
  }
  return topical + slotTopic === 0 && analysis.slots.intent !== undefined && t.length <= 4;
}
