/**
 * Outbound rules for every Bot API call, as one grammY API transformer (so handlers
 * never think about them):
 * - a global cap of N messages per second (Telegram: about 30);
 * - a 429 `retry_after` puts the chat on hold: *intermediate* frames (drafts, edits of a
 *   growing answer, typing) are skipped while it lasts — never queued — and *final*
 *   sends wait it out and retry a bounded number of times (@grammyjs/auto-retry);
 * - the bot token never leaves in an error: grammY's network errors carry the request
 *   URL, which contains it.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { HttpError, type Transformer } from 'grammy';
import type { Logger } from '../../core/index.js';

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

/** At most `limit` starts in any window of one second, first come first served. */
function createRateGate(limit: number): () => Promise<void> {
  const starts: number[] = [];
  let tail: Promise<void> = Promise.resolve();
  const capacity = Math.max(1, Math.floor(limit));
  const windowMs = capacity === limit ? 1000 : (capacity / limit) * 1000;
  return () => {
    const turn = tail.then(async () => {
      for (;;) {
        const now = Date.now();
        while (starts.length && now - starts[0] >= windowMs) starts.shift();
        if (starts.length < capacity) break;
        await sleep(windowMs - (now - starts[0]) + 1);
      }
      starts.push(Date.now());
    });
    tail = turn.catch(() => undefined);
    return turn;
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
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
        if (hold > 0) {
          // Skipped locally: the caller treats it exactly like Telegram's own 429.
          const retryAfter = Math.ceil(hold / 1000);
          return { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } } as never;
        }
        await gate();
        const response = await prev(method, payload, signal);
        noteRateLimit(chatId, response as Response);
        return response;
      }
      const attempt: typeof prev = async (m, p, s) => {
        const hold = chatId === undefined ? 0 : (holds.get(chatId) ?? 0) - Date.now();
        if (hold > 0) await sleep(Math.min(hold, options.maxRetryAfterSeconds * 1000), s as AbortSignal | undefined);
        await gate();
        const response = await prev(m, p, s);
        noteRateLimit(chatId, response as Response);
        return response;
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
