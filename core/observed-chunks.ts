/**
 * The one reply observer behind `observeReply` (reply.ts): a hand-written async iterator
 * with the semantics of a `for await` generator, at one `then` per chunk. Every reply
 * passes through at least one observer (the kernel's), and an async generator's promises
 * and microtask turns cost a cache hit ~1 µs of CPU through HTTP (docs/benchmarks.md).
 * test/core/reply.test.ts holds it to a reference generator with a property test.
 */
import { KobzaError, wrapError } from './errors.js';
import { InstantReplay, type ReplyObserver } from './reply.js';
import type { Reply } from './types.js';

/** The source's iterator; a sync iterable is read as `for await` reads one. */
function iteratorOf(chunks: Reply['chunks']): AsyncIterator<string> {
  const iterable = chunks as Partial<AsyncIterable<string>> & Partial<Iterable<string>>;
  if (typeof iterable[Symbol.asyncIterator] === 'function') return iterable[Symbol.asyncIterator]!();
  return (async function* fromSync(): AsyncGenerator<string> {
    yield* iterable as Iterable<string>;
  })();
}

/**
 * What a `for await` generator over the reply would do (see reply.ts `observeReply`): the
 * source is opened on the first `next()`; a failing source is wrapped and reported once;
 * `return()`/`throw()` mid-way close the source, then report (ABORTED for an early stop);
 * the end is returned only after `onComplete` has settled; calls made while one is pending
 * wait their turn.
 */
export class ObservedChunks implements AsyncIterableIterator<string> {
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
        this.#source = iteratorOf(this.#reply.chunks);
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
