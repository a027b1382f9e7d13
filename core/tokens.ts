/**
 * DI tokens. Each names a slot in the kernel's tsyringe container; `Services` maps a
 * token to the type it holds, so `ctx.provide` / `ctx.resolve` are typed. Both maps are
 * interfaces so a plugin can add its own token by module augmentation:
 *
 * ```ts
 * declare module 'kobza' {
 *   interface Services { Glossary: Glossary }
 * }
 * ctx.provide('Glossary', glossary);      // typed
 * ctx.resolve('Glossary').lookup('ЗНО'); // typed
 * ```
 *
 * An added token is a single slot (one provider; a second one is PLUGIN_CONFLICT). The
 * many-valued tokens are the three the kernel itself consumes: `Scorer`, `Middleware`,
 * `Adapter`.
 */
import type { Adapter, CacheStoreFactory, ConversationMemory, Embedder, HealthCheck, LlmProvider, Middleware, Scorer } from './contracts.js';
import type { CacheModeration, Feedback } from './feedback.js';

/** Token → the type of what it holds. Open to module augmentation (added tokens are single slots). */
export interface Services {
  LlmProvider: LlmProvider;
  Embedder: Embedder;
  CacheStore: CacheStoreFactory;
  ConversationMemory: ConversationMemory;
  /** Ratings of answers (the `feedback` plugin). */
  Feedback: Feedback;
  /** Quarantine and listing of cache entries (the semantic cache). */
  CacheModeration: CacheModeration;
  Scorer: Scorer;
  Middleware: Middleware;
  Adapter: Adapter;
  /** Degradable parts (stores) that `/readyz` reports; many-valued. */
  Health: HealthCheck;
}

/** Tokens that hold many services: `provide` adds one, `resolveAll` returns them in order. */
export const MANY_TOKENS = ['Scorer', 'Middleware', 'Adapter', 'Health'] as const;
export type ManyToken = (typeof MANY_TOKENS)[number];

/** Tokens that hold exactly one service (the built-in ones and every augmented one). */
export type SingleToken = Exclude<keyof Services, ManyToken>;

/** True for `Scorer`, `Middleware`, `Adapter`, `Health`. */
export function isManyToken(token: string): token is ManyToken {
  return (MANY_TOKENS as readonly string[]).includes(token);
}
