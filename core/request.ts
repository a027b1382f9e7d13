/**
 * Building requests with sensible defaults.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { LazyAbort } from './abort.js';
import type { ChatMessage, ChatRequest, GenerationOptions, RequestMetadata, ToolChoice, ToolDefinition } from './types.js';

export interface RequestInit {
  messages: ChatMessage[];
  model?: string;
  id?: string;
  conversationId?: string;
  options?: GenerationOptions;
  metadata?: RequestMetadata;
  signal?: AbortSignal;
  stream?: boolean;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

export interface RequestDefaults {
  model: string;
  systemPrompt?: string;
  /** Extra signals every request listens to (e.g. the kernel's shutdown). */
  signals?: AbortSignal[];
}

/**
 * Builds a ChatRequest; prepends the default system prompt when the messages carry none.
 * With several signals (the caller's and the kernel's shutdown), the request's signal fires
 * when any of them does. They are linked by listeners that `releaseRequest` removes when
 * the request is settled (`Kernel.handle` does it) rather than through `AbortSignal.any`,
 * which costs several times more per request and keeps every combined signal alive until
 * a garbage collection.
 * @example
 * const req = createRequest({ messages: [{ role: 'user', content: 'Привіт' }] }, { model: 'qwen2.5:7b' });
 */
export function createRequest(init: RequestInit, defaults: RequestDefaults): ChatRequest {
  const id = init.id ?? randomUUID();
  let messages = init.messages;
  if (defaults.systemPrompt && !messages.some((m) => m.role === 'system')) {
    messages = [{ role: 'system', content: defaults.systemPrompt }, ...messages];
  }
  const request: ChatRequest = new KobzaRequest(id, init.conversationId ?? id, messages, init.model || defaults.model, { ...init.options }, init.stream ?? true, { ...init.metadata });
  if (init.tools && init.tools.length > 0) request.tools = init.tools;
  if (init.toolChoice !== undefined) request.toolChoice = init.toolChoice;
  const shared = defaults.signals;
  const count = (init.signal ? 1 : 0) + (shared?.length ?? 0);
  if (count === 0) request.signal = new AbortController().signal;
  else if (count === 1) request.signal = init.signal ?? shared![0];
  else request.signal = linkSignals(request, init.signal ? [init.signal, ...shared!] : shared!, shared!);
  return request;
}

/** Set by KobzaRequest's static block, which alone reaches its private fields. */
let SIGNAL_PROPERTY: PropertyDescriptor;
let isAbortedImpl: (request: ChatRequest) => boolean;
let abortStateImpl: (request: ChatRequest) => { readonly aborted: boolean };
let setAbortImpl: (request: ChatRequest, abort: LazyAbort) => void;
let onAbortImpl: (request: ChatRequest, listener: () => void) => () => void;

/**
 * A request made by `createRequest`. `signal` is an own enumerable accessor, so a copy
 * (`{ ...request, messages }`) gets it as a plain property; behind it the request may hold
 * a LazyAbort (see `setRequestAbort`) whose AbortSignal is made only when `signal` is read.
 * The accessor's functions are shared, so every request has the same hidden class.
 */
class KobzaRequest implements ChatRequest {
  id: string;
  conversationId: string;
  messages: ChatMessage[];
  model: string;
  options: GenerationOptions;
  stream: boolean;
  metadata: RequestMetadata;
  declare signal: AbortSignal;
  declare tools?: ToolDefinition[];
  declare toolChoice?: ToolChoice;
  #signal: AbortSignal | undefined = undefined;
  #abort: LazyAbort | undefined = undefined;

  constructor(id: string, conversationId: string, messages: ChatMessage[], model: string, options: GenerationOptions, stream: boolean, metadata: RequestMetadata) {
    this.id = id;
    this.conversationId = conversationId;
    this.messages = messages;
    this.model = model;
    this.options = options;
    this.stream = stream;
    this.metadata = metadata;
    Object.defineProperty(this, 'signal', SIGNAL_PROPERTY);
  }

  static {
    SIGNAL_PROPERTY = {
      get(this: KobzaRequest): AbortSignal {
        const abort = this.#abort;
        return abort !== undefined ? abort.signal : this.#signal!;
      },
      set(this: KobzaRequest, signal: AbortSignal) {
        this.#signal = signal;
        this.#abort = undefined;
      },
      enumerable: true,
      configurable: true,
    };
    isAbortedImpl = (request) => {
      if (!(#abort in request)) return request.signal.aborted;
      const abort = (request as KobzaRequest).#abort;
      return abort !== undefined ? abort.aborted : (request as KobzaRequest).#signal!.aborted;
    };
    abortStateImpl = (request) => ((#abort in request ? (request as KobzaRequest).#abort : undefined) ?? request.signal);
    onAbortImpl = (request, listener) => {
      const abort = #abort in request ? (request as KobzaRequest).#abort : undefined;
      if (abort !== undefined) return abort.onAbort(listener);
      const signal = request.signal;
      signal.addEventListener('abort', listener, { once: true });
      return () => signal.removeEventListener('abort', listener);
    };
    setAbortImpl = (request, abort) => {
      if (#abort in request) {
        (request as KobzaRequest).#abort = abort;
        (request as KobzaRequest).#signal = undefined;
      } else request.signal = abort.signal;
    };
  }
}

/**
 * Whether the request was aborted, without making a lazy signal (see `setRequestAbort`);
 * the same as `request.signal.aborted`.
 * @example
 * if (isAborted(request)) throw new KobzaError('ABORTED', 'the request was aborted');
 */
export function isAborted(request: ChatRequest): boolean {
  return isAbortedImpl(request);
}

/**
 * What tells whether the request was aborted (its LazyAbort, else its signal), for a
 * check repeated later without making a lazy signal: e.g. an instant replay's `abortState`.
 * @example
 * return replayText(answer, meta, { chunkChars: Infinity, abortState: abortStateOf(request) });
 */
export function abortStateOf(request: ChatRequest): { readonly aborted: boolean } {
  return abortStateImpl(request);
}

/**
 * Calls `listener` once when the request is aborted (not when it already is: check
 * `isAborted` first), without making a lazy signal; returns what removes the listener.
 * @example
 * const off = onRequestAbort(request, () => free());
 */
export function onRequestAbort(request: ChatRequest, listener: () => void): () => void {
  return onAbortImpl(request, listener);
}

/**
 * Makes `abort` the request's abort: from now on `request.signal` is `abort.signal`, made
 * on its first read. For an adapter whose requests end when the client goes away. A request
 * not made by `createRequest` gets `abort.signal` at once.
 * @example
 * const abort = new LazyAbort();
 * setRequestAbort(request, abort);
 * socket.once('close', () => abort.abort());
 */
export function setRequestAbort(request: ChatRequest, abort: LazyAbort): void {
  setAbortImpl(request, abort);
}

/** Unlinks a request's signal from the signals it follows; see releaseRequest. */
const unlinkers = new WeakMap<ChatRequest, () => void>();
/** Shared signals (the kernel's shutdown) carry one listener per request in flight. */
const widened = new WeakSet<AbortSignal>();

function linkSignals(request: ChatRequest, sources: readonly AbortSignal[], shared: readonly AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      return controller.signal;
    }
  }
  for (const signal of shared) {
    if (!widened.has(signal)) {
      // One listener per request in flight is expected here, not a leak.
      setMaxListeners(0, signal);
      widened.add(signal);
    }
  }
  const unlink = () => {
    unlinkers.delete(request);
    for (const source of sources) source.removeEventListener('abort', follow);
  };
  const follow = function follow(this: AbortSignal) {
    unlink();
    controller.abort(this.reason);
  };
  for (const source of sources) source.addEventListener('abort', follow);
  unlinkers.set(request, unlink);
  return controller.signal;
}

/**
 * Stops the request's signal from following the signals it was built from (the caller's,
 * the kernel's shutdown). `Kernel.handle` calls it when the request is settled; call it for
 * a request made with `createRequest` that is never handed to the kernel.
 * @example
 * const req = kernel.createRequest({ messages, signal: controller.signal });
 * releaseRequest(req); // decided not to send it after all
 */
export function releaseRequest(request: ChatRequest): void {
  unlinkers.get(request)?.();
}

/** The last user message's text ('' when none). */
export function lastUserText(request: Pick<ChatRequest, 'messages'>): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i].role === 'user') return request.messages[i].content;
  }
  return '';
}

/**
 * True when a request offers tools or carries a tool turn (an assistant's tool calls, a
 * tool's result): such answers depend on the caller's functions and data, so the semantic
 * cache and ranking leave them alone.
 * @example
 * involvesTools({ messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] }) // true
 */
export function involvesTools(request: Pick<ChatRequest, 'messages' | 'tools'>): boolean {
  if (request.tools && request.tools.length > 0) return true;
  for (const message of request.messages) {
    if (message.role === 'tool' || (message.tool_calls && message.tool_calls.length > 0)) return true;
  }
  return false;
}

/**
 * A tool call's `arguments` (kept as JSON text in Kobza) as the object Ollama's wire format
 * wants; text that is not a JSON object (a model's slip) travels under one key rather than
 * being lost.
 * @example
 * toolArgumentsObject('{"city":"Київ"}') // { city: 'Київ' }
 * toolArgumentsObject('Київ')            // { arguments: 'Київ' }
 */
export function toolArgumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Not JSON: kept as it came, below.
  }
  return { arguments: text };
}
