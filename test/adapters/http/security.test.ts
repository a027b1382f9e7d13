/**
 * The HTTP adapter's guards, over real HTTP: API keys (both APIs, open /healthz,
 * configurable /metrics), body limit, per-key/IP rate limit, CORS, loopback binding, and
 * that request contents and keys never reach the logs.
 */
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas, jsonOf } from './helpers.js';

afterEach(stopKobzas);

const KEY = 'kobza-test-key-0001';
const OTHER_KEY = 'kobza-test-key-0002';
const chatBody = (content = 'hi') => JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content }], stream: false });

describe('API keys', () => {
  it('refuses OpenAI and Ollama calls without a valid key, in each API\'s shape', async () => {
    const kobza = await startKobza({ http: { apiKeys: [KEY, OTHER_KEY] } });
    const openaiError = await new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'wrong-key-123', maxRetries: 0 })
      .chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }] })
      .catch((err: unknown) => err);
    expect(openaiError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((openaiError as InstanceType<typeof OpenAI.APIError>).code).toBe('UNAUTHORIZED');

    const ollamaError = await new Ollama({ host: kobza.url }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }] }).catch((err: unknown) => err);
    expect(ollamaError).toMatchObject({ name: 'ResponseError', status_code: 401 });

    const res = await fetch(`${kobza.url}/api/tags`, { headers: { authorization: `Bearer ${KEY}x` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await jsonOf(res)).toEqual({ error: 'missing or invalid API key: send Authorization: Bearer <key>', code: 'UNAUTHORIZED' });
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });

  it('serves callers with any configured key', async () => {
    const kobza = await startKobza({ http: { apiKeys: [KEY, OTHER_KEY] } });
    const viaOpenAi = await new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: OTHER_KEY, maxRetries: 0 }).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }] });
    expect(viaOpenAi.choices[0].message.content).toBe('Answer to: hi');
    const viaOllama = await new Ollama({ host: kobza.url, headers: { Authorization: `Bearer ${KEY}` } }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hey' }] });
    expect(viaOllama.message.content).toBe('Answer to: hey');
  });

  it('keeps /healthz open, guards /readyz, and guards /metrics unless configured open', async () => {
    const guarded = await startKobza({ http: { apiKeys: [KEY] } });
    expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/readyz`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);

    const open = await startKobza({ http: { apiKeys: [KEY], metrics: { requireAuth: false } } });
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    expect((await fetch(`${open.url}/api/tags`)).status).toBe(401);
  });

  it('refuses to boot with an empty key (an unset environment variable)', async () => {
    await expect(startKobza({ http: { apiKeys: [''] } })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('plugins.http.apiKeys.0') });
  });
});

describe('body limit, rate limit, CORS, binding', () => {
  it('answers a body over the limit with 413 JSON before reaching the model', async () => {
    const kobza = await startKobza({ http: { bodyLimit: 2048 } });
    const big = chatBody('x'.repeat(4096));
    const openaiRes = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(openaiRes.status).toBe(413);
    expect((await jsonOf(openaiRes)).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', type: 'invalid_request_error' });
    const ollamaRes = await fetch(`${kobza.url}/api/chat`, { method: 'POST', body: big });
    expect(ollamaRes.status).toBe(413);
    expect((await jsonOf(ollamaRes)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });

  it('limits requests per key (each key its own bucket) and per IP without a key, with 429 JSON', async () => {
    const kobza = await startKobza({ http: { apiKeys: [KEY, OTHER_KEY], rateLimit: { max: 3, timeWindow: '1 minute' } } });
    const call = (key?: string) => fetch(`${kobza.url}/v1/models`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(KEY)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call(KEY);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await jsonOf(limited)).error).toMatchObject({ code: 'RATE_LIMITED', type: 'rate_limit_error' });
    expect((await call(OTHER_KEY)).status).toBe(200);
    // Wrong keys count against the IP, so guessing keys is limited too.
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await call(`guess-${i}-aaaaaaaa`)).status);
    expect(guesses).toEqual([401, 401, 401, 429]);
    const ollamaShape = await fetch(`${kobza.url}/api/tags`);
    expect(ollamaShape.status).toBe(429);
    expect((await jsonOf(ollamaShape)).code).toBe('RATE_LIMITED');
    // Health checks are never limited.
    expect((await fetch(`${kobza.url}/healthz`)).status).toBe(200);
  });

  it('sends no CORS headers by default and the configured ones when enabled', async () => {
    const closed = await startKobza();
    const plain = await fetch(`${closed.url}/v1/models`, { headers: { origin: 'https://chat.example.org' } });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();

    const open = await startKobza({ http: { apiKeys: [KEY], cors: { origin: 'https://chat.example.org' } } });
    const preflight = await fetch(`${open.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://chat.example.org', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://chat.example.org');
    const real = await fetch(`${open.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: 'https://chat.example.org', authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: chatBody(),
    });
    expect(real.status).toBe(200);
    expect(real.headers.get('access-control-expose-headers')).toContain('x-kobza-source');
  });

  it('binds to 127.0.0.1 by default', async () => {
    const kobza = await startKobza();
    expect(kobza.http.address?.address).toBe('127.0.0.1');
    expect(kobza.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('logging', () => {
  it('never writes message contents or keys to the log at info level', async () => {
    const lines: string[] = [];
    const kobza = await startKobza({ http: { apiKeys: [KEY] }, logSink: (line) => lines.push(line), logLevel: 'info' });
    const secret = 'моє-секретне-питання-42';
    await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: chatBody(secret) });
    await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { authorization: 'Bearer wrong-key-xyz' }, body: chatBody(secret) });
    await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: '{"model": 1' });
    await kobza.kernel.stop();
    const log = lines.join('\n');
    expect(log).toContain('HTTP API listening');
    expect(log).not.toContain(secret);
    expect(log).not.toContain(KEY);
    expect(log).not.toContain('wrong-key-xyz');
  });
});
