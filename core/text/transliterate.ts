/**
 * Latin → Cyrillic transliteration for Ukrainian and Russian typed on a Latin keyboard
 * ("skilky koshtuie navchannia", "skolko stoit obshchezhitie"). Covers the official
 * Ukrainian passport system (KMU 2010), ISO-9-like Russian, and the informal spellings
 * people really type (ya/ia, yu/iu, j for й, h/g for г, w for в, c for ц). The reverse
 * mapping is ambiguous (и/і, й, ь are often lost), so the result is a best guess that is
 * then matched with a small spelling distance, never demanded exactly.
 */

import { BoundedMap } from '../bounded-map.js';
import type { Lang } from './language.js';

type Rule = readonly [latin: string, cyrillic: string];

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

/** Longest first within each table; the scanner tries 4, 3, 2, then 1 letters. */
const UK_RULES: readonly Rule[] = [
  ['shch', 'щ'], ['sch', 'щ'], ['zgh', 'зг'], ['iia', 'ія'], ['iiu', 'ію'], ['iie', 'іє'],
  ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['tz', 'ц'], ['ch', 'ч'], ['sh', 'ш'],
  ['ia', 'я'], ['ya', 'я'], ['ja', 'я'], ['iu', 'ю'], ['yu', 'ю'], ['ju', 'ю'], ['ie', 'є'], ['ye', 'є'], ['je', 'є'],
  ['yo', 'йо'], ['jo', 'йо'], ['ii', 'ії'], ['yy', 'ий'],
  ['a', 'а'], ['b', 'б'], ['v', 'в'], ['h', 'г'], ['g', 'г'], ['d', 'д'], ['e', 'е'], ['z', 'з'], ['y', 'и'],
  ['i', 'і'], ['j', 'й'], ['k', 'к'], ['l', 'л'], ['m', 'м'], ['n', 'н'], ['o', 'о'], ['p', 'п'], ['r', 'р'],
  ['s', 'с'], ['t', 'т'], ['u', 'у'], ['f', 'ф'], ['c', 'ц'], ['x', 'кс'], ['w', 'в'], ['q', 'к'], ["'", "'"],
];

const RU_RULES: readonly Rule[] = [
  ['shch', 'щ'], ['sch', 'щ'], ['zh', 'ж'], ['kh', 'х'], ['ts', 'ц'], ['tz', 'ц'], ['ch', 'ч'], ['sh', 'ш'],
  ['yo', 'ё'], ['jo', 'ё'], ['ya', 'я'], ['ja', 'я'], ['ia', 'я'], ['yu', 'ю'], ['ju', 'ю'], ['iu', 'ю'],
  ['ye', 'е'], ['je', 'е'], ['yy', 'ый'], ['iy', 'ий'], ['ij', 'ий'],
  ['a', 'а'], ['b', 'б'], ['v', 'в'], ['h', 'х'], ['g', 'г'], ['d', 'д'], ['e', 'е'], ['z', 'з'], ['y', 'ы'],
  ['i', 'и'], ['j', 'й'], ['k', 'к'], ['l', 'л'], ['m', 'м'], ['n', 'н'], ['o', 'о'], ['p', 'п'], ['r', 'р'],
  ['s', 'с'], ['t', 'т'], ['u', 'у'], ['f', 'ф'], ['c', 'ц'], ['x', 'кс'], ['w', 'в'], ['q', 'к'], ["'", 'ь'],
];

function indexRules(rules: readonly Rule[]): Map<string, string> {
  return new Map(rules.map(([l, c]) => [l, c]));
}
const UK_TABLE = indexRules(UK_RULES);
const RU_TABLE = indexRules(RU_RULES);

/** Transliterate one lowercase Latin word. Non-Latin characters pass through. */
function transliterateWord(word: string, lang: 'uk' | 'ru'): string {
  const table = lang === 'uk' ? UK_TABLE : RU_TABLE;
  let out = '';
  let i = 0;
  const n = word.length;
  while (i < n) {
    const prev = i > 0 ? word[i - 1] : '';
    const atStart = i === 0;
    const two = word.slice(i, i + 2);
    // Context rules that a plain table cannot express.
    if (lang === 'uk') {
      if (two === 'yi') {
        // Word-initial or after a vowel: ї ("yizhak", "ukrayina"); word-final after a consonant: ий.
        const final = i + 2 === n;
        if (atStart || VOWELS.has(prev)) out += 'ї';
        else out += final ? 'ий' : 'иї';
        i += 2;
        continue;
      }
      if (word[i] === 'y' && !atStart && VOWELS.has(prev) && !VOWELS.has(word[i + 1] ?? '')) {
        out += 'й';
        i += 1;
        continue;
      }
    } else {
      if (atStart && word[i] === 'e') {
        out += 'э';
        i += 1;
        continue;
      }
      if (word[i] === 'y' && VOWELS.has(prev) && !VOWELS.has(word[i + 1] ?? '')) {
        out += 'й';
        i += 1;
        continue;
      }
      if (word[i] === 'y' && atStart) {
        out += 'й';
        i += 1;
        continue;
      }
    }
    // Reflexive verb ending: uk "-tsia" → ться, ru "-tsya" → тся (but "stantsiia" → станція).
    const rest = word.slice(i);
    if ((rest === 'tsia' || rest === 'tsya') && VOWELS.has(prev)) {
      out += lang === 'uk' ? 'ться' : 'тся';
      break;
    }
    let matched = false;
    for (let len = 4; len >= 1; len--) {
      if (i + len > n) continue;
      const chunk = word.slice(i, i + len);
      // "iy"/"yy"/"ij" are ий/ый only before a consonant or at the end ("sessiya" is сессия).
      if (len === 2 && /^[iy][yj]$/.test(chunk) && VOWELS.has(word[i + 2] ?? '')) continue;
      const cyr = table.get(chunk);
      if (cyr !== undefined) {
        out += cyr;
        i += len;
        matched = true;
        break;
      }
    }
    if (!matched) {
      out += word[i];
      i += 1;
    }
  }
  return out;
}

/**
 * Transliterate Latin-letter Ukrainian (default) or Russian to Cyrillic, word by word.
 * Cyrillic words, digits and other scripts are left as they are; the input is normalised.
 *
 * @example
 * transliterateToCyrillic('skilky koshtuie navchannia') // 'скілки коштує навчання'
 * transliterateToCyrillic('skolko stoit obshchezhitie', 'ru') // 'сколко стоит общежитие'
 */
export function transliterateToCyrillic(text: string, lang: Lang = 'uk'): string {
  const target = lang === 'ru' ? 'ru' : 'uk';
  return text
    .normalize('NFC')
    .toLowerCase()
    .split(/(\s+)/)
    .map((part) => (/[a-z]/.test(part) ? transliterateWord(part, target) : part))
    .join('');
}

/**
 * Transliterate one already-normalised Latin token (memoised; used by the analyser on hot paths).
 *
 * @example
 * transliterateToken('hurtozhytok', 'uk') // 'гуртожиток'
 */
export function transliterateToken(token: string, lang: 'uk' | 'ru'): string {
  const memo = translitMemo[lang];
  const known = memo.get(token);
  if (known !== undefined) return known;
  const out = transliterateWord(token, lang);
  memo.set(token, out);
  return out;
}

/**
 * A coarse cross-script spelling key: Cyrillic and Latin spellings of one word reduce to
 * the same letters (и/і/ї/й/y/i → i, г/х/h/g → h, ш/щ/sh/с → s, ц/ч/ts/ch → c, …),
 * doubled letters collapse and soft signs and apostrophes vanish. Used to find a partner
 * for a transliterated word whose exact Cyrillic spelling was guessed wrong.
 *
 * @example
 * spellingKey('скільки') === spellingKey('skilky') // true
 */
export function spellingKey(word: string): string {
  const known = keyMemo.get(word);
  if (known !== undefined) return known;
  const key = computeSpellingKey(word);
  keyMemo.set(word, key);
  return key;
}

/** Keys and transliterations repeat across questions; a bounded memo keeps analysis cheap. */
const MEMO_LIMIT = 50_000;
const keyMemo = new BoundedMap<string, string>(MEMO_LIMIT);
const translitMemo = { uk: new BoundedMap<string, string>(MEMO_LIMIT), ru: new BoundedMap<string, string>(MEMO_LIMIT) };

function computeSpellingKey(word: string): string {
  let s = word;
  if (/[a-z]/.test(s)) s = s
    .replace(/shch|sch/g, 's')
    .replace(/zh/g, 'z')
    .replace(/kh/g, 'h')
    .replace(/ts|tz|ch/g, 'c')
    .replace(/sh/g, 's')
    .replace(/ya|ia|ja/g, 'a')
    .replace(/yu|iu|ju/g, 'u')
    .replace(/ye|ie|je/g, 'e')
    .replace(/yo|jo/g, 'o');
  let out = '';
  for (const ch of s) {
    const k = KEY_MAP[ch] ?? ch;
    if (k && out[out.length - 1] !== k) out += k;
  }
  return out;
}

const KEY_MAP: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'h', ґ: 'h', д: 'd', е: 'e', є: 'e', ж: 'z', з: 'z', и: 'i', і: 'i', ї: 'i',
  й: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'h',
  ц: 'c', ч: 'c', ш: 's', щ: 's', ь: '', ъ: '', ю: 'u', я: 'a', ы: 'i', э: 'e', ё: 'e', "'": '',
  y: 'i', j: 'i', g: 'h', w: 'v', q: 'k', x: 'ks',
};
