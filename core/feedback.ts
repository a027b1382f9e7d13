/**
 * Ratings of answers, and what the cache must learn of them. Three plugins meet here
 * without importing each other: the `feedback` plugin records ratings (`Feedback`), the
 * semantic cache takes a rated entry out of service (`CacheModeration`), and front doors
 * (the HTTP `/v1/feedback` route, Telegram's 👍/👎 buttons, the operator console) call
 * both through their DI tokens.
 */
import { BoundedMap } from './bounded-map.js';
import type { ChatRequest, ReplyMeta } from './types.js';

/** A thumbs-up or a thumbs-down. */
export type Rating = 'up' | 'down';

/** What a rating needs to know about the answer it rates, kept from when it was served. */
export interface ServedReply {
  requestId: string;
  conversationId: string;
  /** The user's question (the request's last user message). */
  question: string;
  /** Where the answer came from: `provider` (the model), `cache`, `ranking`, `faq`, … */
  source: string;
  model: string;
  /** The cache entry the answer was served from (`ReplyMeta.cache.key`), on cache hits. */
  cacheEntry?: string;
  /** The front door (`http`, `telegram`, …). */
  adapter?: string;
  /** `Date.now()` when it was served. */
  at: number;
}

/**
 * The last `max` replies served, by request id: a rating arrives after the answer, and by
 * then the request is gone. Bounded, so a busy server keeps memory flat; a rating of an
 * answer older than the window is "unknown request id".
 * @example
 * const recent = new RecentReplies(10_000);
 * recent.remember(request, reply.meta);
 * recent.get(request.id)?.question;
 */
export class RecentReplies {
  readonly #replies: BoundedMap<string, ServedReply>;

  constructor(max = 10_000) {
    this.#replies = new BoundedMap(max);
  }

  /** Records a reply from its request and meta (source and cache key are final when the reply is returned). */
  remember(request: ChatRequest, meta: ReplyMeta, now = Date.now()): ServedReply {
    let question = '';
    for (let i = request.messages.length - 1; i >= 0; i--) {
      if (request.messages[i].role === 'user') {
        question = request.messages[i].content;
        break;
      }
    }
    const served: ServedReply = {
      requestId: request.id,
      conversationId: request.conversationId,
      question,
      source: meta.source,
      model: meta.model || request.model,
      cacheEntry: meta.source === 'cache' ? meta.cache?.key : undefined,
      adapter: request.metadata.adapter,
      at: now,
    };
    this.#replies.set(request.id, served);
    return served;
  }

  get(requestId: string): ServedReply | undefined {
    return this.#replies.get(requestId);
  }

  get size(): number {
    return this.#replies.size;
  }
}

/** One stored rating. */
export interface FeedbackRecord {
  requestId: string;
  rating: Rating;
  comment?: string;
  question: string;
  source: string;
  /** The cache entry the rated answer came from, when it came from the cache. */
  cacheEntry?: string;
  conversationId: string;
  at: number;
}

/** The result of a rating: the stored record, and what the cache made of it. */
export interface FeedbackOutcome {
  record: FeedbackRecord;
  /** The entry's state after this rating, when the answer came from the cache. */
  entry?: CacheEntryRating;
}

/**
 * Records ratings (the `Feedback` token; the `feedback` plugin provides it).
 * @example
 * const feedback = ctx.tryResolve('Feedback');
 * await feedback?.rate({ requestId, rating: 'down', comment: 'wrong date' }); // NOT_FOUND for an unknown id
 */
export interface Feedback {
  /**
   * Stores a rating of a recently served answer; throws KobzaError NOT_FOUND for an unknown
   * request id. A 👎 counts against a cache entry once per voter: the answer's conversation
   * when its adapter named one (a Telegram chat), else `voter` — what the front door knows
   * of who rates (a hashed API key or client address, never the raw key) — so one client
   * asking three times cannot quarantine an entry alone.
   */
  rate(input: { requestId: string; rating: Rating; comment?: string; voter?: string }): Promise<FeedbackOutcome>;
  /** The served reply a request id names, if it is still remembered. */
  served(requestId: string): ServedReply | undefined;
  /** The latest ratings, newest first. */
  latest(limit?: number): Promise<FeedbackRecord[]>;
}

/** Ratings and quarantine state of one cache entry. */
export interface CacheEntryRating {
  ups: number;
  /** 👎 from different voters (one conversation, API key or client counts once). */
  downs: number;
  quarantined: boolean;
}

/** One cache entry, as the operator console lists it. */
export interface CacheEntrySummary extends CacheEntryRating {
  key: string;
  question: string;
  /** The stored answer (maybe shortened). */
  answer: string;
  model: string;
  hits: number;
  createdAt: number;
  /** `Date.now()` of the last hit (or of storing, before any hit). */
  lastUsedAt: number;
}

/**
 * What the semantic cache offers ratings and operators (the `CacheModeration` token).
 * A 👎 never deletes: after enough downs an entry is quarantined — not served to anyone —
 * until `restore` or `forget`.
 * @example
 * const moderation = ctx.tryResolve('CacheModeration');
 * const state = await moderation?.rate(entryKey, 'down', voter); // a conversation, a hashed key or address
 * if (state?.quarantined) logger.info({ entryKey }, 'quarantined');
 */
export interface CacheModeration {
  /** Counts a rating against an entry; downs count once per voter. Undefined for an entry no longer there. */
  rate(entryKey: string, rating: Rating, voter: string): Promise<CacheEntryRating | undefined>;
  /** Takes an entry out of service now. False when there is no such entry. */
  quarantine(entryKey: string): Promise<boolean>;
  /** Puts a quarantined entry back in service and clears its downs. False when there is no such entry. */
  restore(entryKey: string): Promise<boolean>;
  /** Deletes an entry (and, like `kobza cache forget`, keeps its question from getting that answer again). */
  forget(entryKey: string): Promise<boolean>;
  isQuarantined(entryKey: string): boolean;
  /** Entries for the console, most recently used first; `query` matches question or answer text. */
  list(options?: { query?: string; limit?: number; quarantinedOnly?: boolean }): Promise<CacheEntrySummary[]>;
  /** Makes another wording of a question hit an entry, when the cache supports it. */
  alias?(entryKey: string, question: string): Promise<boolean>;
}
