/**
 * Normalisation and tokenisation: the one place that decides what two spellings of the
 * same question have in common (case, apostrophe glyphs, punctuation, emoji, spacing,
 * Latin look-alike letters typed inside Cyrillic words).
 */

/** Every apostrophe-like glyph people type in Ukrainian words (’ ' ʼ ` ‘ ′ ＇ ´). */
const APOSTROPHES = /[\u2019\u0027\u02BC\u0060\u2018\u2032\uFF07\u00B4\u02B9]/g;

/** Latin letters that look like Cyrillic ones; fixed only inside words that are mostly Cyrillic. */
const LATIN_LOOKALIKE: Record<string, string> = {
  a: 'а', e: 'е', i: 'і', o: 'о', p: 'р', c: 'с', x: 'х', y: 'у', k: 'к', m: 'м', t: 'т', h: 'н', b: 'в',
};

const CYRILLIC = /[\u0400-\u04FF]/;
const LATIN = /[a-z]/;

/**
 * Normalise a text for comparison: NFC, lowercase, one apostrophe (`'`), punctuation and
 * emoji removed, hyphens split, whitespace collapsed. Digits keep a decimal point.
 *
 * @example
 * normalize('  Скільки   КОШТУЄ навчання?? 🤔 ') // 'скільки коштує навчання'
 * normalize('Комп’ютерні науки')                 // "комп'ютерні науки"
 */
export function normalize(text: string): string {
  let s = text.normalize('NFC').toLowerCase().replace(APOSTROPHES, "'");
  // Thousands separators ("1 000", "1,000", "12 500") go; a decimal separator ("2.5", "1,5") stays.
  s = s.replace(/(\d)[ \u00a0\u202f,](?=\d{3}(?!\d))/g, '$1');
  // Keep decimal separators between digits ("2.5", "1,5"), drop every other non-letter.
  s = s.replace(/(\d)[.,](\d)/g, '$1\u0001$2');
  s = s.replace(/[^\p{L}\p{N}'\u0001]+/gu, ' ');
  s = s.replace(/\u0001/g, '.');
  // An apostrophe only lives between letters; elsewhere it was a quote.
  s = s.replace(/(^|[^\p{L}'])'+|'+(?=[^\p{L}]|$)/gu, '$1');
  const words = s.split(' ').filter(Boolean).map(fixLookalikes);
  return words.join(' ');
}

/** "стипeндія" with a Latin "e" → all Cyrillic, when the word is mostly Cyrillic already. */
function fixLookalikes(word: string): string {
  if (!CYRILLIC.test(word) || !LATIN.test(word)) return word;
  let cyr = 0;
  let lat = 0;
  for (const ch of word) {
    if (CYRILLIC.test(ch)) cyr++;
    else if (LATIN.test(ch)) lat++;
  }
  if (cyr < lat) return word;
  let out = '';
  for (const ch of word) out += LATIN_LOOKALIKE[ch] ?? ch;
  return out;
}

/**
 * Normalised word tokens (digits included, apostrophes kept inside words).
 *
 * @example
 * tokenize("Де комп'ютерний корпус №2?") // ['де', "комп'ютерний", 'корпус', '2']
 */
export function tokenize(text: string): string[] {
  const n = normalize(text);
  return n ? n.split(' ') : [];
}

/**
 * The script of a token: mostly Cyrillic, mostly Latin, digits, or other.
 *
 * @example
 * scriptOf('kontrakt') // 'latin'
 */
export function scriptOf(token: string): 'cyrillic' | 'latin' | 'digit' | 'other' {
  let cyr = 0;
  let lat = 0;
  let dig = 0;
  for (const ch of token) {
    if (ch >= '0' && ch <= '9') dig++;
    else if (CYRILLIC.test(ch)) cyr++;
    else if (LATIN.test(ch)) lat++;
  }
  if (cyr === 0 && lat === 0) return dig > 0 ? 'digit' : 'other';
  return cyr >= lat ? 'cyrillic' : 'latin';
}
