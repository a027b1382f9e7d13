/**
 * The `limits:` block at work, for every front door: token caps clamp what a request asks
 * of the model, and a gate bounds the generations in flight. The kernel clamps a request's
 * options as it accepts it and puts the gate around the provider call — the pipeline's
 * terminal step — so cache hits and FAQ answers never take a slot.
 */
import type { Logger } from 'pino';
import type { LimitSettings } from './config/schema.js';
import { KobzaError } from './errors.js';
import { isAborted, onRequestAbort } from './request.js';
import type { ChatRequest, Reply } from './types.js';

/**
 * Lowers `num_predict` and `num_ctx` to the caps (in place). `num_predict` -1 (endless) and
 * -2 (fill the context) are above any cap, so they become the cap too; an absent value is
 * left to the provider's default. Logged at debug.
 * @example
 * clampOptions(request, { maxTokens: 4096, maxContext: 32768 }); // num_predict 1e15 → 4096
 */
export function clampOptions(request: ChatRequest, limits: Pick<LimitSettings, 'maxTokens' | 'maxContext'>, logger?: Pick<Logger, 'debug' | 'isLevelEnabled'>): void {
  const options = request.options;
  const predict = options.num_predict;
  const context = options.num_ctx;
  if (predict !== undefined && (predict > limits.maxTokens || predict < 0)) {
    options.num_predict = limits.maxTokens;
    if (logger?.isLevelEnabled('debug')) logger.debug({ reqId: request.id, asked: predict, cap: limits.maxTokens }, 'num_predict clamped to limits.maxTokens');
  }
  if (context !== undefined && context > limits.maxContext) {
    options.num_ctx = limits.maxContext;
    if (logger?.isLevelEnabled('debug')) logger.debug({ reqId: request.id, asked: context, cap: limits.maxContext }, 'num_ctx clamped to limits.maxContext');
  }
}

interface Waiter {
  request: ChatRequest;
  grant: () => void;
  refuse: (error: KobzaError) => void;
  onAbort: () => void;
}

/**
 * At most `maxInFlight` generations at once, `maxQueued` more waiting (first come, first
 * served); one more is refused at once with OVERLOADED (`details.retryAfterMs`). A slot is
 * held until the reply's stream ends, fails, is abandoned (`return()`), or the request
 * aborts — whichever comes first, once.
 * @example
 * const gate = new GenerationGate(config.limits);
 * const reply = await gate.run(request, () => provider.chat(request));
 */
export class GenerationGate {
  readonly #limits: Pick<LimitSettings, 'maxInFlight' | 'maxQueued' | 'retryAfterSeconds'>;
  readonly #queue: Waiter[] = [];
  #active = 0;

  constructor(limits: Pick<LimitSettings, 'maxInFlight' | 'maxQueued' | 'retryAfterSeconds'>) {
    this.#limits = limits;
  }

  /** Generations holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Generations waiting for one. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `generate` in a slot; the slot is freed when its reply is done. */
  async run(request: ChatRequest, generate: () => Promise<Reply>): Promise<Reply> {
    if (this.#active >= this.#limits.maxInFlight) await this.#wait(request);
    else this.#active++;
    let reply: Reply;
    try {
      reply = await generate();
    } catch (err) {
      this.#release();
      throw err;
    }
    return { chunks: new SlotHolder(reply.chunks, request, () => this.#release()), meta: reply.meta };
  }

  #wait(request: ChatRequest): Promise<void> {
    if (this.#queue.length >= this.#limits.maxQueued) {
      const retryAfterMs = this.#limits.retryAfterSeconds * 1000;
      return Promise.reject(
        new KobzaError('OVERLOADED', `too many answers are being generated (${this.#limits.maxInFlight} running, ${this.#queue.length} waiting); retry in ${this.#limits.retryAfterSeconds} s`, {
          requestId: request.id,
          details: { retryAfterMs },
        }),
      );
    }
    if (request.signal.aborted) return Promise.reject(new KobzaError('ABORTED', 'the request was aborted while waiting for a generation slot', { requestId: request.id }));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        grant: () => {
          request.signal.removeEventListener('abort', waiter.onAbort);
          resolve();
        },
        refuse: reject,
        onAbort: () => {
          const at = this.#queue.indexOf(waiter);
          if (at >= 0) this.#queue.splice(at, 1);
          reject(new KobzaError('ABORTED', 'the request was aborted while waiting for a generation slot', { requestId: request.id }));
        },
      };
      request.signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    // The slot passes straight to the next waiter; the count stays.
    if (next) next.grant();
    else this.#active--;
  }
}

/** Passes a reply's chunks through and frees the slot once, however the reply ends. */
class SlotHolder implements AsyncIterableIterator<string> {
  readonly #source: AsyncIterable<string>;
  #off: (() => void) | undefined;
  #inner: AsyncIterator<string> | undefined;
  #free: (() => void) | undefined;
  readonly #onAbort = () => this.#done();

  constructor(source: AsyncIterable<string>, request: ChatRequest, free: () => void) {
    this.#source = source;
    this.#free = free;
    // Without reading request.signal: a lazy one (the HTTP adapter's) is then never made.
    if (isAborted(request)) this.#done();
    else this.#off = onRequestAbort(request, this.#onAbort);
  }

  #iterator(): AsyncIterator<string> {
    return (this.#inner ??= this.#source[Symbol.asyncIterator]());
  }

  #done(): void {
    const free = this.#free;
    if (!free) return;
    this.#free = undefined;
    this.#off?.();
    this.#off = undefined;
    free();
  }

  async next(): Promise<IteratorResult<string>> {
    try {
      const step = await this.#iterator().next();
      if (step.done) this.#done();
      return step;
    } catch (err) {
      this.#done();
      throw err;
    }
  }

  async return(value?: unknown): Promise<IteratorResult<string>> {
    this.#done();
    await this.#inner?.return?.(value);
    return { value, done: true } as IteratorResult<string>;
  }

  async throw(err?: unknown): Promise<IteratorResult<string>> {
    this.#done();
    if (this.#inner?.throw) return this.#inner.throw(err);
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
