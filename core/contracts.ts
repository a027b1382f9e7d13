/**
 * Extension-point contracts. Plugins and adapters meet only through these and the DI
 * tokens in `tokens.ts`; a plugin never imports another plugin.
 */
import type { StoreHealth } from './storage.js';
import type { ChatMessage, ChatRequest, ModelInfo, ProbeResult, Reply, ReplyMeta, GenerationOptions } from './types.js';

/** Pipeline stages, outermost first. Inside a stage, YAML order decides. */
export const STAGES = ['deliver', 'guard', 'cache', 'generate'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Calls the rest of the pipeline. Calling it twice throws; a middleware that needs several
 * runs of the rest (ranking) calls `next.fork(request)` once per run.
 */
export interface Next {
  (request?: ChatRequest): Promise<Reply>;
  /** Runs the rest of the pipeline for a derived request; may be called many times. */
  fork(request: ChatRequest): Promise<Reply>;
}

/**
 * An onion-shaped pipeline step.
 * @example
 * const timing: Middleware = { name: 'timing', stage: 'guard', async handle(req, next) { return next() } };
 */
export interface Middleware {
  name: string;
  stage: Stage;
  handle(request: ChatRequest, next: Next): Promise<Reply>;
}

/** Streams chat completions from an upstream. Exactly one is active per config. */
export interface LlmProvider {
  /** e.g. `ollama`, `openai-compatible`. */
  id: string;
  chat(request: ChatRequest): Promise<Reply>;
  /** Models the upstream offers (for `/api/tags`, `/v1/models`, `/model`). */
  listModels?(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** Embeddings through the upstream (for `/api/embed`). */
  embed?(input: string[], model: string, signal?: AbortSignal): Promise<number[][]>;
  /** Is the upstream reachable, and is the default model there? */
  probe?(signal?: AbortSignal): Promise<ProbeResult>;
  /** Model management on the upstream (pull, create, show, ps, delete, copy); absent when it has none. */
  modelAdmin?: ModelAdmin;
  /** The upstream servers' addresses (URLs), so front doors keep them out of what clients see. */
  describeUpstreams?(): string[];
}

/** One progress line of a pull or a create, as Ollama streams it. */
export interface ModelProgress {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

/**
 * Managing the upstream's models — what Ollama's `/api/pull`, `/api/create`, `/api/show`,
 * `/api/ps`, `/api/delete` and `/api/copy` do. Optional on an LlmProvider: an
 * OpenAI-compatible upstream offers none, and the HTTP adapter answers 501 then. Bodies
 * and answers follow Ollama's documented shapes; failures are coded KobzaErrors
 * (`MODEL_NOT_FOUND` for a model the upstream does not have).
 * @example
 * for await (const progress of provider.modelAdmin!.pull({ model: 'qwen2.5:7b' }, signal)) console.log(progress.status);
 */
export interface ModelAdmin {
  /** Downloads a model; progress lines end with `{ status: 'success' }`. */
  pull(request: { model: string; insecure?: boolean }, signal: AbortSignal): AsyncIterable<ModelProgress>;
  /** Creates a model (`from`, `system`, `template`, `parameters`, …); progress as for pull. */
  create(request: { model: string } & Record<string, unknown>, signal: AbortSignal): AsyncIterable<ModelProgress>;
  /** A model's details (modelfile, parameters, template, details, model_info, capabilities). */
  show(request: { model: string; verbose?: boolean }, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** The models loaded in memory now (Ollama's `/api/ps` entries). */
  running(signal: AbortSignal): Promise<Record<string, unknown>[]>;
  delete(model: string, signal: AbortSignal): Promise<void>;
  copy(source: string, destination: string, signal: AbortSignal): Promise<void>;
}

/** Text → vector. Vectors are expected L2-normalised. */
export interface Embedder {
  /** Identifies the embedder and its settings; cached vectors are scoped by it. */
  id: string;
  dimensions: number;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/**
 * The few key-value calls Kobza needs from a store. Keyv stores (memory, SQLite, Redis)
 * are wrapped by `openKeyvStore`; a custom store plugin implements these.
 */
export interface CacheStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** `ttlMs` undefined or 0 = no expiry. */
  set<T = unknown>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Removes every key of this store's namespace. */
  clear(): Promise<void>;
  /** All live entries (optionally under a key prefix). Needed to rebuild indexes. */
  entries?(prefix?: string): AsyncIterable<[string, unknown]>;
  close?(): Promise<void>;
}

/** Opens a namespaced CacheStore. What the `CacheStore` DI slot holds. */
export interface CacheStoreFactory {
  /** Human-readable description (e.g. `sqlite://data/kobza.sqlite`). */
  describe(): string;
  open(namespace: string): Promise<CacheStore>;
}

/** A candidate answer for ranking. */
export interface Candidate {
  index: number;
  text: string;
  meta: ReplyMeta;
  options: GenerationOptions;
  /** All candidates of this request (for consensus-style scorers). */
  siblings: readonly string[];
}

export interface ScoreResult {
  /** In [0, 1]. */
  score: number;
  /** A vetoed candidate loses to any candidate that is not vetoed. */
  veto?: boolean;
  reason?: string;
}

/**
 * Scores a candidate answer. Many may be registered.
 * @example
 * const short: Scorer = { name: 'short', score: (c) => (c.text.length < 400 ? 1 : 0.5) };
 */
export interface Scorer {
  name: string;
  /** Weight in the final combination; config may override. Default 1. */
  weight?: number;
  score(candidate: Candidate, request: ChatRequest): number | ScoreResult | Promise<number | ScoreResult>;
}

/** A front door that turns outside traffic into requests. */
export interface Adapter {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Per-conversation history, shared by adapters (`/reset`) and the memory middleware. */
export interface ConversationMemory {
  history(conversationId: string): Promise<ChatMessage[]>;
  append(conversationId: string, messages: ChatMessage[]): Promise<void>;
  reset(conversationId: string): Promise<void>;
}

/**
 * A part of Kobza that can be degraded without failing requests (a cache's or memory's
 * store); `/readyz` reports each by name. Provided under the many-valued `Health` token.
 * @example
 * ctx.provide('Health', { name: 'semantic-cache', health: () => store.health() });
 */
export interface HealthCheck {
  /** Who reports (`semantic-cache`, `memory`). */
  name: string;
  health(): StoreHealth;
}
