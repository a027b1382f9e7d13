/**
 * Abort helpers shared by providers, middleware and adapters: a delay that an AbortSignal
 * cuts short, and the coded error an abort stands for.
 */
import { setTimeout } from 'node:timers/promises';
import { KobzaError } from './errors.js';

/**
 * Waits `ms`, or rejects with the coded abort error (see `errorForAbort`) as soon as
 * `signal` fires. The one abortable delay: retry backoffs, paced replays, rate limits.
 * @example
 * await delay(250 * 2 ** attempt, request.signal); // retry backoff
 */
export async function delay(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await setTimeout(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    if (signal?.aborted) throw errorForAbort(signal);
    throw err;
  }
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
