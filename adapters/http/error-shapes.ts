/**
 * How failures look on the wire. Every error — thrown by the kernel, by Fastify (body too
 * large, bad JSON), by the rate limiter or by validation — becomes a KobzaError first, then
 * the shape of the API the client called: OpenAI `{ error: { message, type, param, code } }`
 * or Ollama `{ error, code }`. Stack traces never reach clients.
 */
import type { z } from 'zod';
import { HTTP_STATUS, KobzaError, wrapError, type ErrorCode } from '../../core/index.js';

/** Which API family a URL belongs to; decides the error shape. */
export type ApiFamily = 'openai' | 'ollama';

export function apiFamilyOf(url: string): ApiFamily {
  return url.startsWith('/v1/') || url === '/v1' ? 'openai' : 'ollama';
}

const OPENAI_TYPES: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: 'invalid_request_error',
  NOT_FOUND: 'invalid_request_error',
  MODEL_NOT_FOUND: 'invalid_request_error',
  PAYLOAD_TOO_LARGE: 'invalid_request_error',
  UNAUTHORIZED: 'authentication_error',
  RATE_LIMITED: 'rate_limit_error',
  FORBIDDEN_ORIGIN: 'permission_error',
  FORBIDDEN_HOST: 'permission_error',
  OVERLOADED: 'server_error',
  ABORTED: 'invalid_request_error',
};

/** The HTTP status of a coded error. */
export function statusOf(error: KobzaError): number {
  return HTTP_STATUS[error.code] ?? 500;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>,;)]+/gi;

/** What an internal address is replaced with in a message a client sees. */
export const HIDDEN_ADDRESS = '[upstream]';

/**
 * The `host:port` of each address Kobza talks to (the provider's upstreams, stores, the
 * embedder, the Bot API), for `publicMessage`.
 * @example
 * internalHosts(['http://10.0.0.5:11434', 'redis://cache:6379']) // Set { '10.0.0.5:11434', 'cache:6379' }
 */
export function internalHosts(addresses: Iterable<string>): ReadonlySet<string> {
  const hosts = new Set<string>();
  for (const address of addresses) {
    const host = hostOf(address.includes('://') ? address : `http://${address}`);
    if (host) hosts.add(host);
  }
  return hosts;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** An address to hide: with credentials, not a web address (a store's), or one of `internal`. */
function isInternal(url: string, internal: ReadonlySet<string>): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) return true;
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return true;
    return internal.has(parsed.host.toLowerCase());
  } catch {
    return true;
  }
}

/**
 * A message fit for a client: internal addresses become `[upstream]`; the logs keep the full
 * message. Given the hosts Kobza talks to (`internalHosts`), only those (and store URLs or
 * URLs with credentials) are hidden, so a value the client sent — a refused `Origin` — is
 * named as sent; without them every URL is hidden.
 * @example
 * publicMessage('Ollama at http://10.0.0.5:11434 did not answer') // 'Ollama at [upstream] did not answer'
 * publicMessage('origin "https://evil.example" is not allowed', internalHosts(['http://10.0.0.5:11434'])) // unchanged
 */
export function publicMessage(message: string, internal?: ReadonlySet<string>): string {
  if (!message.includes('://')) return message;
  return message.replace(URL_IN_TEXT, (url) => (internal === undefined || isInternal(url, internal) ? HIDDEN_ADDRESS : url));
}

/** The JSON body of an error in the shape of the API the client called; `internal` as for `publicMessage`. */
export function errorBody(error: KobzaError, family: ApiFamily, internal?: ReadonlySet<string>): Record<string, unknown> {
  const message = publicMessage(error.message, internal);
  if (family === 'openai') {
    return {
      error: {
        message,
        type: OPENAI_TYPES[error.code] ?? (statusOf(error) >= 500 ? 'server_error' : 'invalid_request_error'),
        param: typeof error.details.param === 'string' ? error.details.param : null,
        code: error.code,
      },
    };
  }
  return { error: message, code: error.code };
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/**
 * Turns anything a Fastify request can fail with into a KobzaError. Fastify's own errors
 * carry `FST_*` codes; their messages are safe to show (they never contain the body).
 */
export function toKobzaError(err: unknown, requestId?: string): KobzaError {
  if (err instanceof KobzaError) return wrapError(err, requestId);
  const fastify = (err ?? {}) as FastifyLikeError;
  const code = typeof fastify.code === 'string' ? fastify.code : '';
  const status = typeof fastify.statusCode === 'number' ? fastify.statusCode : undefined;
  const coded = (c: ErrorCode, message: string) => new KobzaError(c, message, { cause: err, requestId });
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return coded('PAYLOAD_TOO_LARGE', 'the request body is larger than the configured bodyLimit');
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return coded('BAD_REQUEST', 'body: expected a JSON object, got an empty body');
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return coded('BAD_REQUEST', 'the Content-Length header does not match the body');
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return coded('BAD_REQUEST', 'body: expected application/json');
  if (code === 'FST_ERR_CTP_INVALID_TYPE' || code === 'FST_ERR_CTP_INVALID_HEADER') return coded('BAD_REQUEST', 'body: expected application/json');
  if (status === 400 && /prototype/i.test(fastify.message ?? '')) return coded('BAD_REQUEST', 'body: expected JSON without __proto__ or constructor.prototype keys');
  if (status === 400 && (err instanceof SyntaxError || /JSON/i.test(fastify.message ?? ''))) return coded('BAD_REQUEST', 'body: expected valid JSON');
  if (status === 413) return coded('PAYLOAD_TOO_LARGE', 'the request body is too large');
  if (status === 429) return coded('RATE_LIMITED', 'too many requests; slow down and retry later');
  if (status === 404) return coded('NOT_FOUND', 'not found');
  if (status !== undefined && status >= 400 && status < 500) return coded('BAD_REQUEST', `bad request (${code || status})`);
  return wrapError(err, requestId);
}

function render(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `messages[0].content` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[], root = 'body'): string {
  if (path.length === 0) return root;
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/** Bounds larger than this are representation limits (float32), named by their own message. */
const NAMED_BOUND = 1e15;

interface SchemaDef {
  type: string;
  checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; minimum?: number; maximum?: number } } }[];
  element?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  innerType?: z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

/** `from 0 to 2`, `at least 1`, `at most 16`, `0 or more`, or '' when unbounded. */
function range(low: number | undefined, high: number | undefined, unit = ''): string {
  if (low !== undefined && high !== undefined) return low === high ? `exactly ${low}${unit}` : `from ${low} to ${high}${unit}`;
  if (low !== undefined) return low === 0 ? `0${unit} or more` : `at least ${low}${unit}`;
  if (high !== undefined) return `at most ${high}${unit}`;
  return '';
}

function describeNumber(def: SchemaDef): string {
  let low: number | undefined;
  let high: number | undefined;
  let whole = false;
  for (const check of def.checks ?? []) {
    const { check: kind, value, inclusive } = check._zod.def;
    if (kind === 'number_format') whole = true;
    else if (value !== undefined && Math.abs(value) < NAMED_BOUND) {
      if (kind === 'greater_than') low = Math.max(low ?? -Infinity, value);
      if (kind === 'less_than') high = Math.min(high ?? Infinity, value);
      if (!inclusive) return `${whole ? 'a whole number' : 'a number'} ${kind === 'greater_than' ? '>' : '<'} ${value}`;
    }
  }
  const what = whole ? 'a whole number' : 'a number';
  const bounds = range(low, high);
  if (!bounds) return what;
  return bounds.startsWith('from') ? `${what} ${bounds}` : `${what}, ${bounds}`;
}

function lengthBounds(def: SchemaDef, unit: string): string {
  let low: number | undefined;
  let high: number | undefined;
  for (const check of def.checks ?? []) {
    const { check: kind, minimum, maximum } = check._zod.def;
    if (kind === 'min_length') low = minimum;
    if (kind === 'max_length') high = maximum;
  }
  return range(low, high, unit);
}

function elementsOf(element: z.core.$ZodType | undefined): string {
  const type = element ? defOf(element).type : '';
  return type === 'string' ? ' of strings' : type === 'number' ? ' of numbers' : type === 'object' ? ' of objects' : '';
}

function listAlternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? 'a valid value') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A union's choices one by one: `true, false, low, medium or high` rather than nested lists. */
function alternatives(schema: z.core.$ZodType): string[] {
  const def = defOf(schema);
  if (def.type === 'boolean') return ['true', 'false'];
  if (def.type === 'enum') return Object.values(def.entries ?? {}).map(String);
  if (def.type === 'literal') return (def.values ?? []).map((v) => JSON.stringify(v));
  if (def.type === 'union') return (def.options ?? []).flatMap(alternatives);
  return [describeSchema(schema)];
}

/**
 * What a schema accepts, in words.
 * @example
 * describeSchema(z.number().int().min(0).max(20)) // 'a whole number from 0 to 20'
 * describeSchema(z.union([z.string(), z.array(z.string())])) // 'a string or an array of strings'
 */
export function describeSchema(schema: z.core.$ZodType): string {
  const def = defOf(schema);
  switch (def.type) {
    case 'string': {
      const bounds = lengthBounds(def, ' characters');
      return bounds ? `a string of ${bounds}` : 'a string';
    }
    case 'number':
      return describeNumber(def);
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'literal':
      return listAlternatives((def.values ?? []).map((v) => JSON.stringify(v)));
    case 'enum':
      return `one of ${Object.values(def.entries ?? {}).join(', ')}`;
    case 'array': {
      const bounds = lengthBounds(def, ' items').replace(/^from /, '').replace(/ 1 items$/, ' 1 item');
      return `an array${elementsOf(def.element)}${bounds ? ` with ${bounds}` : ''}`;
    }
    case 'object':
      return 'an object';
    case 'record':
      return 'a JSON object';
    case 'union':
      return listAlternatives((def.options ?? []).flatMap(alternatives));
    case 'nullable':
      return def.innerType ? `${describeSchema(def.innerType)} or null` : 'a valid value';
    case 'optional':
    case 'default':
    case 'readonly':
      return def.innerType ? describeSchema(def.innerType) : 'a valid value';
    default:
      return 'a valid value';
  }
}

const DESCRIBED = new Set(['invalid_type', 'invalid_value', 'invalid_union', 'too_small', 'too_big']);

/**
 * The one error map for HTTP request bodies, passed to each parse (never set globally:
 * Kobza is a library). It says what the field accepts, read from the field's schema; a
 * field's own message (a format hint such as keep_alive's) still wins. `validationError`
 * adds the field path and what was sent: `messages[0].content: expected a string, got 5`.
 */
export const bodyErrorMap: z.core.$ZodErrorMap = (issue) => {
  const schema = (issue as { schema?: z.core.$ZodType }).schema ?? (issue.inst as z.core.$ZodType | undefined);
  if (schema?._zod && DESCRIBED.has(issue.code ?? '')) return `expected ${describeSchema(schema)}`;
  return 'expected a valid value';
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  const got = input === undefined ? ', got nothing' : `, got ${render(input)}`;
  return `${issue.message.startsWith('expected') ? issue.message : 'expected a valid value'}${got}`;
}

/**
 * A BAD_REQUEST naming the first offending field (`param` in details, like OpenAI's).
 * @example
 * const parsed = schema.safeParse(body, { reportInput: true, error: bodyErrorMap });
 * if (!parsed.success) throw validationError(parsed.error, request.id);
 */
export function validationError(error: z.ZodError, requestId?: string): KobzaError {
  const issue = error.issues[0];
  const param = fieldPath(issue.path);
  return new KobzaError('BAD_REQUEST', `${param}: ${describeIssue(issue)}`, { requestId, details: { param } });
}

/**
 * Parses a request body with the body error map; a wrong field is a BAD_REQUEST naming it.
 * @example
 * const body = parseBody(embeddingsSchema, request.body, request.id);
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, requestId?: string): z.output<S> {
  const parsed = schema.safeParse(body, { reportInput: true, error: bodyErrorMap });
  if (!parsed.success) throw validationError(parsed.error, requestId);
  return parsed.data;
}

/**
 * A BAD_REQUEST for a parameter Kobza refuses because ignoring it would mislead.
 * @example
 * throw unsupported('n', 'expected 1; Kobza returns one choice', request.id);
 */
export function unsupported(param: string, message: string, requestId?: string): KobzaError {
  return new KobzaError('BAD_REQUEST', `${param}: ${message}`, { requestId, details: { param } });
}
