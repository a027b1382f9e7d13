/**
 * A Redis outage seen from the front door: with a real redis-server frozen (SIGSTOP) and
 * then killed under a live Kobza, new questions over HTTP — streamed and not, with the
 * official `openai` and `ollama` clients — are answered while Redis is still down; the
 * outage is logged once, counted in `/metrics`, reported by `/readyz`; the cache recovers.
 */
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startControllableRedis, type ControllableRedis } from '../../helpers/redis.js';
import { eventually, jsonOf, startKobza, stopKobzas } from './helpers.js';

let redis: ControllableRedis;

beforeEach(async () => {
  redis = await startControllableRedis({ password: 'outage-pass' });
});

afterEach(async () => {
  redis.resume();
  await stopKobzas();
  await redis.stop();
});

const ask = (content: string) => [{ role: 'user' as const, content }];

function storeErrorsIn(metrics: string): number {
  let total = 0;
  for (const line of metrics.split('\n')) if (line.startsWith('kobza_store_errors_total{') && line.includes('owner="semantic-cache"')) total += Number(line.split(' ').at(-1));
  return total;
}

describe('HTTP during a store outage', () => {
  it('answers new questions while Redis is frozen and while it is dead, logs each outage once, counts it, recovers', async () => {
    const lines: { level: number; msg: string }[] = [];
    const kobza = await startKobza({
      plugins: { 'semantic-cache': { store: redis.url, storeTimeoutMs: 500, sync: { intervalMs: 50 } } },
      logSink: (line) => lines.push(JSON.parse(line)),
      logLevel: 'info',
    });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'none', maxRetries: 0 });
    const ollama = new Ollama({ host: kobza.url });
    const source = async (question: string) => (await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask(question) }).withResponse()).response.headers.get('x-kobza-source');
    const streamed = async (question: string) => {
      let text = '';
      for await (const chunk of await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask(question), stream: true })) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    };
    const warnings = () => lines.filter((l) => l.level === 40 && /semantic-cache: store/.test(l.msg));
    const readyz = async () => jsonOf(await fetch(`${kobza.url}/readyz`));

    expect(await source('Де бібліотека?')).toBe('provider');
    await kobza.kernel.resolve('SemanticCache').flush();
    expect(await source('Де бібліотека?')).toBe('cache');
    expect((await readyz()).cache).toMatchObject({ status: 'ok', errors: 0 });

    // 1. Frozen: every store call hangs.
    redis.pause();
    const plain = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Коли відкривається бібліотека?') });
    expect(plain.choices[0].message.content).toBe('Answer to: Коли відкривається бібліотека?');
    expect(await streamed('Де їдальня?')).toBe('Answer to: Де їдальня?');
    let ollamaText = '';
    for await (const part of await ollama.chat({ model: 'qwen2.5:7b', messages: ask('Де спортзал?'), stream: true })) ollamaText += part.message.content;
    expect(ollamaText).toBe('Answer to: Де спортзал?');
    expect(redis.isPaused()).toBe(true);
    await eventually(() => warnings().length === 1, 5000);
    const degraded = await readyz();
    expect(degraded.status).toBe('ready'); // the upstream is fine; the cache is degraded
    expect(degraded.cache).toMatchObject({ status: 'degraded' });
    expect(degraded.cache.errors).toBeGreaterThan(0);
    expect(JSON.stringify(degraded)).not.toContain('outage-pass');
    const metricsWhileFrozen = await (await fetch(`${kobza.url}/metrics`)).text();
    expect(storeErrorsIn(metricsWhileFrozen)).toBeGreaterThan(0);
    expect(metricsWhileFrozen).toMatch(/kobza_store_errors_total\{owner="semantic-cache",kind="timeout"\} \d+/);

    // Back: the cache serves again, the recovery is logged.
    redis.resume();
    await eventually(() => lines.some((l) => l.level === 30 && /is back/.test(l.msg)), 5000);
    expect(await source('Де деканат?')).toBe('provider');
    await kobza.kernel.resolve('SemanticCache').flush();
    expect(await source('Де деканат?')).toBe('cache');
    expect((await readyz()).cache.status).toBe('ok');

    // 2. Killed: the port refuses. A new outage, one more warning.
    await redis.kill();
    expect(await streamed('Де гуртожиток?')).toBe('Answer to: Де гуртожиток?');
    const down = await ollama.chat({ model: 'qwen2.5:7b', messages: ask('Де медпункт?'), stream: false });
    expect(down.message.content).toBe('Answer to: Де медпункт?');
    await eventually(() => warnings().length === 2, 5000);
    expect((await readyz()).cache.status).toBe('degraded');
    const before = storeErrorsIn(await (await fetch(`${kobza.url}/metrics`)).text());
    expect(before).toBeGreaterThan(storeErrorsIn(metricsWhileFrozen));

    await redis.restart();
    await eventually(() => lines.filter((l) => l.level === 30 && /is back/.test(l.msg)).length === 2, 10_000);
    expect(await source('Де каса?')).toBe('provider');
    await kobza.kernel.resolve('SemanticCache').flush();
    expect(await source('Де каса?')).toBe('cache');
    // Each outage logged once, with the password redacted.
    expect(warnings()).toHaveLength(2);
    expect(JSON.stringify(lines)).not.toContain('outage-pass');
  }, 30_000);

  it('answers a rating and the console ratings list with 503 STORE_UNAVAILABLE while Redis is frozen, and recovers', async () => {
    const ADMIN = 'admin-key-0123456789';
    const lines: { level: number; msg: string; owner?: string }[] = [];
    const kobza = await startKobza({ plugins: { feedback: { store: redis.url, storeTimeoutMs: 300 } }, http: { adminKeys: [ADMIN] }, logSink: (line) => lines.push(JSON.parse(line)), logLevel: 'info' });
    // A frozen store would hold the request forever without the guard: the signal ends the test instead.
    const rate = (requestId: string) =>
      fetch(`${kobza.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requestId, rating: 'down' }), signal: AbortSignal.timeout(10_000) });
    const ratings = () => fetch(`${kobza.url}/admin/api/feedback`, { headers: { authorization: `Bearer ${ADMIN}` }, signal: AbortSignal.timeout(10_000) });
    const readyz = async () => jsonOf(await fetch(`${kobza.url}/readyz`));
    const answer = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'qwen2.5:7b', messages: ask('Де бібліотека?') }) });
    await answer.json();
    const requestId = answer.headers.get('x-request-id')!;
    expect((await readyz()).stores.feedback).toMatchObject({ status: 'ok', errors: 0 });

    redis.pause();
    const frozen = await rate(requestId);
    expect(frozen.status).toBe(503);
    const frozenBody = await jsonOf(frozen);

    expect(frozenBody.error.code).toBe('STORE_UNAVAILABLE');
    const list = await ratings();
    expect(list.status).toBe(503);
    expect((await jsonOf(list)).code).toBe('STORE_UNAVAILABLE');
    expect(redis.isPaused()).toBe(true);
    const degraded = await readyz();
    expect(degraded.stores.feedback.status).toBe('degraded');
    expect(degraded.stores.feedback.errors).toBeGreaterThanOrEqual(2);
    // One outage warning from the guard (the HTTP adapter logs each refused request besides).
    expect(lines.filter((l) => l.level === 40 && l.owner === 'feedback')).toHaveLength(1);

    redis.resume();
    expect((await rate(requestId)).status).toBe(200);
    const [stored] = (await jsonOf(await ratings())).feedback;
    expect(stored).toMatchObject({ requestId, rating: 'down', question: 'Де бібліотека?' });
    expect((await readyz()).stores.feedback.status).toBe('ok');
    expect(JSON.stringify([frozenBody, degraded, lines])).not.toContain('outage-pass');
  });
});
