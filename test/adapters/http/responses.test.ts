/**
 * `POST /v1/responses` driven by the official `openai` client against a live Kobza with the
 * Ollama stand-in: `responses.create` streamed and not, the `responses.stream` helper, the
 * documented event order, input as a string or messages, instructions, max_output_tokens,
 * the pipeline (cache, ranking), and refusals in OpenAI's error shape.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedReply } from '../../servers/ollama.js';
import { startKobza, stopKobzas, type LiveKobza } from './helpers.js';

afterEach(stopKobzas);

const clientFor = (kobza: LiveKobza) => new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
const upstreamBodies = (kobza: LiveKobza) => kobza.ollama.calls.filter((c) => c.path === '/api/chat').map((c) => c.body);

describe('POST /v1/responses', () => {
  it('answers a string input with instructions as one response object', async () => {
    const kobza = await startKobza();
    const { data: response, response: http } = await clientFor(kobza)
      .responses.create({ model: 'qwen2.5:7b', input: 'Коли закінчується прийом документів?', instructions: 'Відповідай коротко.', temperature: 0.3, max_output_tokens: 200 })
      .withResponse();
    const [upstream] = upstreamBodies(kobza);
    expect(upstream.messages).toEqual([
      { role: 'system', content: 'Відповідай коротко.' },
      { role: 'user', content: 'Коли закінчується прийом документів?' },
    ]);
    expect(upstream.options).toMatchObject({ temperature: 0.3, num_predict: 200 });
    expect(http.headers.get('x-kobza-source')).toBe('provider');
    expect(response).toMatchObject({ object: 'response', status: 'completed', model: 'qwen2.5:7b', instructions: 'Відповідай коротко.', max_output_tokens: 200, error: null, incomplete_details: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe(expectedReply(upstream).text);
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: response.output_text, annotations: [] }] });
    expect(response.usage?.output_tokens).toBe(expectedReply(upstream).tokens.length);
    expect(response.usage?.total_tokens).toBe(response.usage!.input_tokens + response.usage!.output_tokens);
  });

  it('takes messages (developer, earlier turns, input_text parts) and reports a cut answer as incomplete', async () => {
    const kobza = await startKobza();
    const response = await clientFor(kobza).responses.create({
      model: 'qwen2.5:7b',
      input: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { type: 'message', role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'input_text', text: 'What is the tuition fee for the bachelor programme?' }] },
      ],
      max_output_tokens: 3,
    });
    const [upstream] = upstreamBodies(kobza);
    expect(upstream.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'What is the tuition fee for the bachelor programme?' },
    ]);
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.output_text).toBe(expectedReply(upstream).text);
    expect(expectedReply(upstream).doneReason).toBe('length');
  });

  it('streams the documented events in order', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 1 } });
    const stream = await clientFor(kobza).responses.create({ model: 'qwen2.5:7b', input: 'Скільки місць у гуртожитку?', stream: true });
    const events: { type: string; sequence_number: number; delta?: string; text?: string; response?: { status: string; output: { content: { text: string }[] }[] } }[] = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    const text = expectedReply(upstreamBodies(kobza)[0]).text;
    const types = events.map((e) => e.type);
    const deltas = types.filter((t) => t === 'response.output_text.delta').length;
    expect(deltas).toBeGreaterThan(1);
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array.from({ length: deltas }, () => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.delta !== undefined).map((e) => e.delta).join('')).toBe(text);
    expect(events.find((e) => e.type === 'response.output_text.done')?.text).toBe(text);
    expect(events[0].response?.status).toBe('in_progress');
    const completed = events.at(-1)!.response!;
    expect(completed.status).toBe('completed');
    expect(completed.output[0].content[0].text).toBe(text);
  });

  it('serves the responses.stream helper: text deltas and finalResponse().output_text', async () => {
    const kobza = await startKobza();
    const runner = clientFor(kobza).responses.stream({ model: 'qwen2.5:7b', input: [{ role: 'user', content: 'Де знаходиться приймальна комісія?' }] });
    const deltas: string[] = [];
    runner.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await runner.finalResponse();
    const text = expectedReply(upstreamBodies(kobza)[0]).text;
    expect(final.output_text).toBe(text);
    expect(final.status).toBe('completed');
    expect(deltas.join('')).toBe(text);
  });

  it('goes through the pipeline: a repeat comes from the cache, ranking shows its header', async () => {
    const kobza = await startKobza({ plugins: { 'semantic-cache': {}, 'parallel-ranking': { when: 'never', candidates: 2 } } });
    const client = clientFor(kobza);
    const question = 'Які документи потрібні для вступу на бакалаврат?';
    const first = await client.responses.create({ model: 'qwen2.5:7b', input: question }).withResponse();
    expect(first.response.headers.get('x-kobza-source')).toBe('provider');
    const again = await client.responses.create({ model: 'qwen2.5:7b', input: question, stream: true }).withResponse();
    expect(again.response.headers.get('x-kobza-source')).toBe('cache');
    let replayed = '';
    for await (const event of again.data) if (event.type === 'response.output_text.delta') replayed += event.delta;
    expect(replayed).toBe(first.data.output_text);
    expect(kobza.ollama.count('/api/chat')).toBe(1);

    const ranked = await client.responses.create({ model: 'qwen2.5:7b', input: 'Скільки коштує навчання на магістратурі?' }, { headers: { 'x-kobza-ranking': 'on' } }).withResponse();
    expect(ranked.response.headers.get('x-kobza-source')).toBe('ranking');
    expect(ranked.response.headers.get('x-kobza-ranking')).toMatch(/^winner=[01]; score=/);
    expect((ranked.data as unknown as { ranking: { candidates: unknown[] } }).ranking.candidates).toHaveLength(2);
    expect(kobza.ollama.count('/api/chat')).toBe(3);
  });

  it('refuses tools, stored conversations and tool items with a 400 naming the field; upstream errors keep their status', async () => {
    const kobza = await startKobza({ standIn: { models: ['qwen2.5:7b'] } });
    const client = clientFor(kobza);
    const tools = await client.responses
      .create({ model: 'qwen2.5:7b', input: 'weather?', tools: [{ type: 'function', name: 'weather', parameters: { type: 'object', properties: {} }, strict: true }] })
      .catch((err: unknown) => err);
    expect(tools).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tools).toMatchObject({ code: 'BAD_REQUEST', param: 'tools' });
    await expect(client.responses.create({ model: 'qwen2.5:7b', input: 'hi', previous_response_id: 'resp_1' })).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    await expect(client.responses.create({ model: 'qwen2.5:7b', input: [{ type: 'function_call_output', call_id: 'c1', output: '{}' }] })).rejects.toMatchObject({ status: 400, param: 'input[0].type' });
    await expect(client.responses.create({ model: 'llama-missing', input: 'hi' })).rejects.toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND' });
    expect(kobza.ollama.count('/api/chat')).toBe(1);
  });

  it('ends a stream that fails mid-way with an error event the stream helper rejects with', async () => {
    const kobza = await startKobza({ standIn: { fault: 'error-mid-stream', faultAfterTokens: 2 } });
    const client = clientFor(kobza);
    const stream = await client.responses.create({ model: 'qwen2.5:7b', input: 'Скільки триває навчання?', stream: true });
    const events: { type: string; code?: string; message?: string }[] = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.delta', 'error']);
    expect(events.at(-1)).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE', message: expect.stringContaining('mid-stream') });
    const failure = await client.responses.stream({ model: 'qwen2.5:7b', input: 'Скільки триває навчання?' }).finalResponse().catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    await kobza.ollama.idle();
    expect(kobza.kernel.inFlight).toBe(0);
  });
});
