/**
 * The documents an answer is grounded in (`meta.sources`, set by the knowledge plugin), as
 * HTTP shows them: the `x-kobza-sources` header on every chat response (streamed or not),
 * and a `sources` field in non-streamed JSON bodies.
 *
 * Header format: one entry per source, separated by `, `; each entry is a URL query string
 * (`id=…&title=…&url=…`, values URL-encoded), so `new URLSearchParams(entry)` reads it.
 */
import type { FastifyReply } from 'fastify';
import { memoizeString, type ReplyMeta, type ReplySourceRef } from '../../core/index.js';

/** Header values are kept under this many characters (proxies refuse huge headers). */
const HEADER_LIMIT = 4000;
const TITLE_LIMIT = 200;

/**
 * `encodeURIComponent`, remembered: the same few documents are cited again and again, and
 * encoding their (Cyrillic) titles was ~10 µs of every cited answer.
 */
const encode = memoizeString(encodeURIComponent, 4096, 1024);

/**
 * The `x-kobza-sources` value of a list of sources ('' for none).
 * @example
 * sourcesHeaderValue([{ id: 'faq#1', title: 'Де гуртожиток?' }])
 * // 'id=faq%231&title=%D0%94%D0%B5%20%D0%B3%D1%83%D1%80%D1%82%D0%BE%D0%B6%D0%B8%D1%82%D0%BE%D0%BA%3F'
 */
export function sourcesHeaderValue(sources: readonly ReplySourceRef[] | undefined): string {
  if (!sources || sources.length === 0) return '';
  let value = '';
  for (const source of sources) {
    let entry = `id=${encode(source.id)}&title=${encode(source.title.length > TITLE_LIMIT ? source.title.slice(0, TITLE_LIMIT) : source.title)}`;
    if (source.url) entry += `&url=${encode(source.url)}`;
    const next = value ? `${value}, ${entry}` : entry;
    if (next.length > HEADER_LIMIT) break;
    value = next;
  }
  return value;
}

/** Sets `x-kobza-sources` when the answer has sources. */
export function setSourcesHeader(reply: FastifyReply, meta: ReplyMeta): void {
  const value = sourcesHeaderValue(meta.sources);
  if (value) reply.header('x-kobza-sources', value);
}

/** `{ sources: [...] }` for a JSON body when the answer has sources, else `{}`. */
export function sourcesField(meta: ReplyMeta): { sources?: ReplySourceRef[] } {
  return meta.sources && meta.sources.length > 0 ? { sources: meta.sources } : {};
}
