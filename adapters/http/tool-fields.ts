/**
 * Tool calling on both APIs: the shared tool-definition schema, and the mapping between
 * Kobza's neutral tool calls and each wire format (OpenAI: `arguments` as JSON text and an
 * id per call; Ollama: `arguments` as an object, no id, tool results named by `tool_name`).
 * Kobza runs no tool itself: it passes the definitions to the model and the model's calls
 * back to the client, which runs them and sends the results as `tool` messages.
 */
import { z } from 'zod';
import { toolArgumentsObject, type ChatMessage, type RequestMetadata, type ToolCall, type ToolChoice, type ToolDefinition } from '../../core/index.js';
import { unsupported } from './error-shapes.js';
import { boundedJsonObject } from './request-fields.js';

/** A function definition, as both APIs write it. */
export const toolDefinitionSchema = z.looseObject({
  type: z.literal('function', { error: 'expected "function" (the only tool type Kobza passes on)' }),
  function: z.looseObject({
    name: z.string().min(1).max(64),
    description: z.string().nullable().optional(),
    parameters: boundedJsonObject.nullable().optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

type ToolDefinitionBody = z.output<typeof toolDefinitionSchema>;

/** Definitions in Kobza's shape (only the fields a model uses). */
export function toToolDefinitions(tools: ToolDefinitionBody[]): ToolDefinition[] {
  return tools.map((tool) => {
    const fn: ToolDefinition['function'] = { name: tool.function.name };
    if (tool.function.description != null) fn.description = tool.function.description;
    if (tool.function.parameters != null) fn.parameters = tool.function.parameters;
    if (tool.function.strict != null) fn.strict = tool.function.strict;
    return { type: 'function', function: fn };
  });
}

/** OpenAI's `tool_choice`: a mode, or `{ type: 'function', function: { name } }`. */
export const openAiToolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required'], { error: 'expected none, auto, required or { type: "function", function: { name } }' }),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

export function toToolChoice(choice: z.output<typeof openAiToolChoiceSchema>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

/** An assistant message's tool call as OpenAI writes it. */
export const openAiToolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

export function fromOpenAiToolCalls(calls: z.output<typeof openAiToolCallSchema>[]): ToolCall[] {
  return calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
}

/** `message.tool_calls` of an OpenAI answer. */
export function openAiToolCalls(calls: ToolCall[]) {
  return calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
}

/**
 * The `delta.tool_calls` frames of a streamed OpenAI answer: one whole call per delta
 * (id, type, name and the complete arguments), as OpenAI's first fragment of a call looks.
 */
export function openAiToolCallDeltas(calls: ToolCall[]) {
  return calls.map((call, index) => ({ index, id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } }));
}

/** The response schema of `message.tool_calls` for Fastify's serializer. */
export const toolCallsResponseSchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      type: { type: 'string' },
      function: { type: 'object', properties: { name: { type: 'string' }, arguments: { type: 'string' } } },
    },
  },
} as const;

/** An assistant message's tool call as Ollama writes it (`id` and `index` from newer versions). */
export const ollamaToolCallSchema = z.looseObject({
  id: z.string().optional(),
  function: z.looseObject({
    index: z.number().int().optional(),
    name: z.string(),
    arguments: z.union([boundedJsonObject, z.string()]).nullable().optional(),
  }),
});

/**
 * Ollama messages in Kobza's shape. Ollama's calls carry no ids, so each gets `call_<n>`
 * and a later `tool` message is tied to the earliest unanswered call of its `tool_name`
 * (or, unnamed, the earliest unanswered one): an OpenAI-compatible upstream needs the id.
 */
export function fromOllamaMessages(
  messages: { role: ChatMessage['role']; content?: string; images?: string[] | null; tool_calls?: z.output<typeof ollamaToolCallSchema>[] | null; tool_name?: string }[],
): ChatMessage[] {
  const unanswered: ToolCall[] = [];
  let counter = 0;
  return messages.map((m) => {
    const message: ChatMessage = { role: m.role, content: m.content ?? '' };
    if (m.images && m.images.length) message.images = m.images;
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length) {
      message.tool_calls = m.tool_calls.map((call) => {
        const args = call.function.arguments;
        const converted: ToolCall = { id: call.id || `call_${counter++}`, name: call.function.name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
        unanswered.push(converted);
        return converted;
      });
    }
    if (m.role === 'tool') {
      const at = m.tool_name ? unanswered.findIndex((call) => call.name === m.tool_name) : unanswered.length ? 0 : -1;
      const answered = at >= 0 ? unanswered.splice(at, 1)[0] : undefined;
      const name = m.tool_name || answered?.name;
      if (name) message.name = name;
      if (answered) message.tool_call_id = answered.id;
    }
    return message;
  });
}

/** `message.tool_calls` of an Ollama answer: `arguments` as an object. */
export function ollamaToolCalls(calls: ToolCall[]) {
  return calls.map((call) => ({ function: { name: call.name, arguments: toolArgumentsObject(call.arguments) } }));
}


/**
 * Marks a request with tools or tool turns so the semantic cache and ranking leave it
 * alone (the plugins check the request as well; this keeps the intent visible in one place).
 */
export function bypassForTools(metadata: RequestMetadata): void {
  metadata.cache = 'off';
  metadata.ranking = 'off';
}

/** Refuses the pre-tools `functions` API, pointing at its replacement. */
export function refuseLegacyFunctions(functions: unknown[] | null | undefined, functionCall: unknown, requestId: string): void {
  if (Array.isArray(functions) && functions.length > 0) throw unsupported('functions', 'expected no functions; the deprecated functions API is not supported, send the same definitions as tools', requestId);
  if (functionCall != null && functionCall !== 'none' && functionCall !== 'auto') throw unsupported('function_call', 'expected none or auto; use tools and tool_choice', requestId);
}
