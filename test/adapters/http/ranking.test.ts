/**
 * Ranking visible to clients: a ranked answer carries `x-kobza-ranking` (winner, score,
 * reason) streamed or not, through both APIs and behind the streaming plugin, and
 * non-streamed JSON bodies carry every draft's scores; an answer that was not ranked
 * carries neither.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf, startKobza, stopKobzas } from './helpers.js';

afterEach(stopKobzas);

const question = 'Які документи потрібні для вступу на магістратуру?';

function parseRankingHeader(value: string | null): { winner: number; score: number; reason: string } {
  expect(value).toMatch(/^winner=\d+; score=[\d.]+; reason=\S+$/);
  const fields = Object.fromEntries(value!.split('; ').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { winner: Number(fields.winner), score: Number(fields.score), reason: decodeURIComponent(fields.reason) };
}

describe('x-kobza-ranking and the ranking field', () => {
  it('shows the winner, its reason and every draft\'s scores (OpenAI API, not streamed)', async () => {
    const kobza = await startKobza({ plugins: { streaming: {}, 'parallel-ranking': { when: 'never', candidates: 3 } } });
    const client = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }, { headers: { 'x-kobza-ranking': 'on' } }).withResponse();
    expect(response.headers.get('x-kobza-source')).toBe('ranking');
    const header = parseRankingHeader(response.headers.get('x-kobza-ranking'));
    expect(header.reason).toContain(`#${header.winner}`);

    const ranking = (data as unknown as { ranking: { winner: number; score: number; reason: string; policy: string; candidates: { index: number; status: string; score: number; scores: Record<string, number> }[] } }).ranking;
    expect(ranking.winner).toBe(header.winner);
    expect(ranking.score).toBe(header.score);
    expect(ranking.reason).toBe(header.reason);
    expect(ranking.policy).toMatch(/header|request/);
    expect(ranking.candidates.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(ranking.candidates.every((c) => c.status === 'done' && c.score >= 0 && c.score <= 1)).toBe(true);
    expect(Object.keys(ranking.candidates[0].scores)).toEqual(expect.arrayContaining(['language', 'repetition', 'length']));
    const best = Math.max(...ranking.candidates.map((c) => c.score));
    expect(ranking.candidates.find((c) => c.index === ranking.winner)!.score).toBe(best);
    // The winner's text is the draft that won: the stand-in's drafts differ by seed and temperature.
    const winnerDraft = kobza.ollama.calls.filter((c) => c.path === '/api/chat')[ranking.winner].body.options;
    expect(data.choices[0].message.content).toBe(`Answer to: ${question} (variant ${winnerDraft.seed ?? 0}@${winnerDraft.temperature})`);
  });

  it('sends the header before a streamed answer (OpenAI SSE and Ollama NDJSON), with no scores in the stream', async () => {
    const kobza = await startKobza({ plugins: { streaming: {}, 'parallel-ranking': { when: 'never', candidates: 2 } } });
    const sse = await fetch(`${kobza.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kobza-ranking': 'on' },
      body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }], stream: true }),
    });
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(parseRankingHeader(sse.headers.get('x-kobza-ranking')).winner).toBeLessThan(2);
    expect(await sse.text()).toMatch(/data: \[DONE\]\n\n$/);

    const ndjson = await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { 'x-kobza-ranking': 'on' }, body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }) });
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    parseRankingHeader(ndjson.headers.get('x-kobza-ranking'));
    const lines = (await ndjson.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ done: true });
    expect(lines.at(-1).ranking).toBeUndefined();

    const ollamaJson = await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { 'x-kobza-ranking': 'on' }, body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }], stream: false }) });
    const body = await jsonOf(ollamaJson);
    expect(body.ranking.candidates).toHaveLength(2);
    expect(body.ranking.winner).toBe(parseRankingHeader(ollamaJson.headers.get('x-kobza-ranking')).winner);
  });

  it('leaves answers that were not ranked without either', async () => {
    const kobza = await startKobza({ plugins: { 'parallel-ranking': { when: 'never' } } });
    const res = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }) });
    expect(res.headers.get('x-kobza-source')).toBe('provider');
    expect(res.headers.get('x-kobza-ranking')).toBeNull();
    expect(await jsonOf(res)).not.toHaveProperty('ranking');
  });
});
