/**
 * Do two generated answers to one question say the same thing? Used by the semantic cache's
 * `admit: agree`: an answer is shared only once two independent generations agree. The
 * rule is deliberately strict on facts and loose on wording: the same numbers (prices,
 * dates, phone numbers, card numbers — a poisoned answer differs exactly there) and most of
 * the same content words.
 */
import { tokenize } from './normalize.js';
import { stem } from './stem.js';

function numbersOf(text: string): Set<string> {
  return new Set([...text.matchAll(/\d[\d\s.,:/-]*\d|\d/g)].map((m) => m[0].replace(/\D/g, '')));
}

function stemsOf(text: string): Set<string> {
  const stems = new Set<string>();
  for (const token of tokenize(text)) if (token.length >= 3 && !/^\d+$/.test(token)) stems.add(stem(token));
  return stems;
}

/**
 * Whether two answers agree: equal sets of numbers and a content-word overlap (Jaccard of
 * stems) of at least `minOverlap` (default 0.5).
 *
 * @example
 * answersAgree('Навчання коштує 25 000 грн на рік.', 'Вартість навчання — 25 000 грн на рік.') // true
 * answersAgree('Навчання коштує 25 000 грн.', 'Навчання коштує 30 000 грн.')                  // false
 */
export function answersAgree(a: string, b: string, minOverlap = 0.5): boolean {
  const numbersA = numbersOf(a);
  const numbersB = numbersOf(b);
  if (numbersA.size !== numbersB.size) return false;
  for (const n of numbersA) if (!numbersB.has(n)) return false;
  const stemsA = stemsOf(a);
  const stemsB = stemsOf(b);
  if (stemsA.size === 0 && stemsB.size === 0) return a.trim() === b.trim();
  let shared = 0;
  for (const s of stemsA) if (stemsB.has(s)) shared++;
  return shared / (stemsA.size + stemsB.size - shared) >= minOverlap;
}
