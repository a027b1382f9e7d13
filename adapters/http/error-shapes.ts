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
  ABORTED: 'invalid_request_error',
};

/** The HTTP status of a coded error. */
export function statusOf(error: KobzaError): number {
  return HTTP_STATUS[error.code] ?? 500;
}

/** The JSON body of an error in the shape of the API the client called. */
export function errorBody(error: KobzaError, family: ApiFamily): Record<string, unknown> {
  if (family === 'openai') {
    return {
      error: {
        message: error.message,
        type: OPENAI_TYPES[error.code] ?? (statusOf(error) >= 500 ? 'server_error' : 'invalid_request_error'),
        param: typeof error.details.param === 'string' ? error.details.param : null,
        code: error.code,
      },
    };
  }
  return { error: error.message, code: error.code };
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

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  const custom = issue.message.startsWith('expected') ? issue.message : undefined;
  const got = input === undefined ? ', got nothing' : `, got ${render(input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `${custom ?? `expected ${issue.expected}`}${got}`;
    case 'invalid_value':
      return `${custom ?? `expected one of ${issue.values.map((v) => render(v)).join(', ')}`}${got}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `>= ${String(issue.minimum)}` : `<= ${String(issue.maximum)}`;
      const what = issue.origin === 'string' ? `a length ${bound}` : issue.origin === 'array' ? `${bound} items` : `a number ${bound}`;
      return `${custom ?? `expected ${what}`}${got}`;
    }
    default:
      return `${custom ?? 'expected a valid value'}${got}`;
  }
}

/**
 * A BAD_REQUEST naming the first offending field (`param` in details, like OpenAI's).
 * @example
 * const parsed = schema.safeParse(body, { reportInput: true });
 * if (!parsed.success) throw validationError(parsed.error, request.id);
 */
export function validationError(error: z.ZodError, requestId?: string): KobzaError {
  const issue = error.issues[0];
  const param = fieldPath(issue.path);
  return new KobzaError('BAD_REQUEST', `${param}: ${describeIssue(issue)}`, { requestId, details: { param } });
}

/**
 * A BAD_REQUEST for a parameter Kobza refuses because ignoring it would mislead.
 * @example
 * throw unsupported('n', 'expected 1; Kobza returns one choice', request.id);
 */
export function unsupported(param: string, message: string, requestId?: string): KobzaError {
  return new KobzaError('BAD_REQUEST', `${param}: ${message}`, { requestId, details: { param } });
}
