/**
 * The OpenAI-compatible LlmProvider: streams `/v1/chat/completions` (`delta.content`
 * chunks) through the official `openai` client, with the same timeouts, retries before the
 * first token, coded errors and abort behaviour as the Ollama provider.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { KobzaError, createReplyMeta, redactUrl, errorForAbort, followSignal, idleWatch, retryPause, type ChatRequest, type FollowingExchange, type GenerationOptions, type LlmProvider, type ModelInfo, type ProbeResult, type Reply, type ReplyMeta, type ToolCall } from '../../core/index.js';
import { classifyFailure, unreachableHint, type UpstreamFailure } from './upstream-errors.js';

export interface OpenAiCompatibleTimeouts {
  /** Until the server answers with response headers. */
  connectMs: number;
  /** From sending the request to the first streamed chunk. */
  firstTokenMs: number;
  /** Longest silence between two streamed chunks. */
  idleMs: number;
}

export interface OpenAiCompatibleSettings {
  baseURL: string;
  apiKey?: string;
  model: string;
  timeouts: OpenAiCompatibleTimeouts;
  retries: number;
  retryBackoffMs: number;
  /** Defaults under each request's own options. */
  options: GenerationOptions;
  /** Ask for token counts in the last chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  headers?: Record<string, string>;
}

type ChunkStream = AsyncIterable<ChatCompletionChunk> & { controller: AbortController };

/** Extra fields llama.cpp and vLLM accept beyond the OpenAI schema. */
interface ExtendedParams {
  top_k?: number;
  min_p?: number;
  repeat_penalty?: number;
}

/**
 * Maps Kobza's (Ollama-named) generation options onto OpenAI chat-completion parameters.
 * `num_ctx` and `keep_alive` have no per-request equivalent and are dropped.
 * @example
 * toOpenAiParams({}, { num_predict: 100, top_k: 40 }) // { max_tokens: 100, top_k: 40 }
 */
export function toOpenAiParams(defaults: GenerationOptions, options: GenerationOptions): Record<string, unknown> {
  const pick = <K extends keyof GenerationOptions>(key: K) => options[key] ?? defaults[key];
  const params: Record<string, unknown> = {
    temperature: pick('temperature'),
    top_p: pick('top_p'),
    seed: pick('seed'),
    stop: pick('stop'),
    presence_penalty: pick('presence_penalty'),
    frequency_penalty: pick('frequency_penalty'),
    top_k: pick('top_k'),
    min_p: pick('min_p'),
    repeat_penalty: pick('repeat_penalty'),
  };
  const limit = pick('num_predict');
  if (limit !== undefined && limit >= 0) params.max_tokens = limit;
  for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
  return params;
}

function toResponseFormat(format: unknown): Record<string, unknown> | undefined {
  if (format === undefined) return undefined;
  if (format === 'json') return { type: 'json_object' };
  if (format && typeof format === 'object') return { type: 'json_schema', json_schema: { name: 'answer', schema: format } };
  return undefined;
}



/**
 * A Kobza message in OpenAI's shape: tool calls with `arguments` as JSON text, a tool
 * result tied to its call by `tool_call_id`.
 * @example
 * toOpenAiMessage({ role: 'tool', content: '18 °C', tool_call_id: 'call_0' }) // { role: 'tool', content: '18 °C', tool_call_id: 'call_0' }
 */
export function toOpenAiMessage(m: ChatRequest['messages'][number]): ChatCompletionMessageParam {
  if (m.role === 'tool') {
    // A tool result without a call id (an Ollama-side client) cannot be tied to a call: say what it is.
    if (!m.tool_call_id) return { role: 'user', content: m.name ? `Result of ${m.name}: ${m.content}` : m.content };
    return { role: 'tool', content: m.content, tool_call_id: m.tool_call_id };
  }
  if (m.role === 'assistant' && m.tool_calls?.length) {
    return { role: 'assistant', content: m.content || null, tool_calls: m.tool_calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) };
  }
  return { role: m.role, content: m.content } as ChatCompletionMessageParam;
}

function toOpenAiToolChoice(choice: ChatRequest['toolChoice']): ChatCompletionCreateParamsStreaming['tool_choice'] {
  if (choice === undefined || typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

/** Tool calls streamed as `delta.tool_calls` fragments, joined by their index. */
class ToolCallAssembly {
  readonly #calls = new Map<number, ToolCall>();

  add(fragments: NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>): void {
    for (const fragment of fragments) {
      let call = this.#calls.get(fragment.index);
      if (!call) {
        call = { id: fragment.id || `call_${fragment.index}`, name: '', arguments: '' };
        this.#calls.set(fragment.index, call);
      } else if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name += fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
    }
  }

  get calls(): ToolCall[] | undefined {
    if (this.#calls.size === 0) return undefined;
    return [...this.#calls.entries()].sort((a, b) => a[0] - b[0]).map(([, call]) => ({ ...call, arguments: call.arguments || '{}' }));
  }
}

/** llama.cpp adds `timings` (milliseconds) to its last chunk. */
interface LlamaCppTimings {
  prompt_ms?: number;
  predicted_ms?: number;
}

/**
 * Streams chat completions from an OpenAI-compatible server.
 * @example
 * const provider = new OpenAiCompatibleProvider({ baseURL: 'http://127.0.0.1:8080/v1', model: 'qwen2.5-7b-instruct', timeouts, retries: 2, retryBackoffMs: 250, options: {}, includeUsage: true });
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly id = 'openai-compatible';
  readonly client: OpenAI;
  readonly #settings: OpenAiCompatibleSettings;
  /** The base URL as messages and logs show it: credentials redacted. */
  readonly #shown: string;
  /** Exchanges in progress → their release (drops listeners on the request's signal). */
  readonly #live = new Map<AbortController, () => void>();

  constructor(settings: OpenAiCompatibleSettings) {
    this.#settings = settings;
    this.#shown = redactUrl(settings.baseURL);
    this.client = new OpenAI({
      baseURL: settings.baseURL,
      // A local server usually wants no key, but the client insists on one (and would
      // otherwise read OPENAI_API_KEY, which is meant for another service).
      apiKey: settings.apiKey || 'not-needed',
      maxRetries: 0,
      timeout: settings.timeouts.firstTokenMs,
      defaultHeaders: settings.headers,
      logLevel: 'off',
    });
  }

  get defaultModel(): string {
    return this.#settings.model;
  }

  /** Exchanges in progress (0 once every reply was drained or aborted). */
  get openExchanges(): number {
    return this.#live.size;
  }

  describeUpstreams(): string[] { return [this.#settings.baseURL]; }
  async chat(request: ChatRequest): Promise<Reply> {
    const model = request.model || this.#settings.model;
    const meta = createReplyMeta({ requestId: request.id, source: 'provider', model });
    const body = this.#body(request, model);
    const { timeouts } = this.#settings;
    const baseURL = this.#shown;
    const { controller, stream, iterator, first } = await this.#withRetries(request.signal, model, request.id, async (controller) => {
      const headersTimer = setTimeout(
        () => controller.abort(new KobzaError('UPSTREAM_TIMEOUT', `${baseURL} did not answer within ${timeouts.connectMs} ms (timeouts.connectMs); ${unreachableHint(baseURL)}`, { requestId: request.id })),
        timeouts.connectMs,
      );
      const firstTimer = setTimeout(
        () => controller.abort(new KobzaError('UPSTREAM_TIMEOUT', `${baseURL} sent no token within ${timeouts.firstTokenMs} ms (timeouts.firstTokenMs); the model may still be loading`, { requestId: request.id })),
        timeouts.firstTokenMs,
      );
      let stream: ChunkStream | undefined;
      try {
        stream = (await this.client.chat.completions.create(body, { signal: controller.signal, maxRetries: 0 })) as unknown as ChunkStream;
        clearTimeout(headersTimer);
        const iterator = stream[Symbol.asyncIterator]();
        // Skip the role-only opening chunk: the first token is the first content.
        let step = await iterator.next();
        while (!step.done && !step.value.choices?.[0]?.delta?.content && !step.value.choices?.[0]?.delta?.tool_calls?.length && !step.value.choices?.[0]?.finish_reason) step = await iterator.next();
        if (controller.signal.aborted) throw controller.signal.reason;
        return { controller, stream, iterator, first: step };
      } catch (err) {
        stream?.controller.abort();
        throw err;
      } finally {
        clearTimeout(headersTimer);
        clearTimeout(firstTimer);
      }
    });
    return { chunks: this.#relay(controller, stream, iterator, first, meta, model, request.signal), meta };
  }

  async listModels(signal: AbortSignal = new AbortController().signal): Promise<ModelInfo[]> {
    return this.#listModels(signal, this.#settings.retries);
  }

  async #listModels(signal: AbortSignal, retries: number): Promise<ModelInfo[]> {
    const page = await this.#withRetries(signal, this.#settings.model, undefined, (controller) => this.client.models.list({ signal: controller.signal }), true, retries);
    return page.data.map((m) => ({ name: m.id, model: m.id, modifiedAt: m.created ? new Date(m.created * 1000).toISOString() : undefined, details: { ownedBy: m.owned_by } }));
  }

  /** Asks for plain float arrays: not every local server speaks the client's default base64. */
  async embed(input: string[], model: string, signal: AbortSignal = new AbortController().signal): Promise<number[][]> {
    const result = await this.#withRetries(signal, model, undefined, (controller) => this.client.embeddings.create({ model, input, encoding_format: 'float' }, { signal: controller.signal }), true);
    const vectors = [...result.data].sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
    if (vectors.length !== input.length) throw new KobzaError('UPSTREAM_BAD_RESPONSE', `${this.#shown} returned ${vectors.length} embeddings for ${input.length} inputs`);
    return vectors;
  }

  /** Is the server up, and does it serve the default model? */
  async probe(signal: AbortSignal = new AbortController().signal): Promise<ProbeResult> {
    const { model } = this.#settings;
    const baseURL = this.#shown;
    let models: string[];
    try {
      // No retries: a probe reports the state now.
      models = (await this.#listModels(signal, 0)).map((m) => m.name);
    } catch (err) {
      const error = err as KobzaError;
      return { ok: false, detail: `${baseURL} is not usable: ${error.message}. Until then requests fail with ${error.code ?? 'UPSTREAM_UNAVAILABLE'}.`, models: [] };
    }
    if (models.includes(model)) return { ok: true, detail: `${baseURL} serves model ${model}`, models };
    // llama.cpp serves one model whatever the request names.
    if (models.length === 1) return { ok: true, detail: `${baseURL} serves one model (${models[0]}); requests for "${model}" go to it if the server ignores the name (llama.cpp) or fail if it does not (vLLM)`, models };
    return { ok: false, detail: `${baseURL} does not serve model "${model}" (it serves: ${models.join(', ') || 'nothing'}); set plugins.openai-compatible.model or assistant.model`, models };
  }

  /** Aborts every exchange in progress. */
  close(): void {
    for (const controller of [...this.#live.keys()]) controller.abort(new KobzaError('ABORTED', 'Kobza is shutting down'));
  }

  #body(request: ChatRequest, model: string): ChatCompletionCreateParamsStreaming & ExtendedParams {
    const format = toResponseFormat(request.metadata.format);
    return {
      model,
      messages: request.messages.map(toOpenAiMessage),
      stream: true,
      ...(request.tools?.length ? { tools: request.tools } : {}),
      ...(request.tools?.length && request.toolChoice !== undefined ? { tool_choice: toOpenAiToolChoice(request.toolChoice) } : {}),
      ...(this.#settings.includeUsage ? { stream_options: { include_usage: true } } : {}),
      ...toOpenAiParams(this.#settings.options, request.options),
      ...(format ? { response_format: format as never } : {}),
    };
  }

  /** A controller that follows `signal` and is tracked until released. */
  #exchange(signal: AbortSignal, requestId?: string): FollowingExchange {
    const exchange = followSignal(signal, { requestId, onRelease: () => this.#live.delete(exchange.controller) });
    this.#live.set(exchange.controller, exchange.release);
    return exchange;
  }

  /** Runs `start`; connection failures before the first token are retried with backoff. */
  async #withRetries<T>(signal: AbortSignal, model: string, requestId: string | undefined, start: (controller: AbortController) => Promise<T>, releaseOnSuccess = false, retries = this.#settings.retries): Promise<T> {
    const { retryBackoffMs } = this.#settings;
    const baseURL = this.#shown;
    let last: UpstreamFailure | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        await retryPause(retryBackoffMs * 2 ** (attempt - 1), signal, requestId);
      }
      if (signal.aborted) throw errorForAbort(signal, requestId);
      const { controller, release } = this.#exchange(signal, requestId);
      try {
        const value = await start(controller);
        if (releaseOnSuccess) release();
        return value;
      } catch (err) {
        release();
        last = classifyFailure(err, { baseURL, model, phase: 'before-first-token', signal: controller.signal, requestId });
        if (!last.connection) break;
      }
    }
    const error = last!.error;
    if (retries > 0 && last!.connection) error.details.attempts = retries + 1;
    throw error;
  }

  async *#relay(controller: AbortController, stream: ChunkStream, iterator: AsyncIterator<ChatCompletionChunk>, first: IteratorResult<ChatCompletionChunk>, meta: ReplyMeta, model: string, requestSignal: AbortSignal): AsyncGenerator<string> {
    const { timeouts } = this.#settings;
    const baseURL = this.#shown;
    const idle = idleWatch(timeouts.idleMs, () =>
      controller.abort(new KobzaError('UPSTREAM_TIMEOUT', `${baseURL} went silent for ${timeouts.idleMs} ms mid-stream (timeouts.idleMs)`, { requestId: meta.requestId })),
    );
    let finishReason: string | undefined;
    let ended = false;
    const toolCalls = new ToolCallAssembly();
    try {
      let step = first;
      while (!step.done) {
        const chunk = step.value;
        const choice = chunk.choices?.[0];
        if (chunk.usage) meta.usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        const timings = (chunk as { timings?: LlamaCppTimings }).timings;
        if (timings) meta.timings.upstream = { promptEvalNs: timings.prompt_ms !== undefined ? Math.round(timings.prompt_ms * 1e6) : undefined, evalNs: timings.predicted_ms !== undefined ? Math.round(timings.predicted_ms * 1e6) : undefined };
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const content = choice?.delta?.content;
        if (content) yield content;
        if (choice?.delta?.tool_calls?.length) toolCalls.add(choice.delta.tool_calls);
        step = await idle.wait(iterator.next());
      }
      // The client ends the stream quietly when aborted: the reason is the signal's.
      if (controller.signal.aborted) throw controller.signal.reason ?? errorForAbort(requestSignal, meta.requestId);
      if (!finishReason) throw new KobzaError('UPSTREAM_BAD_RESPONSE', `${baseURL} ended the stream without a finish_reason; the answer is incomplete`, { requestId: meta.requestId });
      const calls = toolCalls.calls;
      if (calls) meta.toolCalls = calls;
      // Some servers end a tool call with `stop`; the answer is the calls all the same.
      meta.doneReason = calls ? 'tool_calls' : finishReason;
      if (finishReason === 'length') meta.flags.truncated = true;
      meta.complete = true;
      ended = true;
    } catch (err) {
      if (err instanceof KobzaError && !controller.signal.aborted) throw err;
      throw classifyFailure(err, { baseURL, model, phase: 'streaming', signal: controller.signal, requestId: meta.requestId }).error;
    } finally {
      idle.stop();
      if (!ended) stream.controller.abort();
      this.#live.get(controller)?.();
    }
  }
}
