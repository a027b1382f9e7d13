/** The `x-kobza-sources` header value: URL-encoded entries, titles cut at 200 characters. */
import { describe, expect, it } from 'vitest';
import { sourcesHeaderValue } from '../../../adapters/http/sources.js';

describe('sourcesHeaderValue', () => {
  it('encodes each source so URLSearchParams reads it back, the same on a repeat', () => {
    const sources = [
      { id: 'faq#1', title: 'Де гуртожиток?', url: 'https://example.org/a?b=c&d' },
      { id: 'pages/campus.md#x', title: 'Т'.repeat(250) },
    ];
    const value = sourcesHeaderValue(sources);
    expect(sourcesHeaderValue(sources)).toBe(value);
    const [first, second] = value.split(', ').map((entry) => new URLSearchParams(entry));
    expect(Object.fromEntries(first)).toEqual(sources[0]);
    expect(second.get('id')).toBe('pages/campus.md#x');
    expect(second.get('title')).toBe('Т'.repeat(200));
    expect(second.has('url')).toBe(false);
    expect(sourcesHeaderValue([])).toBe('');
  });
});
