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
  if (!(options.charsPerSecond && options.charsPerSecond > 0)) return { chunks: new InstantReplay(chunks, meta, options.signal), meta };
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

/**
 * An instant replay, iterated by hand rather than by an async generator: a cache hit is
 * the hot path, and a generator costs several promises and microtask turns per chunk. It
 * behaves as the generator would: the signal is checked before each chunk, `meta.complete`
 * is set when the last chunk has been taken, `return()`/`throw()` end it.
 */
class InstantReplay implements AsyncIterableIterator<string> {
  readonly #chunks: string[];
  readonly #meta: ReplyMeta;
  readonly #signal: AbortSignal | undefined;
  #index = 0;
  #done = false;

  constructor(chunks: string[], meta: ReplyMeta, signal: AbortSignal | undefined) {
    this.#chunks = chunks;
    this.#meta = meta;
    this.#signal = signal;
  }

  next(): Promise<IteratorResult<string>> {
    try {
      return Promise.resolve(this.takeNow());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** What `next()` resolves to, synchronously (it throws what `next()` rejects with). */
  takeNow(): IteratorResult<string> {
    if (this.#done) return { value: undefined, done: true };
    if (this.#index < this.#chunks.length) {
      if (this.#signal?.aborted) {
        this.#done = true;
        throw new KobzaError('ABORTED', 'the request was aborted');
      }
      return { value: this.#chunks[this.#index++], done: false };
    }
    this.#done = true;
    this.#meta.complete = true;
    return { value: undefined, done: true };
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
 * @example
 * return observeReply(reply, { onComplete: (text, meta) => cache.store(req, text, meta) });
 */
export function observeReply(reply: Reply, observer: ReplyObserver): Reply {
  const source = reply.chunks;
  // Anything that is not a plain async iterable keeps the generic for-await path.
  if (typeof (source as Partial<AsyncIterable<string>>)[Symbol.asyncIterator] !== 'function') return { chunks: observeWithGenerator(reply, observer), meta: reply.meta };
  return { chunks: new ObservedChunks(reply, observer), meta: reply.meta };
}

async function* observeWithGenerator(reply: Reply, observer: ReplyObserver): AsyncGenerator<string> {
  const parts: string[] = [];
  let finished = false;
  try {
    for await (const chunk of reply.chunks) {
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
  await observer.onComplete?.(observer.wantsText === false ? '' : parts.join(''), reply.meta);
}

/**
 * What `observeWithGenerator` does, as a hand-written async iterator: one `then` per chunk
 * instead of an async generator's promises and microtask turns (every reply passes
 * through at least one observer, the kernel's). It keeps the generator's semantics —
 * the source is opened on the first `next()`; a failing source is wrapped and reported
 * once; `return()`/`throw()` mid-way close the source, then report (ABORTED for an early
 * stop); the end is returned only after `onComplete` has settled; calls made while one
 * is pending wait their turn.
 */
class ObservedChunks implements AsyncIterableIterator<string> {
  readonly #reply: Reply;
  readonly #observer: ReplyObserver;
  #source: AsyncIterator<string> | undefined;
  /** Undefined when the observer does not want the text. */
  readonly #parts: string[] | undefined;
  // Bound once per reply rather than once per chunk.
  readonly #onStepBound = (result: IteratorResult<string>) => this.#onStep(result);
  readonly #failBound = (err: unknown): never => this.#fail(err);
  #phase: 'new' | 'running' | 'done' = 'new';
  /** A call is being served; calls made meanwhile wait in `#queue`, as a generator's do. */
  #busy = false;
  #queue: { run: () => Promise<IteratorResult<string>>; resolve: (result: IteratorResult<string>) => void; reject: (err: unknown) => void }[] | undefined;

  constructor(reply: Reply, observer: ReplyObserver) {
    this.#reply = reply;
    this.#observer = observer;
    this.#parts = observer.wantsText === false ? undefined : [];
  }

  next(): Promise<IteratorResult<string>> {
    if (this.#busy) return this.#enqueue(() => this.next());
    if (this.#phase === 'done') return Promise.resolve({ value: undefined, done: true });
    this.#busy = true;
    let step: Promise<IteratorResult<string>>;
    try {
      if (this.#phase === 'new') {
        this.#source = this.#reply.chunks[Symbol.asyncIterator]();
        this.#phase = 'running';
      }
      const source = this.#source!;
      // An instant replay (a cache hit) has its chunk at hand: take it without the
      // promise and the turn a `then` would cost.
      if (source instanceof InstantReplay) {
        let taken: IteratorResult<string>;
        try {
          taken = source.takeNow();
        } catch (err) {
          return new Promise((resolve) => resolve(this.#fail(err)));
        }
        try {
          return Promise.resolve(this.#onStep(taken));
        } catch (err) {
          // onComplete threw: the end rejects with it, as the generator's would.
          return Promise.reject(err);
        }
      }
      step = Promise.resolve(source.next()).then(this.#onStepBound, this.#failBound);
    } catch (err) {
      step = new Promise((resolve) => resolve(this.#fail(err)));
    }
    return step;
  }

  return(value?: unknown): Promise<IteratorResult<string>> {
    if (this.#busy) return this.#enqueue(() => this.return(value));
    if (this.#phase !== 'running') {
      this.#phase = 'done';
      return Promise.resolve({ value, done: true } as IteratorResult<string>);
    }
    this.#phase = 'done';
    this.#busy = true;
    const closed = this.#closeSource().then(
      () => {
        try {
          // The consumer stopped iterating early (break / return): treat as aborted.
          const meta = this.#reply.meta;
          this.#observer.onError?.(new KobzaError('ABORTED', 'the consumer stopped reading the reply', { requestId: meta.requestId }), meta);
        } finally {
          this.#idle();
        }
        return { value, done: true } as IteratorResult<string>;
      },
      this.#failBound,
    );
    return closed;
  }

  throw(err?: unknown): Promise<IteratorResult<string>> {
    if (this.#busy) return this.#enqueue(() => this.throw(err));
    if (this.#phase !== 'running') {
      this.#phase = 'done';
      return Promise.reject(err);
    }
    this.#phase = 'done';
    this.#busy = true;
    const failed = this.#closeSource().then(
      () => this.#fail(err),
      () => this.#fail(err),
    );
    return failed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #onStep(result: IteratorResult<string>): IteratorResult<string> | Promise<IteratorResult<string>> {
    if (result === null || typeof result !== 'object') return this.#fail(new TypeError(`Iterator result ${String(result)} is not an object`));
    if (result.done) {
      this.#phase = 'done';
      const observer = this.#observer;
      if (observer.onComplete === undefined) {
        this.#idle();
        return { value: undefined, done: true };
      }
      let completing: Promise<void>;
      try {
        completing = Promise.resolve(observer.onComplete(this.#parts === undefined ? '' : this.#parts.join(''), this.#reply.meta));
      } catch (err) {
        this.#idle();
        throw err;
      }
      return completing.then(
        () => {
          this.#idle();
          return { value: undefined, done: true };
        },
        (err: unknown) => {
          this.#idle();
          throw err;
        },
      );
    }
    const chunk = result.value;
    this.#parts?.push(chunk);
    try {
      this.#observer.onChunk?.(chunk, this.#reply.meta);
    } catch (err) {
      this.#phase = 'done';
      return this.#closeSource().then(
        () => this.#fail(err),
        () => this.#fail(err),
      );
    }
    this.#idle();
    return { value: chunk, done: false };
  }

  /** Reports a failure once and rethrows it as a KobzaError tied to the request. */
  #fail(err: unknown): never {
    this.#phase = 'done';
    try {
      const meta = this.#reply.meta;
      const wrapped = wrapError(err, meta.requestId);
      this.#observer.onError?.(wrapped, meta);
      throw wrapped;
    } finally {
      this.#idle();
    }
  }

  /** Closes the source as `for await` does when its loop is left early. */
  #closeSource(): Promise<void> {
    const source = this.#source!;
    try {
      const close = source.return;
      if (close === undefined) return Promise.resolve();
      return Promise.resolve(close.call(source)).then((result) => {
        if (result === null || typeof result !== 'object') throw new TypeError(`Iterator result ${String(result)} is not an object`);
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #enqueue(run: () => Promise<IteratorResult<string>>): Promise<IteratorResult<string>> {
    return new Promise((resolve, reject) => (this.#queue ??= []).push({ run, resolve, reject }));
  }

  /**
   * The current call is served. Like a generator, start the next waiting call at once while
   * running; once done, answer every waiting call after the current one has settled.
   */
  #idle(): void {
    this.#busy = false;
    const queue = this.#queue;
    if (queue === undefined || queue.length === 0) return;
    if (this.#phase !== 'done') {
      const waiting = queue.shift()!;
      waiting.run().then(waiting.resolve, waiting.reject);
      return;
    }
    this.#queue = undefined;
    queueMicrotask(() => {
      for (const waiting of queue) waiting.run().then(waiting.resolve, waiting.reject);
    });
  }
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
