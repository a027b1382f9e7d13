/**
 * Source URLs reach clients (`sources`, `x-kobza-sources`) and become links in the chat page
 * and the operator console, so only web addresses are kept: a `javascript:` or `data:` URL in
 * a page's front matter, canonical link or an FAQ entry would be a script in someone's browser.
 */

/**
 * The URL when it is an absolute http(s) address, else undefined (dropped).
 * @example
 * webUrl(' https://example.edu/fees ') // 'https://example.edu/fees'
 * webUrl('javascript:alert(1)')        // undefined
 */
export function webUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^https?:\/\//i.test(text)) return undefined;
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:' ? text : undefined;
  } catch {
    return undefined;
  }
}
