/**
 * The OpenAI-compatible side: `POST /v1/chat/completions` (SSE or one object),
 * `GET /v1/models`, `GET /v1/models/:model`, `POST /v1/embeddings`. Every documented
 * parameter is accepted; what Kobza can honour is mapped into the request's options and
 * metadata, harmless ones are ignored, and ones whose silent loss would mislead (`n > 1`,
 * the deprecated `functions`, `logprobs`, `logit_bias`, audio) are refused with a 400 naming
 * the field. Tools pass through: `tools`, `tool_choice`, assistant `tool_calls` and `tool`
 * messages go to the model, its calls come back as `message.tool_calls` (streamed as
 * `delta.tool_calls`) with `finish_reason: "tool_calls"`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KobzaError, involvesTools, type ChatMessage, type GenerationOptions, type ReplyMeta } from '../../core/index.js';
import { unsupported, parseBody, errorBody } from './error-shapes.js';
import { collectText, conversationIdOf, disconnectSignal, estimateTokens, estimateTokensOfLength, metadataFromHeaders, openKernelCall, streamBody, type StreamFormat } from './kernel-call.js';
import { base64OfDataUrl, boundedJson, boundedJsonObject, keepAliveSchema } from './request-fields.js';
import { embedTexts, listUpstreamModels, shortenVectors } from './upstream.js';
import type { RouteDeps } from './server.js';
import { setSourcesHeader, sourcesField } from './sources.js';
import { bypassForTools, fromOpenAiToolCalls, openAiToolCallDeltas, openAiToolCalls, openAiToolCallSchema, openAiToolChoiceSchema, refuseLegacyFunctions, toolCallsResponseSchema, toolDefinitionSchema, toToolChoice, toToolDefinitions } from './tool-fields.js';
import { rankingField, rankingFieldSchema, setRankingHeader } from './ranking.js';

const optionalNullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

const contentPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  refusal: z.string().optional(),
  image_url: z
    .union([z.string(), z.looseObject({ url: z.string(), detail: z.string().optional() })], {
      error: 'expected { url: "data:image/png;base64,…" }',
    })
    .optional(),
});

const chatMessage = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: optionalNullable(z.array(openAiToolCallSchema)),
  refusal: optionalNullable(z.string()),
});

export const chatCompletionSchema = z.looseObject({
  model: z.string(),
  messages: z.array(chatMessage).min(1),
  stream: optionalNullable(z.boolean()),
  stream_options: optionalNullable(
    z.looseObject({
      include_usage: z.boolean().optional(),
      include_obfuscation: z.boolean().optional(),
    }),
  ),
  temperature: optionalNullable(z.number().min(0).max(2)),
  top_p: optionalNullable(z.number().min(0).max(1)),
  n: optionalNullable(z.number().int().min(1)),
  max_tokens: optionalNullable(z.number().int().min(1)),
  max_completion_tokens: optionalNullable(z.number().int().min(1)),
  stop: optionalNullable(z.union([z.string(), z.array(z.string()).max(16)])),
  seed: optionalNullable(z.number().int()),
  presence_penalty: optionalNullable(z.number().min(-2).max(2)),
  frequency_penalty: optionalNullable(z.number().min(-2).max(2)),
  logit_bias: optionalNullable(z.record(z.string(), z.number())),
  logprobs: optionalNullable(z.boolean()),
  top_logprobs: optionalNullable(z.number().int().min(0).max(20)),
  response_format: optionalNullable(
    z.looseObject({
      type: z.enum(['text', 'json_object', 'json_schema']),
      json_schema: z
        .looseObject({
          name: z.string().optional(),
          description: z.string().optional(),
          schema: boundedJsonObject.optional(),
          strict: optionalNullable(z.boolean()),
        })
        .optional(),
    }),
  ),
  tools: optionalNullable(z.array(toolDefinitionSchema).max(128)),
  tool_choice: optionalNullable(openAiToolChoiceSchema),
  parallel_tool_calls: optionalNullable(z.boolean()),
  functions: optionalNullable(z.array(boundedJson)),
  function_call: optionalNullable(z.union([z.string(), z.record(z.string(), boundedJson)])),
  modalities: optionalNullable(z.array(z.string())),
  audio: optionalNullable(boundedJson),
  web_search_options: optionalNullable(boundedJson),
  prediction: optionalNullable(boundedJson),
  user: optionalNullable(z.string()),
  metadata: optionalNullable(z.record(z.string(), boundedJson)),
  store: optionalNullable(z.boolean()),
  service_tier: optionalNullable(z.string()),
  reasoning_effort: optionalNullable(z.string()),
  verbosity: optionalNullable(z.string()),
  safety_identifier: optionalNullable(z.string()),
  prompt_cache_key: optionalNullable(z.string()),
  prompt_cache_retention: optionalNullable(z.string()),
  // Widespread extensions of OpenAI-compatible servers (vLLM, LM Studio, llama.cpp).
  top_k: optionalNullable(z.number().int().min(0)),
  min_p: optionalNullable(z.number().min(0).max(1)),
  repeat_penalty: optionalNullable(z.number().min(0)),
  repetition_penalty: optionalNullable(z.number().min(0)),
  num_ctx: optionalNullable(z.number().int().min(1)),
  keep_alive: optionalNullable(keepAliveSchema),
});

export type ChatCompletionBody = z.output<typeof chatCompletionSchema>;

const CHAT_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function isFiniteIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Text-only messages with nothing but a role, a content and a name. */
function isPlainMessageList(value: unknown): boolean {
  if (!Array.isArray(value) || value.length === 0) return false;
  for (const message of value) {
    if (!isPlainObject(message)) return false;
    for (const key in message) {
      const field = message[key];
      if (key === 'role') {
        if (typeof field !== 'string' || !CHAT_ROLES.has(field)) return false;
      } else if (key === 'content') {
        if (field !== null && typeof field !== 'string') return false;
      } else if (key === 'name') {
        if (typeof field !== 'string') return false;
      } else return false;
    }
    if (!('role' in message)) return false;
  }
  return true;
}

/**
 * True for the body nearly every chat client sends — a model, text messages, and a few
 * plain sampling fields — when every field holds a value the schema accepts unchanged.
 * Such a body is what `chatCompletionSchema` would return (it transforms nothing), so the
 * route skips the schema, which allocates several kilobytes per request. Anything else,
 * including anything wrong, goes through the schema and its error messages.
 * @example
 * isPlainChatCompletionBody({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Привіт' }] }) // true
 */
export function isPlainChatCompletionBody(body: unknown): body is ChatCompletionBody {
  if (!isPlainObject(body) || typeof body.model !== 'string' || !isPlainMessageList(body.messages)) return false;
  for (const key in body) {
    const value = body[key];
    switch (key) {
      case 'model':
      case 'messages':
        break;
      case 'stream':
        if (value !== null && typeof value !== 'boolean') return false;
        break;
      case 'temperature':
        if (value !== null && !isFiniteIn(value, 0, 2)) return false;
        break;
      case 'top_p':
        if (value !== null && !isFiniteIn(value, 0, 1)) return false;
        break;
      case 'max_tokens':
      case 'max_completion_tokens':
        if (value !== null && !(Number.isSafeInteger(value) && (value as number) >= 1)) return false;
        break;
      case 'seed':
        if (value !== null && !Number.isSafeInteger(value)) return false;
        break;
      case 'user':
        if (value !== null && typeof value !== 'string') return false;
        break;
      case 'stream_options':
        if (value !== null) {
          if (!isPlainObject(value)) return false;
          for (const option in value) if (option !== 'include_usage' || typeof value[option] !== 'boolean') return false;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}

function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** Refuses parameters whose silent loss would mislead the caller. */
function refuseMisleading(body: ChatCompletionBody, requestId: string): void {
  if (body.n != null && body.n > 1) throw unsupported('n', `expected 1, got ${body.n}; Kobza returns one choice (its ranking picks the best of several drafts for you)`, requestId);
  refuseLegacyFunctions(body.functions, body.function_call, requestId);
  if (body.tool_choice != null && body.tool_choice !== 'none' && body.tool_choice !== 'auto' && !isNonEmptyArray(body.tools)) {
    throw unsupported('tool_choice', 'expected none or auto when no tools are given', requestId);
  }
  if (body.logprobs === true) throw unsupported('logprobs', 'expected false; log probabilities are not available through Kobza', requestId);
  if (body.top_logprobs != null && body.top_logprobs > 0) throw unsupported('top_logprobs', 'expected 0; log probabilities are not available through Kobza', requestId);
  if (body.logit_bias != null && Object.keys(body.logit_bias).length > 0) throw unsupported('logit_bias', 'expected no biases; the Ollama upstream cannot apply token biases', requestId);
  if (body.audio != null || (body.modalities ?? []).some((m) => m !== 'text')) throw unsupported(body.audio != null ? 'audio' : 'modalities', 'expected ["text"]; Kobza answers with text only', requestId);
  if (body.web_search_options != null) throw unsupported('web_search_options', 'expected none; web search is not supported by Kobza', requestId);
  if (body.response_format?.type === 'json_schema' && !body.response_format.json_schema?.schema) {
    throw unsupported('response_format.json_schema.schema', 'expected a JSON schema object', requestId);
  }
}

/** Turns OpenAI messages into Kobza messages (text, inline images, tool calls and results). */
export function toKobzaMessages(messages: ChatCompletionBody['messages'], requestId: string): ChatMessage[] {
  return messages.map((message, i) => withToolFields(message, toKobzaMessage(message, i, requestId)));
}

function withToolFields(message: ChatCompletionBody['messages'][number], converted: ChatMessage): ChatMessage {
  if (message.role === 'assistant' && message.tool_calls && message.tool_calls.length > 0) converted.tool_calls = fromOpenAiToolCalls(message.tool_calls);
  if (converted.role === 'tool') {
    if (message.tool_call_id) converted.tool_call_id = message.tool_call_id;
    if (message.name) converted.name = message.name;
  }
  return converted;
}

function toKobzaMessage(message: ChatCompletionBody['messages'][number], i: number, requestId: string): ChatMessage {
  const role = message.role === 'developer' ? 'system' : message.role === 'function' ? 'tool' : message.role;
  if (typeof message.content === 'string' || message.content == null) return { role, content: message.content ?? '' };
  const texts: string[] = [];
  const images: string[] = [];
  message.content.forEach((part, j) => {
    const at = `messages[${i}].content[${j}]`;
    if (part.type === 'text' || part.type === 'input_text') {
      if (typeof part.text !== 'string') throw unsupported(`${at}.text`, 'expected a string', requestId);
      texts.push(part.text);
    } else if (part.type === 'refusal') {
      if (typeof part.refusal !== 'string') throw unsupported(`${at}.refusal`, 'expected a string', requestId);
      texts.push(part.refusal);
    } else if (part.type === 'image_url') {
      const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url;
      const data = typeof url === 'string' ? base64OfDataUrl(url) : undefined;
      if (data === undefined) throw unsupported(`${at}.image_url.url`, 'expected a data:image/…;base64, URL (Kobza does not fetch remote images)', requestId);
      images.push(data);
    } else {
      throw unsupported(`${at}.type`, `expected text or image_url, got ${JSON.stringify(part.type.slice(0, 30))} (audio and files are not supported)`, requestId);
    }
  });
  return images.length ? { role, content: texts.join('\n'), images } : { role, content: texts.join('\n') };
}

function toOptions(body: ChatCompletionBody): GenerationOptions {
  const options: GenerationOptions = {};
  if (body.temperature != null) options.temperature = body.temperature;
  if (body.top_p != null) options.top_p = body.top_p;
  if (body.top_k != null) options.top_k = body.top_k;
  if (body.min_p != null) options.min_p = body.min_p;
  if (body.seed != null) options.seed = body.seed;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) options.num_predict = maxTokens;
  if (body.stop != null) options.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.presence_penalty != null) options.presence_penalty = body.presence_penalty;
  if (body.frequency_penalty != null) options.frequency_penalty = body.frequency_penalty;
  const repeat = body.repeat_penalty ?? body.repetition_penalty;
  if (repeat != null) options.repeat_penalty = repeat;
  if (body.num_ctx != null) options.num_ctx = body.num_ctx;
  if (body.keep_alive != null) options.keep_alive = body.keep_alive;
  return options;
}

function finishReason(meta: ReplyMeta): 'stop' | 'length' | 'tool_calls' {
  if (meta.toolCalls?.length) return 'tool_calls';
  return meta.doneReason === 'length' ? 'length' : 'stop';
}

/**
 * The length of the prompt as one text (the messages joined by newlines), for a token
 * estimate when the upstream gave no count (a cache hit): counted, not joined.
 */
function promptLength(messages: readonly ChatMessage[]): number {
  let length = messages.length > 0 ? messages.length - 1 : 0;
  for (const message of messages) length += message.content.length;
  return length;
}

function usageOf(meta: ReplyMeta, messages: readonly ChatMessage[], text: string) {
  const prompt = meta.usage.promptTokens ?? estimateTokensOfLength(promptLength(messages));
  const completion = meta.usage.completionTokens ?? estimateTokens(text);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * The `chat.completion` object's shape, for Fastify's response serializer
 * (fast-json-stringify): the object is on every non-streaming answer and its shape is fixed.
 */
const chatCompletionResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { type: 'string' },
    created: { type: 'integer' },
    model: { type: 'string' },
    system_fingerprint: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          message: {
            type: 'object',
            properties: {
              role: { type: 'string' },
              content: { type: ['string', 'null'] },
              tool_calls: toolCallsResponseSchema,
              refusal: { type: 'null' },
              annotations: { type: 'array', items: {} },
            },
          },
          logprobs: { type: 'null' },
          finish_reason: { type: 'string' },
        },
      },
    },
    usage: {
      type: 'object',
      properties: {
        prompt_tokens: { type: 'integer' },
        completion_tokens: { type: 'integer' },
        total_tokens: { type: 'integer' },
      },
    },
    /** Kobza's own: the documents the answer is grounded in (knowledge plugin). */
    sources: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, url: { type: 'string' } } },
    },
    /** Kobza's own: how a ranked answer was chosen (ranking.ts). */
    ranking: rankingFieldSchema,
  },
} as const;

function completion(id: string, created: number, model: string, text: string, meta: ReplyMeta, usage: ReturnType<typeof usageOf>) {
  // An answer that is only tool calls has no content, as OpenAI writes it.
  const message = meta.toolCalls?.length
    ? { role: 'assistant', content: text || null, tool_calls: openAiToolCalls(meta.toolCalls), refusal: null, annotations: [] }
    : { role: 'assistant', content: text, refusal: null, annotations: [] };
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: 'kobza',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(meta) }],
    usage,
  };
}

/** SSE frames in OpenAI's `chat.completion.chunk` shape; prefixes are built once per stream. */
function sseFormat(id: string, created: number, model: string, includeUsage: boolean, messages: readonly ChatMessage[]): StreamFormat {
  const usageField = includeUsage ? ',"usage":null' : '';
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"kobza","choices":[`;
  return {
    start: () => `${head}{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`,
    chunk: (text) => `${head}{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`,
    end(meta, text) {
      let out = '';
      if (meta.toolCalls?.length) {
        for (const delta of openAiToolCallDeltas(meta.toolCalls)) {
          out += `${head}{"index":0,"delta":{"tool_calls":[${JSON.stringify(delta)}]},"logprobs":null,"finish_reason":null}]${usageField}}\n\n`;
        }
      }
      out += `${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${finishReason(meta)}"}]${usageField}}\n\n`;
      if (includeUsage) out += `${head}],"usage":${JSON.stringify(usageOf(meta, messages, text))}}\n\n`;
      return `${out}data: [DONE]\n\n`;
    },
    error: (error) => `data: ${JSON.stringify(errorBody(error, 'openai'))}\n\n`,
  };
}

const embeddingsSchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: optionalNullable(z.enum(['float', 'base64'])),
  dimensions: optionalNullable(z.number().int().min(1)),
  user: optionalNullable(z.string()),
});

function toBase64(vector: number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** Registers the OpenAI-compatible routes. */
export function registerOpenAiRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { ctx, tenantOf } = deps;

  app.post('/v1/chat/completions', { schema: { response: { 200: chatCompletionResponse } } }, async function chatCompletions(request, reply) {
    // A plain body (isPlainChatCompletionBody) has no field refuseMisleading, response_format
    // or tools look at, so those checks run only for the others.
    const plain = isPlainChatCompletionBody(request.body);
    const body: ChatCompletionBody = plain ? (request.body as ChatCompletionBody) : parseBody(chatCompletionSchema, request.body, request.id);
    const headers = request.headers;
    const metadata = metadataFromHeaders(headers, 'openai', request.id);
    let tools: ReturnType<typeof toToolDefinitions> | undefined;
    let toolChoice: ReturnType<typeof toToolChoice> | undefined;
    if (!plain) {
      refuseMisleading(body, request.id);
      if (body.response_format?.type === 'json_object') metadata.format = 'json';
      if (body.response_format?.type === 'json_schema') metadata.format = body.response_format.json_schema!.schema;
      tools = body.tools?.length ? toToolDefinitions(body.tools) : undefined;
      toolChoice = tools && body.tool_choice != null ? toToolChoice(body.tool_choice) : undefined;
    }
    const tenant = tenantOf?.(request);
    if (tenant !== undefined) metadata.tenant = tenant;
    const conversationId = conversationIdOf(headers, body.user, tenant, request.id);
    const stream = body.stream === true;
    const messages = toKobzaMessages(body.messages, request.id);
    if (involvesTools({ messages, tools })) bypassForTools(metadata);
    const call = await openKernelCall(ctx, { messages, model: body.model, options: toOptions(body), metadata, stream, tools, toolChoice, conversationId }, request, reply);
    const id = `chatcmpl-${request.id}`;
    const created = Math.floor(call.meta.timings.startedAt / 1000);
    reply.header('x-kobza-source', call.meta.source);
    setSourcesHeader(reply, call.meta);
    setRankingHeader(reply, call.meta);
    if (stream) {
      const format = sseFormat(id, created, call.meta.model || call.request.model, body.stream_options?.include_usage === true, messages);
      return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(streamBody(call, format));
    }
    const text = await collectText(call);
    // Built in place: the optional fields are added only when present (no spreads).
    const answer: ReturnType<typeof completion> & { sources?: unknown; ranking?: unknown } = completion(id, created, call.meta.model || call.request.model, text, call.meta, usageOf(call.meta, messages, text));
    if (call.meta.sources?.length) answer.sources = sourcesField(call.meta).sources;
    if (call.meta.ranking) answer.ranking = rankingField(call.meta).ranking;
    return answer;
  });

  app.get('/v1/models', async function models(request) {
    const list = await listUpstreamModels(ctx, request.id, AbortSignal.timeout(deps.config.readyTimeoutMs * 3));
    return { object: 'list', data: list.map(toOpenAiModel) };
  });

  app.get<{ Params: { '*': string } }>('/v1/models/*', async function model(request) {
    const name = request.params['*'];
    const list = await listUpstreamModels(ctx, request.id, AbortSignal.timeout(deps.config.readyTimeoutMs * 3));
    const found = list.find((m) => m.name === name || m.model === name);
    if (!found) throw new KobzaError('MODEL_NOT_FOUND', `model ${JSON.stringify(name.slice(0, 100))} not found`, { requestId: request.id, details: { param: 'model' } });
    return toOpenAiModel(found);
  });

  app.post('/v1/embeddings', async function embeddings(request, reply) {
    const body = parseBody(embeddingsSchema, request.body, request.id);
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    const result = await embedTexts(ctx, texts, body.model, request.id, disconnectSignal(reply));
    const vectors = shortenVectors(result.vectors, body.dimensions, 'dimensions', request.id);
    const tokens = texts.reduce((sum, t) => sum + estimateTokens(t), 0);
    return {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding: body.encoding_format === 'base64' ? toBase64(embedding) : embedding })),
      model: result.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  });
}

function toOpenAiModel(model: { name: string; model?: string; modifiedAt?: string }) {
  const created = model.modifiedAt ? Math.floor(Date.parse(model.modifiedAt) / 1000) : 0;
  return { id: model.name, object: 'model', created: Number.isFinite(created) ? created : 0, owned_by: 'ollama' };
}
