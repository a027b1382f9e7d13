/**
 * Conversation memory: keeps the last N turns of each conversation in a Keyv store,
 * trimmed to a token budget, and puts them in front of the new message for adapters that
 * ask for it (`metadata.useMemory = true`: console, Telegram). HTTP clients send their own
 * history, so they are left alone. Only complete answers are remembered.
 *
 * A self-contained, impersonal question («Скільки коштує навчання?») is answered without
 * the history (`standaloneQuestions`, default on): its answer then depends on nothing the
 * user said before, so the semantic cache may share it and a FAQ question keeps hitting the
 * cache in a busy chat. The withheld turns travel in `metadata.withheldHistory`, so the
 * cache can still refuse to share an answer that repeats a name or number from them.
 * Follow-ups («а скільки це коштує?») and personal questions («як мене звати?») get the
 * history as before. Store calls time out (`storeTimeoutMs`): an outage costs the history,
 * never the answer, and saving a turn never holds the reply.
 */
import { z } from 'zod';
import {
  definePlugin,
  guardStore,
  isKobzaError,
  observeReply,
  openKeyvStore,
  type CacheStore,
  type GuardedStore,
  type ChatMessage,
  type ConversationMemory,
  type Middleware,
} from '../../core/index.js';
import { isPersonalQuestion, needsContext } from '../../core/text/index.js';

export const memoryConfigSchema = z.strictObject({
  /** Turns (a user message and its answer) kept per conversation. */
  turns: z.number().int().min(1).default(10),
  /** Approximate token budget for the remembered history. */
  maxTokens: z.number().int().min(50).default(2000),
  /** Keyv URL (`memory`, `sqlite://file`, `redis://…`); default: a registered CacheStore, else memory. */
  store: z.string().optional(),
  /** Forget a conversation after this long without a new turn (0 = never). */
  ttlMs: z.number().int().min(0).default(0),
  /** Answer a self-contained, impersonal question without the history, so its answer is shareable (cache hits in busy chats). */
  standaloneQuestions: z.boolean().default(true),
  /** Longest a store call may take; beyond it (or on an error) the answer goes on without the history. */
  storeTimeoutMs: z.number().int().min(1).default(300),
});

export type MemoryConfig = z.output<typeof memoryConfigSchema>;

/** Rough token count: about 3 characters a token across uk/ru/en. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** Keeps the last `turns` turns, then drops the oldest until the budget fits. */
export function trimHistory(history: ChatMessage[], turns: number, maxTokens: number): ChatMessage[] {
  let kept = history.slice(-turns * 2);
  // Never start with an answer whose question was cut off.
  while (kept.length && kept[0].role !== 'user') kept = kept.slice(1);
  let tokens = kept.reduce((sum, m) => sum + estimateTokens(m.content), 0);
  while (kept.length > 2 && tokens > maxTokens) {
    const [question, answer] = kept;
    tokens -= estimateTokens(question.content) + (answer ? estimateTokens(answer.content) : 0);
    kept = kept.slice(2);
  }
  return kept;
}

/**
 * Memory over any CacheStore.
 * @example
 * const memory = createConversationMemory(await openKeyvStore('memory', 'memory'), { turns: 10, maxTokens: 2000, ttlMs: 0 });
 */
export function createConversationMemory(store: CacheStore, config: Pick<MemoryConfig, 'turns' | 'maxTokens' | 'ttlMs'>): ConversationMemory {
  const key = (conversationId: string) => `conversation:${conversationId}`;
  // Appends to one conversation are serialised so concurrent turns don't overwrite each other.
  const queues = new Map<string, Promise<void>>();
  return {
    async history(conversationId) {
      // A turn still being saved (behind its reply) is part of the history.
      const saving = queues.get(conversationId);
      if (saving) await saving;
      return (await store.get<ChatMessage[]>(key(conversationId))) ?? [];
    },
    append(conversationId, messages) {
      const previous = queues.get(conversationId) ?? Promise.resolve();
      const next = previous.then(async () => {
        const history = (await store.get<ChatMessage[]>(key(conversationId))) ?? [];
        await store.set(key(conversationId), trimHistory([...history, ...messages], config.turns, config.maxTokens), config.ttlMs || undefined);
      });
      const settled = next.catch(() => undefined);
      queues.set(conversationId, settled);
      void settled.then(() => {
        if (queues.get(conversationId) === settled) queues.delete(conversationId);
      });
      return next;
    },
    async reset(conversationId) {
      await store.delete(key(conversationId));
    },
  };
}

export default definePlugin({
  name: 'memory',
  configSchema: memoryConfigSchema,
  provides: ['ConversationMemory'],
  async register(ctx, config) {
    let store: GuardedStore | undefined;
    const open = async (): Promise<CacheStore> => {
      if (store) return store;
      const factory = config.store ? undefined : ctx.tryResolve('CacheStore');
      const opened = factory ? await factory.open('memory') : await openKeyvStore(config.store ?? 'memory', 'memory', ctx.config.dir);
      store = guardStore(opened, { timeoutMs: config.storeTimeoutMs, description: factory ? factory.describe() : (config.store ?? 'memory'), owner: 'memory', logger: ctx.logger, events: ctx.events });
      return store;
    };
    const lazyStore: CacheStore = {
      get: async (k) => (await open()).get(k),
      set: async (k, v, ttl) => (await open()).set(k, v, ttl),
      delete: async (k) => (await open()).delete(k),
      clear: async () => (await open()).clear(),
    };
    const memory = createConversationMemory(lazyStore, config);
    /** Turns being saved behind their replies; shutdown waits for them (bounded) before closing the store. */
    const saving = new Set<Promise<unknown>>();
    ctx.provide('ConversationMemory', memory);
    ctx.provide('Health', { name: 'memory', health: () => store?.health() ?? { status: 'ok', store: 'memory', errors: 0 } });
    ctx.onReady(async () => {
      await open();
    });
    ctx.onClose(async () => {
      if (saving.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...saving]), new Promise((resolve) => (timer = setTimeout(resolve, config.storeTimeoutMs * 4)))]);
        clearTimeout(timer);
      }
      await store?.close?.();
    });

    const middleware: Middleware = {
      name: 'memory',
      stage: 'guard',
      async handle(request, next) {
        if (request.metadata.useMemory !== true) return next();
        let history: ChatMessage[] = [];
        try {
          history = await memory.history(request.conversationId);
        } catch (err) {
          // An outage is logged once by the store guard; the answer goes on without the history.
          if (!isKobzaError(err, 'STORE_UNAVAILABLE')) ctx.logger.warn({ err, reqId: request.id }, 'could not read the conversation; answering without it');
        }
        const system = request.messages.filter((m) => m.role === 'system');
        const rest = request.messages.filter((m) => m.role !== 'system');
        const question = rest[rest.length - 1];
        const standalone = config.standaloneQuestions && rest.length === 1 && question?.role === 'user' && !needsContext(question.content) && !isPersonalQuestion(question.content);
        const withHistory =
          history.length === 0
            ? request
            : standalone
              ? { ...request, metadata: { ...request.metadata, withheldHistory: history } }
              : { ...request, messages: [...system, ...history, ...rest] };
        const reply = await next(withHistory);
        return observeReply(reply, {
          onComplete(text, meta) {
            if (!meta.complete || !question || question.role !== 'user') return;
            // Saved behind the reply: the next turn's history() waits for it, the reply does not.
            const save = memory
              .append(request.conversationId, [
                { role: 'user', content: question.content },
                { role: 'assistant', content: text },
              ])
              .catch((err: unknown) => {
                if (!isKobzaError(err, 'STORE_UNAVAILABLE')) ctx.logger.warn({ err, reqId: request.id }, 'could not save the conversation turn');
              });
            saving.add(save);
            void save.finally(() => saving.delete(save));
          },
        });
      },
    };
    ctx.provide('Middleware', middleware);
  },
});
