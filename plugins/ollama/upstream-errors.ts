/**
 * Turns whatever went wrong between Kobza and Ollama into a coded KobzaError whose message
 * tells a user what to do. The `ollama` client does not export its ResponseError class,
 * so errors are recognised by `name` / `status_code`.
 */
import { errnoCode, redactUrl, startClassifying, unreachableReason, type ExchangePhase, type UpstreamFailure } from '../../core/index.js';
import { ConnectionClosedError, ConnectTimeoutError, MalformedStreamError, type ExchangeReport } from './transport.js';

export type { ExchangePhase, UpstreamFailure };

export interface FailureContext {
  /** The host's URL; credentials in it are redacted before it reaches a message. */
  host: string;
  model: string;
  phase: ExchangePhase;
  /** The exchange's own abort signal; its reason (abort, timeout) wins over the symptom. */
  signal: AbortSignal;
  report: ExchangeReport;
  requestId?: string;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT']);

/** How to fix an unreachable Ollama, appended to UPSTREAM_UNAVAILABLE messages (credentials redacted). */
export function unreachableHint(host: string): string {
  return `start Ollama with \`ollama serve\`, or point OLLAMA_HOST (plugins.ollama.host) at a running server (now ${host.split(', ').map(redactUrl).join(', ')})`;
}

/** What to run when a model is missing. */
export function pullHint(model: string): string {
  return `run: ollama pull ${model}`;
}

/**
 * Classifies a failure of one exchange with one host.
 * @example
 * const { error, connection } = classifyFailure(err, { host, model, phase: 'streaming', signal, report });
 */
export function classifyFailure(err: unknown, context: FailureContext): UpstreamFailure {
  const { model, phase, signal, report, requestId } = context;
  // Messages and details reach logs and clients: never a `user:pass@` of the host URL.
  const host = redactUrl(context.host);
  const start = startClassifying(err, signal, requestId, { host });
  if ('error' in start) return start;
  const { make } = start;
  if (err instanceof ConnectTimeoutError) {
    return make('UPSTREAM_TIMEOUT', `could not connect to Ollama at ${host} within ${err.timeoutMs} ms; ${unreachableHint(host)}`, true);
  }
  if (err instanceof MalformedStreamError) return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} sent a malformed stream: ${err.message}`);
  if (report.streamError !== undefined) {
    return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} reported an error ${phase === 'streaming' ? 'mid-stream' : 'before the first token'}: ${report.streamError}`);
  }
  if (err instanceof ConnectionClosedError) {
    return phase === 'streaming' || err.afterBytes > 0
      ? make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} closed the connection mid-stream`)
      : make('UPSTREAM_UNAVAILABLE', `Ollama at ${host} closed the connection before answering`, true);
  }

  const name = (err as { name?: unknown })?.name;
  const status = (err as { status_code?: unknown })?.status_code;
  if (name === 'ResponseError' && typeof status === 'number') {
    const upstreamMessage = (err as Error).message;
    if (status === 404 && /not found/i.test(upstreamMessage)) {
      return make('MODEL_NOT_FOUND', `model "${model}" not found on Ollama at ${host}; ${pullHint(model)}`);
    }
    if (status === 503 || status === 429) return make('UPSTREAM_UNAVAILABLE', `Ollama at ${host} is busy (${status}): ${upstreamMessage}`);
    if (status === 400) return make('BAD_REQUEST', `Ollama at ${host} rejected the request (400): ${upstreamMessage}`);
    return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} answered HTTP ${status}: ${upstreamMessage}`);
  }

  const code = errnoCode(err);
  if (code && CONNECTION_CODES.has(code)) {
    if (phase === 'streaming' || report.bytes > 0) return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} dropped the connection mid-stream (${code})`);
    return make('UPSTREAM_UNAVAILABLE', `cannot reach Ollama at ${host} (${unreachableReason(code)}); ${unreachableHint(host)}`, true);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/did not receive done/i.test(message) || (phase === 'streaming' && !report.sawDone && /done/i.test(message))) {
    return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} ended the stream without "done"; the answer is incomplete`);
  }
  if (err instanceof SyntaxError) return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} sent a response that is not JSON: ${message}`);
  if (name === 'AbortError') return make('ABORTED', 'the request was aborted');
  return make('UPSTREAM_BAD_RESPONSE', `unexpected failure talking to Ollama at ${host}: ${message}`);
}
