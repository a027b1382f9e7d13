/**
 * A small HTTP server that stands in for an OpenAI-compatible upstream (llama.cpp's
 * server, vLLM, LM Studio) in tests: `/v1/chat/completions` as SSE (`data: {chunk}` …
 * `data: [DONE]`) or one JSON object, `/v1/models`, `/v1/embeddings`, with OpenAI-shaped
 * error bodies `{"error":{"message","type","code"}}`, scriptable delays and faults.
 *
 * Answers come from the Ollama stand-in's `defaultReply`, with OpenAI parameter names
 * mapped (`max_tokens` → `num_predict`), so `expectedOpenAiReply(body)` gives the text.
 * A request with tools may get tool calls instead (the Ollama stand-in's `defaultToolCalls`),
 * in OpenAI's shape: `message.tool_calls` with `arguments` as JSON text and
 * `finish_reason: "tool_calls"`; streamed as `delta.tool_calls` fragments (the id and name
 * first, then the arguments in pieces), as OpenAI streams them.
 */
import http from 'node:http';
import { defaultReply, defaultToolCalls, expectedReply, standInEmbedding, tokenize, type Fault, type StandInRequest, type StandInToolCall } from './ollama.js';
import { listenOnLoopback, readBody } from './loopback.js';

export type OpenAiFault = Fault | 'unauthorized';

export interface OpenAiStandInOptions {
  tokenDelayMs?: number;
  firstTokenDelayMs?: number;
  /** Models served; a request naming another gets 404. Default `['qwen2.5-7b-instruct']`. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  reply?: (request: StandInRequest) => string;
  /** Tool calls for a request that offers tools (none: a text answer). Default `defaultToolCalls`. */
  toolCalls?: (request: StandInRequest) => StandInToolCall[] | undefined;
  fault?: OpenAiFault | ((request: StandInRequest) => OpenAiFault | undefined);
  faultAfterTokens?: number;
}

export interface OpenAiStandIn {
  /** Base URL including `/v1`, as the `openai` client wants it. */
  readonly url: string;
  readonly calls: { method: string; path: string; body: any; headers: http.IncomingHttpHeaders; index: number; clientClosed: boolean }[];
  count(path: string): number;
  readonly openResponses: number;
  openSockets(): number;
  idle(timeoutMs?: number): Promise<void>;
  set(options: Partial<OpenAiStandInOptions>): void;
  close(): Promise<void>;
}

/** The request body in the Ollama stand-in's terms (so its reply functions apply). */
export function asOllamaBody(body: any): any {
  const options: Record<string, unknown> = {};
  if (body?.max_tokens !== undefined) options.num_predict = body.max_tokens;
  if (body?.max_completion_tokens !== undefined) options.num_predict = body.max_completion_tokens;
  if (body?.temperature !== undefined) options.temperature = body.temperature;
  if (body?.seed !== undefined) options.seed = body.seed;
  if (body?.stop !== undefined) options.stop = body.stop;
  return { model: body?.model, messages: body?.messages, tools: body?.tools, options };
}

/**
 * The text and finish reason the stand-in streams for an OpenAI-style body.
 * @example
 * expectedOpenAiReply({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).text // 'Answer to: Hi'
 */
export function expectedOpenAiReply(body: any, reply: (request: StandInRequest) => string = defaultReply): { text: string; finishReason: 'stop' | 'length'; tokens: string[] } {
  const result = expectedReply(asOllamaBody(body), reply);
  return { text: result.text, finishReason: result.doneReason, tokens: result.tokens };
}

const openAiError = (message: string, type: string, code: string | number | null) => ({ error: { message, type, param: null, code } });

/**
 * Starts the stand-in on 127.0.0.1, port 0.
 * @example
 * const upstream = await startOpenAiStandIn({ tokenDelayMs: 5 });
 * const client = new OpenAI({ baseURL: upstream.url, apiKey: 'x' });
 */
export async function startOpenAiStandIn(initial: OpenAiStandInOptions = {}): Promise<OpenAiStandIn> {
  let options: OpenAiStandInOptions = { ...initial };
  const calls: OpenAiStandIn['calls'] = [];
  const perPath = new Map<string, number>();
  const open = new Set<http.ServerResponse>();
  const idleWaiters = new Set<() => void>();
  let closed = false;

  const models = () => options.models ?? ['qwen2.5-7b-instruct'];
  const sendJson = (res: http.ServerResponse, status: number, value: unknown) => {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const pause = (ms: number, res: http.ServerResponse) =>
    new Promise<boolean>((resolve) => {
      if (res.destroyed || closed) return resolve(false);
      if (ms <= 0) return resolve(true);
      const timer = setTimeout(() => {
        res.off('close', onClose);
        resolve(!res.destroyed);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
      res.once('close', onClose);
    });
  const cutAfterFlush = (res: http.ServerResponse) => {
    const socket = res.socket;
    if (socket) socket.write('', () => socket.destroy());
  };

  /** Faults answered before anything is generated; true when one applied. */
  function earlyFault(fault: OpenAiFault | undefined, model: string, res: http.ServerResponse): boolean {
    switch (fault) {
      case 'http500':
        sendJson(res, 500, openAiError('the model crashed while generating', 'server_error', 500));
        return true;
      case 'model404':
        sendJson(res, 404, openAiError(`The model \`${model}\` does not exist.`, 'NotFoundError', 404));
        return true;
      case 'unauthorized':
        sendJson(res, 401, openAiError('Invalid API Key', 'authentication_error', 'invalid_api_key'));
        return true;
      case 'busy':
        sendJson(res, 503, openAiError('Loading model', 'unavailable_error', 503));
        return true;
      case 'hang':
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
      default:
        return false;
    }
  }

  async function completions(call: OpenAiStandIn['calls'][number], res: http.ServerResponse): Promise<void> {
    const body = call.body ?? {};
    const model = String(body.model ?? '');
    const request: StandInRequest = { path: call.path, body, index: call.index };
    const chosen = typeof options.fault === 'function' ? options.fault(request) : options.fault;
    const fault = chosen ?? (models().includes(model) ? undefined : 'model404');
    if (earlyFault(fault, model, res)) return;
    const toolCalls = Array.isArray(body.tools) && body.tools.length > 0 ? (options.toolCalls ?? defaultToolCalls)(request) : undefined;
    const calls = toolCalls?.length ? toolCalls.map((call, i) => ({ id: `call_${call.name}_${i}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } })) : undefined;
    const text = expectedOpenAiReply(body, options.reply ?? defaultReply);
    const tokens = calls ? [] : text.tokens;
    const finishReason = calls ? 'tool_calls' : text.finishReason;
    const id = `chatcmpl-${call.index}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: (body.messages ?? []).reduce((n: number, m: { content?: string }) => n + tokenize(String(m.content ?? '')).length, 0), completion_tokens: tokens.length, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!(await pause(options.firstTokenDelayMs ?? 0, res))) return;

    if (body.stream !== true) {
      for (let i = 1; i < tokens.length; i++) if (!(await pause(options.tokenDelayMs ?? 0, res))) return;
      return sendJson(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: calls ? { role: 'assistant', content: null, tool_calls: calls } : { role: 'assistant', content: tokens.join('') }, finish_reason: finishReason, logprobs: null }],
        usage,
      });
    }

    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (value: unknown) => res.write(`data: ${JSON.stringify(value)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
    const after = options.faultAfterTokens ?? 2;
    const midStreamFault = (): boolean => {
      if (fault === 'cut') {
        cutAfterFlush(res);
        return true;
      }
      if (fault === 'stall') return true;
      if (fault === 'error-mid-stream') {
        send(openAiError('the model crashed mid-stream', 'server_error', 500));
        res.end();
        return true;
      }
      if (fault === 'garbage') res.write('data: {"choices": [\n\n');
      return false;
    };
    send(chunk({ role: 'assistant', content: '' }, null));
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0 && !(await pause(options.tokenDelayMs ?? 0, res))) return;
      if (res.destroyed || closed) return;
      if (i === after && midStreamFault()) return;
      send(chunk({ content: tokens[i] }, null));
    }
    if (tokens.length <= after && midStreamFault()) return;
    for (const [index, call] of (calls ?? []).entries()) {
      send(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null));
      const args = call.function.arguments;
      for (let at = 0; at < args.length; at += 5) send(chunk({ tool_calls: [{ index, function: { arguments: args.slice(at, at + 5) } }] }, null));
    }
    if (fault === 'no-done') return void res.end();
    send(chunk({}, finishReason));
    if (body.stream_options?.include_usage) send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
    res.write('data: [DONE]\n\n');
    res.end();
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    const raw = Buffer.concat(parts).toString('utf8');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return sendJson(res, 400, openAiError('We could not parse the JSON body of your request.', 'invalid_request_error', null));
    }
    const index = perPath.get(path) ?? 0;
    perPath.set(path, index + 1);
    const call = { method: req.method ?? 'GET', path, body, headers: req.headers, index, clientClosed: false };
    calls.push(call);
    open.add(res);
    let finished = false;
    res.on('finish', () => {
      finished = true;
    });
    res.on('close', () => {
      if (!finished) call.clientClosed = true;
      open.delete(res);
      setImmediate(() => {
        if (open.size === 0) for (const wake of [...idleWaiters]) wake();
      });
    });
    if (options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) return void earlyFault('unauthorized', '', res);
    if (req.method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { object: 'list', data: models().map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'kobza-test' })) });
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return completions(call, res);
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const inputs: string[] = Array.isArray(body?.input) ? body.input.map(String) : [String(body?.input ?? '')];
      return sendJson(res, 200, {
        object: 'list',
        data: inputs.map((text, i) => {
          const vector = standInEmbedding(text, 32);
          const embedding = body?.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
          return { object: 'embedding', index: i, embedding };
        }),
        model: body?.model,
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      });
    }
    sendJson(res, 404, openAiError(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'));
  }

  const loopback = await listenOnLoopback(route);
  const { port } = loopback;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    count: (path) => calls.filter((c) => c.path === path).length,
    get openResponses() {
      return open.size;
    },
    openSockets: () => loopback.openSockets(),
    idle(timeoutMs = 2000) {
      if (open.size === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          idleWaiters.delete(wake);
          reject(new Error(`openai stand-in: ${open.size} response(s) still open after ${timeoutMs} ms`));
        }, timeoutMs);
        idleWaiters.add(wake);
      });
    },
    set(next) {
      options = { ...options, ...next };
    },
    async close() {
      if (closed) return;
      closed = true;
      await loopback.close();
    },
  };
}
