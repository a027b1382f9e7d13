/**
 * Building requests with sensible defaults.
 */
import { randomUUID } from 'node:crypto';
import type { ChatMessage, ChatRequest, GenerationOptions } from './types.js';

export interface RequestInit {
  messages: ChatMessage[];
  model?: string;
  id?: string;
  conversationId?: string;
  options?: GenerationOptions;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
  stream?: boolean;
}

export interface RequestDefaults {
  model: string;
  systemPrompt?: string;
  /** Extra signals every request listens to (e.g. the kernel's shutdown). */
  signals?: AbortSignal[];
}

/**
 * Builds a ChatRequest; prepends the default system prompt when the messages carry none.
 * @example
 * const req = createRequest({ messages: [{ role: 'user', content: 'Привіт' }] }, { model: 'qwen2.5:7b' });
 */
export function createRequest(init: RequestInit, defaults: RequestDefaults): ChatRequest {
  const id = init.id ?? randomUUID();
  let messages = init.messages;
  if (defaults.systemPrompt && !messages.some((m) => m.role === 'system')) {
    messages = [{ role: 'system', content: defaults.systemPrompt }, ...messages];
  }
  const signals = [init.signal, ...(defaults.signals ?? [])].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length === 0 ? new AbortController().signal : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  return {
    id,
    conversationId: init.conversationId ?? id,
    messages,
    model: init.model || defaults.model,
    options: { ...(init.options ?? {}) },
    stream: init.stream ?? true,
    metadata: { ...(init.metadata ?? {}) },
    signal,
  };
}

/** The last user message's text ('' when none). */
export function lastUserText(request: Pick<ChatRequest, 'messages'>): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i].role === 'user') return request.messages[i].content;
  }
  return '';
}
