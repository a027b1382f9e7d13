import { getEventListeners } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { collectReply, createReplyMeta, createRequest, definePlugin, EventBus, Kernel, KobzaError, parseConfig, releaseRequest, replayText, type LlmProvider } from '../../core/index.js';

const messages = [{ role: 'user' as const, content: 'Привіт' }];

describe('createRequest signals', () => {
  it('uses the one signal it is given, or a fresh one', () => {
    const caller = new AbortController();
    expect(createRequest({ messages, signal: caller.signal }, { model: 'm' }).signal).toBe(caller.signal);
    const shutdown = new AbortController();
    expect(createRequest({ messages }, { model: 'm', signals: [shutdown.signal] }).signal).toBe(shutdown.signal);
    const own = createRequest({ messages }, { model: 'm' }).signal;
    expect(own.aborted).toBe(false);
  });

  it('fires when any of several signals fires, with that reason, and then lets go of all of them', () => {
    const caller = new AbortController();
    const shutdown = new AbortController();
    const request = createRequest({ messages, signal: caller.signal }, { model: 'm', signals: [shutdown.signal] });
    expect(request.signal).not.toBe(caller.signal);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(1);
    const reason = new KobzaError('ABORTED', 'Kobza is shutting down');
    shutdown.abort(reason);
    expect(request.signal.aborted).toBe(true);
    expect(request.signal.reason).toBe(reason);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('is born aborted when a source already is', () => {
    const shutdown = new AbortController();
    shutdown.abort('gone');
    const request = createRequest({ messages, signal: new AbortController().signal }, { model: 'm', signals: [shutdown.signal] });
    expect(request.signal.aborted).toBe(true);
    expect(request.signal.reason).toBe('gone');
  });

  it('stops following its sources once released, so long-lived signals do not collect listeners', () => {
    const shutdown = new AbortController();
    const callers = Array.from({ length: 50 }, () => new AbortController());
    const requests = callers.map((caller) => createRequest({ messages, signal: caller.signal }, { model: 'm', signals: [shutdown.signal] }));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(50);
    for (const request of requests) releaseRequest(request);
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    callers[0].abort();
    expect(requests[0].signal.aborted).toBe(false);
    releaseRequest(requests[0]); // twice is harmless
  });
});

describe('EventBus', () => {
  it('delivers to a snapshot of listeners, isolates throwing ones, and once means once', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const payload = { requestId: 'r', ttftMs: 1, source: 'cache' as const };
    expect(bus.listenerCount('reply:first-chunk')).toBe(0);
    bus.emit('reply:first-chunk', payload); // nobody listens: nothing happens
    const offA = bus.on('reply:first-chunk', (e) => {
      seen.push(`a:${e.requestId}`);
      offB(); // unsubscribing during an emit does not change who gets this one
    });
    const offB = bus.on('reply:first-chunk', () => seen.push('b'));
    bus.on('reply:first-chunk', () => {
      throw new Error('listener bug');
    });
    bus.once('reply:first-chunk', () => seen.push('once'));
    expect(bus.listenerCount('reply:first-chunk')).toBe(4);
    bus.emit('reply:first-chunk', payload);
    expect(seen).toEqual(['a:r', 'b', 'once']);
    expect(bus.listenerCount('reply:first-chunk')).toBe(2);
    bus.emit('reply:first-chunk', payload);
    expect(seen).toEqual(['a:r', 'b', 'once', 'a:r']);
    offA();
    expect(bus.listenerCount('reply:first-chunk')).toBe(1);
  });
});

describe('replay through a request signal', () => {
  it('an aborted request stops an instant replay with ABORTED', async () => {
    const controller = new AbortController();
    const request = createRequest({ messages, signal: controller.signal }, { model: 'm' });
    controller.abort();
    const reply = replayText('one two three', createReplyMeta({ requestId: request.id, source: 'cache', model: 'm' }), { signal: request.signal });
    await expect(collectReply(reply)).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('a kernel request with a caller signal', () => {
  const kernels: Kernel[] = [];
  afterEach(async () => {
    await Promise.all(kernels.splice(0).map((k) => k.stop()));
  });

  /** A provider that streams a word every few ms until its request's signal fires. */
  const slowProvider = definePlugin({
    name: 'slow',
    provides: ['LlmProvider'],
    register(ctx) {
      const provider: LlmProvider = {
        id: 'slow',
        async chat(request) {
          const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
          async function* words() {
            for (let i = 0; i < 5; i++) {
              if (request.signal.aborted) throw new KobzaError('ABORTED', 'stopped by the signal');
              await new Promise((resolve) => setTimeout(resolve, 5));
              yield `w${i} `;
            }
            meta.complete = true;
          }
          return { chunks: words(), meta };
        },
      };
      ctx.provide('LlmProvider', provider);
    },
  });

  async function boot(): Promise<Kernel> {
    const kernel = await Kernel.create(parseConfig('assistant: { model: m }\nplugins:\n  slow: {}\n', { file: 'test.yaml', env: {} }), {
      builtins: { slow: async () => slowProvider },
      logger: pino({ level: 'silent' }),
    });
    kernels.push(kernel);
    return kernel;
  }

  it('the caller aborting stops the provider; either way the kernel lets go of the caller signal', async () => {
    const kernel = await boot();
    const finished = new AbortController();
    const done = await collectReply(await kernel.handle(kernel.createRequest({ messages, signal: finished.signal })));
    expect(done.text).toBe('w0 w1 w2 w3 w4 ');
    expect(getEventListeners(finished.signal, 'abort')).toHaveLength(0);

    const caller = new AbortController();
    const request = kernel.createRequest({ messages, signal: caller.signal });
    const reply = await kernel.handle(request);
    const iterator = reply.chunks[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe('w0 ');
    caller.abort();
    expect(request.signal.aborted).toBe(true);
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ABORTED', requestId: request.id });
    expect(kernel.inFlight).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });
});
