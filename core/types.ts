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
  /** Assistant turns: the tools the model asked the caller to run. */
  tool_calls?: ToolCall[];
  /** Tool turns: the id of the call this message answers (Ollama does not need it). */
  tool_call_id?: string;
  /** Tool turns: the name of the tool whose result this is. */
  name?: string;
}

/**
 * A function the model asked the caller to run, in a provider-neutral shape. Providers map
 * it from and to their wire format (Ollama: `arguments` as an object and no id; OpenAI:
 * `arguments` as JSON text and an id).
 */
export interface ToolCall {
  /** The call's id; made up (`call_<n>`) when the upstream gives none. */
  id: string;
  name: string;
  /** The arguments as JSON text (as the model wrote them; usually an object). */
  arguments: string;
}

/** A function the model may call: a name, what it does, and a JSON schema of its parameters. */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

/**
 * Whether and which tool the model must call. `none` hides the tools; upstreams that
 * cannot force a call (Ollama) treat `required` and a named tool as `auto`.
 */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

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
  /** The tenant an API key names: the semantic cache's entries are never shared between tenants. */
  tenant?: string;
  /**
   * Earlier turns the memory plugin kept out of the prompt (a standalone question); the cache
   * checks that an answer repeats nothing personal from them before sharing it.
   */
  withheldHistory?: ChatMessage[];
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
  /**
   * Functions the model may call instead of answering. A request with tools, or with tool
   * turns in its messages, bypasses the semantic cache and ranking (see `involvesTools`).
   */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
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

/** One draft of a ranked reply, as `meta.ranking.candidates` reports it. */
export interface RankingCandidate {
  /** The draft's index (0-based, in the order the drafts were started). */
  index: number;
  /** `done` (scored), `failed`, `aborted` (deadline or client), `skipped` (never started). */
  status: 'done' | 'failed' | 'aborted' | 'skipped';
  /** Weighted mean of the scorers' scores, in [0, 1] (scored drafts only). */
  score?: number;
  /** Scorer name → score in [0, 1]. */
  scores?: Record<string, number>;
  /** Scorer name → the reason it gave. */
  reasons?: Record<string, string>;
  /** Scorers that vetoed this draft. */
  vetoedBy?: string[];
  options?: { temperature?: number; top_p?: number; seed?: number };
  chars?: number;
  durationMs?: number;
  error?: { code: string; message: string };
}

/**
 * How a ranked reply was chosen; known before its first chunk (ranking judges every draft
 * before it replays the winner), so adapters can show it in headers.
 */
export interface ReplyRanking {
  /** Index of the winning draft. */
  winner: number;
  /** The winner's score, in [0, 1]. */
  score: number;
  /** A sentence saying why the winner won. */
  reason: string;
  /** Why ranking ran (`policy: always`, `hard question: …`). */
  policy: string;
  /** True when the deadline cut some drafts short. */
  deadlineHit: boolean;
  /** Milliseconds spent drafting and judging. */
  draftMs: number;
  /** Tokens spent by every draft together. */
  usage: { promptTokens: number; completionTokens: number };
  candidates: RankingCandidate[];
}

/** Metadata of a reply. Fields are final once the chunks are drained. */
export interface ReplyMeta {
  requestId: string;
  source: ReplySource;
  model: string;
  /**
   * `stop`, `length` (hit num_predict), `abort`, … as the upstream said; `tool_calls` when
   * the answer ends with `toolCalls`.
   */
  doneReason?: string;
  /**
   * The tools the model asked the caller to run, final once the chunks are drained (the
   * text chunks, if any, come first). Set only by providers, for requests with `tools`.
   */
  toolCalls?: ToolCall[];
  usage: ReplyUsage;
  timings: ReplyTimings;
  /** True once the stream ended normally with the upstream's `done`. */
  complete: boolean;
  /** Set on cache hits. */
  cache?: { similarity: number; exact: boolean; key?: string };
  /** The documents the answer is grounded in, numbered as the answer cites them ([1] = first). */
  sources?: ReplySourceRef[];
  /** Set by the ranking plugin: every candidate's scores and why the winner won. */
  ranking?: ReplyRanking;
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
