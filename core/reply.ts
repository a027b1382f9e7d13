/**
 * Helpers to build, replay, observe and collect replies. A reply's chunks are iterated
 * once; `meta` is final when the iteration ends.
 */
import { KobzaError, wrapError } from './errors.js';
import type { Reply, ReplyMeta, ReplySource } from './types.js';

/**
 * Fresh metadata for a reply.
 * @example
 * const meta = createReplyMeta({ requestId: req.id, source: 'provider', model: req.model });
 */
export function createReplyMeta(init: { requestId: string; source: ReplySource; model: string; startedAt?: number }): ReplyMeta {
  return {
    requestId: init.requestId,
    source: init.source,
    model: init.model,
    usage: {},
    timings: { startedAt: init.startedAt ?? Date.now() },
    complete: false,
    flags: {},
    extra: {},
  };
}

export interface ReplayOptions {
  /** Characters per second; 0 or undefined = instant. */
  charsPerSecond?: number;
  /** Characters per chunk when replaying (default: whole words up to ~24 chars). */
  chunkChars?: number;
  signal?: AbortSignal;
}

/** Splits text into word-aligned chunks of about `size` characters. */
export function splitIntoChunks(text: string, size = 24): string[] {
  if (text.length === 0) return [];
  const parts = text.match(/\S+\s*|\s+/g) ?? [text];
  const chunks: string[] = [];
  let current = '';
  for (const part of parts) {
    if (current.length > 0 && current.length + part.length > size) {
      chunks.push(current);
      current = '';
    }
    current += part;
  }
  if (current) chunks.push(current);
  return chunks;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new KobzaError('ABORTED', 'the request was aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new KobzaError('ABORTED', 'the request was aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Replays a finished text as a stream: instantly, or paced at N characters per second.
 * @example
 * return replayText(entry.answer, meta, { charsPerSecond: 400, signal: req.signal });
 */
export function replayText(text: string, meta: ReplyMeta, options: ReplayOptions = {}): Reply {
  const chunks = splitIntoChunks(text, options.chunkChars ?? 24);
  async function* replay(): AsyncGenerator<string> {
    const started = Date.now();
    let sent = 0;
    for (const chunk of chunks) {
      if (options.signal?.aborted) throw new KobzaError('ABORTED', 'the request was aborted');
      if (options.charsPerSecond && options.charsPerSecond > 0 && sent > 0) {
        const due = started + (sent / options.charsPerSecond) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait, options.signal);
      }
      sent += chunk.length;
      yield chunk;
    }
    meta.complete = true;
  }
  return { chunks: replay(), meta };
}

export interface ReplyObserver {
  /** Each chunk as it passes. */
  onChunk?(chunk: string, meta: ReplyMeta): void;
  /** The stream ended normally; `text` is the whole answer. */
  onComplete?(text: string, meta: ReplyMeta): void | Promise<void>;
  /** The stream failed or the consumer stopped early (`ABORTED`). */
  onError?(error: KobzaError, meta: ReplyMeta): void;
}

/**
 * Wraps a reply so the observer sees its chunks and its end, without changing what the
 * consumer gets. Used to store answers in a cache only when complete, to count tokens, etc.
 * @example
 * return observeReply(reply, { onComplete: (text, meta) => cache.store(req, text, meta) });
 */
export function observeReply(reply: Reply, observer: ReplyObserver): Reply {
  const source = reply.chunks;
  async function* observed(): AsyncGenerator<string> {
    const parts: string[] = [];
    let finished = false;
    try {
      for await (const chunk of source) {
        parts.push(chunk);
        observer.onChunk?.(chunk, reply.meta);
        yield chunk;
      }
      finished = true;
    } catch (err) {
      finished = true;
      const wrapped = wrapError(err, reply.meta.requestId);
      observer.onError?.(wrapped, reply.meta);
      throw wrapped;
    } finally {
      if (!finished) {
        // The consumer stopped iterating early (break / return): treat as aborted.
        observer.onError?.(new KobzaError('ABORTED', 'the consumer stopped reading the reply', { requestId: reply.meta.requestId }), reply.meta);
      }
    }
    await observer.onComplete?.(parts.join(''), reply.meta);
  }
  return { chunks: observed(), meta: reply.meta };
}

/**
 * Drains a reply into its whole text.
 * @example
 * const { text, meta } = await collectReply(await kernel.handle(req));
 */
export async function collectReply(reply: Reply): Promise<{ text: string; meta: ReplyMeta }> {
  let text = '';
  for await (const chunk of reply.chunks) text += chunk;
  return { text, meta: reply.meta };
}

/** Builds a reply from any async iterable of chunks. */
export function createReply(chunks: AsyncIterable<string>, meta: ReplyMeta): Reply {
  return { chunks, meta };
}
