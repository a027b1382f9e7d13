/**
 * The Ollama-compatible API driven by the real `ollama` client against a live Kobza with
 * the Ollama stand-in upstream: NDJSON streaming by default, `stream: false`, the final
 * chunk's counts and durations, generate, tags/show/version, embeddings, refusals and
 * upstream failures in Ollama's error shape.
 */
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { OLLAMA_API_VERSION } from '../../../adapters/http/index.js';
import { expectedReply, standInEmbedding } from '../../servers/ollama.js';
import { startKobza, stopKobzas, type LiveKobza, jsonOf } from './helpers.js';

afterEach(stopKobzas);

const clientFor = (kobza: LiveKobza, headers: Record<string, string> = {}) => new Ollama({ host: kobza.url, headers });
const ask = (content: string) => [{ role: 'user' as const, content }];

describe('POST /api/chat', () => {
  it('streams NDJSON by default; the last chunk carries done, done_reason, counts and durations', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 2 } });
    const stream = await clientFor(kobza).chat({ model: 'qwen2.5:7b', messages: ask('скільки коштує навчання'), stream: true });
    const parts: Awaited<ReturnType<Ollama['chat']>>[] = [];
    for await (const part of stream) parts.push(part);
    const text = parts.map((p) => p.message.content).join('');
    const upstreamBody = kobza.ollama.calls.find((c) => c.path === '/api/chat')!.body;
    expect(text).toBe(expectedReply(upstreamBody).text);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.slice(0, -1).every((p) => p.done === false)).toBe(true);
    const last = parts[parts.length - 1];
    expect(last).toMatchObject({ done: true, done_reason: 'stop', model: 'qwen2.5:7b' });
    expect(last.eval_count).toBe(expectedReply(upstreamBody).tokens.length);
    expect(last.prompt_eval_count).toBeGreaterThan(0);
    // Durations are the upstream's own (nanoseconds), passed through from the reply meta.
    expect(last.load_duration).toBe(500_000);
    expect(last.prompt_eval_duration).toBe(1_000_000);
    expect(last.total_duration).toBeGreaterThan(last.eval_duration);
  });

  it('answers with one object when stream is false', async () => {
    const kobza = await startKobza();
    const response = await clientFor(kobza).chat({ model: 'qwen2.5:7b', messages: ask('hello world'), stream: false, options: { temperature: 0.4, seed: 3, num_predict: 3, top_k: 20, num_gpu: 1 }, keep_alive: '1m' });
    expect(response).toMatchObject({ done: true, done_reason: 'length', message: { role: 'assistant', content: 'Answer to: hello ' } });
    expect(response.eval_count).toBe(3);
    const sent = kobza.ollama.calls.find((c) => c.path === '/api/chat')!.body;
    expect(sent.options).toMatchObject({ temperature: 0.4, seed: 3, num_predict: 3, top_k: 20 });
    expect(sent.options.num_gpu).toBeUndefined();
    expect(sent.keep_alive).toBe('1m');
    expect(kobza.seen[0].stream).toBe(false);
    expect(kobza.seen[0].metadata).toMatchObject({ adapter: 'http', api: 'ollama' });
  });

  it('sends raw NDJSON with the Kobza headers', async () => {
    const kobza = await startKobza();
    const res = await fetch(`${kobza.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', messages: ask('a b c') }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('x-kobza-source')).toBe('provider');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const lines = (await res.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.at(-1).done).toBe(true);
    expect(lines.slice(0, -1).map((l) => l.message.content).join('')).toBe('Answer to: a b c');
  });

  it('treats a request without messages as a model load, like Ollama, without calling the model', async () => {
    const kobza = await startKobza();
    const res = await clientFor(kobza).chat({ model: 'qwen2.5:7b', messages: [], stream: false });
    expect(res).toMatchObject({ done: true, done_reason: 'load' });
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });

  it.each([
    [{ tools: [{ type: 'code_interpreter', function: { name: 'f' } }] }, 'tools[0].type'],
    [{ tools: [{ type: 'function' }] }, 'tools[0].function'],
    [{ think: true }, 'think'],
    [{ options: { temperature: 'warm' } }, 'options.temperature'],
    [{ options: { num_ctx: 0 } }, 'options.num_ctx'],
    [{ messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: 'x', images: 'abc' }] }, 'messages[0].images'],
    [{ format: 'yaml' }, 'format'],
    [{ model: 5 }, 'model'],
  ])('refuses %j with a 400 naming %s', async (patch, param) => {
    const kobza = await startKobza();
    const res = await fetch(`${kobza.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', messages: ask('hi'), ...patch }) });
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.error).toMatch(new RegExp(`^${param.replace(/[[\].]/g, '\\$&')}: expected`));
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });

  it('maps an unknown model to 404 and an upstream 500 to 502, as ResponseError', async () => {
    const kobza = await startKobza({ standIn: { models: ['qwen2.5:7b'] } });
    const client = clientFor(kobza);
    const missing = await client.chat({ model: 'ghost:1b', messages: ask('hi') }).catch((err: unknown) => err);
    expect(missing).toMatchObject({ name: 'ResponseError', status_code: 404 });
    expect((missing as Error).message).toContain('ghost:1b');
    kobza.ollama.set({ fault: 'http500' });
    const broken = await client.chat({ model: 'qwen2.5:7b', messages: ask('hi'), stream: true }).catch((err: unknown) => err);
    expect(broken).toMatchObject({ name: 'ResponseError', status_code: 502 });
  });

  it('ends a stream that fails mid-way with an error line the client throws on', async () => {
    const kobza = await startKobza({ standIn: { fault: 'cut', faultAfterTokens: 2 } });
    const stream = await clientFor(kobza).chat({ model: 'qwen2.5:7b', messages: ask('one two three four'), stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const part of stream) received.push(part.message.content);
    })().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/mid-stream|connection/i);
    expect(received.join('')).toBe('Answer to: ');
  });
});

describe('POST /api/generate', () => {
  it('streams a prompt with a system message and answers non-streaming too', async () => {
    const kobza = await startKobza();
    const client = clientFor(kobza);
    const parts: string[] = [];
    let last: Awaited<ReturnType<Ollama['generate']>> | undefined;
    for await (const part of await client.generate({ model: 'qwen2.5:7b', prompt: 'what is Kobza', system: 'Answer in one line.', stream: true })) {
      parts.push(part.response ?? '');
      last = part;
    }
    expect(parts.join('')).toBe('Answer to: what is Kobza');
    expect(last).toMatchObject({ done: true, done_reason: 'stop' });
    const sent = kobza.ollama.calls.find((c) => c.path === '/api/chat')!.body;
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Answer in one line.' },
      { role: 'user', content: 'what is Kobza' },
    ]);
    const whole = await client.generate({ model: 'qwen2.5:7b', prompt: 'second', stream: false });
    expect(whole).toMatchObject({ response: 'Answer to: second', done: true });
  });

  it('answers an empty prompt as a load and refuses raw, suffix and template', async () => {
    const kobza = await startKobza();
    const load = await clientFor(kobza).generate({ model: 'qwen2.5:7b', prompt: '' });
    expect(load).toMatchObject({ done: true, done_reason: 'load' });
    for (const [patch, param] of [
      [{ raw: true }, 'raw'],
      [{ suffix: 'def' }, 'suffix'],
      [{ template: '{{ .Prompt }}' }, 'template'],
      [{ context: [1, 2] }, 'context'],
    ] as const) {
      const res = await fetch(`${kobza.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', prompt: 'x', ...patch }) });
      expect(res.status).toBe(400);
      expect((await jsonOf(res)).error).toMatch(new RegExp(`^${param}: expected`));
    }
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });
});

describe('GET /api/tags, POST /api/show, GET /api/version, POST /api/embed', () => {
  it('lists and shows the upstream models and reports the API version', async () => {
    const kobza = await startKobza({ standIn: { models: ['qwen2.5:7b', 'llama3.2'] } });
    const client = clientFor(kobza);
    const { models } = await client.list();
    expect(models.map((m) => m.name)).toEqual(['qwen2.5:7b', 'llama3.2:latest']);
    expect(models[0].details).toMatchObject({ family: 'qwen2', quantization_level: 'Q4_K_M' });
    const shown = await client.show({ model: 'llama3.2' });
    expect(shown.details).toMatchObject({ family: 'qwen2' });
    const missing = await client.show({ model: 'ghost' }).catch((err: unknown) => err);
    expect(missing).toMatchObject({ status_code: 404 });
    expect(await client.version()).toEqual({ version: OLLAMA_API_VERSION });
    expect(await client.ps()).toEqual({ models: [] });
  });

  it('embeds through the provider', async () => {
    const kobza = await startKobza();
    const result = await clientFor(kobza).embed({ model: 'nomic-embed-text', input: ['перший', 'другий'] });
    expect(result.embeddings).toEqual([standInEmbedding('перший'), standInEmbedding('другий')]);
    expect(result.model).toBe('nomic-embed-text');
    const res = await fetch(`${kobza.url}/api/embed`, { method: 'POST', body: JSON.stringify({ model: 'x', input: 42 }) });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatch(/^input: expected/);
  });
});
