/**
 * The kernel's one typed event bus. Metrics and logs listen to it; no plugin calls
 * another through events. `on()` returns its own unsubscribe function.
 */
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

type Listener = (payload: never) => void;

interface Subscription {
  readonly listener: Listener;
  readonly once: boolean;
}

const NO_SUBSCRIPTIONS: readonly Subscription[] = Object.freeze([]);

/**
 * Typed event bus. Each event's listeners are kept in an array that is replaced, never
 * changed, when someone subscribes or unsubscribes, so `emit` iterates a stable snapshot
 * without copying it — an emit costs nothing when nobody listens, and no allocation when
 * someone does (the kernel emits several events per request).
 * @example
 * const off = bus.on('cache:hit', (e) => log.info({ similarity: e.similarity }, 'cache hit'));
 * off();
 */
export class EventBus {
  readonly #subscriptions = new Map<KobzaEventName, readonly Subscription[]>();

  on<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): () => void {
    return this.#add(event, listener as Listener, false);
  }

  /** Listens to the next emit of `event` only. */
  once<K extends KobzaEventName>(event: K, listener: (payload: KobzaEvents[K]) => void): () => void {
    return this.#add(event, listener as Listener, true);
  }

  /** Emits to every listener; a throwing listener is isolated so it cannot break a request. */
  emit<K extends KobzaEventName>(event: K, payload: KobzaEvents[K]): void {
    const subscriptions = this.#subscriptions.get(event);
    if (subscriptions === undefined) return;
    for (let i = 0; i < subscriptions.length; i++) {
      const subscription = subscriptions[i];
      if (subscription.once) this.#remove(event, subscription);
      try {
        (subscription.listener as (p: KobzaEvents[K]) => void)(payload);
      } catch {
        // A listener's bug must not fail the request it observes.
      }
    }
  }

  listenerCount(event: KobzaEventName): number {
    return this.#subscriptions.get(event)?.length ?? 0;
  }

  #add(event: KobzaEventName, listener: Listener, once: boolean): () => void {
    this.#subscriptions.set(event, [...(this.#subscriptions.get(event) ?? NO_SUBSCRIPTIONS), { listener, once }]);
    return () => {
      // Like an EventEmitter's off(): every subscription of this listener goes.
      const current = this.#subscriptions.get(event);
      if (current === undefined) return;
      const kept = current.filter((s) => s.listener !== listener);
      if (kept.length === current.length) return;
      if (kept.length === 0) this.#subscriptions.delete(event);
      else this.#subscriptions.set(event, kept);
    };
  }

  #remove(event: KobzaEventName, subscription: Subscription): void {
    const current = this.#subscriptions.get(event);
    if (current === undefined || !current.includes(subscription)) return;
    const kept = current.filter((s) => s !== subscription);
    if (kept.length === 0) this.#subscriptions.delete(event);
    else this.#subscriptions.set(event, kept);
  }
}
