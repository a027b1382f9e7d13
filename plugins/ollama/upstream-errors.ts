/**
 * Turns whatever went wrong between Kobza and Ollama into a coded KobzaError whose message
 * tells a user what to do. The `ollama` client does not export its ResponseError class,
 * so errors are recognised by `name` / `status_code`.
 */
import { KobzaError } from '../../core/index.js';
import { ConnectionClosedError, ConnectTimeoutError, MalformedStreamError, type ExchangeReport } from './transport.js';

/** Where in the exchange the failure happened. */
export type ExchangePhase = 'before-first-token' | 'streaming';

export interface FailureContext {
  host: string;
  model: string;
  phase: ExchangePhase;
  /** The exchange's own abort signal; its reason (abort, timeout) wins over the symptom. */
  signal: AbortSignal;
  report: ExchangeReport;
  requestId?: string;
}

/** A classified failure: the coded error, and whether the host could not be reached at all. */
export interface UpstreamFailure {
  error: KobzaError;
  /** Connection refused / reset / unreachable / connect timeout: cool the host down, retry. */
  connection: boolean;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT']);

function causeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let i = 0; i < 4 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** How to fix an unreachable Ollama, appended to UPSTREAM_UNAVAILABLE messages. */
export function unreachableHint(host: string): string {
  return `start Ollama with \`ollama serve\`, or point OLLAMA_HOST (plugins.ollama.host) at a running server (now ${host})`;
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
  const { host, model, phase, signal, report, requestId } = context;
  const make = (code: KobzaError['code'], message: string, connection = false): UpstreamFailure => ({
    error: new KobzaError(code, message, { cause: err, requestId, details: { host } }),
    connection,
  });

  if (signal.aborted && signal.reason instanceof KobzaError) {
    const reason = signal.reason;
    return { error: new KobzaError(reason.code, reason.message, { cause: err, requestId, details: { ...reason.details, host } }), connection: false };
  }
  if (err instanceof KobzaError) return { error: err, connection: false };
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

  const code = causeCode(err);
  if (code && CONNECTION_CODES.has(code)) {
    if (phase === 'streaming' || report.bytes > 0) return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} dropped the connection mid-stream (${code})`);
    const what = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'host name not found' : code;
    return make('UPSTREAM_UNAVAILABLE', `cannot reach Ollama at ${host} (${what}); ${unreachableHint(host)}`, true);
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/did not receive done/i.test(message) || (phase === 'streaming' && !report.sawDone && /done/i.test(message))) {
    return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} ended the stream without "done"; the answer is incomplete`);
  }
  if (err instanceof SyntaxError) return make('UPSTREAM_BAD_RESPONSE', `Ollama at ${host} sent a response that is not JSON: ${message}`);
  if (name === 'AbortError') return make('ABORTED', 'the request was aborted');
  return make('UPSTREAM_BAD_RESPONSE', `unexpected failure talking to Ollama at ${host}: ${message}`);
}
