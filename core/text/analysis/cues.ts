/**
 * The built-in lexicon's cue words, compiled once into the sets the analyser looks words up
 * in: exact tokens (`tokenSet`), stems (`stemSet`) or raw words as written. Which form a set
 * takes is part of its rule (a stem set also catches inflections), so it is fixed here.
 */

import { BUILT_IN_LEXICON as LEXICON, type IntentCue, type Lexicon, type LexiconListField } from '../lexicon/index.js';
import { normalize } from '../normalize.js';
import { stem } from '../stem.js';
import { spellingKey } from '../transliterate.js';

/** Stem used inside the model: script decides, translit already turned into Cyrillic. */
export function modelStem(token: string): string {
  return stem(token);
}

/** Stems of every word of every entry. */
export function stemSet(words: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const w of words) {
    for (const t of normalize(w).split(' ')) if (t) out.add(modelStem(t));
  }
  return out;
}

/** Entries as normalised tokens. */
export function tokenSet(words: readonly string[]): Set<string> {
  return new Set(words.map((w) => normalize(w)).filter(Boolean));
}

const list = (field: LexiconListField, lexicon: Lexicon = LEXICON): readonly string[] => lexicon[field] ?? [];
const tokens = (field: LexiconListField) => tokenSet(list(field));
const stems = (field: LexiconListField) => stemSet(list(field));
const raw = (field: LexiconListField): ReadonlySet<string> => new Set(list(field));

/** Slot and intent cue words (normalised tokens unless named a stem set). */
export const CUES = {
  negation: tokens('negationWords'),
  polite: tokens('politeAfterNegation'),
  alternative: tokens('alternativeWords'),
  startStems: stems('timeStartWords'),
  start: tokens('timeStartWords'),
  endStems: stems('timeEndWords'),
  end: tokens('timeEndWords'),
  first: tokens('orderFirstWords'),
  last: tokens('orderLastWords'),
  this: tokens('relativeThisWords'),
  next: tokens('relativeNextWords'),
  previous: tokens('relativePreviousWords'),
  period: tokens('periodWords'),
  way: tokens('wayWords'),
  wayQualifier: tokens('wayQualifiers'),
  timeUnits: tokens('timeUnits'),
  which: tokens('whichWords'),
  until: tokens('untilWords'),
  from: tokens('fromWords'),
  periodYear: tokens('periodYearWords'),
  speaker: tokens('speakerWords'),
  addressee: tokens('addresseeWords'),
  costStems: stems('costCues'),
  moneyStems: stems('moneyCues'),
  durationStems: stems('durationCues'),
  dateStems: stems('dateCues'),
  placeStems: stems('placeCues'),
  infoStems: stems('infoSeekingWords'),
  anaphora: tokens('anaphoraWords'),
  openers: tokens('continuationOpeners'),
  openerPhrases: list('continuationPhrases').map((p) => normalize(p)),
  modalityByToken: new Map<string, string>(
    Object.entries(LEXICON.modalityWords ?? {}).flatMap(([modality, words]) => words.map((w) => [normalize(w), modality] as [string, string])),
  ),
} as const;

/** Words as written (no normalising): prepositions, English grammar, pointers. */
export const WORDS = {
  stop: raw('stopWords'),
  yesNoOpeners: raw('yesNoOpeners'),
  sourcePrepositions: raw('sourcePrepositions'),
  targetPrepositions: raw('targetPrepositions'),
  relation: raw('relationWords'),
  whIs: raw('whIs'),
  thousand: raw('thousandWords'),
  demonstratives: raw('demonstratives'),
  pointers: raw('pointers'),
  sharedReferents: raw('sharedReferents'),
  shoutedAuxiliaries: raw('shoutedAuxiliaries'),
  articles: raw('articles'),
  irregularParticiples: raw('irregularParticiples'),
  commonAdjectives: raw('commonAdjectives'),
  definitionVerbs: raw('definitionVerbs'),
  definitionWords: new Set([...list('definitionVerbs'), ...list('definitionWords')]) as ReadonlySet<string>,
  copulas: raw('copulas'),
  prepositions: raw('prepositions'),
  frontingPrepositions: raw('frontingPrepositions'),
  evaluative: raw('evaluativeWords'),
  hedges: raw('hedgeWords'),
  days: raw('dayWords'),
  wayAsking: raw('wayAskingWords'),
  activityStart: raw('activityStartWords'),
  contractions: LEXICON.contractions ?? {},
  irregularNegations: LEXICON.irregularNegations ?? {},
} as const;

/** Question word → the intent it asks for (the first intent naming a word keeps it). */
export const INTENT_BY_TOKEN: ReadonlyMap<string, IntentCue> = (() => {
  const map = new Map<string, IntentCue>();
  for (const [intent, words] of Object.entries(LEXICON.intentWords ?? {}) as [IntentCue, readonly string[]][]) {
    for (const w of words) if (!w.includes(' ') && !map.has(w)) map.set(w, intent);
  }
  return map;
})();

/** Spelling keys of stop and question words, so that a transliterated "skilky" is still a question word. */
export const STOP_KEYS: ReadonlyMap<string, IntentCue | 'stop'> = (() => {
  const map = new Map<string, IntentCue | 'stop'>();
  for (const w of list('stopWords')) if (w.length >= 3 && !w.includes(' ')) map.set(spellingKey(normalize(w)), INTENT_BY_TOKEN.get(w) ?? 'stop');
  for (const [w, intent] of INTENT_BY_TOKEN) if (w.length >= 3) map.set(spellingKey(w), intent);
  return map;
})();
