/**
 * The HTTP adapter in front of the rest of the pipeline: semantic-cache hits on repeats
 * (`x-kobza-source: cache`, the upstream not called again), the cache bypass header, a
 * disconnect that leaves nothing in the cache, and ranking forced on by header (several
 * drafts upstream, `x-kobza-source: ranking`, candidates counted in /metrics).
 */
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startKobza, stopKobzas } from './helpers.js';

afterEach(stopKobzas);

const question = 'Коли починається вступна кампанія на бакалаврат?';
const longQuestion = `${question} ${Array.from({ length: 40 }, (_, i) => `слово${i}`).join(' ')}`;

describe('semantic cache', () => {
  it('answers a repeat from the cache through both APIs, streaming or not, without calling the upstream', async () => {
    const kobza = await startKobza({ plugins: { 'semantic-cache': {} } });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const first = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }).withResponse();
    expect(first.response.headers.get('x-kobza-source')).toBe('provider');
    expect(kobza.ollama.count('/api/chat')).toBe(1);

    const again = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }).withResponse();
    expect(again.response.headers.get('x-kobza-source')).toBe('cache');
    expect(again.data.choices[0].message.content).toBe(first.data.choices[0].message.content);

    const streamed = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }], stream: true }).withResponse();
    expect(streamed.response.headers.get('x-kobza-source')).toBe('cache');
    let text = '';
    for await (const chunk of streamed.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(first.data.choices[0].message.content);

    const parts: string[] = [];
    let last: { done: boolean; eval_count?: number } | undefined;
    for await (const part of await new Ollama({ host: kobza.url }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }], stream: true })) {
      parts.push(part.message.content);
      last = part;
    }
    expect(parts.join('')).toBe(first.data.choices[0].message.content);
    expect(last).toMatchObject({ done: true });
    expect(last!.eval_count).toBeGreaterThan(0);
    expect(kobza.ollama.count('/api/chat')).toBe(1);

    const metrics = await (await fetch(`${kobza.url}/metrics`)).text();
    expect(metrics).toMatch(/kobza_cache_hits_total\{kind="exact"\} 3/);
    expect(metrics).toMatch(/kobza_cache_misses_total\{reason="[^"]+"\} 1/);
    expect(metrics).toMatch(/kobza_ttft_seconds_count\{source="cache"\} 3/);
  });

  it('asks the upstream again when x-kobza-cache is off', async () => {
    const kobza = await startKobza({ plugins: { 'semantic-cache': {} } });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] });
    const bypass = await openai.chat.completions
      .create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }, { headers: { 'x-kobza-cache': 'off' } })
      .withResponse();
    expect(bypass.response.headers.get('x-kobza-source')).toBe('provider');
    expect(kobza.ollama.count('/api/chat')).toBe(2);
  });

  it('caches nothing from a stream the client abandoned', async () => {
    const kobza = await startKobza({ plugins: { 'semantic-cache': {} }, standIn: { tokenDelayMs: 20 } });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const stream = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: longQuestion }], stream: true });
    let received = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content && ++received === 3) break;
    }
    await eventually(() => kobza.ollama.calls.some((c) => c.clientClosed));
    await eventually(() => kobza.kernel.inFlight === 0);

    kobza.ollama.set({ tokenDelayMs: 0 });
    const repeat = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: longQuestion }] }).withResponse();
    expect(repeat.response.headers.get('x-kobza-source')).toBe('provider');
    expect(kobza.ollama.count('/api/chat')).toBe(2);
    const cached = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: longQuestion }] }).withResponse();
    expect(cached.response.headers.get('x-kobza-source')).toBe('cache');
    expect(cached.data.choices[0].message.content).toBe(`Answer to: ${longQuestion}`);
  });
});

describe('ranking', () => {
  it('ranks a request whose x-kobza-ranking header is on, streaming or not, and leaves others alone', async () => {
    const kobza = await startKobza({ plugins: { 'parallel-ranking': { when: 'never', candidates: 3 } } });
    const client = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });

    const { data, response } = await client.chat.completions
      .create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Які документи потрібні для вступу?' }] }, { headers: { 'x-kobza-ranking': 'on' } })
      .withResponse();
    expect(response.headers.get('x-kobza-source')).toBe('ranking');
    expect(kobza.ollama.count('/api/chat')).toBe(3);
    const drafts = kobza.ollama.calls.filter((c) => c.path === '/api/chat').map((c) => c.body.options.temperature);
    expect(new Set(drafts).size).toBe(3);
    expect(data.choices[0].message.content).toMatch(/^Answer to: Які документи потрібні для вступу\?/);

    const parts: string[] = [];
    const stream = await new Ollama({ host: kobza.url, headers: { 'x-kobza-ranking': 'on' } }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Скільки коштує навчання?' }], stream: true });
    let last: { done: boolean; done_reason?: string } | undefined;
    for await (const part of stream) {
      parts.push(part.message.content);
      last = part;
    }
    expect(parts.join('')).toMatch(/^Answer to: Скільки коштує навчання\?/);
    expect(last).toMatchObject({ done: true });
    expect(kobza.ollama.count('/api/chat')).toBe(6);

    const plain = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Привіт' }] }).withResponse();
    expect(plain.response.headers.get('x-kobza-source')).toBe('provider');
    expect(kobza.ollama.count('/api/chat')).toBe(7);

    const metrics = await (await fetch(`${kobza.url}/metrics`)).text();
    const candidates = [...metrics.matchAll(/^kobza_ranking_candidates_total\{outcome="\w+"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(candidates).toBe(6);
    expect(metrics).toMatch(/kobza_request_duration_seconds_count\{source="ranking"\} 2/);
  });
});
