/**
 * Ratings over HTTP (`POST /v1/feedback`), the cache quarantine they lead to, the operator
 * console's JSON routes (`adminKeys`) and the chat page at `/`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf, startKobza, stopKobzas, type LiveKobza } from './helpers.js';

afterEach(stopKobzas);

const ADMIN = 'admin-key-0123456789';
const question = 'Скільки коштує гуртожиток для першокурсників?';

async function ask(kobza: LiveKobza, text = question, headers: Record<string, string> = {}) {
  const response = await fetch(`${kobza.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: text }] }),
  });
  expect(response.status).toBe(200);
  await response.json();
  await kobza.kernel.resolve('SemanticCache').flush();
  return { requestId: response.headers.get('x-request-id')!, source: response.headers.get('x-kobza-source') };
}

function rate(kobza: LiveKobza, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${kobza.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function admin(kobza: LiveKobza, path: string, init: RequestInit = {}) {
  return fetch(`${kobza.url}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
}

const withFeedback = { plugins: { 'semantic-cache': {}, feedback: {} }, http: { adminKeys: [ADMIN] } };
/** Three chat API keys: three voters (all test traffic comes from 127.0.0.1). */
const VOTERS = ['voter-key-0000000001', 'voter-key-0000000002', 'voter-key-0000000003'];
const as = (i: number) => ({ authorization: `Bearer ${VOTERS[i]}` });

describe('POST /v1/feedback', () => {
  it('stores a rating of an answer by its x-request-id, with the question and the source', async () => {
    const kobza = await startKobza(withFeedback);
    const { requestId, source } = await ask(kobza);
    expect(source).toBe('provider');
    const response = await rate(kobza, { requestId, rating: 'up', comment: 'clear' });
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ requestId, rating: 'up', stored: true });
    const [stored] = (await jsonOf(await admin(kobza, '/admin/api/feedback'))).feedback;
    expect(stored).toMatchObject({ requestId, rating: 'up', comment: 'clear', question, source: 'provider' });
  });

  it('answers 404 for an unknown request id and 400 with a code for a bad body', async () => {
    const kobza = await startKobza(withFeedback);
    const unknown = await rate(kobza, { requestId: 'never-served', rating: 'down' });
    expect(unknown.status).toBe(404);
    expect((await jsonOf(unknown)).error).toMatchObject({ code: 'NOT_FOUND' });

    for (const body of [{ requestId: 'x', rating: 'meh' }, { rating: 'up' }, { requestId: 'x', rating: 'up', extra: 1 }, 'not json at all']) {
      const bad = await rate(kobza, body);
      expect(bad.status).toBe(400);
      const error = (await jsonOf(bad)).error;
      expect(error.code).toBe('BAD_REQUEST');
      expect(typeof error.message).toBe('string');
    }
  });

  it('is rate-limited like the rest, and asks for an API key when keys are set', async () => {
    const key = 'chat-key-12345678';
    const kobza = await startKobza({ ...withFeedback, http: { apiKeys: [key], rateLimit: { max: 2, timeWindow: '1 minute' } } });
    const noKey = await rate(kobza, { requestId: 'x', rating: 'up' });
    expect(noKey.status).toBe(401);
    const second = await rate(kobza, { requestId: 'x', rating: 'up' }, { authorization: `Bearer ${key}` });
    expect(second.status).toBe(404);
    const third = await rate(kobza, { requestId: 'x', rating: 'up' }, { authorization: `Bearer ${key}` });
    expect(third.status).toBe(404);
    const fourth = await rate(kobza, { requestId: 'x', rating: 'up' }, { authorization: `Bearer ${key}` });
    expect(fourth.status).toBe(429);
    expect((await jsonOf(fourth)).error.code).toBe('RATE_LIMITED');
  });

  it('quarantines a cached entry after three 👎 from different voters, and a restore brings it back', async () => {
    const kobza = await startKobza({ ...withFeedback, http: { adminKeys: [ADMIN], apiKeys: VOTERS } });
    await ask(kobza, question, as(0));
    const downs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const hit = await ask(kobza, question, as(i));
      expect(hit.source).toBe('cache');
      downs.push(hit.requestId);
    }
    // The same voter twice counts once.
    const first = await jsonOf(await rate(kobza, { requestId: downs[0], rating: 'down' }, as(0)));
    expect(first.cacheEntry).toMatchObject({ downs: 1, quarantined: false });
    expect((await jsonOf(await rate(kobza, { requestId: downs[0], rating: 'down' }, as(0)))).cacheEntry).toMatchObject({ downs: 1 });
    expect((await jsonOf(await rate(kobza, { requestId: downs[1], rating: 'down' }, as(1)))).cacheEntry).toMatchObject({ downs: 2, quarantined: false });
    expect((await jsonOf(await rate(kobza, { requestId: downs[2], rating: 'down' }, as(2)))).cacheEntry).toMatchObject({ downs: 3, quarantined: true });

    const calls = kobza.ollama.count('/api/chat');
    expect((await ask(kobza, question, as(0))).source).toBe('provider');
    expect(kobza.ollama.count('/api/chat')).toBe(calls + 1);

    const listed = await jsonOf(await admin(kobza, '/admin/api/entries?quarantined=1'));
    expect(listed.cache).toBe(true);
    expect(listed.entries).toHaveLength(1);
    const entry = listed.entries[0];
    expect(entry).toMatchObject({ question, quarantined: true, downs: 3, hits: 3 });
    expect(entry.key).toBe(first.cacheEntry.key);

    const restored = await admin(kobza, `/admin/api/entries/${encodeURIComponent(entry.key)}/restore`, { method: 'POST', body: '{}' });
    expect(restored.status).toBe(200);
    expect((await ask(kobza, question, as(1))).source).toBe('cache');
    const after = (await jsonOf(await admin(kobza, '/admin/api/entries?q=гуртожиток'))).entries;
    expect(after.find((e: { key: string }) => e.key === entry.key)).toMatchObject({ quarantined: false, downs: 0 });

    const forgotten = await admin(kobza, `/admin/api/entries/${encodeURIComponent(entry.key)}/forget`, { method: 'POST', body: '{}' });
    expect(forgotten.status).toBe(200);
    expect((await jsonOf(await admin(kobza, '/admin/api/entries'))).entries.find((e: { key: string }) => e.key === entry.key)).toBeUndefined();
    const missing = await admin(kobza, `/admin/api/entries/${encodeURIComponent(entry.key)}/restore`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(404);
  });
});

describe('one client cannot quarantine alone', () => {
  it('counts 👎 from one address once, however many requests it made; a valid key is its own voter', async () => {
    const kobza = await startKobza(withFeedback);
    await ask(kobza);
    const hits: string[] = [];
    for (let i = 0; i < 4; i++) hits.push((await ask(kobza)).requestId);
    for (const requestId of hits.slice(0, 3)) {
      expect((await jsonOf(await rate(kobza, { requestId, rating: 'down' }))).cacheEntry).toMatchObject({ downs: 1, quarantined: false });
    }
    // A made-up bearer token is not a voter of its own when the server has no such key.
    expect((await jsonOf(await rate(kobza, { requestId: hits[3], rating: 'down' }, { authorization: 'Bearer made-up-1' }))).cacheEntry).toMatchObject({ downs: 1 });
    expect((await ask(kobza)).source).toBe('cache');
    const [entry] = (await jsonOf(await admin(kobza, '/admin/api/entries'))).entries;
    expect(entry).toMatchObject({ downs: 1, quarantined: false });
  });

  it('counts one address once even when each request names another conversation (x-kobza-conversation)', async () => {
    const kobza = await startKobza(withFeedback);
    await ask(kobza);
    const hits: string[] = [];
    for (let i = 0; i < 3; i++) {
      const hit = await ask(kobza, question, { 'x-kobza-conversation': `made-up-${i}` });
      expect(hit.source).toBe('cache');
      hits.push(hit.requestId);
    }
    for (const requestId of hits) {
      expect((await jsonOf(await rate(kobza, { requestId, rating: 'down' }))).cacheEntry).toMatchObject({ downs: 1, quarantined: false });
    }
    // The `user` field names a conversation too; it is not a voter either.
    const response = await fetch(`${kobza.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen2.5:7b', user: 'made-up-user', messages: [{ role: 'user', content: question }] }),
    });
    await response.json();
    expect((await jsonOf(await rate(kobza, { requestId: response.headers.get('x-request-id'), rating: 'down' }))).cacheEntry).toMatchObject({ downs: 1 });
    expect((await ask(kobza)).source).toBe('cache');
  });

  it('hashes what it counts: no API key is stored with the ratings', async () => {
    const kobza = await startKobza({ ...withFeedback, http: { adminKeys: [ADMIN], apiKeys: VOTERS } });
    await ask(kobza, question, as(0));
    const { requestId } = await ask(kobza, question, as(0));
    expect((await jsonOf(await rate(kobza, { requestId, rating: 'down' }, as(0)))).cacheEntry).toMatchObject({ downs: 1 });
    const cache = await kobza.kernel.resolve('SemanticCache').ready();
    const ratings = JSON.stringify(await cache.options.store.get('ratings'));
    expect(ratings).toMatch(/"key:[\w-]{16}"/);
    const feedback = JSON.stringify(await kobza.kernel.resolve('Feedback').latest());
    for (const text of [ratings, feedback]) expect(text).not.toContain(VOTERS[0]);
  });
});

describe('the console alias action', () => {
  it('teaches another wording of an entry through CacheModeration.alias', async () => {
    const kobza = await startKobza(withFeedback);
    await ask(kobza, 'Де знаходиться бібліотека?');
    const listed = await jsonOf(await admin(kobza, '/admin/api/entries'));
    expect(listed.alias).toBe(true);
    const key = listed.entries[0].key;
    const alias = (k: string, body: unknown) => admin(kobza, `/admin/api/entries/${encodeURIComponent(k)}/alias`, { method: 'POST', body: JSON.stringify(body) });
    const taught = await alias(key, { question: 'Де бібла, шоб книжку взяти?' });
    expect(taught.status).toBe(200);
    expect(await jsonOf(taught)).toEqual({ key, action: 'alias', done: true });
    const hit = await ask(kobza, 'Де бібла, шоб книжку взяти?');
    expect(hit.source).toBe('cache');
    expect((await alias(key, { question: '' })).status).toBe(400);
    expect((await alias('no-such-entry', { question: 'x' })).status).toBe(404);
  });
});

describe('the console knowledge search', () => {
  it('searches the knowledge base through KnowledgeSearch when the plugin is on, with an admin key', async () => {
    const kobza = await startKobza({ plugins: { knowledge: { sources: ['knowledge/faq.*.yaml', 'knowledge/pages/*.md'] } }, http: { adminKeys: [ADMIN] } });
    const found = await jsonOf(await admin(kobza, `/admin/api/knowledge?q=${encodeURIComponent('Чи є в університеті басейн?')}&limit=3`));
    expect(found.knowledge).toBe(true);
    expect(found.results.length).toBeGreaterThan(0);
    expect(found.results.length).toBeLessThanOrEqual(3);
    expect(found.results[0]).toMatchObject({ id: 'pool', kind: 'faq' });
    expect(found.results[0].text).toContain('басейн');
    expect(found.results[0].score).toBeGreaterThan(0);
    const scores = found.results.map((r: { score: number }) => r.score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    expect(await jsonOf(await admin(kobza, '/admin/api/knowledge?q='))).toEqual({ knowledge: true, results: [] });
    expect((await fetch(`${kobza.url}/admin/api/knowledge?q=x`)).status).toBe(401);
  });

  it('says so when the knowledge plugin is off', async () => {
    const kobza = await startKobza(withFeedback);
    expect(await jsonOf(await admin(kobza, '/admin/api/knowledge?q=басейн'))).toEqual({ knowledge: false, results: [] });
  });
});

describe('the pages', () => {
  it('serves the chat page to browsers at / and the plain line to API clients', async () => {
    const kobza = await startKobza(withFeedback);
    const page = await fetch(`${kobza.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    for (const id of ['question', 'send']) expect(html).toContain(`data-testid="${id}"`);
    expect(html).toContain('content="qwen2.5:7b"');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
    expect(await (await fetch(`${kobza.url}/`)).text()).toBe('Kobza is running');
  });

  it('keeps / plain with webChat: false, and the console off without adminKeys', async () => {
    const kobza = await startKobza({ plugins: { feedback: {} }, http: { webChat: false } });
    expect(await (await fetch(`${kobza.url}/`, { headers: { accept: 'text/html' } })).text()).toBe('Kobza is running');
    expect((await fetch(`${kobza.url}/admin`)).status).toBe(404);
    expect((await fetch(`${kobza.url}/admin/api/entries`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(404);
  });

  it('wants an admin key for the console routes — a chat API key is not one', async () => {
    const key = 'chat-key-12345678';
    const kobza = await startKobza({ ...withFeedback, http: { apiKeys: [key], adminKeys: [ADMIN] } });
    expect((await fetch(`${kobza.url}/admin`)).status).toBe(200);
    expect((await fetch(`${kobza.url}/admin/api/entries`)).status).toBe(401);
    expect((await fetch(`${kobza.url}/admin/api/entries`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    const ok = await admin(kobza, '/admin/api/stats');
    expect(ok.status).toBe(200);
    expect(await jsonOf(ok)).toMatchObject({ requests: 0, cacheHits: 0, errors: 0 });
  });
});
