/**
 * One pass over a question's tokens that sorts each into a slot (number, year, degree,
 * negation, start/end, this/next period, question word, entity, person, modality) or keeps
 * it as a candidate content word. The checks run in a fixed order and the first that claims
 * a token ends its turn; the order is part of the rules.
 */

import type { IntentCue } from '../lexicon/index.js';
import { editDistanceWithin } from '../edit-distance.js';
import { spellingKey } from '../transliterate.js';
import { CUES, INTENT_BY_TOKEN, STOP_KEYS, WORDS } from './cues.js';
import type { DegreeLevel, TextModel } from './model.js';

/** A word that may carry topic, before its concepts are looked up. */
export interface Candidate {
  token: string;
  stem: string;
  extraConcepts: number[];
  position: number;
}

/** The state of one pass: what the question's tokens said so far. */
export interface Scan {
  readonly tokens: readonly string[];
  readonly stems: readonly string[];
  readonly model: TextModel;
  readonly transliterated: ReadonlySet<string>;
  readonly acronyms: ReadonlySet<string>;
  readonly quoted: ReadonlySet<string>;
  readonly consumed: boolean[];
  readonly phraseConcepts: number[][];
  readonly numbers: string[];
  readonly years: string[];
  readonly degrees: DegreeLevel[];
  readonly entities: string[];
  readonly candidates: Candidate[];
  readonly modalities: string[];
  /** Qualifiers of "the best way to" (positions), dropped from the content afterwards. */
  readonly dropPrevious: Set<number>;
  negated: boolean;
  timePolarity?: 'start' | 'end';
  timeRelative?: 'current' | 'next' | 'previous';
  firstIntent?: IntentCue;
  intentTokenIndex: number;
  infoSeeking: boolean;
  durationByUnit: boolean;
  manner?: string;
  person?: 'speaker' | 'addressee';
  anaphora: number;
  deictic: boolean;
}

/** A fresh scan over the given tokens. */
export function startScan(
  tokens: readonly string[], stems: readonly string[], model: TextModel,
  raw: { transliterated: ReadonlySet<string>; acronyms: ReadonlySet<string>; quoted: ReadonlySet<string> },
): Scan {
  return {
    tokens, stems, model, ...raw, consumed: new Array<boolean>(tokens.length).fill(false), phraseConcepts: tokens.map(() => []),
    numbers: [], years: [], degrees: [], entities: [], candidates: [], modalities: [], dropPrevious: new Set(),
    negated: false, intentTokenIndex: -1, infoSeeking: false, durationByUnit: false, anaphora: 0, deictic: false,
  };
}

const keep = (scan: Scan, i: number, stem: string) => {
  scan.candidates.push({ token: scan.tokens[i], stem, extraConcepts: scan.phraseConcepts[i], position: i });
  return true;
};

/**
 * Multi-word lexicon entries first (longest phrase wins). Degree and entity phrases are
 * slots and consume their words; a synonym phrase lends its concept to each of its words,
 * so that a typo in one of them still lets the other pair up.
 */
function readPhrase(scan: Scan, i: number): void {
  const { tokens, stems } = scan;
  // The same phrase may name several concepts (the built-in lexicon's and a deployment's
  // own synonyms): it lends all of them.
  let lent = 0;
  for (const p of scan.model.phrasesByFirstStem.get(stems[i]) ?? []) {
    if (lent && p.stems.length < lent) break;
    if (i + p.stems.length > tokens.length) continue;
    let ok = true;
    for (let k = 1; k < p.stems.length; k++) if (stems[i + k] !== p.stems[k]) { ok = false; break; }
    if (!ok) continue;
    if (p.degree || p.entity) {
      if (lent) break;
      for (let k = 0; k < p.stems.length; k++) scan.consumed[i + k] = true;
      if (p.degree) scan.degrees.push(p.degree);
      if (p.entity) scan.entities.push(p.entity);
      break;
    }
    if (p.concept === undefined) break;
    for (let k = 0; k < p.stems.length; k++) if (!scan.phraseConcepts[i + k].includes(p.concept)) scan.phraseConcepts[i + k].push(p.concept);
    lent = p.stems.length;
  }
}

/** Function words that are the subject here: an acronym ("IT"), "get out of", a quoted word. */
function readKeptFunctionWord(scan: Scan, i: number): boolean {
  const token = scan.tokens[i];
  const next = scan.tokens[i + 1];
  // "IT company", "in the US", "full form of AM": a capitalised acronym that spells a
  // function word is a name, not the function word.
  if (scan.acronyms.has(token) && i > 0) return keep(scan, i, token);
  // Words in quotation marks are the subject itself ("why I have" vs "why have I"): every
  // word counts, function words too.
  // "get out of a job" is leaving it, not getting it ("find out" stays a stop-word).
  if (token === 'out' && (next === 'of' || next === 'from')) return keep(scan, i, token);
  if (scan.quoted.has(token) && scan.model.stop.has(token)) return keep(scan, i, scan.stems[i]);
  return false;
}

function numberFromDigits(token: string): { year?: string; number?: string } {
  if (/^(19|20)\d\d$/.test(token)) return { year: token };
  const n = token.replace(/^0+(?=\d)/, '');
  return { number: n };
}

/** Digits: a year (with its "році", "2025/26") or a number. */
function readDigits(scan: Scan, i: number): boolean {
  const token = scan.tokens[i];
  const next = scan.tokens[i + 1];
  if (!/^\d/.test(token)) return false;
  const { year, number } = numberFromDigits(token.replace(/\.$/, ''));
  // "у 2026 році", "2026 р.", "in the 2026 year": the period word only repeats the year.
  if (year && next && (CUES.periodYear.has(next) || next === 'р' || next === 'г')) scan.consumed[i + 1] = true;
  if (year) scan.years.push(year);
  // Academic year "2025/26": the short number is the following year.
  if (year && next && /^\d\d$/.test(next) && Number(next) === (Number(year) + 1) % 100) {
    scan.years.push(String(Number(year) + 1));
    scan.consumed[i + 1] = true;
  }
  else if (number) scan.numbers.push(number);
  return true;
}

/** Negation ("не підкажете" is polite, not negative) and degree levels. */
function readNegationOrDegree(scan: Scan, i: number): boolean {
  const token = scan.tokens[i];
  const next = scan.tokens[i + 1];
  if (CUES.negation.has(token)) {
    const previous = scan.tokens[i - 1];
    // «… чи ні?», "… or not?", "whether or not": the other answer of a yes/no question.
    const alternative = previous !== undefined && CUES.alternative.has(previous) && (next === undefined || scan.tokens[i - 2] === 'whether');
    // "не підкажете", "чи не могли б" are polite, not negative.
    if (!alternative && !(next && CUES.polite.has(next))) scan.negated = true;
    return true;
  }
  const degree = scan.model.degreeByStem.get(scan.stems[i]);
  if (degree) { scan.degrees.push(degree); return true; }
  return false;
}

/** This / next / previous period, "last year", "first day", "last" as the end. */
function readRelativeTime(scan: Scan, i: number): boolean {
  const { tokens } = scan;
  const token = tokens[i];
  const next = tokens[i + 1];
  if (CUES.this.has(token) || CUES.next.has(token) || CUES.previous.has(token) || (CUES.last.has(token) && /^[a-z]/.test(token))) {
    const periodAt = [i + 1, i + 2].find((k) => k < tokens.length && CUES.period.has(tokens[k]));
    if (periodAt !== undefined) {
      scan.timeRelative = CUES.next.has(token) ? 'next' : CUES.previous.has(token) || CUES.last.has(token) ? 'previous' : 'current';
      for (let k = i + 1; k <= periodAt; k++) if (CUES.period.has(tokens[k])) scan.consumed[k] = true;
      return true;
    }
    if (CUES.previous.has(token) || CUES.next.has(token)) {
      scan.timeRelative = CUES.next.has(token) ? 'next' : 'previous';
      return true;
    }
  }
  if (token === 'торік' || token === 'торішній') { scan.timeRelative = 'previous'; return true; }
  // "how long does it last (for)?": the verb, not "the last day".
  if (token === 'last' && (next === undefined || next === 'for' || next === 'longer')) return true;
  if (CUES.last.has(token)) { scan.timePolarity = 'end'; return true; }
  if (CUES.first.has(token) && next && WORDS.days.has(next)) {
    scan.timePolarity = 'start';
    return true;
  }
  return false;
}

/** Number words ("другий курс" is course 2). */
function readNumberWord(scan: Scan, i: number): boolean {
  const token = scan.tokens[i];
  const numberWord = scan.model.numberByStem.get(scan.stems[i]);
  if (numberWord !== undefined && token.length > 2 && !scan.model.stop.has(token)) {
    scan.numbers.push(numberWord);
    return true;
  }
  return false;
}

/** "the best way to X", "ways to X", "найкращий спосіб": ask how, like "how do I X". */
function readWay(scan: Scan, i: number): boolean {
  const { tokens } = scan;
  const token = tokens[i];
  const next = tokens[i + 1];
  if (!(CUES.way.has(token) && (next === 'to' || next === 'of' || next === 'for' || !next || scan.model.stop.has(next) === false))) return false;
  const qualifier = CUES.wayQualifier.has(tokens[i - 1] ?? '');
  if (!(qualifier || next === 'to' || WORDS.wayAsking.has(token))) return false;
  if (qualifier) {
    scan.dropPrevious.add(i - 1);
    scan.manner = tokens[i - 1];
  }
  if (scan.firstIntent === undefined || scan.firstIntent === 'what' || scan.firstIntent === 'list') { scan.firstIntent = 'how'; scan.intentTokenIndex = i; }
  return true;
}

/** Start or end of a period: "початок", "deadline", "до якого числа". */
function readTimePolarity(scan: Scan, i: number): boolean {
  const token = scan.tokens[i];
  const next = scan.tokens[i + 1];
  const s = scan.stems[i];
  // English "start learning", "begin to write": the start of an activity, not of a period.
  if (WORDS.activityStart.has(token) && next && (next.endsWith('ing') || next === 'to')) return true;
  // "до якого числа" asks for the end, "з якого числа" for the start.
  if (next && CUES.which.has(next) && (CUES.until.has(token) || CUES.from.has(token))) {
    scan.timePolarity = CUES.until.has(token) ? 'end' : 'start';
    return true;
  }
  if (CUES.start.has(token) || (s.length >= 4 && CUES.startStems.has(s))) { scan.timePolarity = 'start'; return true; }
  if (CUES.end.has(token) || (s.length >= 4 && CUES.endStems.has(s))) { scan.timePolarity = 'end'; return true; }
  const typo = timeWordTypo(scan, i);
  if (typo) { scan.timePolarity = typo; return true; }
  return false;
}

const sameLetters = (a: string, b: string) => [...a].sort().join('') === [...b].sort().join('');

/**
 * A typo inside a time word («почток», "strat") still names the start or the end, so that it
 * does not look like a question without one. Only unknown words: one edit in a Cyrillic word
 * of 6+ letters, otherwise only two letters swapped ("стать" is a word, not "старт").
 */
function timeWordTypo(scan: Scan, i: number): 'start' | 'end' | undefined {
  const token = scan.tokens[i];
  if (token.length < 5 || scan.model.stop.has(token) || scan.model.conceptsByWord.has(token) || scan.model.conceptsByStem.has(scan.stems[i])) return undefined;
  const anyEdit = token.length >= 6 && /^[а-яіїєґ]/.test(token);
  for (const [polarity, words] of [['start', CUES.start], ['end', CUES.end]] as const) {
    for (const w of words) {
      if (w.length < 5 || w[0] !== token[0] || Math.abs(w.length - token.length) > 1) continue;
      if (editDistanceWithin(token, w, 1) <= 1 && (anyEdit || (w.length === token.length && sameLetters(w, token)))) return polarity;
    }
  }
  return undefined;
}

/** The first question word, and what "скільки років" / "how many years" makes of it. */
function readQuestionWord(scan: Scan, i: number): { intent?: IntentCue; byKey?: IntentCue | 'stop' } {
  const { tokens } = scan;
  const token = tokens[i];
  const next = tokens[i + 1];
  const byKey = scan.transliterated.has(token) && token.length >= 3 ? STOP_KEYS.get(spellingKey(token)) : undefined;
  const intent = INTENT_BY_TOKEN.get(token) ?? (byKey && byKey !== 'stop' ? byKey : undefined);
  if (intent && scan.firstIntent === undefined) {
    scan.firstIntent = intent;
    scan.intentTokenIndex = i;
    // "скільки років", "how many years", "сколько лет": a quantity of time is a duration.
    const unitAt = token === 'how' && next === 'many' ? i + 2 : i + 1;
    if ((intent === 'quantity' || (token === 'how' && next === 'many')) && CUES.timeUnits.has(tokens[unitAt] ?? '')) {
      scan.durationByUnit = true;
      scan.consumed[unitAt] = true;
    }
  }
  return { intent, byKey };
}

/** Pointers, anaphora, person, modality and info-seeking words: noted, the token goes on. */
function readMarkers(scan: Scan, i: number): void {
  const { tokens, model } = scan;
  const token = tokens[i];
  const next = tokens[i + 1];
  // "is there", "there are" are existential, not a pointer to an earlier place.
  if (!scan.deictic && ((WORDS.demonstratives.has(token) && next !== undefined && !model.stop.has(next) && !CUES.period.has(next) && !CUES.timeUnits.has(next) && !WORDS.sharedReferents.has(next) && !/^\d/.test(next)) || WORDS.pointers.has(token))) scan.deictic = true;
  const existential = token === 'there' && (WORDS.copulas.has(tokens[i - 1] ?? '') || tokens[i - 1] === 'be' || WORDS.copulas.has(next ?? ''));
  if (CUES.anaphora.has(token) && !existential) scan.anaphora++;
  if (scan.person === undefined && CUES.speaker.has(token)) scan.person = 'speaker';
  if (scan.person === undefined && CUES.addressee.has(token)) scan.person = 'addressee';
  const modal = CUES.modalityByToken.get(token);
  if (modal) scan.modalities.push(modal);
  if (CUES.infoStems.has(scan.stems[i])) scan.infoSeeking = true;
}

/**
 * Sort token `i` into its slot, or keep it as a candidate content word.
 *
 * @example
 * for (let i = 0; i < scan.tokens.length; i++) scanToken(scan, i);
 */
export function scanToken(scan: Scan, i: number): void {
  if (scan.consumed[i]) return;
  readPhrase(scan, i);
  if (scan.consumed[i]) return;
  if (readKeptFunctionWord(scan, i) || readDigits(scan, i) || readNegationOrDegree(scan, i) || readRelativeTime(scan, i)) return;
  if (readNumberWord(scan, i) || readWay(scan, i) || readTimePolarity(scan, i)) return;
  const { intent, byKey } = readQuestionWord(scan, i);
  readMarkers(scan, i);
  const token = scan.tokens[i];
  if (scan.model.stop.has(token) || intent || byKey) return;
  const entity = scan.model.entityByStem.get(scan.stems[i]);
  if (entity) { scan.entities.push(entity); return; }
  keep(scan, i, scan.stems[i]);
}
