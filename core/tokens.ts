/**
 * DI tokens. Each names a slot in the kernel's tsyringe container; `Services` maps a
 * token to the type it holds so `ctx.provide` / `ctx.resolve` are typed.
 */
import type { Logger } from 'pino';
import type { Adapter, CacheStoreFactory, ConversationMemory, Embedder, LlmProvider, Middleware, Scorer } from './contracts.js';
import type { EventBus } from './events.js';
import type { KobzaConfig } from './config/schema.js';

export const TOKENS = {
  LlmProvider: 'LlmProvider',
  Embedder: 'Embedder',
  CacheStore: 'CacheStore',
  ConversationMemory: 'ConversationMemory',
  Scorer: 'Scorer',
  Middleware: 'Middleware',
  Adapter: 'Adapter',
  EventBus: 'EventBus',
  Logger: 'Logger',
  Config: 'Config',
} as const;

export type Token = keyof typeof TOKENS;

export interface Services {
  LlmProvider: LlmProvider;
  Embedder: Embedder;
  CacheStore: CacheStoreFactory;
  ConversationMemory: ConversationMemory;
  Scorer: Scorer;
  Middleware: Middleware;
  Adapter: Adapter;
  EventBus: EventBus;
  Logger: Logger;
  Config: KobzaConfig;
}

/** Slots that hold exactly one service; a second provider is a PLUGIN_CONFLICT at boot. */
export const SINGLE_SLOTS = ['LlmProvider', 'Embedder', 'CacheStore', 'ConversationMemory'] as const;
export type SingleSlot = (typeof SINGLE_SLOTS)[number];

/** Slots that hold many services, resolved with `resolveAll`. */
export const MULTI_SLOTS = ['Scorer', 'Middleware', 'Adapter'] as const;
export type MultiSlot = (typeof MULTI_SLOTS)[number];
