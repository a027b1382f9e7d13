/**
 * The kernel's one typed event bus. Metrics and logs listen to it; no plugin calls
 * another through events. `on()` returns its own unsubscribe function.
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
}

export type KobzaEventName = keyof KobzaEvents;

/**
 * Typed event bus.
 * @example
 * const off = bus.on('cache:hit', (e) => log.info({ similarity: e.similarity }, 'cache hit'));
 * off();
 */
export class EventBus {
  readonly #emitter = new EventEmitter();

  on<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => {
      this.#emitter.off(event, listener);
    };
  }

  once<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): () => void {
    this.#emitter.once(event, listener);
    return () => {
      this.#emitter.off(event, listener);
    };
  }

  /** Emits to every listener; a throwing listener is isolated so it cannot break a request. */
  emit<K extends KobzaEventName>(event: K, payload: KobzaEvents[K]): void {
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (p: KobzaEvents[K]) => void)(payload);
      } catch {
        // A listener's bug must not fail the request it observes.
      }
    }
  }

  listenerCount(event: KobzaEventName): number {
    return this.#emitter.listenerCount(event);
  }
}
