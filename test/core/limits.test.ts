/**
 * `limits:` in core: token caps clamp options; the generation gate runs at most
 * `maxInFlight` generations, queues `maxQueued` (first come, first served), refuses one
 * more with OVERLOADED, and frees a slot however a reply ends — drained, failed, abandoned
 * before or after it started, or aborted.
 */
import { describe, expect, it } from 'vitest';
import { clampOptions, collectReply, createReplyMeta, createRequest, GenerationGate, KobzaError, parseConfig, type ChatRequest, type Reply } from '../../core/index.js';

function request(options: ChatRequest['options'] = {}, signal?: AbortSignal): ChatRequest {
  return createRequest({ messages: [{ role: 'user', content: 'Q' }], options, signal }, { model: 'm' });
}

/** A reply whose chunks come when `release()` is called. */
function heldReply(req: ChatRequest): { reply: Reply; release: () => void; fail: () => void } {
  let open!: () => void;
  let broken!: (err: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    open = resolve;
    broken = reject;
  });
  async function* chunks() {
    await gate;
    yield 'a';
    yield 'b';
  }
  return { reply: { chunks: chunks(), meta: createReplyMeta({ requestId: req.id, source: 'provider', model: 'm' }) }, release: open, fail: () => broken(new Error('upstream broke')) };
}

const LIMITS = { maxInFlight: 2, maxQueued: 1, retryAfterSeconds: 3 };

describe('clampOptions', () => {
  it('lowers num_predict and num_ctx to the caps, endless num_predict too, and leaves absent or lower values', () => {
    const caps = { maxTokens: 4096, maxContext: 32768 };
    const high = request({ num_predict: 1e15, num_ctx: 2 ** 31 });
    clampOptions(high, caps);
    expect(high.options).toMatchObject({ num_predict: 4096, num_ctx: 32768 });
    for (const endless of [-1, -2]) {
      const r = request({ num_predict: endless });
      clampOptions(r, caps);
      expect(r.options.num_predict).toBe(4096);
    }
    const low = request({ num_predict: 12, num_ctx: 2048, temperature: 0.3 });
    clampOptions(low, caps);
    expect(low.options).toEqual({ num_predict: 12, num_ctx: 2048, temperature: 0.3 });
    const none = request();
    clampOptions(none, caps);
    expect(none.options).toEqual({});
  });

  it('has the documented defaults in the config', () => {
    const config = parseConfig('assistant: { model: m }\n', { file: 'x.yaml', env: {} });
    expect(config.limits).toEqual({ maxTokens: 4096, maxContext: 32768, maxInFlight: 32, maxQueued: 64, retryAfterSeconds: 2 });
    expect(() => parseConfig('assistant: { model: m }\nlimits: { maxInFlight: 0 }\n', { file: 'x.yaml', env: {} })).toThrow(/limits\.maxInFlight/);
  });
});

describe('GenerationGate', () => {
  it('runs maxInFlight at once, queues maxQueued in order, refuses one more with OVERLOADED + retryAfterMs', async () => {
    const gate = new GenerationGate(LIMITS);
    const started: string[] = [];
    const held = new Map<string, ReturnType<typeof heldReply>>();
    const run = (name: string) => {
      const req = request();
      return gate.run(req, async () => {
        started.push(name);
        const h = heldReply(req);
        held.set(name, h);
        return h.reply;
      });
    };
    const a = run('a');
    const b = run('b');
    const c = run('c');
    await Promise.resolve();
    expect(started).toEqual(['a', 'b']);
    expect({ active: gate.active, queued: gate.queued }).toEqual({ active: 2, queued: 1 });
    const refused = await run('d').catch((err) => err);
    expect(refused).toBeInstanceOf(KobzaError);
    expect(refused).toMatchObject({ code: 'OVERLOADED', status: 503, details: { retryAfterMs: 3000 } });

    // a's answer ends: its slot passes to c.
    held.get('a')!.release();
    expect((await collectReply(await a)).text).toBe('ab');
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c']);
    expect(gate.active).toBe(2);
    // b fails mid-stream: its slot is freed too.
    held.get('b')!.fail();
    await expect(collectReply(await b)).rejects.toThrow('upstream broke');
    expect(gate.active).toBe(1);
    held.get('c')!.release();
    await collectReply(await c);
    expect({ active: gate.active, queued: gate.queued }).toEqual({ active: 0, queued: 0 });
  });

  it('frees a slot when the reply is abandoned before it is read, when generate throws, and on abort', async () => {
    const gate = new GenerationGate({ maxInFlight: 1, maxQueued: 5, retryAfterSeconds: 1 });
    const req = request();
    const abandoned = await gate.run(req, async () => heldReply(req).reply);
    expect(gate.active).toBe(1);
    await abandoned.chunks[Symbol.asyncIterator]().return!();
    expect(gate.active).toBe(0);

    await expect(gate.run(request(), async () => Promise.reject(new KobzaError('UPSTREAM_UNAVAILABLE', 'down')))).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(gate.active).toBe(0);

    const controller = new AbortController();
    const aborted = request({}, controller.signal);
    await gate.run(aborted, async () => heldReply(aborted).reply);
    expect(gate.active).toBe(1);
    // A second request waits; its client goes away: it leaves the queue with ABORTED.
    const waiting = new AbortController();
    const queued = gate.run(request({}, waiting.signal), async () => heldReply(request()).reply);
    expect(gate.queued).toBe(1);
    waiting.abort();
    await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
    expect(gate.queued).toBe(0);
    // The running one's client goes away without reading: the slot is freed.
    controller.abort();
    expect(gate.active).toBe(0);
  });
});
