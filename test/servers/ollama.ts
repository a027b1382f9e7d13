/**
 * A small HTTP server that stands in for Ollama in tests and benchmarks. It speaks the
 * documented wire format (NDJSON streams for /api/chat and /api/generate, JSON for
 * /api/embed, /api/tags, /api/version; model management — pull, create, show, ps, delete,
 * copy — in ollama-models.ts) including Ollama's error bodies,
 * and can be scripted: per-token and first-token delays, a concurrency limit that queues
 * like OLLAMA_NUM_PARALLEL, and faults (500, 404 model, hang, reset, cut mid-stream,
 * garbage line, `{"error"}` mid-stream, stall, stream without `done`).
 *
 * The default reply is a pure function of the request (`defaultReply`), so a test can
 * compute the exact text it expects. A chat request with tools may be answered with tool
 * calls instead, in Ollama's documented shape (`message.tool_calls: [{ function: { name,
 * arguments: {…} } }]`, `arguments` an object): by default (`defaultToolCalls`) when the
 * last user message asks about the weather and a `get_weather` tool is offered. After a
 * `tool` message the default reply quotes the tool's result.
 */
import http from 'node:http';
import { listenOnLoopback, readBody } from './loopback.js';
import { ModelShelf } from './ollama-models.js';

/**
 * Ways the stand-in misbehaves.
 * - `http500`: HTTP 500 with `{"error":"..."}` before any token.
 * - `model404`: HTTP 404 `{"error":"model \"x\" not found, try pulling it first"}`.
 * - `hang`: accepts the request and never answers (no headers).
 * - `reset`: destroys the socket before answering (the client sees "socket hang up").
 * - `cut`: sends `faultAfterTokens` tokens, then destroys the socket.
 * - `garbage`: sends `faultAfterTokens` tokens, then a line that is not JSON, then carries on.
 * - `error-mid-stream`: sends `faultAfterTokens` tokens, then `{"error":"..."}` and ends.
 * - `stall`: sends `faultAfterTokens` tokens, then nothing more (keeps the socket open).
 * - `no-done`: sends every token and ends the response without the `done` chunk.
 * - `busy`: HTTP 503 `{"error":"server busy, please try again.  maximum pending requests exceeded"}`.
 */
export type Fault = 'http500' | 'model404' | 'hang' | 'reset' | 'cut' | 'garbage' | 'error-mid-stream' | 'stall' | 'no-done' | 'busy';

/** What the stand-in saw: one entry per HTTP request, in arrival order. */
export interface StandInCall {
  method: string;
  path: string;
  /** Parsed JSON body (`undefined` for GET or an unparsable body). */
  body: any;
  /** `Date.now()` at arrival. */
  at: number;
  /** 0-based index among calls to the same path. */
  index: number;
  /** True when the client closed the connection before the response finished. */
  clientClosed: boolean;
  /** True when the response finished normally (including error responses). */
  finished: boolean;
  /** The fault applied to this call, if any. */
  fault?: Fault;
}

/** The request as `reply` and `fault` functions see it. */
export interface StandInRequest {
  path: string;
  body: any;
  /** 0-based index among calls to the same path (so a test can fail only the first call). */
  index: number;
}

export interface StandInOptions {
  /** Delay between tokens (ms). Default 0. */
  tokenDelayMs?: number;
  /** Delay before the first token, after a generation slot is free (ms). Default 0. */
  firstTokenDelayMs?: number;
  /** Concurrent generations; more are queued (like OLLAMA_NUM_PARALLEL). Default unlimited. */
  parallel?: number;
  /** Queued generations beyond this get 503 "server busy" (like OLLAMA_MAX_QUEUE). Default unlimited. */
  maxQueue?: number;
  /**
   * Models the stand-in has. When given, requests for other models get 404 like Ollama;
   * when omitted any model is accepted and /api/tags lists `qwen2.5:7b`.
   */
  models?: string[];
  /** The answer text for a chat/generate request. Default `defaultReply`. */
  reply?: (request: StandInRequest) => string;
  /** Tool calls for a chat request that offers tools (none: a text answer). Default `defaultToolCalls`. */
  toolCalls?: (request: StandInRequest) => StandInToolCall[] | undefined;
  /** A fault for every generation/embedding call, or a function choosing per request. */
  fault?: Fault | ((request: StandInRequest) => Fault | undefined);
  /** Tokens sent before a mid-stream fault (`cut`, `garbage`, `error-mid-stream`, `stall`). Default 2. */
  faultAfterTokens?: number;
  /** Length of /api/embed vectors. Default 64. */
  embeddingDimensions?: number;
  /** Words /api/embed gives one vector, as a semantic model would (each list: words of one meaning). */
  sameMeaning?: string[][];
  /** Reported by /api/version. Default `0.6.5`. */
  version?: string;
  /** Pause between the progress lines of /api/pull and /api/create (ms). Default 0. */
  progressDelayMs?: number;
}

export interface OllamaStandIn {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly calls: StandInCall[];
  /** Number of calls to a path, e.g. `count('/api/chat')`. */
  count(path: string): number;
  /** Generations running right now (holding a slot). */
  readonly active: number;
  /** Generations waiting for a slot. */
  readonly queued: number;
  /** Peak concurrent generations observed. */
  readonly maxActive: number;
  /** Responses not yet finished or closed (generations, queued and hanging requests). */
  readonly openResponses: number;
  /** TCP connections open on the server side right now (idle keep-alive ones included). */
  openSockets(): number;
  /** Resolves once no response is open (useful after aborts: the close events are async). */
  idle(timeoutMs?: number): Promise<void>;
  /** Changes options at run time (affects requests that arrive afterwards). */
  set(options: Partial<StandInOptions>): void;
  /** Closes the server and every connection. */
  close(): Promise<void>;
}

/** A tool call the stand-in answers with: Ollama writes `arguments` as an object. */
export interface StandInToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/**
 * The stand-in's default tool calls: `get_weather({ city })` when a `get_weather` tool is
 * offered and the last message is a user's question about the weather ("weather in Kyiv?"
 * → `{ city: 'Kyiv' }`); otherwise none, and the request gets a text answer.
 * @example
 * defaultToolCalls({ body: { tools: [weatherTool], messages: [{ role: 'user', content: 'What is the weather in Lviv?' }] } })
 * // [{ name: 'get_weather', arguments: { city: 'Lviv' } }]
 */
export function defaultToolCalls(request: Pick<StandInRequest, 'body'>): StandInToolCall[] | undefined {
  const tools: { function?: { name?: string } }[] = Array.isArray(request.body?.tools) ? request.body.tools : [];
  if (!tools.some((tool) => tool?.function?.name === 'get_weather')) return undefined;
  const messages: { role?: string; content?: unknown }[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
  const last = messages.at(-1);
  if (last?.role !== 'user' || typeof last.content !== 'string' || !/weather/i.test(last.content)) return undefined;
  const city = /weather in ([\p{L}\p{N} -]+)/iu.exec(last.content)?.[1]?.trim() || 'Kyiv';
  return [{ name: 'get_weather', arguments: { city } }];
}

const DEFAULT_MODELS = ['qwen2.5:7b'];
const TOKEN_PATTERN = /\S+\s*|\s+/g;

/** The text of the last user message (chat) or the prompt (generate). */
export function questionOf(body: any): string {
  if (typeof body?.prompt === 'string') return body.prompt;
  const messages: { role?: string; content?: string }[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') return String(messages[i].content ?? '');
  }
  return '';
}

/**
 * The stand-in's default answer: `Answer to: <question>`, plus ` (variant <seed>@<temperature>)`
 * when `options.temperature > 0` (seed defaults to 0), so drafts with different seeds differ.
 * `num_predict` and `stop` are applied afterwards (see `expectedReply`).
 * @example
 * defaultReply({ path: '/api/chat', index: 0, body: { messages: [{ role: 'user', content: 'Hi' }] } }) // 'Answer to: Hi'
 */
export function defaultReply(request: Pick<StandInRequest, 'body'>): string {
  const question = questionOf(request.body);
  const options = request.body?.options ?? {};
  const temperature = Number(options.temperature ?? 0);
  const variant = temperature > 0 ? ` (variant ${options.seed ?? 0}@${temperature})` : '';
  // After a tool ran, the answer quotes its result: `Answer to: … [tool: 18 °C]`.
  const messages: { role?: string; content?: unknown }[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
  const last = messages.at(-1);
  const tool = last?.role === 'tool' ? ` [tool: ${typeof last.content === 'string' ? last.content : JSON.stringify(last.content)}]` : '';
  return `Answer to: ${question}${variant}${tool}`;
}

/**
 * An answer that quotes the context it was generated from — every message before the
 * question (system prompt and earlier turns) — the way a real model may repeat a name or a
 * phone number it was shown. Use it as `reply: echoReply` to see whether context leaks.
 * @example
 * echoReply({ body: { messages: [{ role: 'user', content: 'I am Olena' }, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'Fees?' }] } })
 * // 'Answer to: Fees? [context: user: I am Olena | assistant: Hi]'
 */
export function echoReply(request: Pick<StandInRequest, 'body'>): string {
  const messages: { role?: string; content?: string }[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
  const context = messages.slice(0, -1).map((m) => `${m.role}: ${m.content}`);
  return context.length > 0 ? `${defaultReply(request)} [context: ${context.join(' | ')}]` : defaultReply(request);
}

/** How the stand-in splits a reply into streamed tokens: words with their trailing space. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

/**
 * The text and `done_reason` a request will stream, after `stop` strings and `num_predict`.
 * @example
 * expectedReply(body) // { text: 'Answer to: Hi', doneReason: 'stop', tokens: ['Answer ', 'to: ', 'Hi'] }
 */
export function expectedReply(body: any, reply: (request: StandInRequest) => string = defaultReply, path = '/api/chat', index = 0): { text: string; doneReason: 'stop' | 'length'; tokens: string[] } {
  let text = reply({ path, body, index });
  const stops: string[] = Array.isArray(body?.options?.stop) ? body.options.stop : typeof body?.options?.stop === 'string' ? [body.options.stop] : [];
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  let tokens = tokenize(text);
  let doneReason: 'stop' | 'length' = 'stop';
  const limit = body?.options?.num_predict;
  if (typeof limit === 'number' && limit >= 0 && tokens.length > limit) {
    tokens = tokens.slice(0, limit);
    doneReason = 'length';
  }
  return { text: tokens.join(''), doneReason, tokens };
}

/**
 * A deterministic bag-of-words embedding: each word is hashed (FNV-1a) into a dimension,
 * the vector is L2-normalised. Texts sharing words are close; identical texts are equal.
 */
export function standInEmbedding(text: string, dimensions = 64): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) {
      hash ^= word.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    vector[hash % dimensions] += 1;
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((v) => v / norm);
}

function modelMatches(have: string, want: string): boolean {
  const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
  return withTag(have) === withTag(want);
}

function countPromptTokens(body: any): number {
  const texts: string[] = typeof body?.prompt === 'string' ? [body.prompt] : (body?.messages ?? []).map((m: { content?: string }) => String(m?.content ?? ''));
  return texts.reduce((sum, text) => sum + tokenize(text).length, 0) + 1;
}

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Starts the stand-in on 127.0.0.1, port 0.
 * @example
 * const ollama = await startOllamaStandIn({ tokenDelayMs: 5, parallel: 2 });
 * const client = new Ollama({ host: ollama.url });
 * // … ollama.count('/api/chat'), ollama.maxActive …
 * await ollama.close();
 */
export async function startOllamaStandIn(initial: StandInOptions = {}): Promise<OllamaStandIn> {
  let options: StandInOptions = { ...initial };
  const calls: StandInCall[] = [];
  const perPath = new Map<string, number>();
  const openResponses = new Set<http.ServerResponse>();
  const waiting: { start: () => void; cancel: () => void }[] = [];
  const idleWaiters = new Set<() => void>();
  let active = 0;
  let maxActive = 0;
  let closed = false;
  const shelf = new ModelShelf({ base: () => options.models ?? DEFAULT_MODELS, progressDelayMs: () => options.progressDelayMs ?? 0, sendJson: (res, status, value) => sendJson(res, status, value) });

  // Deferred so a generation's own close handling (releasing its slot) runs first.
  const notifyIfIdle = () =>
    setImmediate(() => {
      if (openResponses.size === 0 && active === 0) for (const wake of [...idleWaiters]) wake();
    });

  /** Waits for a generation slot; resolves false if the client went away meanwhile. */
  function acquireSlot(res: http.ServerResponse): Promise<boolean> {
    const limit = options.parallel ?? Infinity;
    if (active < limit) {
      active++;
      maxActive = Math.max(maxActive, active);
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const entry = {
        start: () => {
          res.off('close', onClose);
          active++;
          maxActive = Math.max(maxActive, active);
          resolve(true);
        },
        cancel: () => resolve(false),
      };
      const onClose = () => {
        const at = waiting.indexOf(entry);
        if (at >= 0) waiting.splice(at, 1);
        resolve(false);
      };
      res.once('close', onClose);
      waiting.push(entry);
    });
  }

  function releaseSlot(): void {
    active--;
    const limit = options.parallel ?? Infinity;
    while (waiting.length > 0 && active < limit) waiting.shift()!.start();
  }

  /** Sleeps unless the response closes first; resolves false when it did. */
  function pause(ms: number, res: http.ServerResponse): Promise<boolean> {
    if (res.destroyed || closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
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
  }

  function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function chooseFault(request: StandInRequest): Fault | undefined {
    const fault = options.fault;
    return typeof fault === 'function' ? fault(request) : fault;
  }

  function knownModel(name: string): boolean {
    if (!options.models) return !shelf.deleted(name);
    return shelf.names.some((m) => modelMatches(m, name));
  }

  /** Faults that answer before anything is generated; true when one was applied. */
  function applyEarlyFault(fault: Fault | undefined, model: string, res: http.ServerResponse): boolean {
    switch (fault) {
      case 'http500':
        sendJson(res, 500, { error: 'llama runner process has terminated: exit status 2' });
        return true;
      case 'model404':
        sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
        return true;
      case 'busy':
        sendJson(res, 503, { error: 'server busy, please try again.  maximum pending requests exceeded' });
        return true;
      case 'hang':
        return true; // keep the request open; close() or the client ends it
      case 'reset':
        res.socket?.destroy();
        return true;
      default:
        return false;
    }
  }

  async function generate(path: '/api/chat' | '/api/generate', call: StandInCall, res: http.ServerResponse): Promise<void> {
    const body = call.body ?? {};
    const model = typeof body.model === 'string' ? body.model : '';
    if (!model) return sendJson(res, 400, { error: 'model is required' });
    if (path === '/api/chat' && body.messages !== undefined && !Array.isArray(body.messages)) {
      return sendJson(res, 400, { error: 'json: cannot unmarshal messages' });
    }
    const request: StandInRequest = { path, body, index: call.index };
    const fault = chooseFault(request) ?? (knownModel(model) ? undefined : 'model404');
    call.fault = fault;
    if (applyEarlyFault(fault, model, res)) return;

    if (options.maxQueue !== undefined && active >= (options.parallel ?? Infinity) && waiting.length >= options.maxQueue) {
      call.fault = 'busy';
      return void applyEarlyFault('busy', model, res);
    }
    if (!(await acquireSlot(res))) return;
    try {
      await stream(path, call, request, fault, res);
    } finally {
      releaseSlot();
    }
  }

  /** Cuts the connection once what was written so far reached the client. */
  function cutAfterFlush(res: http.ServerResponse): void {
    const socket = res.socket;
    if (!socket) return;
    socket.write('', () => socket.destroy());
  }

  async function stream(path: '/api/chat' | '/api/generate', call: StandInCall, request: StandInRequest, fault: Fault | undefined, res: http.ServerResponse): Promise<void> {
    const body = request.body;
    const startedNs = process.hrtime.bigint();
    const toolCalls = path === '/api/chat' && Array.isArray(body.tools) && body.tools.length > 0 ? (options.toolCalls ?? defaultToolCalls)(request) : undefined;
    const calledTools = toolCalls?.length ? toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments } })) : undefined;
    // Like a model that calls a tool, the answer is the calls alone.
    const { tokens, doneReason } = calledTools ? { tokens: [] as string[], doneReason: 'stop' as const } : expectedReply(body, options.reply ?? defaultReply, path, request.index);
    const streaming = body.stream !== false;
    const chunkOf = (content: string) =>
      path === '/api/chat'
        ? { model: body.model, created_at: nowIso(), message: { role: 'assistant', content }, done: false }
        : { model: body.model, created_at: nowIso(), response: content, done: false };
    const stats = (evalStartNs: bigint, count: number) => {
      const end = process.hrtime.bigint();
      const promptEvalNs = 1_000_000;
      const loadNs = 500_000;
      return {
        done: true,
        done_reason: doneReason,
        total_duration: Number(end - startedNs) + loadNs + promptEvalNs,
        load_duration: loadNs,
        prompt_eval_count: countPromptTokens(body),
        prompt_eval_duration: promptEvalNs,
        eval_count: count,
        eval_duration: Number(end - evalStartNs),
      };
    };
    const afterTokens = options.faultAfterTokens ?? 2;

    if (!(await pause(options.firstTokenDelayMs ?? 0, res))) return;
    const evalStartNs = process.hrtime.bigint();

    if (!streaming) {
      for (let i = 0; i < tokens.length; i++) if (!(await pause(i === 0 ? 0 : (options.tokenDelayMs ?? 0), res))) return;
      if (fault === 'cut') return void res.socket?.destroy();
      if (fault === 'stall') return;
      if (fault === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        return void res.end('<html>502 Bad Gateway</html>');
      }
      if (fault === 'error-mid-stream') return sendJson(res, 500, { error: 'an error was encountered while running the model: unexpected EOF' });
      const text = tokens.join('');
      const final = path === '/api/chat'
        ? { model: body.model, created_at: nowIso(), message: { role: 'assistant', content: text, ...(calledTools ? { tool_calls: calledTools } : {}) }, ...stats(evalStartNs, tokens.length) }
        : { model: body.model, created_at: nowIso(), response: text, ...stats(evalStartNs, tokens.length), context: [1, 2, 3] };
      if (fault === 'no-done') (final as { done: boolean }).done = false;
      return sendJson(res, 200, final);
    }

    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const write = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    for (let i = 0; i < tokens.length; i++) {
      if (i > 0 && !(await pause(options.tokenDelayMs ?? 0, res))) return;
      if (res.destroyed || closed) return;
      if (i === afterTokens) {
        if (fault === 'cut') return cutAfterFlush(res);
        if (fault === 'stall') return;
        if (fault === 'error-mid-stream') {
          write({ error: 'an error was encountered while running the model: unexpected EOF' });
          return void res.end();
        }
        if (fault === 'garbage') res.write('<html>502 Bad Gateway</html>\n');
      }
      write(chunkOf(tokens[i]));
    }
    // Faults due after more tokens than the reply has happen at its end.
    if (tokens.length <= afterTokens) {
      if (fault === 'cut') return cutAfterFlush(res);
      if (fault === 'stall') return;
      if (fault === 'error-mid-stream') {
        write({ error: 'an error was encountered while running the model: unexpected EOF' });
        return void res.end();
      }
      if (fault === 'garbage') res.write('<html>502 Bad Gateway</html>\n');
    }
    // Ollama streams the calls in a part of their own, before the final one.
    if (calledTools) write({ model: body.model, created_at: nowIso(), message: { role: 'assistant', content: '', tool_calls: calledTools }, done: false });
    if (fault === 'no-done') return void res.end();
    const final = path === '/api/chat'
      ? { model: body.model, created_at: nowIso(), message: { role: 'assistant', content: '' }, ...stats(evalStartNs, tokens.length) }
      : { model: body.model, created_at: nowIso(), response: '', ...stats(evalStartNs, tokens.length), context: [1, 2, 3] };
    write(final);
    res.end();
  }

  const meaningOf = new Map((options.sameMeaning ?? []).flatMap((words) => words.map((w) => [w.toLowerCase(), words[0].toLowerCase()] as const)));
  const sameMeaning = (text: string) => (meaningOf.size === 0 ? text : text.toLowerCase().replace(/[\p{L}\p{N}]+/gu, (w) => meaningOf.get(w) ?? w));

  function embed(call: StandInCall, res: http.ServerResponse): void {
    const body = call.body ?? {};
    const model = typeof body.model === 'string' ? body.model : '';
    if (!model) return sendJson(res, 400, { error: 'model is required' });
    const fault = chooseFault({ path: call.path, body, index: call.index }) ?? (knownModel(model) ? undefined : 'model404');
    call.fault = fault;
    if (applyEarlyFault(fault, model, res)) return;
    if (fault === 'cut') return void res.socket?.destroy();
    if (fault === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      return void res.end('not json');
    }
    const inputs: string[] = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
    const dimensions = options.embeddingDimensions ?? 64;
    sendJson(res, 200, {
      model,
      embeddings: inputs.map((text) => standInEmbedding(sameMeaning(text), dimensions)),
      total_duration: 1_000_000,
      load_duration: 100_000,
      prompt_eval_count: inputs.reduce((sum, text) => sum + tokenize(text).length, 0),
    });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const raw = await readBody(req);
    let body: any;
    let invalid = false;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        invalid = true;
      }
    }
    const index = perPath.get(path) ?? 0;
    perPath.set(path, index + 1);
    const call: StandInCall = { method: req.method ?? 'GET', path, body, at: Date.now(), index, clientClosed: false, finished: false };
    calls.push(call);
    openResponses.add(res);
    res.on('finish', () => {
      call.finished = true;
    });
    res.on('close', () => {
      if (!call.finished) call.clientClosed = true;
      openResponses.delete(res);
      notifyIfIdle();
    });
    if (invalid) return sendJson(res, 400, { error: 'invalid character in JSON body' });

    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('Ollama is running');
    }
    if (req.method === 'HEAD' && path === '/') {
      res.writeHead(200);
      return void res.end();
    }
    if (req.method === 'GET' && path === '/api/version') return sendJson(res, 200, { version: options.version ?? '0.6.5' });
    if (req.method === 'GET' && path === '/api/tags') return sendJson(res, 200, { models: shelf.names.map((name) => shelf.entry(name)) });
    if (req.method === 'POST' && (path === '/api/chat' || path === '/api/generate')) shelf.touch(String(body?.model ?? ''));
    const managed = shelf.route(req.method ?? 'GET', path, body, res);
    if (managed !== false) return managed === true ? undefined : managed;
    if (req.method === 'POST' && (path === '/api/chat' || path === '/api/generate')) return generate(path, call, res);
    if (req.method === 'POST' && path === '/api/embed') return embed(call, res);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('404 page not found');
  }

  const loopback = await listenOnLoopback(route, (err, res) => {
    if (!res.headersSent) sendJson(res, 500, { error: String((err as Error)?.message ?? err) });
    else res.destroy();
  });
  const { port } = loopback;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    count: (path) => calls.filter((c) => c.path === path).length,
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    get maxActive() {
      return maxActive;
    },
    get openResponses() {
      return openResponses.size;
    },
    openSockets: () => loopback.openSockets(),
    idle(timeoutMs = 2000) {
      if (openResponses.size === 0 && active === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          clearTimeout(timer);
          idleWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          idleWaiters.delete(wake);
          reject(new Error(`ollama stand-in: ${openResponses.size} response(s) still open after ${timeoutMs} ms`));
        }, timeoutMs);
        idleWaiters.add(wake);
        notifyIfIdle();
      });
    },
    set(next) {
      options = { ...options, ...next };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const entry of waiting.splice(0)) entry.cancel();
      await loopback.close();
    },
  };
}

