/**
 * Light stemming: cut the inflectional ending so that "гуртожитку", "гуртожиток" and
 * "гуртожитки" meet. One stemmer serves Ukrainian, Russian and surzhyk (their endings
 * overlap and mixed text is common); English gets a small Porter-style step 1. It is
 * deliberately light: stems are compared with a spelling distance afterwards, and an
 * over-eager stemmer would merge words that differ in meaning.
 */

import type { Lang } from './language.js';
import { transliterateToken } from './transliterate.js';

/** Slavic inflectional endings, longest first. Both uk and ru; reflexive -ся/-сь first. */
const SLAVIC_ENDINGS: readonly string[] = [
  'ування', 'ювання',
  'увати', 'ювати', 'ували', 'ювали', 'уєте', 'уєме',
  // Present tense with the thematic vowel (навчаєте/навчати, поступает/поступать) and the
  // imperative (подайте/подати, зверніть(ся)/звернути(ся), плануйте/планувати). Only
  // with the vowel: a bare -ет/-ит/-іть would cut nouns.
  'аєте', 'яєте', 'аємо', 'яємо', 'ають', 'яють', 'аєш', 'яєш', 'ає', 'яє',
  'ает', 'яет', 'ует', 'еет', 'ают', 'яют', 'уют', 'еют', 'аешь', 'яешь', 'аете', 'яете', 'аем', 'яем',
  'айте', 'яйте', 'уйте', 'юйте', 'ійте', 'іть',
  'ами', 'ями', 'ові', 'еві', 'єві', 'ого', 'ому', 'ему', 'его', 'ими', 'ыми', 'ати', 'яти', 'ити', 'іти',
  'ути', 'ать', 'ять', 'ить', 'еть', 'уть', 'ють', 'ють', 'ують', 'юють', 'ете', 'ите', 'емо', 'имо', 'ємо',
  'ешь', 'ишь', 'ала', 'ало', 'али', 'ила', 'ило', 'или', 'ула', 'уло', 'ули', 'ого', 'ому', 'ими',
  'ах', 'ях', 'ам', 'ям', 'ої', 'ій', 'ий', 'ый', 'ой', 'ей', 'ею', 'єю', 'ою', 'ім', 'им', 'ым', 'их',
  'іх', 'ых', 'ів', 'їв', 'ов', 'ев', 'ом', 'ем', 'єм', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ую', 'юю',
  // No bare -ат/-ят/-ет/-ит/-ут/-ют: they would cut nouns (деканат → декан, бюджет, інститут).
  'ує', 'ює', 'ти', 'ть', 'ла', 'ло', 'ли',
  'а', 'я', 'у', 'ю', 'і', 'ї', 'и', 'ы', 'е', 'є', 'о', 'ь', 'й',
].sort((a, b) => b.length - a.length);

const MIN_SLAVIC_STEM = 3;

function stemSlavic(word: string): string {
  let w = word.replace(/'/g, '').replace(/ё/g, 'е').replace(/ъ/g, '');
  if (w.length <= MIN_SLAVIC_STEM) return w;
  // Reflexive particle first: навчатися → навчати → навч.
  if ((w.endsWith('ся') || w.endsWith('сь')) && w.length - 2 >= MIN_SLAVIC_STEM + 1) w = w.slice(0, -2);
  for (const ending of SLAVIC_ENDINGS) {
    if (w.length - ending.length >= MIN_SLAVIC_STEM && w.endsWith(ending)) {
      w = w.slice(0, -ending.length);
      break;
    }
  }
  if (w.endsWith('ь') && w.length > MIN_SLAVIC_STEM) w = w.slice(0, -1);
  return w;
}

function isConsonant(ch: string): boolean {
  return /[bcdfghjklmnpqrstvwxz]/.test(ch);
}

function stemEnglish(word: string): string {
  let w = word.replace(/'s$/, '').replace(/'/g, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is') && w.length > 3) w = w.slice(0, -1);
  let cut = false;
  if (w.endsWith('ied') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('eed')) {
    /* agreed, need: keep */
  } else if (w.endsWith('ed') && w.length > 4 && /[aeiouy]/.test(w.slice(0, -2))) {
    w = w.slice(0, -2);
    cut = true;
  } else if (w.endsWith('ing') && w.length > 5 && /[aeiouy]/.test(w.slice(0, -3))) {
    w = w.slice(0, -3);
    cut = true;
  }
  if (cut) {
    const last = w[w.length - 1];
    if (last === w[w.length - 2] && isConsonant(last) && !'lsz'.includes(last)) w = w.slice(0, -1);
  }
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  if (w.endsWith('y') && w.length > 3 && isConsonant(w[w.length - 2])) w = w.slice(0, -1) + 'i';
  return w;
}

/**
 * Light stem of one normalised word. The language is taken from the script when not given
 * (Cyrillic → Slavic endings, Latin → English); digits pass unchanged.
 *
 * @example
 * stem('гуртожитку') // 'гуртожитк'
 * stem('навчатися')  // 'навч'
 * stem('studying', 'en') // 'studi' (as 'studies', 'study')
 */
export function stem(word: string, lang?: Lang): string {
  const w = word.toLowerCase();
  if (/[\u0400-\u04FF]/.test(w)) return stemSlavic(w);
  if (/[a-z]/.test(w)) return lang === 'uk' || lang === 'ru' ? stemSlavic(transliterateToken(w, lang)) : stemEnglish(w);
  return w;
}
