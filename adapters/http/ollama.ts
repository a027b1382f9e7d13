/**
 * The Ollama-compatible side: `POST /api/chat`, `POST /api/generate` (NDJSON by default,
 * one object with `stream: false`), `GET /api/tags`, `GET /api/version`,
 * `POST /api/embed` (and the older `/api/embeddings`). Clients that speak Ollama — Open
 * WebUI, Continue, LangChain's ChatOllama, the `ollama` npm package — point at Kobza
 * unchanged. Runtime options Ollama uses to tune its own server (`num_gpu`, `num_thread`,
 * …) are type-checked and ignored; ones whose loss would mislead (`think`, `raw`,
 * `suffix`, `template`, `context`, `logprobs`) are refused with a 400. Tools pass through:
 * `tools` and `tool` messages go to the model, its calls come back as `message.tool_calls`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { KobzaError, involvesTools, type ChatMessage, type GenerationOptions, type ModelInfo, type ReplyMeta, type RequestMetadata } from '../../core/index.js';
import { errorBody, unsupported, parseBody } from './error-shapes.js';
import { collectText, conversationIdOf, disconnectSignal, estimateTokens, metadataFromHeaders, openKernelCall, streamBody, type StreamFormat } from './kernel-call.js';
import { boundedJson, boundedJsonObject, keepAliveSchema } from './request-fields.js';
import { embedTexts, listUpstreamModels, shortenVectors } from './upstream.js';
import type { RouteDeps } from './server.js';
import { setSourcesHeader, sourcesField } from './sources.js';
import { bypassForTools, fromOllamaMessages, ollamaToolCalls, ollamaToolCallSchema, toolDefinitionSchema, toToolDefinitions } from './tool-fields.js';
import { rankingField, setRankingHeader } from './ranking.js';

/** The Ollama API level this adapter speaks (what `/api/version` reports). */
export const OLLAMA_API_VERSION = '0.12.0';

// Ollama decodes options into Go float32/int fields; values out of range would make it 400.
const FLOAT32_MAX = 3.4e38;
const FLOAT32_RANGE = 'expected a number within float32 range';
const num = () => z.number().min(-FLOAT32_MAX, { error: FLOAT32_RANGE }).max(FLOAT32_MAX, { error: FLOAT32_RANGE });
const int = () => z.number().int();

/** Every option Ollama documents; the ones Kobza maps are range-checked. */
const ollamaOptions = z.looseObject({
  num_keep: int().optional(),
  seed: int().optional(),
  num_predict: int().min(-2).optional(),
  top_k: int().min(0).optional(),
  top_p: num().min(0).max(1).optional(),
  min_p: num().min(0).max(1).optional(),
  typical_p: num().optional(),
  repeat_last_n: int().optional(),
  temperature: num().min(0).optional(),
  repeat_penalty: num().min(0).optional(),
  presence_penalty: num().optional(),
  frequency_penalty: num().optional(),
  penalize_newline: z.boolean().optional(),
  stop: z.array(z.string()).max(16).optional(),
  numa: z.boolean().optional(),
  num_ctx: int().min(1).optional(),
  num_batch: int().optional(),
  num_gpu: int().optional(),
  main_gpu: int().optional(),
  use_mmap: z.boolean().optional(),
  num_thread: int().optional(),
  mirostat: int().optional(),
  mirostat_tau: num().optional(),
  mirostat_eta: num().optional(),
  tfs_z: num().optional(),
  low_vram: z.boolean().optional(),
  f16_kv: z.boolean().optional(),
  vocab_only: z.boolean().optional(),
  use_mlock: z.boolean().optional(),
});

const format = z.union([z.literal('json'), z.literal(''), boundedJsonObject]);
const keepAlive = keepAliveSchema;
const think = z.union([z.boolean(), z.enum(['low', 'medium', 'high'])]);

const ollamaMessage = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().optional(),
  images: z.array(z.string()).nullable().optional(),
  tool_calls: z.array(ollamaToolCallSchema).nullable().optional(),
  thinking: z.string().optional(),
  tool_name: z.string().optional(),
});

const common = {
  model: z.string(),
  format: format.optional(),
  options: ollamaOptions.nullable().optional(),
  stream: z.boolean().nullable().optional(),
  keep_alive: keepAlive.nullable().optional(),
  think: think.nullable().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: int().min(0).max(20).nullable().optional(),
};

export const ollamaChatSchema = z.looseObject({
  ...common,
  messages: z.array(ollamaMessage).nullable().optional(),
  tools: z.array(toolDefinitionSchema).max(128).nullable().optional(),
});

export const ollamaGenerateSchema = z.looseObject({
  ...common,
  prompt: z.string().nullable().optional(),
  suffix: z.string().nullable().optional(),
  system: z.string().nullable().optional(),
  template: z.string().nullable().optional(),
  context: z.array(int()).nullable().optional(),
  raw: z.boolean().nullable().optional(),
  images: z.array(z.string()).nullable().optional(),
});

type CommonBody = z.output<typeof ollamaChatSchema> | z.output<typeof ollamaGenerateSchema>;

function refuseCommon(body: CommonBody, requestId: string): void {
  if (body.think === true || typeof body.think === 'string') throw unsupported('think', 'expected false; thinking output is not supported by Kobza', requestId);
  if (body.logprobs === true) throw unsupported('logprobs', 'expected false; log probabilities are not available through Kobza', requestId);
  if (body.top_logprobs != null && body.top_logprobs > 0) throw unsupported('top_logprobs', 'expected 0; log probabilities are not available through Kobza', requestId);
}

function toOptions(body: CommonBody): GenerationOptions {
  const options: GenerationOptions = {};
  const given = body.options ?? {};
  for (const key of ['temperature', 'top_p', 'top_k', 'min_p', 'num_predict', 'num_ctx', 'seed', 'repeat_penalty', 'presence_penalty', 'frequency_penalty'] as const) {
    if (given[key] !== undefined) options[key] = given[key];
  }
  if (given.stop !== undefined) options.stop = given.stop;
  if (body.keep_alive != null) options.keep_alive = body.keep_alive;
  return options;
}

function formatMetadata(body: CommonBody, metadata: RequestMetadata): void {
  if (body.format === 'json') metadata.format = 'json';
  else if (body.format && typeof body.format === 'object') metadata.format = body.format;
}

/** Ollama's counts and durations (nanoseconds), from what the reply's metadata knows. */
export function ollamaStats(meta: ReplyMeta, promptText: () => string, text: string) {
  const upstream = meta.timings.upstream ?? {};
  const totalMs = meta.timings.totalMs ?? Date.now() - meta.timings.startedAt;
  const firstMs = meta.timings.firstChunkMs ?? 0;
  return {
    total_duration: upstream.totalNs ?? Math.round(totalMs * 1e6),
    load_duration: upstream.loadNs ?? 0,
    prompt_eval_count: meta.usage.promptTokens ?? estimateTokens(promptText()),
    prompt_eval_duration: upstream.promptEvalNs ?? Math.round(firstMs * 1e6),
    eval_count: meta.usage.completionTokens ?? estimateTokens(text),
    // Clients divide by this for tokens/s, so it is never 0.
    eval_duration: upstream.evalNs ?? Math.max(1, Math.round((totalMs - firstMs) * 1e6)),
  };
}

/** NDJSON lines; `field` is `message` (chat) or `response` (generate). */
function ndjsonFormat(kind: 'chat' | 'generate', model: string, promptText: () => string): StreamFormat {
  const modelJson = JSON.stringify(model);
  const piece = (text: string) => (kind === 'chat' ? `"message":{"role":"assistant","content":${JSON.stringify(text)}}` : `"response":${JSON.stringify(text)}`);
  // Chunks that leave in the same millisecond (a cache replay) share one formatted time.
  let stampedAt = -1;
  let stamp = '';
  const now = () => {
    const ms = Date.now();
    if (ms !== stampedAt) {
      stampedAt = ms;
      stamp = new Date(ms).toISOString();
    }
    return stamp;
  };
  return {
    chunk: (text) => `{"model":${modelJson},"created_at":"${now()}",${piece(text)},"done":false}\n`,
    end: (meta, text) =>
      // Ollama streams tool calls in a part of their own before the final one.
      (kind === 'chat' && meta.toolCalls?.length
        ? `{"model":${modelJson},"created_at":"${now()}","message":{"role":"assistant","content":"","tool_calls":${JSON.stringify(ollamaToolCalls(meta.toolCalls))}},"done":false}\n`
        : '') +
      `${JSON.stringify({
        model,
        created_at: new Date().toISOString(),
        ...(kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }),
        done: true,
        done_reason: ollamaDoneReason(meta),
        ...ollamaStats(meta, promptText, text),
      })}\n`,
    error: (error) => `${JSON.stringify(errorBody(error, 'ollama'))}\n`,
  };
}

/** Ollama says `stop` when an answer ends with tool calls. */
function ollamaDoneReason(meta: ReplyMeta): string {
  return meta.doneReason === undefined || meta.doneReason === 'tool_calls' ? 'stop' : meta.doneReason;
}

/** What Ollama answers to a request without messages/prompt: it (un)loads the model. */
function loadAnswer(kind: 'chat' | 'generate', model: string, keepAlive: unknown) {
  const unload = keepAlive === 0 || keepAlive === '0' || keepAlive === '0s';
  return {
    model,
    created_at: new Date().toISOString(),
    ...(kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }),
    done: true,
    done_reason: unload ? 'unload' : 'load',
  };
}

function toOllamaModel(model: ModelInfo) {
  return {
    name: model.name,
    model: model.model ?? model.name,
    modified_at: model.modifiedAt ?? new Date(0).toISOString(),
    size: model.size ?? 0,
    digest: model.digest ?? '',
    details: model.details ?? {},
  };
}

const embedSchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  truncate: z.boolean().nullable().optional(),
  options: ollamaOptions.nullable().optional(),
  keep_alive: keepAlive.nullable().optional(),
  dimensions: int().min(1).nullable().optional(),
});

const legacyEmbedSchema = z.looseObject({
  model: z.string(),
  prompt: z.string(),
  options: ollamaOptions.nullable().optional(),
  keep_alive: keepAlive.nullable().optional(),
});

/** Registers the Ollama-compatible routes. */
export function registerOllamaRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { ctx, tenantOf } = deps;
  const listTimeoutMs = deps.config.readyTimeoutMs * 3;

  app.post('/api/chat', async function ollamaChat(request, reply) {
    const body = parseBody(ollamaChatSchema, request.body, request.id);
    refuseCommon(body, request.id);
    const metadata = metadataFromHeaders(request.headers, 'ollama', request.id);
    const tenant = tenantOf?.(request);
    if (tenant !== undefined) metadata.tenant = tenant;
    const conversationId = conversationIdOf(request.headers, undefined, tenant, request.id);
    if (!body.messages || body.messages.length === 0) return loadAnswer('chat', body.model || ctx.config.assistant.model, body.keep_alive);
    formatMetadata(body, metadata);
    const messages = fromOllamaMessages(body.messages);
    const tools = body.tools?.length ? toToolDefinitions(body.tools) : undefined;
    if (involvesTools({ messages, tools })) bypassForTools(metadata);
    const stream = body.stream !== false;
    const call = await openKernelCall(ctx, { messages, model: body.model, options: toOptions(body), metadata, stream, tools, conversationId }, request, reply);
    return answer('chat', call, messages, stream, reply);
  });

  app.post('/api/generate', async function ollamaGenerate(request, reply) {
    const body = parseBody(ollamaGenerateSchema, request.body, request.id);
    refuseCommon(body, request.id);
    if (body.suffix) throw unsupported('suffix', 'expected no suffix; fill-in-the-middle is not supported by Kobza', request.id);
    if (body.raw === true) throw unsupported('raw', 'expected false; Kobza sends prompts through the model\'s chat template', request.id);
    if (body.template) throw unsupported('template', 'expected no template; custom prompt templates are not supported by Kobza', request.id);
    if (body.context && body.context.length > 0) throw unsupported('context', 'expected no context; the deprecated context array is not supported, use /api/chat with messages', request.id);
    const metadata = metadataFromHeaders(request.headers, 'ollama', request.id);
    const tenant = tenantOf?.(request);
    if (tenant !== undefined) metadata.tenant = tenant;
    const conversationId = conversationIdOf(request.headers, undefined, tenant, request.id);
    const images = body.images ?? [];
    if (!body.prompt && images.length === 0) return loadAnswer('generate', body.model || ctx.config.assistant.model, body.keep_alive);
    formatMetadata(body, metadata);
    const user: ChatMessage = images.length ? { role: 'user', content: body.prompt ?? '', images } : { role: 'user', content: body.prompt ?? '' };
    const messages: ChatMessage[] = body.system ? [{ role: 'system', content: body.system }, user] : [user];
    const stream = body.stream !== false;
    const call = await openKernelCall(ctx, { messages, model: body.model, options: toOptions(body), metadata, stream, conversationId }, request, reply);
    return answer('generate', call, messages, stream, reply);
  });

  async function answer(kind: 'chat' | 'generate', call: Awaited<ReturnType<typeof openKernelCall>>, messages: ChatMessage[], stream: boolean, reply: import('fastify').FastifyReply) {
    const promptText = () => messages.map((m) => m.content).join('\n');
    const model = call.meta.model || call.request.model;
    reply.header('x-kobza-source', call.meta.source);
    setSourcesHeader(reply, call.meta);
    setRankingHeader(reply, call.meta);
    if (stream) return reply.type('application/x-ndjson').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(streamBody(call, ndjsonFormat(kind, model, promptText)));
    const text = await collectText(call);
    return reply.type('application/json; charset=utf-8').send({
      model,
      created_at: new Date().toISOString(),
      ...(kind === 'chat' ? { message: call.meta.toolCalls?.length ? { role: 'assistant', content: text, tool_calls: ollamaToolCalls(call.meta.toolCalls) } : { role: 'assistant', content: text } } : { response: text }),
      done: true,
      done_reason: ollamaDoneReason(call.meta),
      ...ollamaStats(call.meta, promptText, text),
      ...sourcesField(call.meta),
      ...rankingField(call.meta),
    });
  }

  app.get('/api/tags', async function tags(request) {
    const models = await listUpstreamModels(ctx, request.id, AbortSignal.timeout(listTimeoutMs));
    return { models: models.map(toOllamaModel) };
  });

  app.get('/api/version', async function version() {
    return { version: OLLAMA_API_VERSION };
  });

  app.post('/api/embed', async function embed(request, reply) {
    const body = parseBody(embedSchema, request.body, request.id);
    const texts = typeof body.input === 'string' ? [body.input] : body.input;
    const started = process.hrtime.bigint();
    const result = await embedTexts(ctx, texts, body.model, request.id, disconnectSignal(reply));
    const embeddings = shortenVectors(result.vectors, body.dimensions, 'dimensions', request.id);
    return {
      model: result.model,
      embeddings,
      total_duration: Number(process.hrtime.bigint() - started),
      load_duration: 0,
      prompt_eval_count: texts.reduce((sum, t) => sum + estimateTokens(t), 0),
    };
  });

  app.post('/api/embeddings', async function legacyEmbed(request, reply) {
    const body = parseBody(legacyEmbedSchema, request.body, request.id);
    const result = await embedTexts(ctx, [body.prompt], body.model, request.id, disconnectSignal(reply));
    return { embedding: result.vectors[0] ?? [] };
  });
}
