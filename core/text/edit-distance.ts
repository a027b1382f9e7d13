/**
 * The one edit distance of the code base: optimal string alignment (Damerau–Levenshtein
 * without repeated edits of one substring), because a swapped pair of letters is the most
 * common typo ("нвачання"). Typo-tolerant word pairing and "did you mean" both use it.
 */

/**
 * Edit distance (optimal string alignment: insertions, deletions, substitutions and swaps of
 * two adjacent letters each cost 1) with an early exit above `max` (returns max + 1 then).
 *
 * @example
 * editDistanceWithin('розклад', 'розклат', 2) // 1
 */
export function editDistanceWithin(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  // Three rolling rows: optimal string alignment (Levenshtein + adjacent transposition).
  let before = new Array<number>(lb + 1).fill(0);
  let prev = new Array<number>(lb + 1);
  let cur = new Array<number>(lb + 1);
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1] + (ca === cb ? 0 : 1);
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb && before[j - 2] + 1 < v) {
        v = before[j - 2] + 1;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const spare = before;
    before = prev;
    prev = cur;
    cur = spare;
  }
  return prev[lb];
}

/**
 * The full edit distance (no early exit), for ranking suggestions.
 *
 * @example
 * editDistance('semantic-cahce', 'semantic-cache') // 1
 */
export function editDistance(a: string, b: string): number {
  return editDistanceWithin(a, b, Infinity);
}
