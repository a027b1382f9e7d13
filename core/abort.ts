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

/**
 * An abort whose AbortSignal is made only when someone reads it. Most requests are never
 * aborted and many (a cache hit) never hand their signal to anything that listens, so the
 * AbortController each would cost is made on the first read of `signal` (already aborted,
 * with the stored reason, when `abort` came first). `aborted` never makes it.
 * @example
 * const abort = new LazyAbort();
 * response.once('close', () => abort.abort());
 * if (!abort.aborted) await fetch(url, { signal: abort.signal });
 */
export class LazyAbort {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #listeners: (() => void)[] | undefined;

  /** The signal; made (and aborted, when `abort` came first) on the first read. */
  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = this.#controller = new AbortController();
      if (this.#aborted) controller.abort(this.#reason);
    }
    return controller.signal;
  }

  /** True once `abort` was called; never makes the signal. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Aborts once; later calls change nothing (as with AbortController). */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /**
   * Calls `listener` once on `abort` (never when already aborted), without making the
   * signal; returns what removes it.
   */
  onAbort(listener: () => void): () => void {
    (this.#listeners ??= []).push(listener);
    return () => {
      const at = this.#listeners?.indexOf(listener) ?? -1;
      if (at >= 0) this.#listeners!.splice(at, 1);
    };
  }
}
