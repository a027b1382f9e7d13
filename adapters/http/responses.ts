/**
 * OpenAI's Responses API for text: `POST /v1/responses`, through the same pipeline as chat
 * completions (cache, ranking, limits — `openKernelCall`). `input` is a string or a list
 * of messages (text, and inline `data:` images); `instructions` becomes the system prompt;
 * `max_output_tokens`, `temperature`, `top_p` and `text.format` (JSON) are honoured.
 * Streamed answers send the documented events in order: `response.created`,
 * `response.in_progress`, `response.output_item.added`, `response.content_part.added`,
 * `response.output_text.delta`…, `response.output_text.done`, `response.content_part.done`,
 * `response.output_item.done`, then `response.completed` (`response.incomplete` when
 * `max_output_tokens` cut the answer); a failure after the first event is an `error` event.
 *
 * Refused with a 400 naming the field, because ignoring them would mislead: `tools` and a
 * `tool_choice` that demands one (Kobza does not run tools here yet), tool-call items in
 * `input`, `previous_response_id` and `conversation` (Kobza keeps no responses: send the
 * history in `input`), `background`, `prompt` templates, files and log probabilities.
 * Responses are not stored (`store` is accepted and ignored).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ChatMessage, GenerationOptions, ReplyMeta, RequestMetadata } from '../../core/index.js';
import { errorBody, parseBody, unsupported } from './error-shapes.js';
import { collectText, estimateTokens, metadataFromHeaders, openKernelCall, streamBody, type StreamFormat } from './kernel-call.js';
import { rankingField, setRankingHeader } from './ranking.js';
import { base64OfDataUrl, boundedJson, boundedJsonObject } from './request-fields.js';
import type { RouteDeps } from './server.js';
import { setSourcesHeader, sourcesField } from './sources.js';

const optionalNullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const inputPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  refusal: z.string().optional(),
  image_url: optionalNullable(z.string()),
  detail: z.string().optional(),
});

const inputItem = z.looseObject({
  type: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
  content: z.union([z.string(), z.array(inputPart)]).optional(),
});

export const responsesSchema = z.looseObject({
  model: optionalNullable(z.string()),
  input: z.union([z.string(), z.array(inputItem).min(1)]),
  instructions: optionalNullable(z.string()),
  max_output_tokens: optionalNullable(z.number().int().min(1)),
  temperature: optionalNullable(z.number().min(0).max(2)),
  top_p: optionalNullable(z.number().min(0).max(1)),
  stream: optionalNullable(z.boolean()),
  stream_options: optionalNullable(boundedJson),
  tools: optionalNullable(z.array(boundedJson)),
  tool_choice: optionalNullable(z.union([z.string(), z.record(z.string(), boundedJson)])),
  parallel_tool_calls: optionalNullable(z.boolean()),
  max_tool_calls: optionalNullable(z.number().int()),
  previous_response_id: optionalNullable(z.string()),
  conversation: optionalNullable(z.union([z.string(), boundedJsonObject])),
  background: optionalNullable(z.boolean()),
  prompt: optionalNullable(boundedJson),
  top_logprobs: optionalNullable(z.number().int().min(0).max(20)),
  text: optionalNullable(
    z.looseObject({
      format: optionalNullable(z.looseObject({ type: z.enum(['text', 'json_object', 'json_schema']), schema: boundedJsonObject.optional(), name: z.string().optional() })),
      verbosity: optionalNullable(z.string()),
    }),
  ),
  store: optionalNullable(z.boolean()),
  metadata: optionalNullable(z.record(z.string(), boundedJson)),
  user: optionalNullable(z.string()),
  include: optionalNullable(z.array(z.string())),
  reasoning: optionalNullable(boundedJson),
  truncation: optionalNullable(z.string()),
  service_tier: optionalNullable(z.string()),
  safety_identifier: optionalNullable(z.string()),
  prompt_cache_key: optionalNullable(z.string()),
});

export type ResponsesBody = z.output<typeof responsesSchema>;

function refuseMisleading(body: ResponsesBody, requestId: string): void {
  if (body.tools && body.tools.length > 0) throw unsupported('tools', 'expected no tools; /v1/responses serves text only for now (use /v1/chat/completions for tool calls)', requestId);
  if (body.tool_choice != null && body.tool_choice !== 'none' && body.tool_choice !== 'auto') throw unsupported('tool_choice', 'expected none or auto; /v1/responses serves text only for now', requestId);
  if (body.previous_response_id) throw unsupported('previous_response_id', 'expected none; Kobza keeps no responses, send the earlier turns in input', requestId);
  if (body.conversation != null) throw unsupported('conversation', 'expected none; Kobza keeps no conversations here, send the earlier turns in input', requestId);
  if (body.background === true) throw unsupported('background', 'expected false; background responses are not supported by Kobza', requestId);
  if (body.prompt != null) throw unsupported('prompt', 'expected none; stored prompt templates are not supported by Kobza', requestId);
  if (body.top_logprobs != null && body.top_logprobs > 0) throw unsupported('top_logprobs', 'expected 0; log probabilities are not available through Kobza', requestId);
  if (body.text?.format?.type === 'json_schema' && !body.text.format.schema) throw unsupported('text.format.schema', 'expected a JSON schema object', requestId);
}

/** `input` (and `instructions`) as Kobza messages. */
export function toKobzaMessages(body: ResponsesBody, requestId: string): ChatMessage[] {
  const messages: ChatMessage[] = body.instructions ? [{ role: 'system', content: body.instructions }] : [];
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
    return messages;
  }
  body.input.forEach((item, i) => {
    const at = `input[${i}]`;
    if ((item.type !== undefined && item.type !== 'message') || item.role === undefined) {
      throw unsupported(`${at}.type`, `expected a message with a role, got ${JSON.stringify(String(item.type ?? 'no role').slice(0, 40))}; /v1/responses serves text only for now`, requestId);
    }
    const role = item.role === 'developer' ? 'system' : item.role;
    if (typeof item.content === 'string' || item.content === undefined) {
      messages.push({ role, content: item.content ?? '' });
      return;
    }
    const texts: string[] = [];
    const images: string[] = [];
    item.content.forEach((part, j) => {
      const where = `${at}.content[${j}]`;
      if (part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') {
        if (typeof part.text !== 'string') throw unsupported(`${where}.text`, 'expected a string', requestId);
        texts.push(part.text);
      } else if (part.type === 'refusal') {
        texts.push(part.refusal ?? '');
      } else if (part.type === 'input_image') {
        const data = typeof part.image_url === 'string' ? base64OfDataUrl(part.image_url) : undefined;
        if (data === undefined) throw unsupported(`${where}.image_url`, 'expected a data:image/…;base64, URL (Kobza does not fetch remote images or files)', requestId);
        images.push(data);
      } else {
        throw unsupported(`${where}.type`, `expected input_text or input_image, got ${JSON.stringify(part.type.slice(0, 30))} (files and audio are not supported)`, requestId);
      }
    });
    messages.push(images.length ? { role, content: texts.join('\n'), images } : { role, content: texts.join('\n') });
  });
  return messages;
}

function toOptions(body: ResponsesBody): GenerationOptions {
  const options: GenerationOptions = {};
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.top_p = body.top_p;
  if (body.max_output_tokens != null) options.num_predict = body.max_output_tokens;
  return options;
}

function formatMetadata(body: ResponsesBody, metadata: RequestMetadata): void {
  const format = body.text?.format;
  if (format?.type === 'json_object') metadata.format = 'json';
  else if (format?.type === 'json_schema') metadata.format = format.schema;
}

/** The parts of a `response` object that do not depend on the answer. */
interface ResponseFrame {
  id: string;
  messageId: string;
  createdAt: number;
  model: string;
  body: ResponsesBody;
  promptText: () => string;
}

function outputText(text: string) {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function message(frame: ResponseFrame, status: 'in_progress' | 'completed' | 'incomplete', content: unknown[]) {
  return { id: frame.messageId, type: 'message', status, role: 'assistant', content };
}

function usageOf(meta: ReplyMeta, promptText: () => string, text: string) {
  const input = meta.usage.promptTokens ?? estimateTokens(promptText());
  const output = meta.usage.completionTokens ?? estimateTokens(text);
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

/** A `response` object; `meta` and `text` once the answer is complete. */
function responseObject(frame: ResponseFrame, done?: { meta: ReplyMeta; text: string }) {
  const { body } = frame;
  const cut = done?.meta.doneReason === 'length';
  const status = !done ? 'in_progress' : cut ? 'incomplete' : 'completed';
  return {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    status,
    ...(done ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
    error: null,
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: frame.model,
    output: done ? [message(frame, cut ? 'incomplete' : 'completed', [outputText(done.text)])] : [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: body.temperature ?? null,
    text: { format: body.text?.format ?? { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: body.top_p ?? null,
    truncation: 'disabled',
    usage: done ? usageOf(done.meta, frame.promptText, done.text) : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
    ...(done ? sourcesField(done.meta) : {}),
    ...(done ? rankingField(done.meta) : {}),
  };
}

/** Server-sent events in the documented order, numbered by `sequence_number`. */
function eventsFormat(frame: ResponseFrame): StreamFormat {
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const at = { item_id: frame.messageId, output_index: 0, content_index: 0 };
  return {
    start() {
      const response = responseObject(frame);
      return (
        event('response.created', { response }) +
        event('response.in_progress', { response }) +
        event('response.output_item.added', { output_index: 0, item: message(frame, 'in_progress', []) }) +
        event('response.content_part.added', { ...at, part: outputText('') })
      );
    },
    chunk: (delta) => event('response.output_text.delta', { ...at, delta, logprobs: [] }),
    end(meta, text) {
      const response = responseObject(frame, { meta, text });
      return (
        event('response.output_text.done', { ...at, text, logprobs: [] }) +
        event('response.content_part.done', { ...at, part: outputText(text) }) +
        event('response.output_item.done', { output_index: 0, item: response.output[0] }) +
        event(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response })
      );
    },
    error(error) {
      const shape = errorBody(error, 'openai').error as { message: string; param: string | null };
      return event('error', { code: error.code, message: shape.message, param: shape.param });
    },
  };
}

/** Registers `POST /v1/responses`. */
export function registerResponsesRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { ctx } = deps;

  app.post('/v1/responses', async function responses(request, reply) {
    const body = parseBody(responsesSchema, request.body, request.id);
    refuseMisleading(body, request.id);
    const metadata = metadataFromHeaders(request.headers, 'openai', request.id);
    formatMetadata(body, metadata);
    const messages = toKobzaMessages(body, request.id);
    const stream = body.stream === true;
    const call = await openKernelCall(ctx, { messages, model: body.model ?? '', options: toOptions(body), metadata, stream }, request, reply);
    const compactId = request.id.replaceAll('-', '');
    const frame: ResponseFrame = {
      id: `resp_${compactId}`,
      messageId: `msg_${compactId}`,
      createdAt: Math.floor(call.meta.timings.startedAt / 1000),
      model: call.meta.model || call.request.model,
      body,
      promptText: () => messages.map((m) => m.content).join('\n'),
    };
    reply.header('x-kobza-source', call.meta.source);
    setSourcesHeader(reply, call.meta);
    setRankingHeader(reply, call.meta);
    if (stream) return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(streamBody(call, eventsFormat(frame)));
    const text = await collectText(call);
    return reply.type('application/json; charset=utf-8').send(responseObject(frame, { meta: call.meta, text }));
  });
}
