/**
 * The front door over real HTTP: Origin and Host refused (DNS rebinding, cross-site POSTs),
 * allowed origins pass with CORS headers, deep nesting is a 400 on every JSON route, token
 * caps are clamped and the generation cap answers 503 + Retry-After, with the official
 * `openai` and `ollama` clients.
 */
import http from 'node:http';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, jsonOf, startKobza, stopKobzas, type LiveKobza } from './helpers.js';

afterEach(stopKobzas);

const ask = (content: string) => [{ role: 'user' as const, content }];
const CHAT = JSON.stringify({ model: 'qwen2.5:7b', messages: ask('Коли вступна кампанія?') });

/** A raw request with any Host header (fetch does not let a caller set it). */
function rawRequest(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

describe('Origin', () => {
  it('refuses a browser request from a foreign origin on every route, in each API’s error shape', async () => {
    const kobza = await startKobza();
    const evil = { origin: 'https://evil.example' };
    // The cross-site "simple request": text/plain needs no preflight, and Kobza parses it as JSON.
    const openai = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { ...evil, 'content-type': 'text/plain' }, body: CHAT });
    expect(openai.status).toBe(403);
    expect((await jsonOf(openai)).error).toMatchObject({ code: 'FORBIDDEN_ORIGIN', type: 'permission_error' });
    const ollama = await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { ...evil, 'content-type': 'text/plain' }, body: CHAT });
    expect(ollama.status).toBe(403);
    expect(await jsonOf(ollama)).toMatchObject({ code: 'FORBIDDEN_ORIGIN' });
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/tags', '/v1/models', '/nowhere']) {
      const res = await fetch(`${kobza.url}${path}`, { headers: evil });
      expect(res.status, path).toBe(403);
    }
    const preflight = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { ...evil, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    // Nothing reached the model.
    expect(kobza.ollama.count('/api/chat')).toBe(0);
    expect(kobza.seen).toHaveLength(0);
  });

  it('serves the chat page its own origin (same scheme://host:port as the Host header), and nothing that merely resembles it', async () => {
    const kobza = await startKobza();
    const own = new URL(kobza.url).origin;
    const same = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { origin: own, 'content-type': 'application/json' }, body: CHAT });
    expect(same.status).toBe(200);
    for (const origin of [`${own}.evil.example`, `${own}0`, own.replace('http://', 'file://'), 'null']) {
      const res = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: CHAT });
      expect(res.status, origin).toBe(403);
    }
  });

  it('serves requests without Origin as before: curl -d sends form-encoded JSON', async () => {
    const kobza = await startKobza();
    const curl = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: CHAT });
    expect(curl.status).toBe(200);
    expect((await jsonOf(curl)).choices[0].message.content).toBe('Answer to: Коли вступна кампанія?');
  });

  it('lets an allowed origin through with CORS headers; others are still refused', async () => {
    const kobza = await startKobza({ http: { cors: { origins: ['https://chat.example.org'] } } });
    const allowed = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { origin: 'https://chat.example.org', 'content-type': 'application/json' }, body: CHAT });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chat.example.org');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-kobza-source');
    const preflight = await fetch(`${kobza.url}/api/chat`, { method: 'OPTIONS', headers: { origin: 'https://chat.example.org', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    const other = await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { origin: 'https://chat.example.org.evil.example' }, body: CHAT });
    expect(other.status).toBe(403);
  });
});

describe('Host (DNS rebinding)', () => {
  it('refuses a foreign Host while bound to loopback, and serves loopback names with any port', async () => {
    const kobza = await startKobza();
    const refused = await rawRequest(kobza.url, { method: 'POST', path: '/api/chat', headers: { host: 'attacker.example:8787', 'content-type': 'text/plain' }, body: CHAT });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'FORBIDDEN_HOST' });
    expect((await rawRequest(kobza.url, { path: '/v1/models', headers: { host: 'attacker.example' } })).status).toBe(403);
    for (const host of ['localhost', 'LOCALHOST:8787', '127.0.0.1', '127.0.0.2:1234', '[::1]:8787', '[::1]']) {
      expect((await rawRequest(kobza.url, { path: '/healthz', headers: { host } })).status, host).toBe(200);
    }
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });

  it('serves the names listed in allowedHosts', async () => {
    const kobza = await startKobza({ http: { allowedHosts: ['kobza.internal', 'bot.example.org:8443'] } });
    expect((await rawRequest(kobza.url, { path: '/healthz', headers: { host: 'kobza.internal:8787' } })).status).toBe(200);
    expect((await rawRequest(kobza.url, { path: '/healthz', headers: { host: 'bot.example.org:8443' } })).status).toBe(200);
    expect((await rawRequest(kobza.url, { path: '/healthz', headers: { host: 'bot.example.org:9999' } })).status).toBe(403);
    expect((await rawRequest(kobza.url, { path: '/healthz', headers: { host: 'kobza.internal.evil.example' } })).status).toBe(403);
  });
});

describe('deeply nested JSON', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const routes: [string, string][] = [
    ['/v1/chat/completions', `{"model":"qwen2.5:7b","messages":[{"role":"user","content":${deep}}]}`],
    ['/v1/chat/completions', `{"model":"qwen2.5:7b","messages":[{"role":"user","content":"hi"}],"tools":${deep}}`],
    ['/v1/embeddings', `{"model":"m","input":${deep}}`],
    ['/api/chat', `{"model":"qwen2.5:7b","messages":[{"role":"user","content":${deep}}]}`],
    ['/api/chat', `{"model":"qwen2.5:7b","messages":[{"role":"user","content":"hi"}],"tools":${deep}}`],
    ['/api/generate', `{"model":"qwen2.5:7b","prompt":${deep}}`],
    ['/api/embed', `{"model":"m","input":${deep}}`],
    ['/api/embeddings', `{"model":"m","prompt":${deep}}`],
    ['/api/show', `{"model":${deep}}`],
  ];

  it('is a 400 with a coded error on every JSON route (a 100,000-deep array), whatever the content type', async () => {
    const kobza = await startKobza({ http: { rateLimit: false } });
    for (const [route, body] of routes) {
      for (const type of ['application/json', 'text/plain']) {
        const res = await fetch(`${kobza.url}${route}`, { method: 'POST', headers: { 'content-type': type }, body });
        expect(res.status, `${route} ${type}`).toBe(400);
        const error = await jsonOf(res);
        if (route.startsWith('/v1/')) expect(error.error).toMatchObject({ code: 'BAD_REQUEST', param: 'body', message: expect.stringContaining('nested at most') });
        else expect(error).toMatchObject({ code: 'BAD_REQUEST', error: expect.stringContaining('nested at most') });
      }
    }
    // Strings that merely contain brackets are not nesting.
    const brackets = await fetch(`${kobza.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', stream: false, messages: ask(`${'['.repeat(500)}"\\"{{{`) }) });
    expect(brackets.status).toBe(200);
    expect(kobza.ollama.count('/api/chat')).toBe(1);
  });
});

describe('limits', () => {
  it('clamps max_tokens / max_completion_tokens / num_predict and num_ctx to the caps (the upstream receives the caps)', async () => {
    const kobza = await startKobza();
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'none', maxRetries: 0 });
    await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Скільки коштує навчання?'), max_tokens: 1e15 });
    await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Де гуртожиток?'), max_completion_tokens: 10_000, num_ctx: 2 ** 31 } as never);
    const ollama = new Ollama({ host: kobza.url });
    await ollama.chat({ model: 'qwen2.5:7b', messages: ask('Коли сесія?'), options: { num_predict: -1, num_ctx: 2 ** 31 - 1 } });
    await ollama.generate({ model: 'qwen2.5:7b', prompt: 'Хто декан?', options: { num_predict: 100, num_ctx: 4096 } });
    const options = kobza.ollama.calls.filter((c) => c.path === '/api/chat' || c.path === '/api/generate').map((c) => c.body.options ?? {});
    expect(options[0]).toMatchObject({ num_predict: 4096 });
    expect(options[1]).toMatchObject({ num_predict: 4096, num_ctx: 32768 });
    expect(options[2]).toMatchObject({ num_predict: 4096, num_ctx: 32768 });
    // Below the caps: unchanged.
    expect(options[3]).toMatchObject({ num_predict: 100, num_ctx: 4096 });
  });

  it('answers 503 + Retry-After beyond the generation cap and queue; cache hits are not generations', async () => {
    const kobza = await startKobza({ limits: { maxInFlight: 1, maxQueued: 1, retryAfterSeconds: 7 }, plugins: { 'semantic-cache': {} } });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'none', maxRetries: 0 });
    // A cached answer first, while nothing is held.
    await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Коли вступна кампанія?') });
    await kobza.kernel.resolve('SemanticCache').flush();
    // Hold the stand-in's answers: one generation runs, one waits.
    kobza.ollama.set({ firstTokenDelayMs: 60_000 });
    const held = new AbortController();
    const running = [
      openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Перше питання?') }, { signal: held.signal }).catch((err) => err),
      openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Друге питання?') }, { signal: held.signal }).catch((err) => err),
    ];
    await eventually(() => kobza.ollama.active === 1 && kobza.kernel.generations.queued === 1);

    const refused = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Третє питання?') }).catch((err) => err);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.error).toMatchObject({ code: 'OVERLOADED' });
    const ollama = new Ollama({ host: kobza.url });
    const refusedOllama = await ollama.chat({ model: 'qwen2.5:7b', messages: ask('Четверте питання?'), stream: false }).catch((err) => err);
    expect(refusedOllama.status_code).toBe(503);
    expect(refusedOllama.message).toContain('too many answers');
    const raw = await fetch(`${kobza.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', prompt: 'П’яте?' }) });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('7');

    // A cache hit is served while every slot is taken.
    const { response } = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Коли вступна кампанія?') }).withResponse();
    expect(response.headers.get('x-kobza-source')).toBe('cache');

    // Abandoned requests free their slots (the waiting one leaves the queue).
    held.abort();
    await Promise.all(running);
    await eventually(() => kobza.kernel.generations.active === 0 && kobza.kernel.generations.queued === 0);
    kobza.ollama.set({ firstTokenDelayMs: 0 });
    const again = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Шосте питання?') });
    expect(again.choices[0].message.content).toBe('Answer to: Шосте питання?');
  });
});

describe('tenants and identity', () => {
  const A = 'tenant-a-key-0001';
  const B = 'tenant-b-key-0002';

  async function tenantsKobza(): Promise<LiveKobza> {
    return startKobza({ http: { apiKeys: [{ key: A, tenant: 'acme' }, { key: B, tenant: 'globex' }, 'plain-key-0003'] }, plugins: { 'semantic-cache': {} } });
  }

  it('never shares cache entries between tenants', async () => {
    const kobza = await tenantsKobza();
    const a = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: A, maxRetries: 0 });
    const b = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: B, maxRetries: 0 });
    const source = async (client: OpenAI) => (await client.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Скільки коштує навчання на контракті?') }).withResponse()).response.headers.get('x-kobza-source');
    expect(await source(a)).toBe('provider');
    await kobza.kernel.resolve('SemanticCache').flush();
    expect(await source(b)).toBe('provider');
    await kobza.kernel.resolve('SemanticCache').flush();
    expect(await source(a)).toBe('cache');
    expect(await source(b)).toBe('cache');
    expect(kobza.ollama.count('/api/chat')).toBe(2);
    expect(kobza.seen.map((r) => r.metadata.tenant)).toEqual(['acme', 'globex', 'acme', 'globex']);
  });

  it('sets the conversation from the OpenAI user field or x-kobza-conversation, scoped by tenant', async () => {
    const kobza = await tenantsKobza();
    const a = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: A, maxRetries: 0 });
    const plain = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'plain-key-0003', maxRetries: 0 });
    await a.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Привіт'), user: 'alice' });
    await plain.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Привіт'), user: 'alice' });
    await new Ollama({ host: kobza.url, headers: { authorization: `Bearer ${A}`, 'x-kobza-conversation': 'room-7' } }).chat({ model: 'qwen2.5:7b', messages: ask('Привіт'), stream: false });
    const anonymous = await plain.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Привіт') }).withResponse();
    expect(kobza.seen.map((r) => r.conversationId).slice(0, 3)).toEqual(['http:acme:alice', 'http::alice', 'http:acme:room-7']);
    // Without either, the request is its own conversation.
    expect(kobza.seen[3].conversationId).toBe(anonymous.response.headers.get('x-request-id'));
    expect(kobza.seen[3].metadata.tenant).toBeUndefined();
  });
});
