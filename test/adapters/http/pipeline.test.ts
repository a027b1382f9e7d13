/**
 * The HTTP adapter in front of the rest of the pipeline: ranking forced on by header
 * (several drafts upstream, `x-kobza-source: ranking`, candidates counted in /metrics).
 */
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas } from './helpers.js';

afterEach(stopKobzas);

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
