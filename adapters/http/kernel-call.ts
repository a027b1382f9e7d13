/**
 * One chat request from HTTP into the kernel and back, shared by the OpenAI and Ollama
 * routes. The first non-empty chunk is awaited before any byte is sent, so an upstream that
 * fails early (model not found, Ollama down) still gets a proper status and JSON body; a
 * failure after that ends the stream with an error frame. Closing the connection aborts
 * the request's signal, which stops the upstream and keeps the partial answer out of the
 * cache.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KobzaError, LazyAbort, setRequestAbort, wrapError, type ChatRequest, type PluginContext, type ReplyMeta, type RequestInit, type RequestMetadata } from '../../core/index.js';

declare module '../../core/types.js' {
  interface RequestMetadata {
    /** Which HTTP dialect the request came in (`openai` or `ollama`). */
    api?: 'openai' | 'ollama';
  }
}

/** A request the kernel accepted, with its first chunk already in hand. */
export interface KernelCall {
  readonly request: ChatRequest;
  readonly meta: ReplyMeta;
  /** The first non-empty chunk; undefined when the answer ended without text. */
  readonly first: string | undefined;
  /** True when the answer already ended while waiting for the first chunk. */
  readonly ended: boolean;
  /** The remaining chunks. */
  readonly rest: AsyncIterator<string>;
  /** Aborts the request (the upstream stops). */
  abort(): void;
  /** Stops watching for disconnects and kernel shutdown; called when the answer is done. */
  release(): void;
}

/** Request metadata taken from Kobza's own headers; a wrong value is a 400. */
export function metadataFromHeaders(headers: FastifyRequest['headers'], api: 'openai' | 'ollama', requestId: string): RequestMetadata {
  const metadata: RequestMetadata = { adapter: 'http', api };
  const ranking = headerValue(headers['x-kobza-ranking']);
  if (ranking !== undefined) {
    const value = ranking.trim().toLowerCase();
    if (value !== 'on' && value !== 'off') {
      throw new KobzaError('BAD_REQUEST', `x-kobza-ranking: expected on or off, got ${JSON.stringify(ranking.slice(0, 20))}`, { requestId, details: { param: 'x-kobza-ranking' } });
    }
    metadata.ranking = value;
  }
  const cache = headerValue(headers['x-kobza-cache']);
  if (cache !== undefined) {
    const value = cache.trim().toLowerCase();
    if (value !== 'on' && value !== 'off') {
      throw new KobzaError('BAD_REQUEST', `x-kobza-cache: expected on or off, got ${JSON.stringify(cache.slice(0, 20))}`, { requestId, details: { param: 'x-kobza-cache' } });
    }
    if (value === 'off') metadata.cache = 'off';
  }
  return metadata;
}

/**
 * The conversation a request belongs to: the OpenAI `user` field or the
 * `x-kobza-conversation` header (the header wins), scoped by tenant so two tenants' `alice`
 * are different conversations. Undefined without either: the request is its own conversation.
 * @example
 * conversationIdOf(request.headers, body.user, metadata.tenant) // 'http:acme:alice'
 */
export function conversationIdOf(headers: FastifyRequest['headers'], user: string | null | undefined, tenant: string | undefined, requestId: string): string | undefined {
  const given = headerValue(headers['x-kobza-conversation']) ?? (user || undefined);
  if (given === undefined) return undefined;
  if (given.length > 200) throw new KobzaError('BAD_REQUEST', 'x-kobza-conversation / user: expected at most 200 characters', { requestId, details: { param: 'user' } });
  return `http:${tenant ?? ''}:${given}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The call a response belongs to, for the one shared `close` listener. */
const CALL = Symbol('kobza.httpCall');
type CallResponse = ServerResponse & { [CALL]?: HttpCall };

/**
 * Calls in flight per kernel signal. One listener on each kernel signal (the kernel's
 * shutdown) aborts them all, instead of one listener added and removed per request.
 */
const callsBySignal = new WeakMap<AbortSignal, Set<HttpCall>>();

function callsFollowing(kernelSignal: AbortSignal): Set<HttpCall> {
  let calls = callsBySignal.get(kernelSignal);
  if (calls === undefined) {
    const following = new Set<HttpCall>();
    kernelSignal.addEventListener(
      'abort',
      () => {
        for (const call of [...following]) call.abort(kernelSignal.reason);
      },
      { once: true },
    );
    callsBySignal.set(kernelSignal, following);
    calls = following;
  }
  return calls;
}

/** Shared by every response, so a request costs no listener closure. */
function onResponseClose(this: CallResponse): void {
  this[CALL]?.abort();
}

/**
 * The state of one call. The request's own signal aborts when the client goes away (the
 * response closes before the answer is complete) or when the kernel shuts down, until the
 * call is released.
 */
class HttpCall implements KernelCall {
  readonly request: ChatRequest;
  meta!: ReplyMeta;
  first: string | undefined;
  ended = false;
  rest!: AsyncIterator<string>;
  /** The request's abort; its AbortSignal is made only if something reads `request.signal`. */
  readonly lazyAbort = new LazyAbort();
  readonly #response: CallResponse;
  readonly #following: Set<HttpCall>;
  #released = false;

  constructor(request: ChatRequest, response: CallResponse, following: Set<HttpCall>) {
    this.request = request;
    this.#response = response;
    this.#following = following;
  }

  abort(reason?: unknown): void {
    // After release the answer is done: a disconnect changes nothing.
    if (this.#released || this.lazyAbort.aborted) return;
    this.lazyAbort.abort(reason ?? new KobzaError('ABORTED', 'the client closed the connection', { requestId: this.request.id }));
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#following.delete(this);
    this.#response[CALL] = undefined;
  }

}

/**
 * Hands a request to the kernel and waits for its first chunk. Throws a KobzaError (with
 * the request id) when the kernel or the upstream fails before any text.
 * @example
 * const call = await openKernelCall(ctx, { messages, stream: true }, request, reply);
 * reply.header('x-kobza-source', call.meta.source);
 */
export async function openKernelCall(ctx: PluginContext, init: RequestInit, httpRequest: FastifyRequest, httpReply: FastifyReply): Promise<KernelCall> {
  const response = httpReply.raw as CallResponse;
  init.id = httpRequest.id;
  const request = ctx.createRequest(init);
  // The request's own signal fires when the kernel shuts down. Ours follows it through the
  // kernel signal's one listener (callsFollowing) rather than through AbortSignal.any,
  // which costs several times more per request and keeps every combined signal alive until
  // GC, and rather than a listener per request.
  const kernelSignal = request.signal;
  const following = callsFollowing(kernelSignal);
  const call = new HttpCall(request, response, following);
  following.add(call);
  response[CALL] = call;
  response.on('close', onResponseClose);
  setRequestAbort(request, call.lazyAbort);
  if (kernelSignal.aborted) call.abort(kernelSignal.reason);
  else if (response.destroyed || httpRequest.raw.socket?.destroyed) call.abort();

  try {
    const answer = await ctx.handle(request);
    call.meta = answer.meta;
    const iterator = answer.chunks[Symbol.asyncIterator]();
    call.rest = iterator;
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        call.ended = true;
        break;
      }
      if (step.value) {
        call.first = step.value;
        break;
      }
    }
  } catch (err) {
    call.release();
    throw wrapError(err, request.id);
  }
  return call;
}

/** Drains the rest of a call into the whole answer. */
export async function collectText(call: KernelCall): Promise<string> {
  let text = call.first ?? '';
  try {
    if (!call.ended) {
      for (;;) {
        const step = await call.rest.next();
        if (step.done) break;
        text += step.value;
      }
    }
  } catch (err) {
    throw wrapError(err, call.request.id);
  } finally {
    // The answer is complete (or failed): a disconnect from now on changes nothing.
    call.release();
  }
  return text;
}

/** How one API writes the frames of a streamed answer. */
export interface StreamFormat {
  /** Frames before the first chunk (OpenAI's role delta). */
  start?(): string;
  chunk(text: string): string;
  /** The closing frames; `meta` is final here. `text` is the whole answer. */
  end(meta: ReplyMeta, text: string): string;
  /** The frame that ends a stream which failed after it started. */
  error(error: KobzaError): string;
}

/**
 * The response body of a streamed answer. It never hangs: it ends with `end()` or, when
 * the upstream fails mid-way, with `error()`; when the client goes away it stops reading
 * from the kernel, which aborts the upstream.
 * @example
 * return reply.type('application/x-ndjson').send(streamBody(call, ndjsonFormat));
 */
export function streamBody(call: KernelCall, format: StreamFormat): Readable {
  return new StreamBody(call, format);
}

/**
 * What an async generator fed to Readable.from would do, pulled by hand: a generator and
 * Readable.from each add promises and microtask turns to every chunk of every stream.
 */
class StreamBody extends Readable {
  readonly #call: KernelCall;
  readonly #format: StreamFormat;
  #text: string;
  #started = false;
  #waiting = false;
  #finished = false;
  readonly #onStep = (step: IteratorResult<string>) => this.#step(step);
  readonly #onFailure = (err: unknown) => this.#fail(err);

  constructor(call: KernelCall, format: StreamFormat) {
    super();
    this.#call = call;
    this.#format = format;
    this.#text = call.first ?? '';
  }

  override _read(): void {
    if (this.#finished || this.#waiting) return;
    if (!this.#started) {
      this.#started = true;
      // The opening frames and the first chunk go out in one write.
      let head = '';
      try {
        const format = this.#format;
        const call = this.#call;
        if (format.start) head = format.start();
        if (call.first !== undefined) head += format.chunk(call.first);
        if (call.ended) {
          this.#end(head);
          return;
        }
      } catch (err) {
        this.#fail(err, head);
        return;
      }
      if (head && !this.push(head)) return;
    }
    this.#pull();
  }

  #pull(): void {
    this.#waiting = true;
    let next: Promise<IteratorResult<string>>;
    try {
      next = Promise.resolve(this.#call.rest.next());
    } catch (err) {
      this.#waiting = false;
      this.#fail(err);
      return;
    }
    next.then(this.#onStep, this.#onFailure);
  }

  #step(step: IteratorResult<string>): void {
    this.#waiting = false;
    if (this.destroyed) return;
    try {
      if (step.done) {
        this.#end('');
        return;
      }
      if (!step.value) {
        this.#pull();
        return;
      }
      this.#text += step.value;
      if (this.push(this.#format.chunk(step.value))) this.#pull();
    } catch (err) {
      this.#fail(err);
    }
  }

  /** The answer is complete: the closing frames, then the end of the body. */
  #end(before: string): void {
    this.#finished = true;
    let closing: string;
    try {
      closing = before + this.#format.end(this.#call.meta, this.#text);
    } catch (err) {
      this.#finished = false;
      this.#fail(err, before);
      return;
    }
    this.push(closing);
    this.push(null);
    this.#call.release();
  }

  /** The answer failed after the stream started: an error frame ends it, never a hang. */
  #fail(err: unknown, before = ''): void {
    this.#waiting = false;
    if (this.#finished || this.destroyed) return;
    this.#finished = true;
    this.push(before + this.#format.error(wrapError(err, this.#call.request.id)));
    this.push(null);
    this.#call.release();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#finished) {
      // The client went away (the body stream was destroyed): stop the upstream and close
      // the kernel's iterator so the request is settled as aborted.
      this.#finished = true;
      this.#call.abort();
      try {
        void Promise.resolve(this.#call.rest.return?.()).catch(() => undefined);
      } catch {
        // A failing return() changes nothing for a client that is gone.
      }
    }
    this.#call.release();
    callback(error);
  }
}

/** A signal that fires when the client of a plain (non-chat) request goes away. */
export function disconnectSignal(httpReply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  httpReply.raw.once('close', () => {
    if (!httpReply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Rough token count for answers whose upstream did not report one (cache hits). */
export function estimateTokens(text: string): number {
  return estimateTokensOfLength(text.length);
}

/** `estimateTokens` of a text `length` characters long. */
export function estimateTokensOfLength(length: number): number {
  return length === 0 ? 0 : Math.max(1, Math.ceil(length / 4));
}
