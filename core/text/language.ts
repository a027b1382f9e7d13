/**
 * Language detection for uk / ru / en, including Ukrainian and Russian typed in Latin
 * letters. Letters decide first (і ї є ґ and the apostrophe are Ukrainian; ы э ё ъ are
 * Russian), then frequent words that only one language uses (що/что, як/как, чи/ли).
 * Latin text is English when its words are English, and transliterated Ukrainian or
 * Russian when their Cyrillic spelling is a known word of that language.
 */

import { en as enLexicon } from './lexicon/en.js';
import { BUILT_IN_LEXICON as LEXICON } from './lexicon/index.js';
import { ru as ruLexicon } from './lexicon/ru.js';
import { uk as ukLexicon } from './lexicon/uk.js';
import { scriptOf, tokenize } from './normalize.js';
import { transliterateToken } from './transliterate.js';

/** The languages Kobza's text analysis understands. */
export type Lang = 'uk' | 'ru' | 'en';

const UK_LETTERS = /[ієїґ']/;
const RU_LETTERS = /[ыэёъ]/;

/** Frequent words spelled only in Ukrainian / only in Russian (without a telling letter): `languageMarkers` of the lexicon files. */
const UK_ONLY: ReadonlySet<string> = new Set(ukLexicon.languageMarkers);
const RU_ONLY: ReadonlySet<string> = new Set(ruLexicon.languageMarkers);

/**
 * Endings only one language writes, for Cyrillic words without a telling letter. Russian:
 * -ия/-ие (стипендия/стипендія, обучение/навчання), adjective -ая/-ое/-ые/-ой (учебная/
 * навчальна), 3rd person -ает/-ует/-ают (поступает/вступає), reflexive -ится/-ется without
 * the soft sign (находится/знаходиться), -ость (возможность/можливість), 2nd person -ешь/-ишь, past
 * tense -ил (получил/отримав).
 * Ukrainian: doubled -ння (навчання), instrumental -ою, 1st person plural -емо/-имо,
 * infinitive -ати/-ити/-ути and -тися (вступити/поступить, вчитися/учиться). The soft sign
 * before -ся decides nothing: Ukrainian 3rd person (вчиться) is the Russian infinitive.
 */
const RU_ENDINGS = /(?:ия|ии|ию|иям|иях|ией|ие|ая|яя|ое|ее|ые|ой|ает|яет|ует|еет|ают|яют|уют|еют|ится|ется|ются|ятся|атся|утся|ость|ости|остью|ешь|ишь|[^аеиоуяю]ил)$/;
const UK_ENDINGS = /(?:ння|нню|нням|ннях|ою|емо|имо|ати|яти|ити|ути|тися|[аяиу]тись)$/;

/** Morphology score of one Cyrillic token: +1 for a Ukrainian-only ending, -1 for a Russian-only one. */
function endingVote(token: string): number {
  if (token.length < 4) return 0;
  if (UK_ENDINGS.test(token)) return 1;
  if (RU_ENDINGS.test(token)) return -1;
  return 0;
}

/** Common English words beyond the stop-word list, so that plain English is never mistaken. */
const EXTRA_EN: readonly string[] = enLexicon.languageMarkers ?? [];

/** Known words per language, gathered once from the lexicon, for recognising transliteration. */
const KNOWN = (() => {
  const uk = new Set<string>(UK_ONLY);
  const ru = new Set<string>(RU_ONLY);
  const en = new Set<string>();
  const add = (word: string) => {
    for (const w of word.split(' ')) {
      const script = scriptOf(w);
      if (script === 'latin') en.add(w);
      else if (script === 'cyrillic') {
        if (UK_LETTERS.test(w)) uk.add(w);
        else if (RU_LETTERS.test(w)) ru.add(w);
        else {
          uk.add(w);
          ru.add(w);
        }
      }
    }
  };
  for (const w of LEXICON.stopWords ?? []) add(w);
  for (const group of [...Object.values(LEXICON.concepts ?? {}), ...Object.values(LEXICON.calendar ?? {})]) for (const w of group) add(w);
  for (const list of Object.values(LEXICON.degreeWords ?? {})) for (const w of list) add(w);
  for (const list of Object.values(LEXICON.numberWords ?? {})) for (const w of list) add(w);
  for (const w of EXTRA_EN) en.add(w);
  return { uk, ru, en };
})();



/** Letter patterns typical of transliterated Slavic words and of English words. */
const TRANSLIT_PATTERN = /(shch|zh|kh|iia|iu|ia$|yi|yy|iy$|ii|ts[aeiouy]|ye|yu|ya|sht)/;
const ENGLISH_PATTERN = /(th|wh|ght|tion|ing$|ee|oo|ou|ea|w|q|x|ck|ph|'s$|ly$|ed$)/;

export interface ScriptGuess {
  lang: Lang | 'unknown';
  /** Set when the text is Ukrainian or Russian written in Latin letters. */
  translit: boolean;
}

/**
 * Guess the language of already-normalised tokens. Exposed for the analyser, which has
 * the tokens at hand; most callers want {@link detectLanguage}.
 *
 * @example
 * guessLanguage(['de', 'biblioteka']) // { lang: 'uk', translit: true }
 */
export function guessLanguage(tokens: readonly string[]): ScriptGuess {
  let cyr = 0;
  let lat = 0;
  let uk = 0;
  let ru = 0;
  let en = 0;
  let trUk = 0;
  let trRu = 0;
  for (const t of tokens) {
    const script = scriptOf(t);
    if (script === 'cyrillic') {
      cyr++;
      if (UK_LETTERS.test(t)) uk += 2;
      if (RU_LETTERS.test(t)) ru += 2;
      if (UK_ONLY.has(t)) uk += 1;
      if (RU_ONLY.has(t)) ru += 1;
      // Endings count only where the word itself did not decide, and weigh half a word.
      if (!UK_LETTERS.test(t) && !RU_LETTERS.test(t) && !UK_ONLY.has(t) && !RU_ONLY.has(t)) {
        const vote = endingVote(t);
        if (vote > 0) uk += 0.5;
        if (vote < 0) ru += 0.5;
      }
    } else if (script === 'latin') {
      lat++;
      const isEn = KNOWN.en.has(t);
      // A known English word is not re-read as transliteration unless it is short and ambiguous ("de", "na").
      const tryTranslit = !isEn || t.length <= 3;
      const knownUk = tryTranslit && KNOWN.uk.has(transliterateToken(t, 'uk'));
      const knownRu = tryTranslit && KNOWN.ru.has(transliterateToken(t, 'ru'));
      if (isEn) en += 1;
      if (knownUk) trUk += 1;
      if (knownRu) trRu += 1;
      if (!isEn && !knownUk && !knownRu) {
        if (TRANSLIT_PATTERN.test(t)) {
          trUk += 0.5;
          trRu += 0.5;
        }
        if (ENGLISH_PATTERN.test(t)) en += 0.5;
      }
      // Spellings only one transliteration produces.
      if (/(yi|ii|iie|iia|shcho|^chy$|^yak$|^de$|^koly$)/.test(t)) trUk += 0.5;
      if (/(^chto$|^kak$|^gde$|^kogda$|^skolko$|yy$|iy$|^eto$|^nuzhno$)/.test(t)) trRu += 0.5;
    }
  }
  if (cyr === 0 && lat === 0) return { lang: 'unknown', translit: false };
  if (cyr >= lat) {
    if (uk === ru) return { lang: 'unknown', translit: false };
    return { lang: uk > ru ? 'uk' : 'ru', translit: false };
  }
  const tr = Math.max(trUk, trRu);
  if (en >= tr) return { lang: en > 0 ? 'en' : 'unknown', translit: false };
  return { lang: trRu > trUk ? 'ru' : 'uk', translit: true };
}

/**
 * Detect the language of a text: `'uk'`, `'ru'`, `'en'`, or `'unknown'` when nothing
 * decides (no letters, or a Cyrillic text with no telling letter or word). Ukrainian or
 * Russian typed in Latin letters is reported as that language.
 *
 * @example
 * detectLanguage('Скільки коштує навчання?') // 'uk'
 * detectLanguage('Сколько стоит обучение?')  // 'ru'
 * detectLanguage('skilky koshtuie navchannia') // 'uk'
 * detectLanguage('How much does it cost?')   // 'en'
 */
export function detectLanguage(text: string): Lang | 'unknown' {
  return guessLanguage(tokenize(text)).lang;
}
