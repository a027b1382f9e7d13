/**
 * Admission: where a finished answer is written, behind the reply. The trust decision
 * (trust.ts) names the tier; here the shared tier gets its last checks — no personal data
 * in the answer, nothing repeated from what the user wrote earlier — and, with
 * `admit: agree`, a second independent generation that agrees before anything is served to
 * others. Writes run after the reply ended and are tracked, so the very next lookup in the
 * namespace can wait (bounded) for them and shutdown can flush them.
 */
import type { Logger } from 'pino';
import { BoundedMap, type ChatRequest } from '../../core/index.js';
import { answersAgree, normalize, personalDataIn, shareableAnswer } from '../../core/text/index.js';
import type { CacheScope } from './scope.js';
import type { SemanticCache } from './semantic-cache.js';
import type { TrustDecision } from './trust.js';

/** The context key of answers waiting for a second, agreeing generation (`admit: agree`). */
export const PENDING_CONTEXT = 'admit-pending';

/** Conversation that produced each pending answer, so a repeat in the same conversation does not count as independent. */
const pendingOrigins = new BoundedMap<string, string>(4096);

export interface AdmitInput {
  cache: SemanticCache;
  trust: Extract<TrustDecision, { cacheable: true }>;
  answer: string;
  model: string;
  request: ChatRequest;
  admit: 'first' | 'agree';
  logger?: Pick<Logger, 'debug'>;
}

/**
 * Writes `answer` where the trust decision allows.
 * @returns where it went: 'shared', 'pending', 'conversation' or 'none' (with why).
 */
export async function admitAnswer(input: AdmitInput): Promise<{ tier: 'shared' | 'pending' | 'conversation' | 'none'; reason?: string }> {
  const { cache, trust, answer, model, request } = input;
  if (trust.tier === 'none' || !trust.write) return { tier: 'none', reason: trust.reason };
  if (trust.tier === 'conversation') {
    await cache.store(trust.question, answer, trust.write, model);
    return { tier: 'conversation' };
  }
  if (personalDataIn(trust.question).length > 0) return { tier: 'none', reason: 'personal-data-in-question' };
  const shareable = shareableAnswer(answer, trust.earlierUserTexts);
  if (!shareable.shareable) {
    input.logger?.debug({ reqId: request.id, reason: shareable.reason }, 'semantic cache: answer carries personal data; not shared');
    return { tier: 'none', reason: `personal-data:${shareable.reason}` };
  }
  if (input.admit === 'first') {
    await cache.store(trust.question, answer, trust.write, model);
    return { tier: 'shared' };
  }
  const pendingScope: CacheScope = { ...trust.write, contextKey: PENDING_CONTEXT };
  const earlier = await cache.lookup(trust.question, pendingScope);
  if (earlier.hit) {
    const origin = pendingOrigins.get(earlier.entry.id);
    if (origin !== undefined && origin === request.conversationId) return { tier: 'pending', reason: 'same-conversation' };
    if (answersAgree(earlier.entry.answer, answer)) {
      // The earlier of the two agreeing answers is served: it was generated first and the
      // second only confirms it.
      await cache.store(earlier.entry.question, earlier.entry.answer, trust.write, earlier.entry.model || model);
      return { tier: 'shared' };
    }
  }
  const record = await cache.store(trust.question, answer, pendingScope, model);
  if (record) pendingOrigins.set(record.id, request.conversationId);
  return { tier: 'pending', reason: earlier.hit ? 'disagreed' : 'first-generation' };
}

/**
 * Cache writes still running behind replies, per question: the key is the namespace and the
 * normalised question (`writeKeyOf`), so a lookup waits only for the write of its own
 * question — a new question in a busy namespace goes to the model at once.
 * @example
 * writes.track(writeKeyOf(namespace, question), write);
 * if (writes.pending > 0) await writes.settledFor(writeKeyOf(namespace, question), 300); // before a lookup
 */
export class WriteTracker {
  readonly #byKey = new Map<string, Set<Promise<unknown>>>();
  /** Writes running now; a lookup checks this before building a key (no write, no work). */
  pending = 0;

  track(key: string, write: Promise<unknown>): void {
    let set = this.#byKey.get(key);
    if (set === undefined) {
      set = new Set();
      this.#byKey.set(key, set);
    }
    set.add(write);
    this.pending++;
    void write.finally(() => {
      this.pending--;
      set.delete(write);
      if (set.size === 0 && this.#byKey.get(key) === set) this.#byKey.delete(key);
    });
  }

  /** Resolves when the writes under `key` settled, or after `timeoutMs`; undefined when none run. */
  settledFor(key: string, timeoutMs: number): Promise<void> | undefined {
    const set = this.#byKey.get(key);
    if (set === undefined || set.size === 0) return undefined;
    return waitAtMost([...set], timeoutMs);
  }

  /** Every write settled, or `timeoutMs` passed (shutdown). */
  async settled(timeoutMs: number): Promise<void> {
    const all = [...this.#byKey.values()].flatMap((set) => [...set]);
    if (all.length > 0) await waitAtMost(all, timeoutMs);
  }
}

/** The WriteTracker key of a question in a namespace: equal for texts that normalise alike. */
export function writeKeyOf(namespace: string, question: string): string {
  return `${namespace}\u0000${normalize(question)}`;
}

function waitAtMost(writes: Promise<unknown>[], timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void Promise.allSettled(writes).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
