/**
 * Body fields both APIs share: free-form JSON (response formats, JSON schemas) kept to a
 * sane depth so a hostile body cannot blow the stack further down, and images.
 */
import { z } from 'zod';

/** Nesting depth of a parsed JSON value, computed without recursion. */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

export const MAX_JSON_DEPTH = 32;

/** Any JSON value nested at most MAX_JSON_DEPTH levels. */
export const boundedJson = z.unknown().refine((value) => jsonDepth(value, MAX_JSON_DEPTH) <= MAX_JSON_DEPTH, {
  error: `expected a JSON value nested at most ${MAX_JSON_DEPTH} levels`,
});

/** A JSON object (a JSON schema) nested at most MAX_JSON_DEPTH levels. */
export const boundedJsonObject = z
  .record(z.string(), z.unknown())
  .refine((value) => jsonDepth(value, MAX_JSON_DEPTH) <= MAX_JSON_DEPTH, { error: `expected a JSON object nested at most ${MAX_JSON_DEPTH} levels` });

/** Go's time.ParseDuration syntax, which Ollama uses for string `keep_alive` values. */
export const GO_DURATION = /^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^0$/;

/** How long the upstream keeps the model loaded: a Go duration (`"5m"`) or seconds. */
const KEEP_ALIVE_EXPECTED = 'expected a duration such as "5m", "1h30m", or a number of seconds';
export const keepAliveSchema = z.union(
  [z.string().regex(GO_DURATION, { error: KEEP_ALIVE_EXPECTED }), z.number().min(-1e12, { error: KEEP_ALIVE_EXPECTED }).max(1e12, { error: KEEP_ALIVE_EXPECTED })],
  { error: KEEP_ALIVE_EXPECTED },
);

const DATA_URL = /^data:image\/[a-z0-9.+-]+;base64,/i;

/** The base64 payload of a `data:image/…;base64,` URL, or undefined for anything else. */
export function base64OfDataUrl(url: string): string | undefined {
  const match = DATA_URL.exec(url);
  return match ? url.slice(match[0].length) : undefined;
}
