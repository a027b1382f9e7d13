/**
 * The Ollama stand-in itself, driven by the real `ollama` npm client: the wire shapes,
 * the queueing, `num_predict`/`stop`, and each fault as a client sees it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Ollama } from 'ollama';
import { defaultReply, expectedReply, standInEmbedding, startOllamaStandIn, type OllamaStandIn } from './ollama.js';

let standIn: OllamaStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const ask = (content: string, options: Record<string, unknown> = {}) => ({ model: 'qwen2.5:7b', messages: [{ role: 'user', content }], options });

async function readStream(client: Ollama, body: ReturnType<typeof ask>) {
  const parts: any[] = [];
  for await (const part of await client.chat({ ...body, stream: true })) parts.push(part);
  return parts;
}

describe('ollama stand-in', () => {
  it('streams /api/chat as NDJSON ending with done and Ollama-shaped stats', async () => {
    standIn = await startOllamaStandIn();
    const client = new Ollama({ host: standIn.url });
    const parts = await readStream(client, ask('Коли вступ?'));
    const text = parts.map((p) => p.message.content).join('');
    expect(text).toBe('Answer to: Коли вступ?');
    const last = parts.at(-1);
    expect(last.done).toBe(true);
    expect(last.done_reason).toBe('stop');
    expect(last.eval_count).toBe(parts.length - 1);
    for (const key of ['total_duration', 'load_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_duration']) expect(typeof last[key]).toBe('number');
    expect(standIn.count('/api/chat')).toBe(1);
    expect(standIn.calls[0].body.messages[0].content).toBe('Коли вступ?');
  });

  it('answers stream:false with one object and /api/generate with `response`', async () => {
    standIn = await startOllamaStandIn();
    const client = new Ollama({ host: standIn.url });
    const whole = await client.chat({ ...ask('Hi'), stream: false });
    expect(whole.message.content).toBe('Answer to: Hi');
    expect(whole.done).toBe(true);
    const generated = await client.generate({ model: 'qwen2.5:7b', prompt: 'Hey', stream: false });
    expect(generated.response).toBe('Answer to: Hey');
  });

  it('varies the answer with seed and temperature, and honours num_predict and stop', async () => {
    standIn = await startOllamaStandIn();
    const client = new Ollama({ host: standIn.url });
    const a = await client.chat({ ...ask('Q', { temperature: 0.7, seed: 1 }), stream: false });
    const b = await client.chat({ ...ask('Q', { temperature: 0.7, seed: 2 }), stream: false });
    expect(a.message.content).toBe(defaultReply({ body: ask('Q', { temperature: 0.7, seed: 1 }) }));
    expect(a.message.content).not.toBe(b.message.content);
    const cut = await client.chat({ ...ask('one two three four', { num_predict: 2 }), stream: false });
    expect(cut.message.content).toBe('Answer to: ');
    expect(cut.done_reason).toBe('length');
    expect(cut.eval_count).toBe(2);
    const stopped = expectedReply(ask('alpha beta', { stop: ['beta'] }));
    expect(stopped.text).toBe('Answer to: alpha ');
  });

  it('queues generations beyond `parallel`', async () => {
    standIn = await startOllamaStandIn({ parallel: 2, tokenDelayMs: 5 });
    const client = new Ollama({ host: standIn.url });
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.chat({ ...ask(`q${i} a b c`), stream: false })));
    expect(standIn.maxActive).toBe(2);
    expect(standIn.count('/api/chat')).toBe(5);
  });

  it('lists models, reports its version, embeds deterministically and 404s unknown models', async () => {
    standIn = await startOllamaStandIn({ models: ['qwen2.5:7b', 'nomic-embed-text'] });
    const client = new Ollama({ host: standIn.url });
    const tags = await client.list();
    expect(tags.models.map((m) => m.name)).toEqual(['qwen2.5:7b', 'nomic-embed-text:latest']);
    expect((await client.version()).version).toBe('0.6.5');
    const embedded = await client.embed({ model: 'nomic-embed-text', input: ['a b', 'a b'] });
    expect(embedded.embeddings[0]).toEqual(standInEmbedding('a b'));
    expect(Math.hypot(...embedded.embeddings[0])).toBeCloseTo(1, 6);
    await expect(client.chat({ ...ask('x'), model: 'llama3', stream: false })).rejects.toMatchObject({ status_code: 404, error: 'model "llama3" not found, try pulling it first' });
    await expect(client.show({ model: 'nomic-embed-text' })).resolves.toHaveProperty('details');
  });

  it('fails in each scripted way', async () => {
    standIn = await startOllamaStandIn({ faultAfterTokens: 1 });
    const client = new Ollama({ host: standIn.url });
    standIn.set({ fault: 'http500' });
    await expect(client.chat({ ...ask('x'), stream: false })).rejects.toMatchObject({ status_code: 500 });
    standIn.set({ fault: 'error-mid-stream' });
    await expect(readStream(client, ask('a b c'))).rejects.toThrow(/unexpected EOF/);
    // The ollama client skips lines that are not JSON (with a console warning), so read raw.
    standIn.set({ fault: 'garbage' });
    const raw = await (await fetch(`${standIn.url}/api/chat`, { method: 'POST', body: JSON.stringify(ask('a b c')) })).text();
    const lines = raw.trim().split('\n');
    expect(lines[1]).toBe('<html>502 Bad Gateway</html>');
    expect(JSON.parse(lines.at(-1)!).done).toBe(true);
    standIn.set({ fault: 'cut' });
    await expect(readStream(client, ask('a b c'))).rejects.toThrow();
    standIn.set({ fault: 'no-done' });
    await expect(readStream(client, ask('a b c'))).rejects.toThrow(/Did not receive done/);
    standIn.set({ fault: (req) => (req.index === 5 ? 'http500' : undefined) });
    await expect(client.chat({ ...ask('x'), stream: false })).rejects.toMatchObject({ status_code: 500 });
    await expect(client.chat({ ...ask('x'), stream: false })).resolves.toHaveProperty('done', true);
  });

  it('notices when a client goes away mid-stream or while hanging', async () => {
    standIn = await startOllamaStandIn({ tokenDelayMs: 20 });
    const client = new Ollama({ host: standIn.url });
    const stream = await client.chat({ ...ask('one two three four five six seven'), stream: true });
    for await (const _part of stream) {
      stream.abort();
      break;
    }
    await standIn.idle();
    expect(standIn.calls[0].clientClosed).toBe(true);
    expect(standIn.active).toBe(0);

    standIn.set({ fault: 'hang' });
    const controller = new AbortController();
    const hanging = new Ollama({ host: standIn.url, fetch: (input, init) => fetch(input, { ...init, signal: controller.signal }) });
    const pending = hanging.chat({ ...ask('x'), stream: false });
    await expect.poll(() => standIn!.openResponses).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await standIn.idle();
    expect(standIn.calls[1].clientClosed).toBe(true);
  });
});

describe('ollama stand-in: tool calls', () => {
  const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

  it('answers a weather question with a get_weather call in Ollama’s format, streamed and not', async () => {
    standIn = await startOllamaStandIn();
    const client = new Ollama({ host: standIn.url });
    const body = { model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'What is the weather in Kyiv?' }], tools: [weather] };
    const whole = await client.chat({ ...body, stream: false });
    expect(whole.message).toEqual({ role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Kyiv' } } }] });
    expect(whole).toMatchObject({ done: true, done_reason: 'stop' });
    const parts: any[] = [];
    for await (const part of await client.chat({ ...body, stream: true })) parts.push(part);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatchObject({ done: false, message: { content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Kyiv' } } }] } });
    expect(parts[1]).toMatchObject({ done: true, message: { content: '' } });
  });

  it('answers with text without a matching tool, and quotes a tool result', async () => {
    standIn = await startOllamaStandIn();
    const client = new Ollama({ host: standIn.url });
    const other = await client.chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'What is the weather in Kyiv?' }], tools: [{ ...weather, function: { name: 'get_time' } }], stream: false });
    expect(other.message).toEqual({ role: 'assistant', content: 'Answer to: What is the weather in Kyiv?' });
    const after = await client.chat({
      model: 'qwen2.5:7b',
      messages: [
        { role: 'user', content: 'What is the weather in Kyiv?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Kyiv' } } }] },
        { role: 'tool', content: '12 °C', tool_name: 'get_weather' },
      ],
      tools: [weather],
      stream: false,
    });
    expect(after.message.content).toBe('Answer to: What is the weather in Kyiv? [tool: 12 °C]');
    expect(defaultReply({ body: { messages: [{ role: 'user', content: 'Hi' }, { role: 'tool', content: 'x' }] } })).toBe('Answer to: Hi [tool: x]');
  });
});
