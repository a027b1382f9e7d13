/**
 * Property: the routes added for issue 13 — `/v1/responses` and the model-management
 * routes — never answer 5xx or crash for malformed and hostile bodies (fast-check, through
 * `inject`, the Ollama stand-in upstream). Errors must be JSON in the API's own shape, and
 * every 200 stream must end properly (the Responses API with `response.completed` or
 * `response.incomplete`, progress with `{"status":"success"}`).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas, type LiveKobza } from './helpers.js';

let kobza: LiveKobza;

beforeAll(async () => {
  kobza = await startKobza({ listen: false, http: { rateLimit: false, bodyLimit: 64 * 1024 } });
});

afterAll(stopKobzas);

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string(),
  fc.constantFrom('', '__proto__', '\u0000', 'x'.repeat(3000), 'data:image/png;base64,@@@', null, true, [], {}, -1, 1e308, 0.5),
);
/** A field's value: `good` is valid, `edge` of the right type but refused; hostile bodies also mix in anything at all. */
type Field = <T>(good: fc.Arbitrary<T>, edge?: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>;
const validOnly: Field = (good) => good;
const hostile: Field = (good, edge) => fc.oneof({ weight: 8, arbitrary: good }, { weight: 2, arbitrary: edge ?? anyValue }, { weight: 1, arbitrary: anyValue });
const field = <T>(good: fc.Arbitrary<T>) => hostile(good);

function responsesBodies(field: Field) {
  const part = fc.oneof(
    fc.record({ type: fc.constantFrom('input_text', 'output_text'), text: field(fc.string({ maxLength: 30 })) }),
    field(fc.record({ type: fc.constant('input_image'), image_url: fc.constant('data:image/png;base64,iVBORw0KGgo=') }), fc.record({ type: fc.constantFrom('input_file', 'input_audio', '??', 'input_image'), image_url: fc.constant('https://example.org/a.png') })),
  );
  const item = fc.record(
    {
      type: field(fc.constant('message'), fc.constantFrom('function_call', 'function_call_output', 'reasoning')),
      role: field(fc.constantFrom('user', 'assistant', 'system', 'developer'), fc.constantFrom('tool', '')),
      content: field(fc.oneof(fc.string({ maxLength: 40 }), fc.array(part, { maxLength: 3 }))),
    },
    { requiredKeys: ['role', 'content'] },
  );
  return fc.record(
    {
      model: field(fc.constantFrom('qwen2.5:7b', '')),
      input: field(fc.oneof(fc.string({ maxLength: 40 }), fc.array(item, { minLength: 1, maxLength: 3 })), fc.constant([])),
      instructions: field(fc.string({ maxLength: 20 })),
      max_output_tokens: field(fc.integer({ min: 1, max: 8 }), fc.integer({ min: -2, max: 0 })),
      temperature: field(fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(-1, 3)),
      stream: field(fc.boolean()),
      tools: field(fc.constant([]), fc.constant([{ type: 'function', name: 'f' }])),
      tool_choice: field(fc.constantFrom('none', 'auto'), fc.constant('required')),
      previous_response_id: field(fc.constant(null), fc.constant('resp_1')),
      text: field(fc.record({ format: fc.record({ type: fc.constantFrom('text', 'json_object') }) }), fc.record({ format: fc.record({ type: fc.constantFrom('json_schema', 'xml') }) })),
    },
    { requiredKeys: ['input'] },
  );
}
const responsesBody = fc.oneof({ weight: 1, arbitrary: responsesBodies(validOnly) }, { weight: 2, arbitrary: responsesBodies(hostile) });

// Names the stand-in serves, fails to pull (a 502 is then the upstream's own failure, so
// that one is left out), or lacks.
const modelName = field(fc.constantFrom('qwen2.5:7b', 'llama3.2', 'ghost', 'a/b:c', ''));
const managementBody = fc.record({ model: modelName, name: modelName, source: modelName, destination: modelName, from: modelName, stream: field(fc.boolean()), system: field(fc.string({ maxLength: 10 })) }, { requiredKeys: [] });

const payload = (body: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 12, arbitrary: body.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 1, arbitrary: body.map((value) => (JSON.stringify(value) ?? '{}').replace(/^\{/, '{"__proto__":{"polluted":1},')) },
    { weight: 1, arbitrary: fc.constantFrom('', '[', '{"a":', 'null', '"str"', '{'.repeat(3000)) },
  );

async function send(input: { method: 'POST' | 'DELETE'; url: string; payload: string }) {
  const res = await kobza.http.app.inject({ method: input.method, url: input.url, payload: input.payload, headers: { 'content-type': 'application/json' } });
  if (res.statusCode >= 500) throw new Error(`${input.url} answered ${res.statusCode}: ${res.body.slice(0, 300)} for ${input.payload.slice(0, 300)}`);
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body);
    if (input.url.startsWith('/v1/')) expect(typeof body.error?.message === 'string' && typeof body.error?.code === 'string').toBe(true);
    else expect(typeof body.error === 'string' && typeof body.code === 'string').toBe(true);
    return;
  }
  expect(res.statusCode).toBe(200);
  if (type.startsWith('text/event-stream')) expect(res.body).toMatch(/event: response\.(completed|incomplete)\ndata: .*\n\n$/);
  if (type.startsWith('application/x-ndjson')) expect(JSON.parse(res.body.trim().split('\n').at(-1)!)).toEqual({ status: 'success' });
}

describe('hostile bodies on the new routes', () => {
  it('never get a 5xx or a crash from /v1/responses or model management (1,500 bodies)', async () => {
    const responses = fc.record({ method: fc.constant('POST' as const), url: fc.constant('/v1/responses'), payload: payload(responsesBody) });
    const management = fc.record({
      method: fc.constantFrom('POST' as const, 'DELETE' as const),
      url: fc.constantFrom('/api/pull', '/api/create', '/api/copy', '/api/show', '/api/delete'),
      payload: payload(managementBody),
    }).filter((r) => (r.method === 'DELETE') === (r.url === '/api/delete'));
    await fc.assert(fc.asyncProperty(fc.oneof({ weight: 2, arbitrary: responses }, { weight: 1, arbitrary: management }), send), { numRuns: 1500, seed: 20251204 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(kobza.kernel.inFlight).toBe(0);
    // Some bodies were valid and reached the model and the model shelf.
    expect(kobza.ollama.count('/api/chat')).toBeGreaterThan(150);
    expect(kobza.ollama.count('/api/pull') + kobza.ollama.count('/api/copy')).toBeGreaterThan(20);
  }, 60_000);
});
