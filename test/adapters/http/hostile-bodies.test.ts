/**
 * Property: no body makes Kobza answer 5xx or crash. fast-check throws 10,000
 * malformed and hostile bodies — random JSON, near-valid requests with wrong types and
 * extreme values, prototype-poisoning keys, deep nesting, broken JSON, odd content types —
 * at both APIs of a live Kobza (through `inject`, the whole Fastify pipeline minus the
 * socket) whose upstream is the Ollama stand-in. Every answer must be < 500, every error
 * must be JSON in the API's own shape, and every 200 stream must end properly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas, type LiveKobza } from './helpers.js';

let kobza: LiveKobza;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  kobza = await startKobza({ listen: false, http: { rateLimit: false, bodyLimit: 64 * 1024 } });
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await stopKobzas();
});

// ---- values -----------------------------------------------------------------------------

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '../../etc/passwd', '{{ .Prompt }}', '<script>', 'data:image/png;base64,@@@', '5m', '-1', 'NaN', 'x'.repeat(5000)),
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1, 2, 3, 1e308, -1e308, 2 ** 53, -(2 ** 53), 0.5, 1e-320, 65535, 4294967296),
);
const deepValue = fc.integer({ min: 1, max: 200 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
  return value;
});
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: deepValue },
);
/**
 * Picks a field's value: `good` values are valid; `edge` values are of the right type but
 * out of range or refused. Hostile bodies also mix in anything at all.
 */
type Field = <T>(good: fc.Arbitrary<T>, edge?: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>;
const validOnly: Field = (good) => good;
const hostile: Field = (good, edge) =>
  fc.oneof({ weight: 10, arbitrary: good }, { weight: 2, arbitrary: edge ?? anyValue }, { weight: 1, arbitrary: anyValue });

const smallSchema = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });

function bodyArbitraries(field: Field) {
  const role = field(fc.constantFrom('system', 'user', 'assistant'), fc.constantFrom('developer', 'tool', 'function', 'robot', ''));
  const contentPart = fc.oneof(
    fc.record({ type: fc.constant('text'), text: field(fc.string({ maxLength: 30 })) }),
    fc.record({ type: fc.constant('image_url'), image_url: field(fc.record({ url: fc.constant('data:image/png;base64,iVBORw0KGgo=') }), fc.record({ url: fc.constantFrom('https://example.org/a.png', '') })) }),
    field(fc.record({ type: fc.constant('text'), text: fc.constant('x') }), fc.record({ type: fc.constantFrom('input_audio', 'file', 'refusal', '??') }, { requiredKeys: [] })),
  );
  const openAiMessage = fc.record(
    {
      role,
      content: field(fc.oneof(fc.string({ maxLength: 40 }), fc.array(contentPart, { maxLength: 3 })), fc.constant(null)),
      name: field(fc.string({ maxLength: 10 })),
    },
    { requiredKeys: ['role', 'content'] },
  );
  const ollamaMessage = fc.record(
    {
      role,
      content: field(fc.string({ maxLength: 40 })),
      images: field(fc.array(fc.constant('iVBORw0KGgo='), { maxLength: 2 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 })),
      tool_calls: field(fc.constant([]), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 })),
    },
    { requiredKeys: ['role', 'content'] },
  );
  const model = field(fc.constantFrom('qwen2.5:7b', 'llama3.2', 'a/b:c', ''));
  const openAiChat = fc.record(
    {
      model,
      messages: field(fc.array(openAiMessage, { minLength: 1, maxLength: 4 }), fc.constant([])),
      stream: field(fc.boolean()),
      stream_options: field(fc.record({ include_usage: field(fc.boolean()) }, { requiredKeys: [] })),
      temperature: field(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: 2.001, noNaN: true })),
      top_p: field(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(-0.1, 1.5)),
      n: field(fc.constant(1), fc.integer({ min: -1, max: 5 })),
      max_tokens: field(fc.integer({ min: 1, max: 8 }), fc.integer({ min: -5, max: 0 })),
      max_completion_tokens: field(fc.integer({ min: 1, max: 8 })),
      stop: field(fc.oneof(fc.string({ maxLength: 5 }), fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 })), fc.array(fc.string(), { minLength: 17, maxLength: 20 })),
      seed: field(fc.integer()),
      presence_penalty: field(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(-3, 3)),
      logit_bias: field(fc.constant({}), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer({ min: -100, max: 100 }), { minKeys: 1, maxKeys: 2 })),
      logprobs: field(fc.constant(false), fc.constant(true)),
      response_format: field(
        fc.oneof(fc.record({ type: fc.constantFrom('text', 'json_object') }), fc.record({ type: fc.constant('json_schema'), json_schema: fc.record({ name: fc.string(), schema: smallSchema }) })),
        fc.record({ type: fc.constant('json_schema'), json_schema: fc.record({ name: fc.string(), schema: fc.oneof(fc.jsonValue({ maxDepth: 3 }), deepValue) }, { requiredKeys: ['name'] }) }),
      ),
      tools: field(fc.constant([]), fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 2 })),
      tool_choice: field(fc.constantFrom('none', 'auto'), fc.constantFrom('required', { type: 'function' })),
      user: field(fc.string({ maxLength: 10 })),
      metadata: field(fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 })),
      keep_alive: field(fc.constantFrom('5m', 0, -1, '1h30m'), fc.constantFrom('forever', '10', 1e300)),
    },
    { requiredKeys: ['model', 'messages'] },
  );
  const ollamaOptions = fc.record(
    {
      temperature: field(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(-1, 1e39)),
      num_predict: field(fc.integer({ min: -2, max: 8 }), fc.constantFrom(-3, 1.5)),
      num_ctx: field(fc.integer({ min: 1, max: 4096 }), fc.constantFrom(0, -1)),
      seed: field(fc.integer(), fc.constant(0.5)),
      stop: field(fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }), fc.string()),
      top_k: field(fc.integer({ min: 0, max: 100 }), fc.constant(-1)),
      num_gpu: field(fc.integer()),
      mirostat: field(fc.integer({ min: 0, max: 2 })),
    },
    { requiredKeys: [] },
  );
  const ollamaCommon = {
    model,
    stream: field(fc.boolean()),
    format: field(fc.oneof(fc.constantFrom('json', ''), smallSchema), fc.oneof(fc.constant('yaml'), fc.jsonValue({ maxDepth: 3 }), deepValue)),
    options: field(ollamaOptions),
    keep_alive: field(fc.constantFrom('5m', 0, -1, '1h30m'), fc.constantFrom('forever', '10', 1e300)),
    think: field(fc.constant(false), fc.oneof(fc.constant(true), fc.constantFrom('low', 'high'))),
  };
  const ollamaChat = fc.record(
    { ...ollamaCommon, messages: field(fc.array(ollamaMessage, { minLength: 1, maxLength: 4 }), fc.constant([])), tools: field(fc.constant([]), fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 2 })) },
    { requiredKeys: ['model', 'messages'] },
  );
  const ollamaGenerate = fc.record(
    {
      ...ollamaCommon,
      prompt: field(fc.string({ minLength: 1, maxLength: 40 }), fc.constant('')),
      system: field(fc.string({ maxLength: 20 })),
      suffix: field(fc.constant(''), fc.string({ minLength: 1, maxLength: 5 })),
      raw: field(fc.constant(false), fc.constant(true)),
      template: field(fc.constant(''), fc.string({ minLength: 1, maxLength: 5 })),
      context: field(fc.constant([]), fc.array(fc.integer(), { minLength: 1, maxLength: 3 })),
      images: field(fc.array(fc.constant('iVBORw0KGgo='), { maxLength: 2 })),
    },
    { requiredKeys: ['model', 'prompt'] },
  );
  const embed = fc.record(
    {
      model,
      input: field(fc.oneof(fc.string({ maxLength: 20 }), fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 3 })), fc.constant([])),
      dimensions: field(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, -1, 100)),
      encoding_format: field(fc.constantFrom('float', 'base64'), fc.constant('hex')),
    },
    { requiredKeys: ['model', 'input'] },
  );
  const show = fc.record({ model, name: model }, { requiredKeys: [] });
  return { openAiChat, ollamaChat, ollamaGenerate, embed, show };
}

const valid = bodyArbitraries(validOnly);
const wild = bodyArbitraries(hostile);
/** One endpoint's bodies: a third valid (they reach the model), the rest hostile. */
const mixed = (pick: (set: ReturnType<typeof bodyArbitraries>) => fc.Arbitrary<unknown>) => fc.oneof({ weight: 1, arbitrary: pick(valid) }, { weight: 2, arbitrary: pick(wild) });

// ---- raw payloads -----------------------------------------------------------------------

/** A JSON text (possibly broken, poisoned or padded) for a structured body. */
const payloadOf = (body: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 16, arbitrary: body.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: body.chain((value) => fc.nat({ max: 200 }).map((cut) => (JSON.stringify(value) ?? '').slice(0, cut))) },
    { weight: 1, arbitrary: body.map((value) => (JSON.stringify(value) ?? '{}').replace(/^\{/, '{"__proto__":{"polluted":1},')) },
    { weight: 1, arbitrary: body.map((value) => (JSON.stringify(value) ?? '{}').replace(/^\{/, '{"constructor":{"prototype":{"polluted":1}},')) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom('', '[', '{"a":', '\u0000', 'null', '"str"', '[[[[[[[[[[[[', '{'.repeat(5000), '1e999')) },
  );

const contentType = fc.constantFrom<string | undefined>('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', undefined, 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16');
const headerValue = (good: string[], bad: string[]) => fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
const kobzaHeaders = fc.record({ 'x-kobza-ranking': headerValue(['on', 'off', 'ON'], ['maybe', '']), 'x-kobza-cache': headerValue(['on', 'off'], ['nope']) }, { requiredKeys: [] });

const request = (url: string, body: fc.Arbitrary<unknown>) => fc.record({ url: fc.constant(url), payload: payloadOf(body), contentType, extra: kobzaHeaders });

async function send(input: { url: string; payload: string; contentType: string | undefined; extra: Record<string, string> }) {
  const headers: Record<string, string> = { ...input.extra };
  if (input.contentType) headers['content-type'] = input.contentType;
  const res = await kobza.http.app.inject({ method: 'POST', url: input.url, payload: input.payload, headers });
  const family = input.url.startsWith('/v1/') ? 'openai' : 'ollama';
  if (res.statusCode >= 500) throw new Error(`${input.url} answered ${res.statusCode}: ${res.body.slice(0, 300)} for ${input.payload.slice(0, 300)}`);
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body);
    if (family === 'openai') expect(typeof body.error?.message === 'string' && typeof body.error?.code === 'string').toBe(true);
    else expect(typeof body.error === 'string' && typeof body.code === 'string').toBe(true);
    return;
  }
  expect(res.statusCode).toBe(200);
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('text/event-stream')) expect(res.body.endsWith('data: [DONE]\n\n')).toBe(true);
  if (type.startsWith('application/x-ndjson')) expect(JSON.parse(res.body.trim().split('\n').at(-1)!).done).toBe(true);
}

describe('hostile bodies', () => {
  it('never get a 5xx or a crash from the OpenAI API (5,000 bodies)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: request('/v1/chat/completions', mixed((b) => b.openAiChat)) }, { weight: 1, arbitrary: request('/v1/embeddings', mixed((b) => b.embed)) }), send),
      { numRuns: 5000, seed: 20251125 },
    );
    expect(unhandled).toEqual([]);
    // Some of the bodies were valid and really reached the model.
    expect(kobza.ollama.count('/api/chat')).toBeGreaterThan(500);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 60_000);

  it('never get a 5xx or a crash from the Ollama API (5,000 bodies)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 2, arbitrary: request('/api/chat', mixed((b) => b.ollamaChat)) },
          { weight: 2, arbitrary: request('/api/generate', mixed((b) => b.ollamaGenerate)) },
          { weight: 1, arbitrary: request('/api/embed', mixed((b) => b.embed)) },
          { weight: 1, arbitrary: request('/api/show', mixed((b) => b.show)) },
        ),
        send,
      ),
      { numRuns: 5000, seed: 20251126 },
    );
    expect(unhandled).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(kobza.kernel.inFlight).toBe(0);
    expect(kobza.ollama.count('/api/chat')).toBeGreaterThan(1000);
  }, 60_000);
});
