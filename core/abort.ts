/**
 * Abort helpers shared by providers and middleware: a delay that an AbortSignal cuts
 * short, and the coded error an abort stands for.
 */
import { KobzaError } from './errors.js';

/**
 * Waits `ms`, or rejects with the coded abort error as soon as `signal` fires.
 * @example
 * await abortableDelay(250 * 2 ** attempt, request.signal); // retry backoff
 */
export function abortableDelay(ms: number, signal: AbortSignal, upstream = 'the upstream'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(errorForAbort(signal, undefined, upstream));
    const onAbort = () => {
      clearTimeout(timer);
      reject(errorForAbort(signal, undefined, upstream));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The KobzaError an abort stands for: the signal's own coded reason, UPSTREAM_TIMEOUT for
 * `AbortSignal.timeout`, else ABORTED.
 * @example
 * signal.addEventListener('abort', () => controller.abort(errorForAbort(signal, request.id, 'Ollama')));
 */
export function errorForAbort(signal: AbortSignal, requestId?: string, upstream = 'the upstream'): KobzaError {
  const reason = signal.reason;
  if (reason instanceof KobzaError) return reason;
  if ((reason as { name?: string })?.name === 'TimeoutError') return new KobzaError('UPSTREAM_TIMEOUT', `${upstream} did not answer within the time limit`, { requestId, cause: reason });
  return new KobzaError('ABORTED', 'the request was aborted', { requestId, cause: reason });
}
