/**
 * Helpers to build, replay, observe and collect replies. A reply's chunks are iterated
 * once; `meta` is final when the iteration ends.
 */
import { delay } from './abort.js';
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
  /**
   * For an instant replay, what is checked before each chunk instead of `signal` (which
   * an instant replay never waits on): e.g. `abortStateOf(request)`, which does not make
   * the request's signal.
   */
  abortState?: { readonly aborted: boolean };
}

/** What `\s` matches in a JavaScript regular expression (UTF-16 code units). */
function isSpace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Splits text into word-aligned chunks of about `size` characters: words with their
 * trailing spaces, packed greedily. Scans by index and slices each chunk once (a cache hit
 * splits its answer on every replay; matching every word allocated a string per word).
 * @example
 * splitIntoChunks('Вступ починається 1 липня', 12) // ['Вступ ', 'починається ', '1 липня']
 */
export function splitIntoChunks(text: string, size = 24): string[] {
  const length = text.length;
  if (length === 0) return [];
  if (length <= size) return [text];
  const chunks: string[] = [];
  let chunkStart = 0;
  let at = 0;
  while (at < length) {
    // The next word: non-spaces then spaces (or, at the very start, leading spaces).
    let end = at;
    if (!isSpace(text.charCodeAt(end))) while (end < length && !isSpace(text.charCodeAt(end))) end++;
    while (end < length && isSpace(text.charCodeAt(end))) end++;
    const current = at - chunkStart;
    if (current > 0 && current + (end - at) > size) {
      chunks.push(text.slice(chunkStart, at));
      chunkStart = at;
    }
    at = end;
  }
  chunks.push(text.slice(chunkStart));
  return chunks;
}

/**
 * Replays a finished text as a stream: instantly, or paced at N characters per second.
 * @example
 * return replayText(entry.answer, meta, { charsPerSecond: 400, signal: req.signal });
 */
export function replayText(text: string, meta: ReplyMeta, options: ReplayOptions = {}): Reply {
  const chunks = splitIntoChunks(text, options.chunkChars ?? 24);
  if (!(options.charsPerSecond && options.charsPerSecond > 0)) return { chunks: new InstantReplay(chunks, meta, options.signal ?? options.abortState), meta };
  async function* replay(): AsyncGenerator<string> {
    const started = Date.now();
    let sent = 0;
    for (const chunk of chunks) {
      if (options.signal?.aborted) throw new KobzaError('ABORTED', 'the request was aborted');
      if (options.charsPerSecond && options.charsPerSecond > 0 && sent > 0) {
        const due = started + (sent / options.charsPerSecond) * 1000;
        const wait = due - Date.now();
        if (wait > 0) {
          await delay(wait, options.signal).catch(() => {
            throw new KobzaError('ABORTED', 'the request was aborted');
          });
        }
      }
      sent += chunk.length;
      yield chunk;
    }
    meta.complete = true;
  }
  return { chunks: replay(), meta };
}

/**
 * An instant replay, iterated by hand rather than by an async generator: a cache hit is
 * the hot path, and a generator costs several promises and microtask turns per chunk. It
 * behaves as the generator would: the signal is checked before each chunk, `meta.complete`
 * is set when the last chunk has been taken, `return()`/`throw()` end it.
 */
class InstantReplay implements AsyncIterableIterator<string> {
  readonly #chunks: string[];
  readonly #meta: ReplyMeta;
  readonly #signal: { readonly aborted: boolean } | undefined;
  #index = 0;
  #done = false;

  constructor(chunks: string[], meta: ReplyMeta, signal: { readonly aborted: boolean } | undefined) {
    this.#chunks = chunks;
    this.#meta = meta;
    this.#signal = signal;
  }

  next(): Promise<IteratorResult<string>> {
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#index < this.#chunks.length) {
      if (this.#signal?.aborted) {
        this.#done = true;
        return Promise.reject(new KobzaError('ABORTED', 'the request was aborted'));
      }
      return Promise.resolve({ value: this.#chunks[this.#index++], done: false });
    }
    this.#done = true;
    this.#meta.complete = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  return(value?: unknown): Promise<IteratorResult<string>> {
    this.#done = true;
    return Promise.resolve({ value, done: true } as IteratorResult<string>);
  }

  throw(err?: unknown): Promise<IteratorResult<string>> {
    this.#done = true;
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export interface ReplyObserver {
  /** Each chunk as it passes. */
  onChunk?(chunk: string, meta: ReplyMeta): void;
  /** The stream ended normally; `text` is the whole answer. */
  onComplete?(text: string, meta: ReplyMeta): void | Promise<void>;
  /** The stream failed or the consumer stopped early (`ABORTED`). */
  onError?(error: KobzaError, meta: ReplyMeta): void;
  /**
   * `false` when `onComplete` does not read `text` (it then gets ''): the chunks are not
   * kept to be joined. The kernel's own observer, on every reply, needs only the end.
   */
  wantsText?: boolean;
}

/**
 * Wraps a reply so the observer sees its chunks and its end, without changing what the
 * consumer gets. Used to store answers in a cache only when complete, to count tokens, etc.
 * A consumer that stops early (break / return) is reported as `ABORTED`; the end is
 * returned only after `onComplete` has settled.
 * @example
 * return observeReply(reply, { onComplete: (text, meta) => cache.store(req, text, meta) });
 */
export function observeReply(reply: Reply, observer: ReplyObserver): Reply {
  return { chunks: observeChunks(reply, observer), meta: reply.meta };
}

async function* observeChunks(reply: Reply, observer: ReplyObserver): AsyncGenerator<string> {
  const parts: string[] | undefined = observer.wantsText === false ? undefined : [];
  let finished = false;
  try {
    for await (const chunk of reply.chunks) {
      parts?.push(chunk);
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
  await observer.onComplete?.(parts === undefined ? '' : parts.join(''), reply.meta);
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
