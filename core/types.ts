/**
 * The shared shapes of a request and its reply. Streaming is the native shape of a reply:
 * a non-streaming caller simply collects the chunks.
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: Role;
  content: string;
  /** Base64 images, passed through to providers that accept them. */
  images?: string[];
}

/** Sampling and generation options, named as Ollama names them. */
export interface GenerationOptions {
  temperature?: number;
  top_p?: number;
  top_k?: number;
  min_p?: number;
  num_predict?: number;
  num_ctx?: number;
  seed?: number;
  stop?: string[];
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  /** How long the upstream keeps the model loaded (`"5m"`, seconds, `-1`). */
  keep_alive?: string | number;
}

/**
 * Facts about a request, set by the adapter or by an outer middleware for the inner ones.
 * Every key is optional. Open to module augmentation, so a plugin that publishes or reads a
 * key of its own declares it:
 * @example
 * declare module 'kobza' {
 *   interface RequestMetadata { tenant?: string }
 * }
 */
export interface RequestMetadata {
  /** The front door that built the request (`http`, `telegram`, `console`, `eval`). */
  adapter?: string;
  /** Let the memory plugin prepend and record this conversation's history. */
  useMemory?: boolean;
  /** Per-request override of the ranking policy. */
  ranking?: 'on' | 'off' | boolean;
  /** `off`: neither look the answer up in the cache nor store it. */
  cache?: 'off';
  /** `json` or a JSON schema, passed to the provider; such answers are not prose. */
  format?: 'json' | Record<string, unknown>;
  /**
   * Replay pace (characters per second) of an answer that was not generated live — a cache
   * hit, a ranked winner; 0 or absent: instantly. Published by the streaming plugin.
   */
  replayCharsPerSecond?: number;
  /**
   * Version (a hash of the sources) of the knowledge base the answer is grounded in, set by
   * the knowledge plugin; part of the semantic cache's namespace, so editing a document
   * retires the answers built on it.
   */
  knowledgeVersion?: string;
}

export interface ChatRequest {
  /** Unique id, echoed in logs, events and the `x-request-id` header. */
  id: string;
  /** Groups the turns of one conversation (a Telegram chat, a console session). */
  conversationId: string;
  /** History plus the new user message, last. A system prompt, if any, comes first. */
  messages: ChatMessage[];
  model: string;
  options: GenerationOptions;
  /** Whether the caller consumes the reply as a stream (cache replay pace depends on it). */
  stream: boolean;
  /** Facts from the adapter and between middleware; see RequestMetadata. */
  metadata: RequestMetadata;
  /** Fires when the client goes away or the kernel shuts down. */
  signal: AbortSignal;
}

/**
 * Where an answer came from. `faq`: a curated answer of the knowledge plugin; `knowledge`:
 * written by the knowledge plugin without the model (a refusal, or quoted from a passage
 * while the model is unreachable).
 */
export type ReplySource = 'provider' | 'cache' | 'ranking' | 'faq' | 'knowledge';

/** A document an answer is grounded in (the knowledge plugin's passages and FAQ entries). */
export interface ReplySourceRef {
  id: string;
  title: string;
  url?: string;
}

export interface ReplyUsage {
  promptTokens?: number;
  completionTokens?: number;
}

export interface ReplyTimings {
  /** `Date.now()` when the kernel accepted the request. */
  startedAt: number;
  /** Milliseconds from start to the first non-empty chunk. */
  firstChunkMs?: number;
  /** Milliseconds from start to the end of the stream. */
  totalMs?: number;
  /** Durations reported by the upstream, in nanoseconds, as Ollama reports them. */
  upstream?: {
    totalNs?: number;
    loadNs?: number;
    promptEvalNs?: number;
    evalNs?: number;
  };
}

/** Metadata of a reply. Fields are final once the chunks are drained. */
export interface ReplyMeta {
  requestId: string;
  source: ReplySource;
  model: string;
  /** `stop`, `length` (hit num_predict), `abort`, … as the upstream said. */
  doneReason?: string;
  usage: ReplyUsage;
  timings: ReplyTimings;
  /** True once the stream ended normally with the upstream's `done`. */
  complete: boolean;
  /** Set on cache hits. */
  cache?: { similarity: number; exact: boolean; key?: string };
  /** The documents the answer is grounded in, numbered as the answer cites them ([1] = first). */
  sources?: ReplySourceRef[];
  /** Set by the ranking plugin: every candidate's scores and why the winner won. */
  ranking?: Record<string, unknown>;
  /** Marks that forbid caching (a refusal, a truncated answer). */
  flags: { refusal?: boolean; truncated?: boolean; noCache?: boolean };
  /** Anything else a plugin wants to report. */
  extra: Record<string, unknown>;
}

/** A reply: text chunks (iterate once) plus metadata that is final when drained. */
export interface Reply {
  chunks: AsyncIterable<string>;
  meta: ReplyMeta;
}

/** A model as listed by an upstream. */
export interface ModelInfo {
  name: string;
  model?: string;
  modifiedAt?: string;
  size?: number;
  digest?: string;
  details?: Record<string, unknown>;
}

/** Result of probing an upstream: reachable or not, and why. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
  version?: string;
  models?: string[];
}
