/**
 * Turns failures of an OpenAI-compatible upstream (llama.cpp server, vLLM, LM Studio), as
 * the `openai` client reports them, into coded KobzaErrors that say what to do.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { errnoCode, redactUrl, startClassifying, unreachableReason, type ExchangePhase, type UpstreamFailure } from '../../core/index.js';

export type { ExchangePhase, UpstreamFailure };

export interface FailureContext {
  /** The server's base URL; credentials in it are redacted before it reaches a message. */
  baseURL: string;
  model: string;
  phase: ExchangePhase;
  /** The exchange's own abort signal; its reason (abort, timeout) wins over the symptom. */
  signal: AbortSignal;
  requestId?: string;
}

/** How to fix an unreachable server (credentials redacted). */
export function unreachableHint(baseURL: string): string {
  return `start the server (llama-server, vllm serve, or LM Studio's local server) or fix plugins.openai-compatible.baseURL (now ${redactUrl(baseURL)})`;
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
  const { model, phase, signal, requestId } = context;
  // Messages and details reach logs and clients: never a `user:pass@` of the base URL.
  const baseURL = redactUrl(context.baseURL);
  const start = startClassifying(err, signal, requestId, { baseURL });
  if ('error' in start) return start;
  const { make } = start;
  if (err instanceof APIUserAbortError || (err as { name?: string })?.name === 'AbortError') return make('ABORTED', 'the request was aborted');
  if (err instanceof APIConnectionTimeoutError) return make('UPSTREAM_TIMEOUT', `${baseURL} did not answer in time; ${unreachableHint(baseURL)}`, true);
  if (err instanceof APIConnectionError) {
    const code = errnoCode(err);
    if (phase === 'streaming') return make('UPSTREAM_BAD_RESPONSE', `${baseURL} dropped the connection mid-stream${code ? ` (${code})` : ''}`);
    return make('UPSTREAM_UNAVAILABLE', `cannot reach ${baseURL} (${unreachableReason(code)}); ${unreachableHint(baseURL)}`, true);
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
  const code = errnoCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (phase === 'streaming' || code) return make('UPSTREAM_BAD_RESPONSE', `${baseURL} closed the connection mid-stream (${code ?? message})`);
  return make('UPSTREAM_BAD_RESPONSE', `unexpected failure talking to ${baseURL}: ${message}`);
}
