/**
 * From a question's text to the tokens the analyser scans: normalised, glued digits split,
 * English contractions expanded, "15 тис." made a number, Latin-letter Ukrainian/Russian
 * transliterated. Also what only the raw text shows: code-like symbols, quoted words and
 * capitalised acronyms.
 */

import { guessLanguage, type ScriptGuess } from '../language.js';
import { normalize, scriptOf } from '../normalize.js';
import { transliterateToken } from '../transliterate.js';
import { WORDS } from './cues.js';

/** The tokens of one question and how they were obtained. */
export interface QuestionTokens {
  normalized: string;
  tokens: string[];
  /** Tokens produced by transliteration (their spelling is a guess). */
  transliterated: Set<string>;
  guess: ScriptGuess;
}

/** "what's" → what is, "doesn't" → does not: English contractions hide stop-words and negation. */
function expandEnglishContractions(tokens: string[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (!t.includes("'") || !/^[a-z']+$/.test(t)) { out.push(t); continue; }
    const irregular = WORDS.irregularNegations[t];
    if (irregular) { out.push(...irregular); continue; }
    const suffix = Object.keys(WORDS.contractions).find((c) => t.endsWith(c) && t.length > c.length);
    if (suffix) { out.push(t.slice(0, -suffix.length), ...WORDS.contractions[suffix]); continue; }
    if (t.endsWith("'s")) {
      const base = t.slice(0, -2);
      // "what's", "it's", "there's" are "… is"; "student's" is a possessive.
      out.push(base);
      if (WORDS.whIs.has(base)) out.push('is');
      continue;
    }
    out.push(t);
  }
  return out;
}

/** "15k", "15 тис.", "15 thousand" → 15000, so that the same amount compares equal. */
function applyThousands(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (/^\d+(\.\d+)?$/.test(t) && WORDS.thousand.has(tokens[i + 1] ?? '')) {
      out.push(String(Math.round(Number(t) * 1000)));
      i++;
    } else out.push(t);
  }
  return out;
}

/**
 * The tokens of a question, transliterated to Cyrillic when it is Latin-letter Ukrainian or Russian.
 *
 * @example
 * questionTokens("what's 15k").tokens // ['what', 'is', '15000']
 */
export function questionTokens(text: string): QuestionTokens {
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
  return { normalized, tokens, transliterated, guess };
}

/** Code-like symbols: what remains after dropping natural parentheses "(контракт)". */
export function symbolsOf(text: string): string[] {
  const stripped = text.replace(/\([^()]*\p{L}{2,}[^()]*\)/gu, ' ');
  const found = stripped.match(/[\[\](){}<>=~%+*#&|^$@\\]+/g) ?? [];
  return [...new Set(found)].sort();
}

/** Words inside quotation marks (not apostrophes): "…", “…”, „…“, «…». */
export function quotedWordsOf(text: string): Set<string> {
  const out = new Set<string>();
  if (!/["“”„«»]/u.test(text)) return out;
  for (const match of text.matchAll(/["“”„«»]+([^"“”„«»]{1,80}?)["“”„«»]+/gu)) {
    for (const t of normalize(match[1]).split(' ')) if (t && !/^\d/.test(t)) out.add(t);
  }
  return out;
}

const NO_WORDS: ReadonlySet<string> = new Set();

/**
 * Latin words written in capitals (2–5 letters) that would otherwise read as function words:
 * "IT", "US", "AM", "OR". Only when the text is not shouted in capitals as a whole.
 */
export function acronymsOf(text: string): ReadonlySet<string> {
  if (!/[A-Z]{2}/.test(text)) return NO_WORDS;
  const words = text.match(/\p{L}+/gu) ?? [];
  const caps = words.filter((w) => w.length >= 2 && w.length <= 5 && /^[A-Z]+$/.test(w));
  if (caps.length === 0 || caps.length * 2 > words.length) return NO_WORDS;
  return new Set(caps.map((w) => w.toLowerCase()).filter((w) => WORDS.stop.has(w) && !WORDS.shoutedAuxiliaries.has(w)));
}
