/**
 * The kernel's one typed event bus, on eventemitter3. Metrics and logs listen to it; no
 * plugin calls another through events. `on()` returns its own unsubscribe function.
 */
import { EventEmitter } from 'eventemitter3';
import type { KobzaError } from './errors.js';
import type { ReplyMeta, ReplySource } from './types.js';

export interface KobzaEvents {
  'request:start': { requestId: string; conversationId: string; model: string; adapter?: string };
  'cache:hit': { requestId: string; similarity: number; exact: boolean; key?: string };
  'cache:miss': { requestId: string; reason: string; bestSimilarity?: number; vetoedBy?: string };
  'ranking:candidate': {
    requestId: string;
    index: number;
    score: number;
    scores: Record<string, number>;
    vetoedBy?: string;
    error?: string;
    durationMs: number;
  };
  'ranking:chosen': { requestId: string; index: number; score: number; candidates: number; reason: string };
  'reply:first-chunk': { requestId: string; ttftMs: number; source: ReplySource };
  'request:end': { requestId: string; durationMs: number; meta: ReplyMeta };
  'request:error': { requestId: string; error: KobzaError; durationMs: number };
  /** A store call failed or timed out (see `guardStore`); the answer went on without it. */
  'store:error': { owner: string; store: string; operation: string; timedOut: boolean; message: string };
  /** A store answered again after an outage. */
  'store:recovered': { owner: string; store: string; downMs: number };
}

export type KobzaEventName = keyof KobzaEvents;

/** Told about a listener that threw (the kernel logs it); the emit goes on regardless. */
export type ListenerErrorHandler = (error: unknown, event: KobzaEventName) => void;

/**
 * Typed event bus (the payload types live here; eventemitter3 below sees names only). Each listener is wrapped so that one that throws is reported to
 * `onListenerError` and skipped — a listener's bug cannot fail the request it observes or
 * keep the listeners after it from hearing the event. An emit calls the listeners present
 * when it began (eventemitter3's semantics): one unsubscribed during an emit still hears
 * that emit, not the next.
 * @example
 * const off = bus.on('cache:hit', (e) => log.info({ similarity: e.similarity }, 'cache hit'));
 * off();
 */
export class EventBus {
  readonly #emitter = new EventEmitter<KobzaEventName>();
  readonly #onListenerError: ListenerErrorHandler;

  constructor(options: { onListenerError?: ListenerErrorHandler } = {}) {
    this.#onListenerError = options.onListenerError ?? (() => {});
  }

  on<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): () => void {
    const isolated = this.#isolate(event, listener);
    this.#emitter.on(event, isolated);
    return () => void this.#emitter.off(event, isolated);
  }

  /** Listens to the next emit of `event` only; the returned function cancels that. */
  once<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): () => void {
    const isolated = this.#isolate(event, listener);
    this.#emitter.once(event, isolated);
    return () => void this.#emitter.off(event, isolated);
  }

  emit<K extends KobzaEventName>(event: K, payload: KobzaEvents[K]): void {
    this.#emitter.emit(event, payload);
  }

  listenerCount(event: KobzaEventName): number {
    return this.#emitter.listenerCount(event);
  }

  #isolate<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): (payload: KobzaEvents[K]) => void {
    const report = this.#onListenerError;
    return function isolatedListener(payload) {
      try {
        listener(payload);
      } catch (err) {
        report(err, event);
      }
    };
  }
}
