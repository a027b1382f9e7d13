import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectReply, createReplyMeta, KobzaError, observeReply, replayText, splitIntoChunks, wrapError, type Reply, type ReplyMeta, type ReplyObserver } from '../../core/index.js';

// observeReply is an async generator; the instant replayText is a hand-written iterator for
// speed. These tests hold both to the reference generators written out here.

async function* referenceObserve(reply: Reply, observer: ReplyObserver): AsyncGenerator<string> {
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
      observer.onError?.(new KobzaError('ABORTED', 'the consumer stopped reading the reply', { requestId: reply.meta.requestId }), reply.meta);
    }
  }
  await observer.onComplete?.(parts.join(''), reply.meta);
}

interface Scenario {
  chunks: string[];
  /** The source fails instead of giving chunk N (rejects, or throws synchronously). */
  sourceFailsAt?: { index: number; sync: boolean };
  sourceReturn: 'absent' | 'resolves' | 'rejects' | 'non-object';
  onChunk: 'absent' | 'ok' | { throwsAt: number };
  onComplete: 'absent' | 'sync' | 'async' | 'rejects' | 'throws';
  onError: boolean;
  /** What the consumer does after taking N results. */
  consumer: { take: number; then: 'drain' | 'return' | 'throw' | 'next-twice' };
}

function describeError(err: unknown): string {
  if (err instanceof KobzaError) return `KobzaError:${err.code}:${err.message}:${err.requestId}`;
  return `${(err as Error)?.name}:${(err as Error)?.message}`;
}

async function run(scenario: Scenario, observe: (reply: Reply, observer: ReplyObserver) => AsyncIterator<string>, instant?: { text: string; abortAt?: number }): Promise<string[]> {
  const log: string[] = [];
  let index = 0;
  const controller = new AbortController();
  const scripted: AsyncIterator<string> & AsyncIterable<string> = {
    next() {
      log.push('source.next');
      const at = index++;
      if (scenario.sourceFailsAt?.index === at) {
        if (scenario.sourceFailsAt.sync) throw new Error(`sync failure at ${at}`);
        return Promise.reject(new Error(`failure at ${at}`));
      }
      if (at < scenario.chunks.length) return Promise.resolve({ value: scenario.chunks[at], done: false });
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      log.push('source.open');
      return this;
    },
  };
  if (scenario.sourceReturn !== 'absent') {
    scripted.return = () => {
      log.push('source.return');
      if (scenario.sourceReturn === 'rejects') return Promise.reject(new Error('return failed'));
      if (scenario.sourceReturn === 'non-object') return Promise.resolve(42 as unknown as IteratorResult<string>);
      return Promise.resolve({ value: undefined, done: true });
    };
  }
  const observer: ReplyObserver = {};
  let chunkCalls = 0;
  if (scenario.onChunk !== 'absent') {
    const plan = scenario.onChunk;
    observer.onChunk = (chunk) => {
      log.push(`onChunk:${chunk}`);
      if (typeof plan === 'object' && plan.throwsAt === chunkCalls++) throw new Error('onChunk failed');
    };
  }
  if (scenario.onComplete !== 'absent') {
    observer.onComplete = (text) => {
      log.push(`onComplete:${text}`);
      if (scenario.onComplete === 'async') return new Promise<void>((resolve) => setTimeout(resolve, 1));
      if (scenario.onComplete === 'rejects') return Promise.reject(new Error('store failed'));
      if (scenario.onComplete === 'throws') throw new Error('onComplete threw');
    };
  }
  if (scenario.onError) observer.onError = (error) => log.push(`onError:${describeError(error)}`);
  const meta: ReplyMeta = createReplyMeta({ requestId: 'req-1', source: 'provider', model: 'm' });
  // An instant replay (what a cache hit returns) or the scripted source above.
  const chunks = instant ? replayText(instant.text, meta, { chunkChars: 4, signal: controller.signal }).chunks : scripted;
  const iterator = observe({ chunks, meta }, observer);
  const record = async (what: string, step: () => Promise<IteratorResult<string>>) => {
    try {
      const result = await step();
      log.push(`${what} → ${result.done ? 'done' : 'value'}:${String(result.value)}`);
      return result;
    } catch (err) {
      log.push(`${what} ✗ ${describeError(err)}`);
      return undefined;
    }
  };
  let taken = 0;
  while (taken < scenario.consumer.take) {
    if (instant?.abortAt === taken) controller.abort();
    const result = await record('next', () => iterator.next());
    log.push(`complete:${meta.complete}`);
    taken++;
    if (!result || result.done) break;
  }
  const after = scenario.consumer.then;
  if (after === 'return') await record('return', () => iterator.return!('bye'));
  else if (after === 'throw') await record('throw', () => iterator.throw!(new Error('consumer threw')));
  else if (after === 'next-twice') {
    // Two calls at once: the second waits for the first.
    await Promise.all([record('next#1', () => iterator.next()), record('next#2', () => iterator.next())]);
  }
  for (let i = 0; i < 6; i++) {
    const result = await record('next', () => iterator.next());
    if (!result || result.done) break;
  }
  await record('next-after-end', () => iterator.next());
  return log;
}

const scenarios = fc.record<Scenario>({
  chunks: fc.array(fc.constantFrom('а', 'b', 'cc', ' '), { maxLength: 4 }),
  sourceFailsAt: fc.option(fc.record({ index: fc.nat(5), sync: fc.boolean() }), { nil: undefined }),
  sourceReturn: fc.constantFrom('absent', 'resolves', 'rejects', 'non-object'),
  onChunk: fc.oneof(fc.constantFrom<'absent' | 'ok'>('absent', 'ok'), fc.record({ throwsAt: fc.nat(4) })),
  onComplete: fc.constantFrom('absent', 'sync', 'async', 'rejects', 'throws'),
  onError: fc.boolean(),
  consumer: fc.record({ take: fc.nat(6), then: fc.constantFrom('drain', 'return', 'throw', 'next-twice') }),
});

describe('observeReply', () => {
  it('behaves exactly like the reference for-await generator', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const expected = await run(scenario, (reply, observer) => referenceObserve(reply, observer));
        const actual = await run(scenario, (reply, observer) => observeReply(reply, observer).chunks[Symbol.asyncIterator]());
        if (scenario.consumer.then !== 'next-twice') expect(actual).toEqual(expected);
        else {
          // With two calls in flight, how the consumer's results interleave with the
          // source's and observer's calls is a matter of microtask turns; each side's own
          // order is not.
          const consumerSide = (log: string[]) => log.filter((entry) => / [→✗] /.test(entry));
          expect(consumerSide(actual)).toEqual(consumerSide(expected));
          expect(actual.filter((entry) => !consumerSide([entry]).length)).toEqual(expected.filter((entry) => !consumerSide([entry]).length));
        }
      }),
      { numRuns: 600 },
    );
  });

  it('behaves like the reference generator over an instant replay too (a cache hit)', async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, fc.string({ maxLength: 30 }), fc.option(fc.nat(5), { nil: undefined }), async (scenario, text, abortAt) => {
        const instant = { text, abortAt };
        const expected = await run(scenario, (reply, observer) => referenceObserve(reply, observer), instant);
        const actual = await run(scenario, (reply, observer) => observeReply(reply, observer).chunks[Symbol.asyncIterator](), instant);
        const consumerSide = (log: string[]) => log.filter((entry) => / [→✗] /.test(entry));
        if (scenario.consumer.then !== 'next-twice') expect(actual).toEqual(expected);
        else {
          expect(consumerSide(actual)).toEqual(consumerSide(expected));
          expect(actual.filter((entry) => !consumerSide([entry]).length)).toEqual(expected.filter((entry) => !consumerSide([entry]).length));
        }
      }),
      { numRuns: 600 },
    );
  });

  it('passes the chunks through and reports the whole text once', async () => {
    const seen: string[] = [];
    let completed = '';
    const reply = observeReply(replayText('Вступна кампанія починається 1 липня.', createReplyMeta({ requestId: 'r', source: 'cache', model: 'm' }), { chunkChars: 8 }), {
      onChunk: (chunk) => seen.push(chunk),
      onComplete: (text) => {
        completed = text;
      },
    });
    let text = '';
    for await (const chunk of reply.chunks) text += chunk;
    expect(text).toBe('Вступна кампанія починається 1 липня.');
    expect(seen.length).toBeGreaterThan(1);
    expect(completed).toBe(text);
    expect(reply.meta.complete).toBe(true);
  });
});

describe('observeReply without the text', () => {
  it('still sees every chunk and the end, and gets an empty text', async () => {
    let chunks = 0;
    let completed: string | undefined;
    const reply = observeReply(replayText('раз два три чотири пʼять', createReplyMeta({ requestId: 'r', source: 'cache', model: 'm' }), { chunkChars: 5 }), {
      wantsText: false,
      onChunk: () => chunks++,
      onComplete: (text) => {
        completed = text;
      },
    });
    const { text } = await collectReply(reply);
    expect(text).toBe('раз два три чотири пʼять');
    expect(chunks).toBeGreaterThan(2);
    expect(completed).toBe('');
  });
});

describe('splitIntoChunks', () => {
  function referenceSplit(text: string, size = 24): string[] {
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

  it('cuts exactly where the word-matching version did', () => {
    const spaces = ['\u0020', '\t', '\n', '\u00a0', '\u2009', '\u3000', '\ufeff', '\u2028', '\u1680', '\u200b'];
    const piece = fc.oneof(fc.constantFrom(...spaces), fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('вступ', 'пʼять', '😀', 'a\u0301'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join('')), fc.integer({ min: 0, max: 40 }), (text, size) => {
        expect(splitIntoChunks(text, size)).toEqual(referenceSplit(text, size));
        expect(splitIntoChunks(text)).toEqual(referenceSplit(text));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('replayText (instant)', () => {
  async function* referenceReplay(chunks: string[], meta: ReplyMeta, signal?: AbortSignal): AsyncGenerator<string> {
    for (const chunk of chunks) {
      if (signal?.aborted) throw new KobzaError('ABORTED', 'the request was aborted');
      yield chunk;
    }
    meta.complete = true;
  }

  async function drive(iterator: AsyncIterator<string>, meta: ReplyMeta, controller: AbortController, plan: { abortAfter?: number; stopAfter?: number; throwAfter?: number }): Promise<string[]> {
    const log: string[] = [];
    for (let i = 0; i < 8; i++) {
      if (plan.abortAfter === i) controller.abort();
      try {
        let result: IteratorResult<string>;
        if (plan.stopAfter === i) result = await iterator.return!();
        else if (plan.throwAfter === i) result = await iterator.throw!(new Error('consumer threw'));
        else result = await iterator.next();
        log.push(`${result.done ? 'done' : 'value'}:${String(result.value)}:${meta.complete}`);
      } catch (err) {
        log.push(`✗ ${describeError(err)}:${meta.complete}`);
      }
    }
    return log;
  }

  it('behaves exactly like the generator it replaced', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }),
        fc.record({ abortAfter: fc.option(fc.nat(6), { nil: undefined }), stopAfter: fc.option(fc.nat(6), { nil: undefined }), throwAfter: fc.option(fc.nat(6), { nil: undefined }) }),
        async (text, plan) => {
          const expectedMeta = createReplyMeta({ requestId: 'r', source: 'cache', model: 'm' });
          const expectedController = new AbortController();
          const { chunks } = replayText(text, createReplyMeta({ requestId: 'r', source: 'cache', model: 'm' }), { chunkChars: 12 });
          const parts: string[] = [];
          for await (const chunk of chunks) parts.push(chunk);
          const expected = await drive(referenceReplay(parts, expectedMeta, expectedController.signal), expectedMeta, expectedController, plan);
          const actualMeta = createReplyMeta({ requestId: 'r', source: 'cache', model: 'm' });
          const actualController = new AbortController();
          const actual = await drive(replayText(text, actualMeta, { chunkChars: 12, signal: actualController.signal }).chunks[Symbol.asyncIterator](), actualMeta, actualController, plan);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
