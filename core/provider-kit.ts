/**
 * What every LLM provider plugin repeats around its upstream client: an exchange that
 * follows the request's signal, the wait before a retry, the idle watch on a stream, and
 * the shared part of turning a failure into a coded KobzaError. Providers keep what is
 * their own (which client errors mean what, the hints that say what to fix).
 */
import { delay, errorForAbort } from './abort.js';
import { KobzaError, type ErrorCode } from './errors.js';

/** Where in the exchange a failure happened. */
export type ExchangePhase = 'before-first-token' | 'streaming';

/** A classified failure: the coded error, and whether the upstream could not be reached at all. */
export interface UpstreamFailure {
  error: KobzaError;
  /** Connection refused / reset / unreachable / connect timeout: worth a retry after a pause. */
  connection: boolean;
}

/** Makes the failures of one classification, all carrying the cause, request id and details. */
export type FailureMaker = (code: ErrorCode, message: string, connection?: boolean) => UpstreamFailure;

/**
 * Starts classifying `err`: the exchange signal's coded reason (an abort, a timeout Kobza
 * set) wins over the symptom, and an already coded error stays as it is. Otherwise it
 * returns the maker for the provider's own verdicts.
 * @example
 * const start = startClassifying(err, signal, requestId, { host });
 * if ('error' in start) return start;
 * const make = start.make;
 * return make('UPSTREAM_UNAVAILABLE', `cannot reach ${host}`, true);
 */
export function startClassifying(err: unknown, signal: AbortSignal, requestId: string | undefined, details: Record<string, unknown>): UpstreamFailure | { make: FailureMaker } {
  if (signal.aborted && signal.reason instanceof KobzaError) {
    const reason = signal.reason;
    return { error: new KobzaError(reason.code, reason.message, { cause: err, requestId, details: { ...reason.details, ...details } }), connection: false };
  }
  if (err instanceof KobzaError) return { error: err, connection: false };
  return {
    make: (code, message, connection = false) => ({ error: new KobzaError(code, message, { cause: err, requestId, details }), connection }),
  };
}

/**
 * The system error code (`ECONNREFUSED`, …) somewhere in an error's `cause` chain.
 * @example
 * errnoCode(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })) // 'ECONNREFUSED'
 */
export function errnoCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let i = 0; i < 5 && current && typeof current === 'object'; i++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A system error code in words, for "cannot reach … (what)".
 * @example
 * unreachableReason('ECONNREFUSED') // 'connection refused'
 */
export function unreachableReason(code: string | undefined, fallback = 'connection failed'): string {
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  return code ?? fallback;
}

/** One request/response with the upstream, aborted when the request is. */
export interface FollowingExchange {
  controller: AbortController;
  /** Drops the listener on the request's signal; safe to call twice; also runs on abort. */
  release(): void;
}

/**
 * A controller for one exchange that aborts (with the coded reason) when `signal` does.
 * It releases itself when aborted, so an aborted exchange frees its slot at once even if
 * nobody reads the reply again.
 * @example
 * const { controller, release } = followSignal(request.signal, { requestId: request.id, upstream: 'Ollama', onRelease: () => live.delete(controller) });
 */
export function followSignal(signal: AbortSignal, options: { requestId?: string; upstream?: string; onRelease?: () => void } = {}): FollowingExchange {
  const controller = new AbortController();
  const onAbort = () => controller.abort(errorForAbort(signal, options.requestId, options.upstream));
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    signal.removeEventListener('abort', onAbort);
    controller.signal.removeEventListener('abort', release);
    options.onRelease?.();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  if (!released) controller.signal.addEventListener('abort', release, { once: true });
  return { controller, release };
}

/**
 * The pause before a retry; an abort meanwhile rejects with the coded abort error.
 * @example
 * await retryPause(backoffMs * 2 ** attempt, request.signal, request.id, 'Ollama');
 */
export function retryPause(ms: number, signal: AbortSignal, requestId?: string, upstream?: string): Promise<void> {
  return delay(ms, signal).catch(() => {
    throw errorForAbort(signal, requestId, upstream);
  });
}

/**
 * One timer for a stream's silences: it counts only while waiting for the upstream (not
 * while a slow consumer holds a chunk) and is restarted before each wait.
 * @example
 * const idle = idleWatch(idleMs, () => controller.abort(new KobzaError('UPSTREAM_TIMEOUT', 'went silent')));
 * try { step = await idle.wait(iterator.next()); } finally { idle.stop(); }
 */
export function idleWatch(ms: number, onSilence: () => void): { wait<T>(next: Promise<T>): Promise<T>; stop(): void } {
  let waiting = false;
  const timer = setTimeout(() => {
    if (waiting) onSilence();
  }, ms);
  return {
    async wait(next) {
      waiting = true;
      timer.refresh();
      try {
        return await next;
      } finally {
        waiting = false;
      }
    },
    stop: () => clearTimeout(timer),
  };
}
