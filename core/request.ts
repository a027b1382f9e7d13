/**
 * Building requests with sensible defaults.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
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
  const request: ChatRequest = {
    id,
    conversationId: init.conversationId ?? id,
    messages,
    model: init.model || defaults.model,
    options: { ...init.options },
    stream: init.stream ?? true,
    metadata: { ...init.metadata },
    signal: undefined as unknown as AbortSignal,
  };
  if (init.tools && init.tools.length > 0) request.tools = init.tools;
  if (init.toolChoice !== undefined) request.toolChoice = init.toolChoice;
  const shared = defaults.signals;
  const count = (init.signal ? 1 : 0) + (shared?.length ?? 0);
  if (count === 0) request.signal = new AbortController().signal;
  else if (count === 1) request.signal = init.signal ?? shared![0];
  else request.signal = linkSignals(request, init.signal ? [init.signal, ...shared!] : shared!, shared!);
  return request;
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
