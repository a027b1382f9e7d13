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

/** The deepest a whole request body may nest (its fields' own JSON is held to MAX_JSON_DEPTH). */
export const MAX_BODY_DEPTH = 64;

/**
 * True when JSON text nests deeper than `limit`, found by one pass over the text before it
 * is parsed: JSON.parse copes with any depth, but every recursive walk after it (zod, the
 * pipeline) would overflow the stack on a 100,000-deep array. Strings are skipped with
 * `indexOf`, so a large base64 image costs little; malformed text is left to the parser.
 * @example
 * jsonTooDeep('[[[1]]]', 2) // true
 */
export function jsonTooDeep(text: string, limit: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      // Skip the string: the next quote not escaped by an odd run of backslashes.
      for (;;) {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return false;
        let slashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === 92 /* \ */; j--) slashes++;
        i = end;
        if (slashes % 2 === 0) break;
      }
    } else if (code === 91 /* [ */ || code === 123 /* { */) {
      if (++depth > limit) return true;
    } else if (code === 93 /* ] */ || code === 125 /* } */) {
      depth--;
    }
  }
  return false;
}

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
