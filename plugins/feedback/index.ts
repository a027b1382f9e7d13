/**
 * The `feedback` plugin: people rate answers (👍/👎, with an optional comment) and the
 * ratings are kept in the configured store with the question, where the answer came from
 * and the cache entry it was served from. A 👎 on a cached answer is passed on to the
 * cache (`CacheModeration`), which quarantines an entry after enough downs from different
 * voters (conversations, API keys, client addresses); a rating never deletes anything.
 *
 * A rating arrives after its answer, by request id (`x-request-id`, a Telegram button): an
 * outermost middleware remembers the last `remember` replies served (`RecentReplies`).
 * Front doors reach the plugin through the `Feedback` token. Store calls time out
 * (`storeTimeoutMs`): a stopped store makes a rating fail with STORE_UNAVAILABLE (503 over
 * HTTP) instead of hanging, and `/readyz` reports the store (`Health`).
 */
import { z } from 'zod';
import {
  definePlugin,
  guardStore,
  KobzaError,
  openKeyvStore,
  RecentReplies,
  type CacheStore,
  type Feedback,
  type FeedbackRecord,
  type GuardedStore,
  type Middleware,
  type PluginContext,
} from '../../core/index.js';

export const feedbackConfigSchema = z.strictObject({
  /** Keyv URL (`memory`, `sqlite://file`, `redis://…`); default: a registered CacheStore, else memory. */
  store: z.string().min(1).optional(),
  /** How many served answers stay ratable (the newest ones). */
  remember: z.number().int().min(1).default(10_000),
  /** Drop stored ratings after this long (0 = keep). */
  ttlMs: z.number().int().min(0).default(0),
  /** Longest comment kept, in characters (longer ones are cut). */
  maxCommentChars: z.number().int().min(0).default(2000),
  /** Longest a store call may take; beyond it (or on an error) the call fails with STORE_UNAVAILABLE. */
  storeTimeoutMs: z.number().int().min(1).default(300),
});

export type FeedbackConfig = z.output<typeof feedbackConfigSchema>;

const PREFIX = 'rating:';

/**
 * The Feedback service over a store and the recent replies.
 * @example
 * const feedback = createFeedback(ctx, await openKeyvStore('memory', 'feedback'), new RecentReplies(100), config);
 */
export function createFeedback(ctx: Pick<PluginContext, 'tryResolve' | 'logger'>, open: () => Promise<CacheStore>, recent: RecentReplies, config: FeedbackConfig): Feedback {
  return {
    served: (requestId) => recent.get(requestId),
    async rate({ requestId, rating, comment, voter }) {
      const served = recent.get(requestId);
      if (!served) throw new KobzaError('NOT_FOUND', `no recent answer has request id ${JSON.stringify(requestId.slice(0, 80))}`, { details: { param: 'requestId' } });
      const record: FeedbackRecord = {
        requestId,
        rating,
        question: served.question,
        source: served.source,
        conversationId: served.conversationId,
        at: Date.now(),
      };
      const text = comment?.trim().slice(0, config.maxCommentChars);
      if (text) record.comment = text;
      if (served.cacheEntry) record.cacheEntry = served.cacheEntry;
      const store = await open();
      await store.set(PREFIX + requestId, record, config.ttlMs || undefined);
      const moderation = served.cacheEntry ? ctx.tryResolve('CacheModeration') : undefined;
      // A conversation Kobza itself named (a Telegram chat, the console) is the voter. Over HTTP
      // the client picks its conversation id (`x-kobza-conversation`, `user`), so one client
      // could vote as many: there the front door's voter (hashed API key or address) counts.
      const trusted = served.adapter !== 'http' && served.conversationId !== served.requestId;
      const by = trusted || !voter ? served.conversationId : voter;
      const entry = served.cacheEntry && moderation ? await moderation.rate(served.cacheEntry, rating, by) : undefined;
      if (entry?.quarantined && rating === 'down') ctx.logger.info({ entry: served.cacheEntry, downs: entry.downs }, 'feedback: cache entry quarantined');
      return entry ? { record, entry } : { record };
    },
    async latest(limit = 100) {
      const store = await open();
      if (!store.entries) return [];
      const all: FeedbackRecord[] = [];
      for await (const [, value] of store.entries(PREFIX)) all.push(value as FeedbackRecord);
      return all.sort((a, b) => b.at - a.at).slice(0, limit);
    },
  };
}

export default definePlugin({
  name: 'feedback',
  configSchema: feedbackConfigSchema,
  provides: ['Feedback'],
  register(ctx, config) {
    let store: Promise<GuardedStore> | undefined;
    let guarded: GuardedStore | undefined;
    const open = (): Promise<CacheStore> => {
      store ??= (async () => {
        const factory = config.store ? undefined : ctx.tryResolve('CacheStore');
        const opened = factory ? await factory.open('feedback') : await openKeyvStore(config.store ?? 'memory', 'feedback', ctx.config.dir);
        const description = factory ? factory.describe() : (config.store ?? 'memory');
        guarded = guardStore(opened, { timeoutMs: config.storeTimeoutMs, description, owner: 'feedback', logger: ctx.logger, events: ctx.events });
        return guarded;
      })();
      // A store that failed to open is tried again on the next call.
      store.catch(() => (store = undefined));
      return store;
    };
    const recent = new RecentReplies(config.remember);
    ctx.provide('Feedback', createFeedback(ctx, open, recent, config));
    ctx.provide('Health', { name: 'feedback', health: () => guarded?.health() ?? { status: 'ok', store: 'memory', errors: 0 } });
    ctx.onReady(async () => {
      await open();
    });
    ctx.onClose(async () => {
      await (await store)?.close?.();
    });

    const middleware: Middleware = {
      name: 'feedback',
      stage: 'deliver',
      async handle(request, next) {
        const reply = await next();
        // Source and cache key are known once the pipeline returned; the text is not needed.
        recent.remember(request, reply.meta);
        return reply;
      },
    };
    ctx.provide('Middleware', middleware);
  },
});
