/**
 * Conversation memory: keeps the last N turns of each conversation in a Keyv store,
 * trimmed to a token budget, and puts them in front of the new message for adapters that
 * ask for it (`metadata.useMemory = true`: console, Telegram). HTTP clients send their own
 * history, so they are left alone. Only complete answers are remembered.
 */
import { z } from 'zod';
import {
  definePlugin,
  observeReply,
  openKeyvStore,
  type CacheStore,
  type ChatMessage,
  type ConversationMemory,
  type Middleware,
} from '../../core/index.js';

export const memoryConfigSchema = z.strictObject({
  /** Turns (a user message and its answer) kept per conversation. */
  turns: z.number().int().min(1).default(10),
  /** Approximate token budget for the remembered history. */
  maxTokens: z.number().int().min(50).default(2000),
  /** Keyv URL (`memory`, `sqlite://file`, `redis://…`); default: a registered CacheStore, else memory. */
  store: z.string().optional(),
  /** Forget a conversation after this long without a new turn (0 = never). */
  ttlMs: z.number().int().min(0).default(0),
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
    let store: CacheStore | undefined;
    const open = async (): Promise<CacheStore> => {
      if (store) return store;
      const factory = config.store ? undefined : ctx.tryResolve('CacheStore');
      store = factory ? await factory.open('memory') : await openKeyvStore(config.store ?? 'memory', 'memory', ctx.config.dir);
      return store;
    };
    const lazyStore: CacheStore = {
      get: async (k) => (await open()).get(k),
      set: async (k, v, ttl) => (await open()).set(k, v, ttl),
      delete: async (k) => (await open()).delete(k),
      clear: async () => (await open()).clear(),
    };
    const memory = createConversationMemory(lazyStore, config);
    ctx.provide('ConversationMemory', memory);
    ctx.onReady(async () => {
      await open();
    });
    ctx.onClose(async () => {
      await store?.close?.();
    });

    const middleware: Middleware = {
      name: 'memory',
      stage: 'guard',
      async handle(request, next) {
        if (request.metadata.useMemory !== true) return next();
        const history = await memory.history(request.conversationId);
        const system = request.messages.filter((m) => m.role === 'system');
        const rest = request.messages.filter((m) => m.role !== 'system');
        const question = rest[rest.length - 1];
        const withHistory = { ...request, messages: [...system, ...history, ...rest] };
        const reply = await next(withHistory);
        return observeReply(reply, {
          async onComplete(text, meta) {
            if (!meta.complete || !question || question.role !== 'user') return;
            try {
              await memory.append(request.conversationId, [
                { role: 'user', content: question.content },
                { role: 'assistant', content: text },
              ]);
            } catch (err) {
              ctx.logger.warn({ err, reqId: request.id }, 'could not save the conversation turn');
            }
          },
        });
      },
    };
    ctx.provide('Middleware', middleware);
  },
});
