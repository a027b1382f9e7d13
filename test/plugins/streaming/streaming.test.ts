import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configErrorMap, definePlugin, type KobzaEvents } from '../../../core/index.js';
import { coalesceChunks, streamingConfigSchema, wholeAnswer } from '../../../plugins/streaming/index.js';
import { expectedReply } from '../../servers/ollama.js';
import { bootWithStandIn, drain } from '../parallel-ranking/stand-in-kernel.js';

const LONG_ANSWER = 'Прийом заяв і документів на бакалаврат триває до 18:00 23 липня. Після цього оприлюднюють рейтингові списки, а рекомендовані вступники виконують вимоги до зарахування.';

async function* fromArray(parts: string[], delayMs = 0): AsyncGenerator<string> {
  for (const part of parts) {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield part;
  }
}

/** A generate-stage spy that records the metadata the inner plugins see. */
function metadataSpy(seen: Record<string, unknown>[]) {
  return definePlugin({
    name: 'spy',
    configSchema: z.strictObject({}),
    register(ctx) {
      ctx.provide('Middleware', {
        name: 'spy',
        stage: 'generate',
        handle(request, next) {
          seen.push({ ...request.metadata });
          return next();
        },
      });
    },
  });
}

describe('streaming plugin', () => {
  it('gives the same final text with streaming on and off; off sends one chunk', async () => {
    const on = await bootWithStandIn('  streaming: { stream: true, minChars: 0 }', { reply: () => LONG_ANSWER });
    const off = await bootWithStandIn('  streaming: { stream: false }', { reply: () => LONG_ANSWER });
    const ask = { messages: [{ role: 'user' as const, content: 'Коли закінчується прийом документів?' }] };
    const streamed = await drain(await on.kernel.handle(on.kernel.createRequest(ask)));
    const whole = await drain(await off.kernel.handle(off.kernel.createRequest(ask)));
    expect(streamed.length).toBe(expectedReply({ messages: ask.messages }, () => LONG_ANSWER).tokens.length);
    expect(whole).toEqual([LONG_ANSWER]);
    expect(streamed.join('')).toBe(whole.join(''));
  });

  it('coalesces tiny chunks into pieces of at least minChars, keeping the text', async () => {
    const { kernel } = await bootWithStandIn('  streaming: { minChars: 20, maxDelayMs: 10000 }', { reply: () => LONG_ANSWER });
    const chunks = await drain(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Коли?' }] })));
    expect(chunks.join('')).toBe(LONG_ANSWER);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(20);
  });

  it('a caller that does not stream gets one chunk', async () => {
    const { kernel } = await bootWithStandIn('  streaming: {}', { reply: () => LONG_ANSWER });
    const chunks = await drain(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Коли?' }], stream: false })));
    expect(chunks).toEqual([LONG_ANSWER]);
  });

  it('publishes the replay pace to inner plugins: paced for streams, 0 for instant and for collected replies', async () => {
    const seen: Record<string, unknown>[] = [];
    const paced = await bootWithStandIn('  streaming: { replay: paced, charsPerSecond: 250 }\n  spy: {}', {}, { spy: metadataSpy(seen) });
    await drain(await paced.kernel.handle(paced.kernel.createRequest({ messages: [{ role: 'user', content: 'a' }] })));
    await drain(await paced.kernel.handle(paced.kernel.createRequest({ messages: [{ role: 'user', content: 'b' }], stream: false })));
    const instant = await bootWithStandIn('  streaming: { replay: instant }\n  spy: {}', {}, { spy: metadataSpy(seen) });
    await drain(await instant.kernel.handle(instant.kernel.createRequest({ messages: [{ role: 'user', content: 'c' }] })));
    expect(seen.map((m) => m.replayCharsPerSecond)).toEqual([250, 0, 0]);
  });

  it('leaves reply:first-chunk to the kernel (one event per request)', async () => {
    const { kernel } = await bootWithStandIn('  streaming: { minChars: 8 }', { reply: () => LONG_ANSWER });
    const firsts: KobzaEvents['reply:first-chunk'][] = [];
    kernel.events.on('reply:first-chunk', (e) => firsts.push(e));
    await drain(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Коли?' }] })));
    expect(firsts).toHaveLength(1);
    expect(firsts[0].source).toBe('provider');
  });

  it('a consumer that stops early closes the upstream request', async () => {
    const { kernel, ollama } = await bootWithStandIn('  streaming: { minChars: 5 }', { reply: () => LONG_ANSWER.repeat(20), tokenDelayMs: 5 });
    const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Коли?' }] }));
    for await (const chunk of reply.chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await ollama.idle();
    expect(ollama.calls.filter((c) => c.path === '/api/chat').map((c) => c.clientClosed)).toEqual([true]);
  });

  it('rejects a bad config with the key path', () => {
    const result = streamingConfigSchema.safeParse({ replay: 'fast' }, { error: configErrorMap });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toContain('expected instant or paced');
  });
});

describe('coalesceChunks', () => {
  it('releases a held-back piece after maxDelayMs when no more text comes', async () => {
    const chunks: string[] = [];
    for await (const chunk of coalesceChunks(fromArray(['a', 'b', 'c'], 120), { minChars: 1000, maxDelayMs: 15 })) chunks.push(chunk);
    expect(chunks.join('')).toBe('abc');
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('keeps the text of any chunking, including empty chunks', async () => {
    const parts = ['', 'При', 'віт', '', ', ', 'світе', '!'];
    for (const minChars of [0, 1, 3, 100]) {
      let text = '';
      for await (const chunk of coalesceChunks(fromArray(parts), { minChars, maxDelayMs: 50 })) text += chunk;
      expect(text).toBe('Привіт, світе!');
    }
    let whole = '';
    for await (const chunk of wholeAnswer(fromArray(parts))) whole += chunk;
    expect(whole).toBe('Привіт, світе!');
  });
});
