import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReplyMeta, definePlugin, KobzaError, observeReply, type PluginDefinition } from '../../../core/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, fixturePairs, stopKernels } from './helpers.js';

let ollama: OllamaStandIn;

beforeEach(async () => {
  ollama = await startOllamaStandIn();
});

afterEach(async () => {
  vi.useRealTimers();
  await stopKernels();
  await ollama.close();
});

describe('semantic cache: hits and misses', () => {
  it('an identical question is an exact hit: no second model call, source cache, cache:hit event', async () => {
    const { ask, hits } = await bootCache({ ollamaUrl: ollama.url });
    const first = await ask('Скільки коштує гуртожиток?');
    expect(first.meta.source).toBe('provider');
    const second = await ask('  скільки КОШТУЄ гуртожиток?? ');
    expect(second.text).toBe(first.text);
    expect(second.meta.source).toBe('cache');
    expect(second.meta.cache).toMatchObject({ exact: true, similarity: 1 });
    expect(ollama.count('/api/chat')).toBe(1);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ exact: true, similarity: 1 });
  });

  it('serves paraphrases (translit, typo, synonym, Russian, case) and refuses every near-miss, per the fixtures', async () => {
    const { ask, misses } = await bootCache({ ollamaUrl: ollama.url });
    for (const [i, pair] of fixturePairs().entries()) {
      // One tenant per pair keeps the pairs apart (a client system prompt would keep each
      // answer in its own conversation).
      const tenant = { metadata: { tenant: `fixture ${i}` } };
      const cached = await ask(pair.cached, tenant);
      const query = await ask(pair.query, tenant);
      expect({ id: pair.id, hit: query.meta.source === 'cache' }).toEqual({ id: pair.id, hit: pair.same });
      if (pair.same) {
        expect(query.text).toBe(cached.text);
        expect(query.meta.cache?.similarity).toBeGreaterThan(0);
      } else {
        expect(query.text).toBe(`Answer to: ${pair.query}`);
        // The near-miss was found and refused by a named guard, not just missed.
        expect(misses.at(-1)).toMatchObject({ reason: 'vetoed', vetoedBy: expect.any(String) });
      }
    }
  });

  it('names the guard that vetoed a hit in cache:miss (time polarity, degree, intent)', async () => {
    const { ask, misses } = await bootCache({ ollamaUrl: ollama.url });
    await ask('Коли початок сесії?');
    await ask('Коли кінець сесії?');
    expect(misses.at(-1)).toMatchObject({ reason: 'vetoed', vetoedBy: 'time' });
    await ask('How much does the bachelor programme cost?');
    await ask('How much does the master programme cost?');
    expect(misses.at(-1)).toMatchObject({ reason: 'vetoed', vetoedBy: 'degree' });
    await ask('Скільки коштує навчання?');
    await ask('Скільки триває навчання?');
    expect(misses.at(-1)).toMatchObject({ reason: 'vetoed', vetoedBy: 'intent' });
  });

  it('a configured entity list keeps two named buildings apart', async () => {
    const { ask, misses } = await bootCache({
      ollamaUrl: ollama.url,
      cache: { entities: [['корпус Альфа', 'Альфа'], ['корпус Омега', 'Омега']] },
    });
    await ask('Як дійти до корпусу Альфа?');
    const other = await ask('Як дійти до корпусу Омега?');
    expect(other.meta.source).toBe('provider');
    expect(misses.at(-1)).toMatchObject({ vetoedBy: 'entity' });
  });

  it('replays a hit as a stream of several chunks, and paced replay gives the same text', async () => {
    const long = 'Вартість проживання у гуртожитку становить 1200 гривень на місяць, оплата до десятого числа кожного місяця через банк.';
    ollama.set({ reply: () => long });
    const { ask } = await bootCache({ ollamaUrl: ollama.url, cache: { replay: { mode: 'paced', charsPerSecond: 5000 } } });
    await ask('Скільки коштує гуртожиток?');
    const hit = await ask('skilky koshtuie hurtozhytok', { stream: true });
    expect(hit.meta.source).toBe('cache');
    expect(hit.chunks.length).toBeGreaterThan(3);
    expect(hit.text).toBe(long);
    expect(hit.meta.complete).toBe(true);
  });

  it('a caller that did not ask for a stream gets the hit as one chunk', async () => {
    const long = 'Вартість проживання у гуртожитку становить 1200 гривень на місяць, оплата до десятого числа кожного місяця через банк.';
    ollama.set({ reply: () => long });
    const { ask } = await bootCache({ ollamaUrl: ollama.url });
    await ask('Скільки коштує гуртожиток?');
    const whole = await ask('Скільки коштує гуртожиток?', { stream: false });
    expect(whole.meta.source).toBe('cache');
    expect(whole.chunks).toEqual([long]);
    expect(whole.meta.complete).toBe(true);
    const streamed = await ask('Скільки коштує гуртожиток?', { stream: true });
    expect(streamed.chunks.length).toBeGreaterThan(3);
    expect(streamed.chunks.join('')).toBe(long);
  });

  it('metadata.cache = off bypasses the cache both ways', async () => {
    const { ask, misses } = await bootCache({ ollamaUrl: ollama.url });
    await ask('Де деканат?', { metadata: { cache: 'off' } });
    expect(misses.at(-1)?.reason).toBe('bypass:disabled-by-request');
    const next = await ask('Де деканат?');
    expect(next.meta.source).toBe('provider');
    expect(ollama.count('/api/chat')).toBe(2);
  });
});

describe('semantic cache: scope', () => {
  it('never crosses namespaces: model, system prompt, temperature, seed, num_predict and format each separate entries', async () => {
    ollama.set({ models: ['qwen2.5:7b', 'llama3.2:3b'] });
    const { ask } = await bootCache({ ollamaUrl: ollama.url });
    const q = 'Скільки коштує гуртожиток?';
    await ask(q);
    const variants = [
      await ask(q, { model: 'llama3.2:3b' }),
      await ask([{ role: 'system', content: 'Відповідай англійською' }, { role: 'user', content: q }]),
      await ask(q, { options: { temperature: 0.7 } }),
      await ask(q, { options: { seed: 7 } }),
      await ask(q, { options: { num_predict: 400 } }),
      await ask(q, { metadata: { format: 'json' } }),
    ];
    expect(variants.map((v) => v.meta.source)).toEqual(Array(6).fill('provider'));
    // keep_alive does not change answers, so it shares the namespace.
    expect((await ask(q, { options: { keep_alive: '1m' } })).meta.source).toBe('cache');
  });

  it('a follow-up bypasses the cache unless the earlier turns match too', async () => {
    const { ask } = await bootCache({ ollamaUrl: ollama.url });
    const aboutDorm = [
      { role: 'user' as const, content: 'Чи є гуртожиток для студентів?' },
      { role: 'assistant' as const, content: 'Так, є два гуртожитки.' },
    ];
    const aboutMasters = [
      { role: 'user' as const, content: 'Чи є магістратура з психології?' },
      { role: 'assistant' as const, content: 'Так, є.' },
    ];
    const followUp = { role: 'user' as const, content: 'А скільки це коштує?' };
    const chat = { conversationId: 'chat-1' };
    const first = await ask([...aboutDorm, followUp], chat);
    expect(first.meta.source).toBe('provider');
    // Other earlier turns: the same words mean something else.
    expect((await ask([...aboutMasters, followUp], chat)).meta.source).toBe('provider');
    // The same earlier turns in the same conversation: the same question.
    const again = await ask([...aboutDorm, followUp], chat);
    expect(again.meta.source).toBe('cache');
    expect(again.text).toBe(first.text);
    // The same turns in another conversation: an answer made with a conversation's history never leaves it.
    expect((await ask([...aboutDorm, followUp], { conversationId: 'chat-2' })).meta.source).toBe('provider');
    // A self-contained question is served whatever came before.
    await ask('Скільки коштує гуртожиток?');
    expect((await ask([...aboutMasters, { role: 'user', content: 'Скільки коштує гуртожиток?' }])).meta.source).toBe('cache');
  });

  it('followUps: bypass never caches a follow-up', async () => {
    const { ask, misses } = await bootCache({ ollamaUrl: ollama.url, cache: { followUps: 'bypass' } });
    const turns = [
      { role: 'user' as const, content: 'Чи є гуртожиток?' },
      { role: 'assistant' as const, content: 'Так.' },
      { role: 'user' as const, content: 'А скільки це коштує?' },
    ];
    await ask(turns);
    expect((await ask(turns)).meta.source).toBe('provider');
    expect(misses.at(-1)?.reason).toBe('bypass:follow-up');
  });
});

describe('semantic cache: lifetime', () => {
  it('TTL counts from the store and a hit does not extend it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const { ask } = await bootCache({ ollamaUrl: ollama.url, cache: { ttlMs: 60_000 } });
    await ask('Де приймальна комісія?');
    vi.setSystemTime(new Date('2026-01-01T10:00:40Z'));
    expect((await ask('Де приймальна комісія?')).meta.source).toBe('cache');
    expect((await ask('де знаходиться приймальна комісія?')).meta.source).toBe('cache');
    // 70 s after the store: expired, although it was hit 30 s ago.
    vi.setSystemTime(new Date('2026-01-01T10:01:10Z'));
    expect((await ask('Де приймальна комісія?')).meta.source).toBe('provider');
    expect(ollama.count('/api/chat')).toBe(2);
  });

  it('the periodic sweep drops expired entries from the index and the store', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    const { ask, cache } = await bootCache({ ollamaUrl: ollama.url, cache: { ttlMs: 60_000 } });
    await ask('Де приймальна комісія?');
    await ask('Де бібліотека?', { options: { seed: 3 } });
    expect(cache.size).toBe(2);
    vi.setSystemTime(new Date('2026-01-01T10:00:30Z'));
    await ask('Де деканат?');
    vi.setSystemTime(new Date('2026-01-01T10:01:10Z'));
    expect(await cache.sweep()).toBe(2);
    expect(cache.size).toBe(1);
    expect((await cache.stats()).namespaces.map((n) => n.entries)).toEqual([1]);
  });

  it('evicts the least recently used entries beyond maxEntries', async () => {
    const { ask, cache } = await bootCache({ ollamaUrl: ollama.url, cache: { maxEntries: 3 } });
    const questions = ['Де бібліотека?', 'Де їдальня?', 'Де спортзал?'];
    for (const q of questions) await ask(q);
    expect((await ask('Де бібліотека?')).meta.source).toBe('cache'); // used: now the freshest
    await ask('Де деканат?'); // a fourth entry pushes out the least recently used: їдальня
    expect(cache.size).toBeLessThanOrEqual(3);
    expect((await ask('Де бібліотека?')).meta.source).toBe('cache');
    expect((await ask('Де деканат?')).meta.source).toBe('cache');
    expect((await ask('Де їдальня?')).meta.source).toBe('provider');
  });
});

/** A generate-stage plugin that marks every answer, like ranking marks a refusal. */
function marking(flag: 'refusal' | 'truncated' | 'noCache'): PluginDefinition {
  return definePlugin({
    name: `mark-${flag}`,
    register(ctx) {
      ctx.provide('Middleware', {
        name: `mark-${flag}`,
        stage: 'generate',
        async handle(_request, next) {
          return observeReply(await next(), {
            onChunk: (_chunk, meta) => {
              meta.flags[flag] = true;
            },
          });
        },
      });
    },
  });
}

describe('semantic cache: only complete, successful answers are stored', () => {
  it('an aborted stream is not cached', async () => {
    ollama.set({ tokenDelayMs: 20 });
    const { kernel, ask } = await bootCache({ ollamaUrl: ollama.url });
    const controller = new AbortController();
    const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Який розклад дзвінків у ХДУ?' }], signal: controller.signal }));
    const iterator = reply.chunks[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ABORTED' });
    ollama.set({ tokenDelayMs: 0 });
    expect((await ask('Який розклад дзвінків у ХДУ?')).meta.source).toBe('provider');
  });

  it('a consumer that stops reading early does not get the partial answer cached', async () => {
    ollama.set({ tokenDelayMs: 5 });
    const { kernel, ask } = await bootCache({ ollamaUrl: ollama.url });
    const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Коли вручення дипломів?' }] }));
    for await (const chunk of reply.chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect((await ask('Коли вручення дипломів?')).meta.source).toBe('provider');
  });

  it('a failed stream (error mid-stream, HTTP 500) is not cached; the next good answer is', async () => {
    ollama.set({ fault: 'error-mid-stream' });
    const { ask } = await bootCache({ ollamaUrl: ollama.url });
    await expect(ask('Як отримати студентський квиток?')).rejects.toBeInstanceOf(KobzaError);
    ollama.set({ fault: 'http500' });
    await expect(ask('Як отримати студентський квиток?')).rejects.toMatchObject({ code: expect.stringMatching(/^UPSTREAM_/) });
    ollama.set({ fault: undefined });
    expect((await ask('Як отримати студентський квиток?')).meta.source).toBe('provider');
    expect((await ask('Як отримати студентський квиток?')).meta.source).toBe('cache');
  });

  it('a stream that ends without done is not cached', async () => {
    ollama.set({ fault: 'no-done' });
    const { ask } = await bootCache({ ollamaUrl: ollama.url });
    await ask('Де подивитися розклад?').catch(() => undefined);
    ollama.set({ fault: undefined });
    expect((await ask('Де подивитися розклад?')).meta.source).toBe('provider');
  });

  it('a truncated answer (num_predict reached) is not cached', async () => {
    const { ask } = await bootCache({ ollamaUrl: ollama.url });
    const cut = await ask('Розкажи про історію університету', { options: { num_predict: 2 } });
    expect(cut.meta.doneReason).toBe('length');
    expect((await ask('Розкажи про історію університету', { options: { num_predict: 2 } })).meta.source).toBe('provider');
  });

  it.each(['refusal', 'truncated', 'noCache'] as const)('an answer flagged %s is not cached', async (flag) => {
    const { ask } = await bootCache({ ollamaUrl: ollama.url, extra: { [`mark-${flag}`]: marking(flag) } });
    await ask('Які документи потрібні для вступу?');
    expect((await ask('Які документи потрібні для вступу?')).meta.source).toBe('provider');
    expect(ollama.count('/api/chat')).toBe(2);
  });
});

describe('semantic cache: forget', () => {
  it('removes the wrong entry and that question never hits that answer again', async () => {
    const { ask, cache, misses } = await bootCache({ ollamaUrl: ollama.url });
    await ask('Скільки коштує гуртожиток?');
    expect((await ask('skilky koshtuie hurtozhytok')).meta.source).toBe('cache');
    const result = await cache.forget('skilky koshtuie hurtozhytok');
    expect(result.removed.map((r) => r.question)).toEqual(['Скільки коштує гуртожиток?']);
    // The same answer comes back into the cache for the original question…
    expect((await ask('Скільки коштує гуртожиток?')).meta.source).toBe('provider');
    expect((await ask('Скільки коштує гуртожиток?')).meta.source).toBe('cache');
    // …but the forgotten question is never served it again.
    const again = await ask('skilky koshtuie hurtozhytok');
    expect(again.meta.source).toBe('provider');
    expect(misses.at(-1)).toMatchObject({ vetoedBy: 'forgotten' });
  });
});

describe('semantic cache: a custom provider reply without meta.complete', () => {
  it('is never stored', async () => {
    const incomplete = definePlugin({
      name: 'incomplete',
      register(ctx) {
        ctx.provide('Middleware', {
          name: 'incomplete',
          stage: 'generate',
          async handle(request) {
            const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
            return { chunks: (async function* parts() { yield 'часткова відповідь'; })(), meta };
          },
        });
      },
    });
    const { ask } = await bootCache({ ollamaUrl: ollama.url, extra: { incomplete } });
    await ask('Чи є військова кафедра?');
    expect((await ask('Чи є військова кафедра?')).meta.source).toBe('provider');
  });
});
