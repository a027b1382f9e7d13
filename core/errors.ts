/**
 * One error type for all of Kobza, with a stable `code` that adapters map to an HTTP
 * status, a Telegram message or a console line. Whatever a plugin throws is wrapped with
 * the request it happened in (`requestId`), keeping the original as `cause`.
 */

/** Stable error codes. Adapters map them; users and tests match on them. */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'PLUGIN_DEPENDENCY',
  'PLUGIN_CONFLICT',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_BAD_RESPONSE',
  'MODEL_NOT_FOUND',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'FORBIDDEN_ORIGIN',
  'FORBIDDEN_HOST',
  'NOT_FOUND',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'OVERLOADED',
  'ABORTED',
  'STORE_UNAVAILABLE',
  'NOT_IMPLEMENTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status for each code; adapters other than HTTP use it as a severity hint. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  CONFIG_INVALID: 500,
  PLUGIN_DEPENDENCY: 500,
  PLUGIN_CONFLICT: 500,
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
  UPSTREAM_BAD_RESPONSE: 502,
  MODEL_NOT_FOUND: 404,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  FORBIDDEN_ORIGIN: 403,
  FORBIDDEN_HOST: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  OVERLOADED: 503,
  ABORTED: 499,
  STORE_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
  INTERNAL: 500,
};

export interface KobzaErrorOptions {
  cause?: unknown;
  requestId?: string;
  /** Structured extra facts (e.g. `problems` for CONFIG_INVALID, `retryAfterMs`). */
  details?: Record<string, unknown>;
}

/**
 * The one error type.
 * @example
 * throw new KobzaError('MODEL_NOT_FOUND', `model "qwen2.5:7b" not found; run: ollama pull qwen2.5:7b`);
 */
export class KobzaError extends Error {
  override readonly name = 'KobzaError';
  readonly code: ErrorCode;
  requestId?: string;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: KobzaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.requestId = options.requestId;
    this.details = options.details ?? {};
  }

  /** The HTTP status this error maps to. */
  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; requestId?: string } {
    return { code: this.code, message: this.message, requestId: this.requestId };
  }
}

/** True for a KobzaError, optionally of one code. */
export function isKobzaError(err: unknown, code?: ErrorCode): err is KobzaError {
  return err instanceof KobzaError && (code === undefined || err.code === code);
}

/** True for the errors `AbortController.abort()` produces. */
export function isAbortError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const name = (err as { name?: string }).name;
  return name === 'AbortError' || (err instanceof KobzaError && err.code === 'ABORTED');
}

/**
 * Wraps anything thrown into a KobzaError tied to a request. Already-coded errors keep
 * their code; aborts become ABORTED; everything else is INTERNAL with the original as cause.
 * @example
 * catch (err) { throw wrapError(err, request.id) }
 */
export function wrapError(err: unknown, requestId?: string): KobzaError {
  if (err instanceof KobzaError) {
    if (requestId && !err.requestId) err.requestId = requestId;
    return err;
  }
  if (isAbortError(err)) {
    return new KobzaError('ABORTED', 'the request was aborted', { cause: err, requestId });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new KobzaError('INTERNAL', `internal error: ${message}`, { cause: err, requestId });
}
