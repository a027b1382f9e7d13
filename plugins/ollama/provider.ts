/**
 * The Ollama LlmProvider: streams /api/chat through the official `ollama` client into a
 * Reply, with connect / first-token / idle timeouts, failover across hosts and bounded
 * retries before the first token, and coded errors for every way the upstream can fail.
 */
import { Ollama, type ChatRequest as OllamaChatRequest, type ChatResponse, type Message, type Tool, type ToolCall as OllamaToolCall } from 'ollama';
import { KobzaError, createReplyMeta, toolArgumentsObject, errorForAbort, followSignal, idleWatch, retryPause, type ChatRequest, type GenerationOptions, type LlmProvider, type ModelInfo, type ProbeResult, type Reply, type ReplyMeta, type ToolCall } from '../../core/index.js';
import { HostPool, type OllamaHost } from './host-pool.js';
import { OllamaTransport, type ExchangeReport } from './transport.js';
import { OllamaModelAdmin } from './models.js';
import { classifyFailure, pullHint, unreachableHint, type UpstreamFailure } from './upstream-errors.js';

export interface OllamaTimeouts {
  /** TCP connect. */
  connectMs: number;
  /** From sending the request to the first streamed part (covers model loading). */
  firstTokenMs: number;
  /** Longest silence between two streamed parts. */
  idleMs: number;
}

export interface OllamaProviderSettings {
  /** Normalised host URLs, at least one. */
  hosts: string[];
  /** Model for requests that name none. */
  model: string;
  timeouts: OllamaTimeouts;
  keepAlive?: string | number;
  /** Extra rounds over the hosts after connection failures before the first token. */
  retries: number;
  /** First retry waits this long; each next one twice as long. */
  retryBackoffMs: number;
  /** How long a host that refused connections is skipped. */
  coolDownMs: number;
  /** Defaults under each request's own options. */
  options: GenerationOptions;
  headers?: Record<string, string>;
}

/** Ollama option names Kobza passes through (GenerationOptions minus keep_alive). */
const OPTION_KEYS = ['temperature', 'top_p', 'top_k', 'min_p', 'num_predict', 'num_ctx', 'seed', 'stop', 'repeat_penalty', 'presence_penalty', 'frequency_penalty'] as const;

type ChatStream = AsyncIterable<ChatResponse> & { abort(): void };

/** One request/response with one host. */
interface Exchange {
  host: OllamaHost;
  client: Ollama;
  controller: AbortController;
  report: ExchangeReport;
  /** The client's stream, once open (aborting it ends the HTTP exchange). */
  stream?: ChatStream;
  /** Releases the host slot and listeners; safe to call twice. */
  finish(): void;
}

/**
 * Maps Kobza's generation options onto Ollama's `options` (undefined values dropped).
 * @example
 * toOllamaOptions({ num_ctx: 4096 }, { temperature: 0.2, keep_alive: '5m' }) // { num_ctx: 4096, temperature: 0.2 }
 */
export function toOllamaOptions(defaults: GenerationOptions, options: GenerationOptions): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    const value = options[key] ?? defaults[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

function sameModel(a: string, b: string): boolean {
  const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  return withTag(a) === withTag(b);
}



/**
 * A Kobza message in Ollama's shape: tool calls with `arguments` as an object, a tool
 * result named by `tool_name`.
 * @example
 * toOllamaMessage({ role: 'tool', content: '18 °C', name: 'get_weather' }) // { role: 'tool', content: '18 °C', tool_name: 'get_weather' }
 */
export function toOllamaMessage(m: ChatRequest['messages'][number]): Message {
  const message: Message = { role: m.role, content: m.content };
  if (m.images?.length) message.images = m.images;
  if (m.tool_calls?.length) message.tool_calls = m.tool_calls.map((call) => ({ function: { name: call.name, arguments: toolArgumentsObject(call.arguments) } }));
  if (m.role === 'tool' && m.name) message.tool_name = m.name;
  return message;
}


/** Ollama's tool calls in the neutral shape; Ollama gives no ids (newer versions may), so they are numbered. */
function fromOllamaToolCalls(calls: OllamaToolCall[], offset: number): ToolCall[] {
  return calls.map((call, i) => {
    const id = (call as { id?: unknown }).id;
    return { id: typeof id === 'string' && id ? id : `call_${offset + i}`, name: call.function.name, arguments: JSON.stringify(call.function.arguments ?? {}) };
  });
}

function applyFinalPart(meta: ReplyMeta, part: ChatResponse): void {
  meta.doneReason = meta.toolCalls?.length ? 'tool_calls' : part.done_reason || undefined;
  meta.usage = { promptTokens: part.prompt_eval_count, completionTokens: part.eval_count };
  meta.timings.upstream = { totalNs: part.total_duration, loadNs: part.load_duration, promptEvalNs: part.prompt_eval_duration, evalNs: part.eval_duration };
  if (part.done_reason === 'length') meta.flags.truncated = true;
  meta.complete = true;
}

/**
 * Streams chat completions from one or more Ollama hosts.
 * @example
 * const provider = new OllamaProvider({ hosts: ['http://127.0.0.1:11434'], model: 'qwen2.5:7b', timeouts, retries: 2, retryBackoffMs: 250, coolDownMs: 30_000, options: {} });
 * const reply = await provider.chat(request);
 * for await (const chunk of reply.chunks) process.stdout.write(chunk);
 */
export class OllamaProvider implements LlmProvider {
  readonly id = 'ollama';
  readonly pool: HostPool;
  readonly transport: OllamaTransport;
  readonly #settings: OllamaProviderSettings;
  readonly #live = new Set<AbortController>();
  /** Pull, create, show, ps, delete, copy on the upstream (see models.ts). */
  readonly modelAdmin: OllamaModelAdmin;

  constructor(settings: OllamaProviderSettings) {
    this.#settings = settings;
    this.modelAdmin = new OllamaModelAdmin(async (signal, model, call, keepOpen) => {
      const { exchange, value } = await this.#failover(signal, model, undefined, (ex) => this.#bounded(ex, () => call(ex.client)), !keepOpen);
      return { value, host: exchange.host.label, controller: exchange.controller, finish: exchange.finish };
    }, settings.timeouts.firstTokenMs);
    this.pool = new HostPool(settings.hosts, settings.coolDownMs);
    this.transport = new OllamaTransport({ connectMs: settings.timeouts.connectMs, headers: settings.headers });
  }

  get defaultModel(): string {
    return this.#settings.model;
  }

  /** Exchanges in progress (a leak check: 0 once every reply was drained or aborted). */
  get openExchanges(): number {
    return this.#live.size;
  }

  async chat(request: ChatRequest): Promise<Reply> {
    const model = request.model || this.#settings.model;
    const meta = createReplyMeta({ requestId: request.id, source: 'provider', model });
    const body = this.#chatBody(request, model);
    const { firstTokenMs } = this.#settings.timeouts;
    const { exchange, value } = await this.#failover(request.signal, model, request.id, async (exchange) => {
      const timer = setTimeout(() => {
        exchange.controller.abort(
          new KobzaError('UPSTREAM_TIMEOUT', `Ollama at ${exchange.host.label} sent no token within ${firstTokenMs} ms (timeouts.firstTokenMs); the model may still be loading: raise the timeout, or keep it loaded with keepAlive`, { requestId: request.id }),
        );
      }, firstTokenMs);
      try {
        exchange.stream = (await exchange.client.chat(body)) as ChatStream;
        const iterator = exchange.stream[Symbol.asyncIterator]();
        return { iterator, first: await iterator.next() };
      } finally {
        clearTimeout(timer);
      }
    });
    meta.extra.host = exchange.host.label;
    return { chunks: this.#relay(exchange, value.iterator, value.first, meta, model), meta };
  }

  async listModels(signal: AbortSignal = new AbortController().signal): Promise<ModelInfo[]> {
    const { value } = await this.#failover(signal, this.#settings.model, undefined, (exchange) => this.#bounded(exchange, () => exchange.client.list()), true);
    return value.models.map((m) => ({
      name: m.name,
      model: m.model,
      modifiedAt: m.modified_at ? new Date(m.modified_at).toISOString() : undefined,
      size: m.size,
      digest: m.digest,
      details: m.details as unknown as Record<string, unknown>,
    }));
  }

  async embed(input: string[], model: string, signal: AbortSignal = new AbortController().signal): Promise<number[][]> {
    const { value } = await this.#failover(signal, model, undefined, (exchange) =>
      this.#bounded(exchange, () => exchange.client.embed({ model, input, ...(this.#settings.keepAlive !== undefined ? { keep_alive: this.#settings.keepAlive } : {}) })), true);
    if (!Array.isArray(value.embeddings) || value.embeddings.length !== input.length) {
      throw new KobzaError('UPSTREAM_BAD_RESPONSE', `Ollama returned ${value.embeddings?.length ?? 0} embeddings for ${input.length} inputs`);
    }
    return value.embeddings;
  }

  /**
   * Asks every host for its version and models. OK when at least one host is up and has
   * the default model; the detail says what to fix otherwise.
   */
  async probe(signal: AbortSignal = new AbortController().signal): Promise<ProbeResult> {
    const model = this.#settings.model;
    const results = await Promise.all(
      this.pool.hosts.map(async (host) => {
        const exchange = this.#openExchange(host, signal);
        try {
          const [version, list] = await this.#bounded(exchange, () => Promise.all([exchange.client.version(), exchange.client.list()]));
          const models = list.models.map((m) => m.name);
          return { host, version: version.version, models, hasModel: models.some((m) => sameModel(m, model)) };
        } catch (err) {
          const failure = classifyFailure(err, { host: host.label, model, phase: 'before-first-token', signal: exchange.controller.signal, report: exchange.report });
          return { host, error: failure.error.message };
        } finally {
          exchange.finish();
        }
      }),
    );
    const up = results.filter((r) => r.error === undefined);
    const ready = up.filter((r) => r.hasModel);
    const models = [...new Set(up.flatMap((r) => r.models ?? []))];
    const notes = results.map((r) =>
      r.error !== undefined ? `${r.host.label}: ${r.error}` : r.hasModel ? `${r.host.label}: Ollama ${r.version}, model ${model} available` : `${r.host.label}: Ollama ${r.version} is up but model "${model}" is not pulled; ${pullHint(model)}`,
    );
    if (ready.length > 0) return { ok: true, detail: notes.join('; '), version: ready[0].version, models };
    if (up.length > 0) return { ok: false, detail: notes.join('; '), version: up[0].version, models };
    const hosts = this.pool.hosts.map((h) => h.label).join(', ');
    // Per-host messages carry the fix too; say it once here.
    const reasons = results.map((r) => `${r.host.label}: ${(r.error ?? '').split(';')[0]}`);
    return {
      ok: false,
      detail: `Ollama is not reachable (${reasons.join('; ')}). To fix: ${unreachableHint(hosts)}; then ${pullHint(model)}. Until then requests fail with UPSTREAM_UNAVAILABLE.`,
      models: [],
    };
  }

  describeUpstreams(): string[] { return this.pool.hosts.map((host) => host.url); }
  /** Aborts every exchange in progress and closes pooled connections. */
  close(): void {
    for (const controller of this.#live) controller.abort(new KobzaError('ABORTED', 'Kobza is shutting down'));
    this.transport.close();
  }

  #chatBody(request: ChatRequest, model: string): OllamaChatRequest & { stream: true } {
    const options = toOllamaOptions(this.#settings.options, request.options);
    const keepAlive = request.options.keep_alive ?? this.#settings.keepAlive;
    const format = request.metadata.format as string | object | undefined;
    return {
      model,
      messages: request.messages.map(toOllamaMessage),
      stream: true,
      // Ollama cannot force a call: `required` or a named tool offer the tools as `auto` does.
      ...(request.tools?.length && request.toolChoice !== 'none' ? { tools: request.tools as Tool[] } : {}),
      ...(Object.keys(options).length > 0 ? { options } : {}),
      ...(keepAlive !== undefined ? { keep_alive: keepAlive } : {}),
      ...(format !== undefined ? { format } : {}),
    };
  }

  #openExchange(host: OllamaHost, signal: AbortSignal, requestId?: string): Exchange {
    const report = this.transport.newReport();
    host.inFlight++;
    const { controller, release: finish } = followSignal(signal, {
      requestId,
      upstream: 'Ollama',
      onRelease: () => {
        host.inFlight--;
        this.#live.delete(controller);
      },
    });
    this.#live.add(controller);
    const client = new Ollama({ host: host.url, fetch: this.transport.fetchFor(controller.signal, report) });
    return { host, client, controller, report, finish };
  }

  /** Runs a one-shot call under the first-token time limit. */
  async #bounded<T>(exchange: Exchange, call: () => Promise<T>): Promise<T> {
    const { firstTokenMs } = this.#settings.timeouts;
    const timer = setTimeout(() => exchange.controller.abort(new KobzaError('UPSTREAM_TIMEOUT', `Ollama at ${exchange.host.label} did not answer within ${firstTokenMs} ms (timeouts.firstTokenMs)`)), firstTokenMs);
    try {
      return await call();
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Runs `start` against the best host; a failure moves to the next untried host, and
   * when every host failed to connect, waits (backing off) and goes round again, up to
   * `retries` times. On success the exchange stays open for the caller.
   */
  async #failover<T>(signal: AbortSignal, model: string, requestId: string | undefined, start: (exchange: Exchange) => Promise<T>, finishOnSuccess = false): Promise<{ exchange: Exchange; value: T }> {
    const tried = new Set<OllamaHost>();
    const failures: { host: OllamaHost; failure: UpstreamFailure }[] = [];
    let round = 0;
    for (;;) {
      if (signal.aborted) throw errorForAbort(signal, requestId, 'Ollama');
      let host = this.pool.pick(tried);
      if (!host) {
        const thisRound = failures.slice(-tried.size);
        const allConnection = thisRound.every((f) => f.failure.connection);
        if (!allConnection || round >= this.#settings.retries) throw this.#summarise(failures, requestId);
        await retryPause(this.#settings.retryBackoffMs * 2 ** round, signal, requestId, 'Ollama');
        round++;
        tried.clear();
        host = this.pool.pick(tried)!;
      }
      tried.add(host);
      const exchange = this.#openExchange(host, signal, requestId);
      try {
        const value = await start(exchange);
        this.pool.recovered(host);
        if (finishOnSuccess) exchange.finish();
        return { exchange, value };
      } catch (err) {
        exchange.stream?.abort();
        exchange.finish();
        const failure = classifyFailure(err, { host: host.label, model, phase: 'before-first-token', signal: exchange.controller.signal, report: exchange.report, requestId });
        if (failure.error.code === 'ABORTED') throw failure.error;
        if (failure.connection) this.pool.coolDown(host);
        failures.push({ host, failure });
      }
    }
  }

  /** The error to report after every attempt failed: the most telling one, naming the others. */
  #summarise(failures: { host: OllamaHost; failure: UpstreamFailure }[], requestId?: string): KobzaError {
    const answered = failures.filter((f) => !f.failure.connection);
    const chosen = (answered.at(-1) ?? failures.at(-1)!).failure.error;
    const hosts = new Set(failures.map((f) => f.host));
    const attempts = failures.map((f) => ({ host: f.host.label, code: f.failure.error.code, message: f.failure.error.message }));
    let message = chosen.message;
    if (hosts.size > 1) {
      const others = [...new Map(failures.filter((f) => f.failure.error !== chosen).map((f) => [f.host, `${f.host.label}: ${f.failure.error.code}`])).values()];
      if (others.length) message += ` (also tried ${others.join(', ')})`;
    }
    return new KobzaError(chosen.code, message, { cause: chosen.cause, requestId, details: { ...chosen.details, attempts } });
  }

  async *#relay(exchange: Exchange, iterator: AsyncIterator<ChatResponse>, first: IteratorResult<ChatResponse>, meta: ReplyMeta, model: string): AsyncGenerator<string> {
    const { idleMs } = this.#settings.timeouts;
    const idle = idleWatch(idleMs, () =>
      exchange.controller.abort(new KobzaError('UPSTREAM_TIMEOUT', `Ollama at ${exchange.host.label} went silent for ${idleMs} ms mid-stream (timeouts.idleMs)`, { requestId: meta.requestId })),
    );
    let completed = false;
    try {
      let step = first;
      while (!step.done) {
        const part = step.value;
        const content = part.message?.content;
        if (content) yield content;
        const calls = part.message?.tool_calls;
        if (calls?.length) (meta.toolCalls ??= []).push(...fromOllamaToolCalls(calls, meta.toolCalls?.length ?? 0));
        if (part.done) {
          applyFinalPart(meta, part);
          completed = true;
          break;
        }
        step = await idle.wait(iterator.next());
      }
      if (!completed) throw new KobzaError('UPSTREAM_BAD_RESPONSE', `Ollama at ${exchange.host.label} ended the stream without "done"; the answer is incomplete`);
    } catch (err) {
      if (err instanceof KobzaError && !exchange.controller.signal.aborted) throw err;
      throw classifyFailure(err, { host: exchange.host.label, model, phase: 'streaming', signal: exchange.controller.signal, report: exchange.report, requestId: meta.requestId }).error;
    } finally {
      idle.stop();
      if (!completed) exchange.stream?.abort();
      exchange.finish();
    }
  }
}
