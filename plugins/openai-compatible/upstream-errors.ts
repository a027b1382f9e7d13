/**
 * Turns failures of an OpenAI-compatible upstream (llama.cpp server, vLLM, LM Studio), as
 * the `openai` client reports them, into coded KobzaErrors that say what to do.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { KobzaError } from '../../core/index.js';

export type ExchangePhase = 'before-first-token' | 'streaming';

export interface FailureContext {
  baseURL: string;
  model: string;
  phase: ExchangePhase;
  /** The exchange's own abort signal; its reason (abort, timeout) wins over the symptom. */
  signal: AbortSignal;
  requestId?: string;
}

export interface UpstreamFailure {
  error: KobzaError;
  /** The server could not be reached at all: worth a retry after a pause. */
  connection: boolean;
}

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let i = 0; i < 5 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** How to fix an unreachable server. */
export function unreachableHint(baseURL: string): string {
  return `start the server (llama-server, vllm serve, or LM Studio's local server) or fix plugins.openai-compatible.baseURL (now ${baseURL})`;
}

function upstreamMessage(err: APIError): string {
  const body = err.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : err.message;
}

/**
 * Classifies one failed exchange.
 * @example
 * const { error } = classifyFailure(err, { baseURL, model, phase: 'streaming', signal });
 */
export function classifyFailure(err: unknown, context: FailureContext): UpstreamFailure {
  const { baseURL, model, phase, signal, requestId } = context;
  const make = (code: KobzaError['code'], message: string, connection = false): UpstreamFailure => ({
    error: new KobzaError(code, message, { cause: err, requestId, details: { baseURL } }),
    connection,
  });

  if (signal.aborted && signal.reason instanceof KobzaError) {
    const reason = signal.reason;
    return { error: new KobzaError(reason.code, reason.message, { cause: err, requestId, details: { ...reason.details, baseURL } }), connection: false };
  }
  if (err instanceof KobzaError) return { error: err, connection: false };
  if (err instanceof APIUserAbortError || (err as { name?: string })?.name === 'AbortError') return make('ABORTED', 'the request was aborted');
  if (err instanceof APIConnectionTimeoutError) return make('UPSTREAM_TIMEOUT', `${baseURL} did not answer in time; ${unreachableHint(baseURL)}`, true);
  if (err instanceof APIConnectionError) {
    const code = causeCode(err);
    if (phase === 'streaming') return make('UPSTREAM_BAD_RESPONSE', `${baseURL} dropped the connection mid-stream${code ? ` (${code})` : ''}`);
    const what = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found' : (code ?? 'connection failed');
    return make('UPSTREAM_UNAVAILABLE', `cannot reach ${baseURL} (${what}); ${unreachableHint(baseURL)}`, true);
  }
  if (err instanceof APIError) {
    const message = upstreamMessage(err);
    const status = err.status;
    if (status === undefined) return make('UPSTREAM_BAD_RESPONSE', `${baseURL} reported an error ${phase === 'streaming' ? 'mid-stream' : 'before the first token'}: ${message}`);
    if (status === 404) {
      return /model/i.test(message)
        ? make('MODEL_NOT_FOUND', `model "${model}" not found at ${baseURL}: ${message}; see the models it serves (GET ${baseURL}/models) or fix plugins.openai-compatible.model`)
        : make('UPSTREAM_BAD_RESPONSE', `${baseURL} answered 404 (${message}); the baseURL usually ends in /v1`);
    }
    if (status === 401 || status === 403) return make('UPSTREAM_BAD_RESPONSE', `${baseURL} rejected the API key (${status}: ${message}); set plugins.openai-compatible.apiKey`);
    if (status === 400 || status === 422) return make('BAD_REQUEST', `${baseURL} rejected the request (${status}): ${message}`);
    if (status === 429 || status === 503) return make('UPSTREAM_UNAVAILABLE', `${baseURL} is busy or still loading (${status}): ${message}`);
    return make('UPSTREAM_BAD_RESPONSE', `${baseURL} answered HTTP ${status}: ${message}`);
  }
  if (err instanceof SyntaxError) return make('UPSTREAM_BAD_RESPONSE', `${baseURL} sent a malformed stream: ${err.message}`);
  const code = causeCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (phase === 'streaming' || code) return make('UPSTREAM_BAD_RESPONSE', `${baseURL} closed the connection mid-stream (${code ?? message})`);
  return make('UPSTREAM_BAD_RESPONSE', `unexpected failure talking to ${baseURL}: ${message}`);
}
