/**
 * One chat request from HTTP into the kernel and back, shared by the OpenAI and Ollama
 * routes. The first non-empty chunk is awaited before any byte is sent, so an upstream that
 * fails early (model not found, Ollama down) still gets a proper status and JSON body; a
 * failure after that ends the stream with an error frame. Closing the connection aborts
 * the request's signal, which stops the upstream and keeps the partial answer out of the
 * cache.
 */
import { setMaxListeners } from 'node:events';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { KobzaError, wrapError, type ChatRequest, type PluginContext, type ReplyMeta, type RequestInit } from '../../core/index.js';

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
export function metadataFromHeaders(headers: FastifyRequest['headers'], api: 'openai' | 'ollama', requestId: string): Record<string, unknown> {
  const metadata: Record<string, unknown> = { adapter: 'http', api };
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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const widened = new WeakSet<AbortSignal>();

/**
 * Hands a request to the kernel and waits for its first chunk. Throws a KobzaError (with
 * the request id) when the kernel or the upstream fails before any text.
 * @example
 * const call = await openKernelCall(ctx, { messages, stream: true }, request, reply);
 * reply.header('x-kobza-source', call.meta.source);
 */
export async function openKernelCall(ctx: PluginContext, init: RequestInit, httpRequest: FastifyRequest, httpReply: FastifyReply): Promise<KernelCall> {
  const controller = new AbortController();
  const signal = controller.signal;
  const response = httpReply.raw;
  const request = ctx.createRequest({ ...init, id: httpRequest.id });
  // The request's own signal fires when the kernel shuts down. Ours is linked to it by a
  // listener removed when the call ends, rather than through AbortSignal.any, which costs
  // several times more per request and keeps every combined signal alive until GC.
  const kernelSignal = request.signal;
  const abort = (reason?: unknown) => {
    if (!signal.aborted) controller.abort(reason ?? new KobzaError('ABORTED', 'the client closed the connection', { requestId: httpRequest.id }));
  };
  const onKernelAbort = () => abort(kernelSignal.reason);
  const onClose = () => abort();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    kernelSignal.removeEventListener('abort', onKernelAbort);
    response.off('close', onClose);
  };
  if (!widened.has(kernelSignal)) {
    // One listener per request in flight is expected here, not a leak.
    setMaxListeners(0, kernelSignal);
    widened.add(kernelSignal);
  }
  kernelSignal.addEventListener('abort', onKernelAbort, { once: true });
  response.once('close', onClose);
  request.signal = signal;
  if (kernelSignal.aborted) abort(kernelSignal.reason);
  else if (response.destroyed || httpRequest.raw.socket?.destroyed) abort();

  let first: string | undefined;
  let ended = false;
  let iterator: AsyncIterator<string>;
  let meta: ReplyMeta;
  try {
    const answer = await ctx.handle(request);
    meta = answer.meta;
    iterator = answer.chunks[Symbol.asyncIterator]();
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        ended = true;
        break;
      }
      if (step.value) {
        first = step.value;
        break;
      }
    }
  } catch (err) {
    release();
    throw wrapError(err, request.id);
  }
  return { request, meta, first, ended, rest: iterator, abort, release };
}

/** Drains the rest of a call into the whole answer. */
export async function collectText(call: KernelCall): Promise<string> {
  let text = call.first ?? '';
  try {
    if (call.ended) return text;
    for (;;) {
      const step = await call.rest.next();
      if (step.done) break;
      text += step.value;
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
  async function* frames(): AsyncGenerator<string> {
    let finished = false;
    let text = call.first ?? '';
    try {
      if (format.start) yield format.start();
      if (call.first !== undefined) yield format.chunk(call.first);
      if (!call.ended) {
        for (;;) {
          const step = await call.rest.next();
          if (step.done) break;
          if (!step.value) continue;
          text += step.value;
          yield format.chunk(step.value);
        }
      }
      finished = true;
      yield format.end(call.meta, text);
    } catch (err) {
      finished = true;
      yield format.error(wrapError(err, call.request.id));
    } finally {
      if (!finished) {
        // The client went away (the body stream was destroyed): stop the upstream and
        // close the kernel's iterator so the request is settled as aborted.
        call.abort();
        await call.rest.return?.().catch(() => undefined);
      }
      call.release();
    }
  }
  return Readable.from(frames(), { objectMode: false });
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
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}
