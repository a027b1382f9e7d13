/**
 * The OpenAI-compatible API driven by the real `openai` client against a live Kobza with
 * the Ollama stand-in upstream: streaming and not, usage, parameter mapping, refusals with
 * 400s naming the field, upstream failures mapped to statuses, models and embeddings.
 */
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedReply, standInEmbedding } from '../../servers/ollama.js';
import { startKobza, stopKobzas, type LiveKobza } from './helpers.js';

afterEach(stopKobzas);

function clientFor(kobza: LiveKobza, apiKey = 'unused'): OpenAI {
  return new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey, maxRetries: 0, timeout: 10_000 });
}

const ask = (content: string) => [{ role: 'user' as const, content }];

describe('POST /v1/chat/completions', () => {
  it('answers without streaming: one completion object with usage and Kobza headers', async () => {
    const kobza = await startKobza();
    const client = clientFor(kobza);
    const { data, response } = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('Коли вступна кампанія?') }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0].message).toMatchObject({ role: 'assistant', content: 'Answer to: Коли вступна кампанія?' });
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage!.completion_tokens).toBe(expectedReply(kobza.ollama.calls[0].body).tokens.length);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    expect(response.headers.get('x-kobza-source')).toBe('provider');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.id).toBe(`chatcmpl-${response.headers.get('x-request-id')}`);
    expect(kobza.ollama.count('/api/chat')).toBe(1);
    expect(kobza.ollama.calls[0].body.stream).toBe(true);
  });

  it('writes the whole completion object, in OpenAI’s field order, as JSON', async () => {
    const kobza = await startKobza();
    const res = await fetch(`${kobza.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen2.5:7b', messages: ask('"лапки" і \\ та \n рядок') }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const raw = await res.text();
    const data = JSON.parse(raw);
    expect(raw).toBe(JSON.stringify(data));
    expect(data).toEqual({
      id: `chatcmpl-${res.headers.get('x-request-id')}`,
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'qwen2.5:7b',
      system_fingerprint: 'kobza',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Answer to: "лапки" і \\ та \n рядок', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    });
    expect(Object.keys(data)).toEqual(['id', 'object', 'created', 'model', 'system_fingerprint', 'choices', 'usage']);
    expect(Number.isInteger(data.created)).toBe(true);
  });

  it('streams SSE chunks that add up to the answer, with usage when asked', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 2 } });
    const client = clientFor(kobza);
    const stream = await client.chat.completions.create({
      model: 'qwen2.5:7b',
      messages: ask('one two three four five'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Answer to: one two three four five');
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '').length > 0).length).toBeGreaterThan(1);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe('stop');
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBe(7);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('ends the SSE stream with data: [DONE] and sends no usage chunk unless asked', async () => {
    const kobza = await startKobza();
    const res = await fetch(`${kobza.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen2.5:7b', messages: ask('hi there'), stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-kobza-source')).toBe('provider');
    const body = await res.text();
    const frames = body.split('\n\n').filter(Boolean);
    expect(frames[frames.length - 1]).toBe('data: [DONE]');
    expect(frames.every((f) => f.startsWith('data: '))).toBe(true);
    expect(body).not.toContain('"usage"');
  });

  it('maps sampling parameters into the upstream request', async () => {
    const kobza = await startKobza();
    const client = clientFor(kobza);
    const completion = await client.chat.completions.create({
      model: 'qwen2.5:7b',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'alpha beta gamma delta' }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      seed: 7,
      max_completion_tokens: 2,
      stop: ['never'],
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      n: 1,
      user: 'someone',
      metadata: { team: 'faq' },
      store: false,
      tool_choice: 'none',
      parallel_tool_calls: false,
      response_format: { type: 'json_object' },
    });
    const sent = kobza.ollama.calls.find((c) => c.path === '/api/chat')!.body;
    expect(sent.options).toMatchObject({ temperature: 0.5, top_p: 0.9, seed: 7, num_predict: 2, stop: ['never'], presence_penalty: 0.1, frequency_penalty: 0.2 });
    expect(sent.format).toBe('json');
    expect(sent.messages[0]).toMatchObject({ role: 'system', content: 'Be brief.' });
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(completion.choices[0].message.content).toBe(expectedReply(sent).text);
    expect(kobza.seen[0].metadata).toMatchObject({ adapter: 'http', api: 'openai', format: 'json' });
  });

  it('passes a JSON schema response format and inline images through', async () => {
    const kobza = await startKobza();
    const client = clientFor(kobza);
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    await client.chat.completions.create({
      model: 'qwen2.5:7b',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }],
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema } },
    });
    const sent = kobza.ollama.calls.find((c) => c.path === '/api/chat')!.body;
    expect(sent.format).toEqual(schema);
    expect(sent.messages.at(-1)).toMatchObject({ role: 'user', content: 'what is this', images: ['iVBORw0KGgo='] });
  });

  it.each([
    [{ n: 2 }, 'n'],
    [{ tools: [{ type: 'function', function: { parameters: {} } }] }, 'tools[0].function.name'],
    [{ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'sometimes' }, 'tool_choice'],
    [{ functions: [{ name: 'f', parameters: {} }] }, 'functions'],
    [{ tool_choice: 'required' }, 'tool_choice'],
    [{ logprobs: true }, 'logprobs'],
    [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
    [{ modalities: ['text', 'audio'] }, 'modalities'],
    [{ temperature: 'hot' }, 'temperature'],
    [{ temperature: 3 }, 'temperature'],
    [{ max_tokens: 0 }, 'max_tokens'],
    [{ messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.org/a.png' } }] }] }, 'messages[0].content[0].image_url.url'],
    [{ messages: [] }, 'messages'],
    [{ stream: 'yes' }, 'stream'],
  ])('refuses %j with a 400 naming %s', async (patch, param) => {
    const kobza = await startKobza();
    const client = clientFor(kobza);
    const body = { model: 'qwen2.5:7b', messages: ask('hello'), ...patch } as unknown as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
    const error = await client.chat.completions.create(body).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const api = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(api.status).toBe(400);
    expect(api.code).toBe('BAD_REQUEST');
    expect(api.param).toBe(param);
    expect(api.message).toContain(`${param}: expected`);
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });

  it('maps an unknown model to 404 MODEL_NOT_FOUND', async () => {
    const kobza = await startKobza({ standIn: { models: ['qwen2.5:7b'] } });
    const error = await clientFor(kobza)
      .chat.completions.create({ model: 'nope:1b', messages: ask('hi') })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('MODEL_NOT_FOUND');
    expect((error as Error).message).toContain('nope:1b');
  });

  it('maps an upstream 500 to 502 and an unreachable upstream to 503, streaming or not', async () => {
    const kobza = await startKobza({ standIn: { fault: 'http500' } });
    const client = clientFor(kobza);
    const plain = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('hi') }).catch((err: unknown) => err);
    expect((plain as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((plain as InstanceType<typeof OpenAI.APIError>).code).toBe('UPSTREAM_BAD_RESPONSE');
    const streamed = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('hi'), stream: true }).catch((err: unknown) => err);
    expect((streamed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);

    await kobza.ollama.close();
    const down = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: ask('hi') }).catch((err: unknown) => err);
    expect((down as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((down as InstanceType<typeof OpenAI.APIError>).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('ends a stream that fails mid-way with an error event the client throws on', async () => {
    const kobza = await startKobza({ standIn: { fault: 'error-mid-stream', faultAfterTokens: 2 } });
    const stream = await clientFor(kobza).chat.completions.create({ model: 'qwen2.5:7b', messages: ask('one two three four') , stream: true });
    const received: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(received.join('')).toBe('Answer to: ');
  });
});

describe('GET /v1/models and POST /v1/embeddings', () => {
  it('lists the upstream models and retrieves one', async () => {
    const kobza = await startKobza({ standIn: { models: ['qwen2.5:7b', 'nomic-embed-text'] } });
    const client = clientFor(kobza);
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['qwen2.5:7b', 'nomic-embed-text:latest']);
    const one = await client.models.retrieve('qwen2.5:7b');
    expect(one).toMatchObject({ id: 'qwen2.5:7b', object: 'model', owned_by: 'ollama' });
    const missing = await client.models.retrieve('gpt-9').catch((err: unknown) => err);
    expect((missing as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
  });

  it('embeds through the provider, in the base64 encoding the client asks for by default', async () => {
    const kobza = await startKobza();
    const result = await clientFor(kobza).embeddings.create({ model: 'nomic-embed-text', input: ['вступ до університету', 'hello'] });
    expect(result.data).toHaveLength(2);
    const expected = standInEmbedding('вступ до університету');
    result.data[0].embedding.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    expect(kobza.ollama.calls.find((c) => c.path === '/api/embed')!.body).toMatchObject({ model: 'nomic-embed-text', input: ['вступ до університету', 'hello'] });
    const text = 'one two three four five six seven eight nine ten';
    const short = await clientFor(kobza).embeddings.create({ model: 'nomic-embed-text', input: text, dimensions: 8, encoding_format: 'float' });
    const prefix = standInEmbedding(text).slice(0, 8);
    const norm = Math.hypot(...prefix);
    expect(norm).toBeGreaterThan(0);
    expect(short.data[0].embedding).toHaveLength(8);
    short.data[0].embedding.forEach((value, i) => expect(value).toBeCloseTo(prefix[i] / norm, 5));
  });
});
