/**
 * Outbound rules for every Bot API call, as one grammY API transformer (so handlers
 * never think about them):
 * - a global cap of N messages per second (Telegram: about 30); final sends queue for it,
 *   frames never wait for it (skipped when the budget is taken, so finals come first);
 * - a 429 `retry_after` puts the chat on hold: *intermediate* frames (drafts, edits of a
 *   growing answer, typing) are skipped while it lasts — never queued — and *final*
 *   sends wait it out and retry a bounded number of times (@grammyjs/auto-retry);
 * - the bot token never leaves in an error: grammY's network errors carry the request
 *   URL, which contains it.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { GrammyError, HttpError, type Transformer } from 'grammy';
import { delay, type Logger } from '../../core/index.js';

/** Marks a payload as an intermediate frame. A symbol key never reaches the wire (JSON skips it). */
export const INTERMEDIATE = Symbol('kobza.telegram.intermediate');

/**
 * Marks a payload as an intermediate frame: skipped on 429 instead of retried.
 * @example
 * await api.raw.editMessageText(intermediate({ chat_id, message_id, text }));
 */
export function intermediate<T extends object>(payload: T): T {
  Object.defineProperty(payload, INTERMEDIATE, { value: true, enumerable: true });
  return payload;
}

function isIntermediate(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as Record<symbol, unknown>)[INTERMEDIATE] === true;
}

/** Calls that put a message in a chat and count against Telegram's flood limits. */
const SENDING = /^(send|edit|copy|forward|delete)/;

export interface OutboundOptions {
  token: string;
  messagesPerSecond: number;
  /** Retries of a final send (429, 5xx, network). */
  finalRetries: number;
  /** Longest `retry_after` a final send waits for. */
  maxRetryAfterSeconds: number;
  logger: Logger;
  /** First wait before retrying a final send after a network error (doubles each time). */
  networkRetryMs?: number;
}

export interface Outbound {
  transformer: Transformer;
  /** `Date.now()` until which a chat is on hold after a 429 (0 when not). */
  holdUntil(chatId: number): number;
}

/** Replaces the token (and any `/bot…/` URL segment) in text. */
export function redactToken(text: string, token: string): string {
  let out = token ? text.split(token).join('[redacted]') : text;
  out = out.replace(/\/bot\d+:[\w-]+/g, '/bot[redacted]');
  return out;
}

/**
 * Removes the token from an error, its stack and the errors it wraps, in place.
 * @example
 * catch (err) { throw redactError(err, token) }
 */
export function redactError<E>(err: E, token: string, depth = 0): E {
  if (!err || typeof err !== 'object' || depth > 4) return err;
  const target = err as Record<string, unknown>;
  for (const key of ['message', 'stack', 'description']) {
    if (typeof target[key] === 'string') {
      try {
        target[key] = redactToken(target[key] as string, token);
      } catch {
        // a read-only property: leave it
      }
    }
  }
  for (const key of ['error', 'cause']) if (target[key] && typeof target[key] === 'object') redactError(target[key], token, depth + 1);
  return err;
}

interface RateGate {
  /** Waits for a slot (first come first served); call the returned function when the call ended. */
  acquire(): Promise<() => void>;
  /** A slot right now if one is free and nobody waits, else undefined. */
  tryAcquire(): (() => void) | undefined;
}

/**
 * At most `limit` calls in any window of one second. A slot is taken when a call starts
 * and freed one window after it *ends*, so the limit holds as Telegram sees it (arrival
 * times), not only as we see it.
 */
function createRateGate(limit: number): RateGate {
  const capacity = Math.max(1, Math.floor(limit));
  const windowMs = (capacity / limit) * 1000;
  const freeAt: number[] = new Array(capacity).fill(0);
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  let onRelease: (() => void) | undefined;
  const take = (): (() => void) | undefined => {
    const slot = freeAt.findIndex((at) => at <= Date.now());
    if (slot === -1) return undefined;
    freeAt[slot] = Number.POSITIVE_INFINITY;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      freeAt[slot] = Date.now() + windowMs;
      onRelease?.();
    };
  };
  return {
    tryAcquire: () => (waiting === 0 ? take() : undefined),
    acquire() {
      waiting++;
      const turn = tail.then(async () => {
        try {
          for (;;) {
            const release = take();
            if (release) return release;
            const soonest = Math.min(...freeAt);
            if (Number.isFinite(soonest)) await sleep(soonest - Date.now() + 1);
            else await new Promise<void>((resolve) => (onRelease = resolve)); // every slot is in a running call
            onRelease = undefined;
          }
        } finally {
          waiting--;
        }
      });
      tail = turn.catch(() => undefined);
      return turn;
    },
  };
}

/**
 * One log line for a failed call, with the token taken out.
 * @example
 * logger.warn({ error: describeError(err, config.token) }, 'Telegram: setMyCommands failed');
 */
export function describeError(err: unknown, token: string): string {
  redactError(err, token);
  if (err instanceof GrammyError) return `${err.method}: ${err.error_code} ${err.description}`;
  if (err instanceof HttpError) return redactToken(`${err.message}: ${(err.error as Error)?.message ?? ''}`, token);
  return redactToken(err instanceof Error ? err.message : String(err), token);
}

/** Waits `ms`; an abort ends the wait early without an error (the next step sees the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return delay(ms, signal).catch(() => undefined);
}

type Response = { ok: boolean; error_code?: number; description?: string; parameters?: { retry_after?: number } };

/**
 * Builds the outbound transformer; install it with `bot.api.config.use(outbound.transformer)`.
 * @example
 * const outbound = createOutbound({ token, messagesPerSecond: 30, finalRetries: 5, maxRetryAfterSeconds: 60, logger });
 * bot.api.config.use(outbound.transformer);
 */
export function createOutbound(options: OutboundOptions): Outbound {
  const holds = new Map<number, number>();
  const gate = createRateGate(options.messagesPerSecond);
  const retrying = autoRetry({
    maxRetryAttempts: options.finalRetries,
    maxDelaySeconds: options.maxRetryAfterSeconds,
    rethrowInternalServerErrors: false,
    // Network errors are retried below with a bound; auto-retry would retry them forever.
    rethrowHttpErrors: true,
  });
  const networkRetryMs = options.networkRetryMs ?? 500;

  const chatOf = (payload: unknown): number | undefined => {
    const id = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    return typeof id === 'number' ? id : typeof id === 'string' && /^-?\d+$/.test(id) ? Number(id) : undefined;
  };

  const noteRateLimit = (chatId: number | undefined, response: Response) => {
    const retryAfter = response.parameters?.retry_after;
    if (response.ok || response.error_code !== 429 || typeof retryAfter !== 'number' || chatId === undefined) return;
    holds.set(chatId, Math.max(holds.get(chatId) ?? 0, Date.now() + retryAfter * 1000));
  };

  const transformer: Transformer = async (prev, method, payload, signal) => {
    try {
      if (!SENDING.test(method)) return await prev(method, payload, signal);
      const chatId = chatOf(payload);
      if (isIntermediate(payload)) {
        const hold = chatId === undefined ? 0 : (holds.get(chatId) ?? 0) - Date.now();
        // Frames never wait: on hold after a 429, or with the global budget taken (finals
        // first), the frame is skipped locally and the caller treats it like Telegram's 429.
        const release = hold > 0 ? undefined : gate.tryAcquire();
        if (!release) {
          const retryAfter = hold > 0 ? Math.ceil(hold / 1000) : 0.25;
          return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter} (skipped locally)`, parameters: { retry_after: retryAfter } } as never;
        }
        try {
          const response = await prev(method, payload, signal);
          noteRateLimit(chatId, response as Response);
          return response;
        } finally {
          release();
        }
      }
      const attempt: typeof prev = async (m, p, s) => {
        const hold = chatId === undefined ? 0 : (holds.get(chatId) ?? 0) - Date.now();
        if (hold > 0) await sleep(Math.min(hold, options.maxRetryAfterSeconds * 1000), s as AbortSignal | undefined);
        const release = await gate.acquire();
        try {
          const response = await prev(m, p, s);
          noteRateLimit(chatId, response as Response);
          return response;
        } finally {
          release();
        }
      };
      for (let failures = 0; ; failures++) {
        try {
          return await retrying(attempt, method, payload, signal);
        } catch (err) {
          if (!(err instanceof HttpError) || signal?.aborted || failures >= options.finalRetries) throw err;
          await sleep(networkRetryMs * 2 ** failures, signal as AbortSignal | undefined);
        }
      }
    } catch (err) {
      redactError(err, options.token);
      if (method === 'getUpdates' && !signal?.aborted) options.logger.warn({ method, error: (err as Error).message }, 'Telegram: fetching updates failed; retrying');
      throw err;
    }
  };

  return {
    transformer,
    holdUntil: (chatId) => holds.get(chatId) ?? 0,
  };
}
