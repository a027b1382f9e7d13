/**
 * What happens around a request: a client that disconnects mid-stream aborts the upstream
 * generation; Kobza's request headers reach the pipeline as metadata; health, readiness
 * and metrics; unknown routes; a shutdown with streams in flight ends them instead of
 * hanging.
 */
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startKobza, stopKobzas, jsonOf, type LiveKobza } from './helpers.js';

afterEach(stopKobzas);

const longQuestion = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');

/** Streams a long answer with the real `openai` client, reads `chunks` text chunks, then stops reading (the connection closes). */
async function abandonStream(kobza: LiveKobza, chunks: number): Promise<void> {
  const client = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: longQuestion }], stream: true });
  let received = 0;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content) received++;
    if (received === chunks) break;
  }
}

describe('client disconnect', () => {
  it('aborts the upstream generation when an OpenAI stream is abandoned', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 20 } });
    const errors: string[] = [];
    kobza.kernel.events.on('request:error', (e) => errors.push(e.error.code));
    await abandonStream(kobza, 3);
    await eventually(() => kobza.ollama.calls.some((c) => c.path === '/api/chat' && c.clientClosed));
    await kobza.ollama.idle();
    expect(kobza.ollama.calls.find((c) => c.path === '/api/chat')!.finished).toBe(false);
    await eventually(() => kobza.kernel.inFlight === 0);
    expect(errors).toEqual(['ABORTED']);
  });

  it('aborts the upstream generation when an Ollama client aborts', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 20 } });
    const client = new Ollama({ host: kobza.url });
    const stream = await client.chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: longQuestion }], stream: true });
    let parts = 0;
    const consumed = (async () => {
      for await (const _part of stream) {
        if (++parts === 2) stream.abort();
      }
    })().catch((err: unknown) => err);
    expect(await consumed).toMatchObject({ name: 'AbortError' });
    await eventually(() => kobza.ollama.calls.some((c) => c.path === '/api/chat' && c.clientClosed));
    await eventually(() => kobza.kernel.inFlight === 0);
  });

  it('aborts a non-streaming request whose client went away before the answer', async () => {
    const kobza = await startKobza({ standIn: { firstTokenDelayMs: 2000 } });
    const controller = new AbortController();
    const pending = fetch(`${kobza.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'slow' }], stream: false }),
      signal: controller.signal,
    }).catch((err: unknown) => err);
    await eventually(() => kobza.ollama.count('/api/chat') === 1);
    controller.abort();
    await pending;
    await eventually(() => kobza.ollama.calls[0].clientClosed);
    await eventually(() => kobza.kernel.inFlight === 0);
  });
});

describe('request signals', () => {
  const ask = (kobza: LiveKobza, content: string) =>
    new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 }).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content }] });

  it('every request has its own signal, and a later request’s abort wakes nothing left on an earlier one', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 5 } });
    await ask(kobza, 'one');
    await ask(kobza, 'two');
    const [first, second] = kobza.seen.map((r) => r.signal);
    expect(second).not.toBe(first);
    expect(first.aborted).toBe(false);
    expect(second.aborted).toBe(false);

    // Work still attached to a completed request's signal (a listener, a composite) ...
    let woken = 0;
    second.addEventListener('abort', () => woken++);
    const composite = AbortSignal.any([first]);

    // ... is woken by neither a later request aborted by its client nor its upstream stop.
    await abandonStream(kobza, 2);
    await eventually(() => kobza.kernel.inFlight === 0);
    const abandoned = kobza.seen[2].signal;
    expect(abandoned).not.toBe(first);
    expect(abandoned).not.toBe(second);
    expect(abandoned.aborted).toBe(true);
    await eventually(() => kobza.ollama.calls.some((c) => c.path === '/api/chat' && c.clientClosed));
    expect(woken).toBe(0);
    expect(composite.aborted).toBe(false);
    expect(first.aborted).toBe(false);
    expect(second.aborted).toBe(false);
  });

  it('the abort of one request reaches no later request', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 20 } });
    await abandonStream(kobza, 2);
    await eventually(() => kobza.kernel.inFlight === 0);
    const aborted = kobza.seen[0].signal;
    expect(aborted.aborted).toBe(true);
    const answer = await ask(kobza, 'after the abort');
    expect(answer.choices[0].message.content).toBeTruthy();
    expect(kobza.seen[1].signal).not.toBe(aborted);
    expect(kobza.seen[1].signal.aborted).toBe(false);
  });
});

describe('Kobza request headers', () => {
  it('puts x-kobza-ranking and x-kobza-cache into the request metadata', async () => {
    const kobza = await startKobza();
    const client = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'a' }] }, { headers: { 'x-kobza-ranking': 'on', 'x-kobza-cache': 'off' } });
    await new Ollama({ host: kobza.url, headers: { 'x-kobza-ranking': 'OFF' } }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'b' }] });
    await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'c' }] });
    expect(kobza.seen.map((r) => [r.metadata.ranking, r.metadata.cache])).toEqual([
      ['on', 'off'],
      ['off', undefined],
      [undefined, undefined],
    ]);
  });

  it('refuses a wrong header value with a 400 naming the header', async () => {
    const kobza = await startKobza();
    const res = await fetch(`${kobza.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kobza-ranking': 'maybe' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'a' }] }),
    });
    expect(res.status).toBe(400);
    expect((await jsonOf(res)).error).toMatchObject({ param: 'x-kobza-ranking', code: 'BAD_REQUEST' });
  });

  it('gives every reply an x-request-id, errors and unknown routes included', async () => {
    const kobza = await startKobza();
    const missing = await fetch(`${kobza.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBeTruthy();
    expect((await jsonOf(missing)).error).toMatchObject({ code: 'NOT_FOUND' });
    const ollamaMissing = await fetch(`${kobza.url}/api/push`, { method: 'POST', body: '{}' });
    expect(ollamaMissing.status).toBe(404);
    expect((await jsonOf(ollamaMissing)).code).toBe('NOT_FOUND');
    const badJson = await fetch(`${kobza.url}/api/chat`, { method: 'POST', body: '{"model":' });
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('health, readiness, metrics', () => {
  it('reports ready while the upstream answers and 503 with the reason when it does not', async () => {
    const kobza = await startKobza();
    expect(await jsonOf(await fetch(`${kobza.url}/healthz`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${kobza.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await jsonOf(ready)).status).toBe('ready');
    await kobza.ollama.close();
    const down = await fetch(`${kobza.url}/readyz`);
    expect(down.status).toBe(503);
    const body = await jsonOf(down);
    expect(body).toMatchObject({ status: 'unavailable', code: 'UPSTREAM_UNAVAILABLE' });
    expect(body.reason).toMatch(/reachable|refused|connect/i);
    expect((await fetch(`${kobza.url}/healthz`)).status).toBe(200);
  });

  it('exports request, error, TTFT, duration and in-flight metrics fed from the kernel events', async () => {
    const kobza = await startKobza({ standIn: { models: ['qwen2.5:7b'] } });
    const client = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'a' }] });
    await client.chat.completions.create({ model: 'ghost', messages: [{ role: 'user', content: 'b' }] }).catch(() => undefined);
    const res = await fetch(`${kobza.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/kobza_requests_total\{adapter="http"\} 2/);
    expect(text).toMatch(/kobza_request_errors_total\{code="MODEL_NOT_FOUND"\} 1/);
    expect(text).toMatch(/kobza_ttft_seconds_count\{source="provider"\} 1/);
    expect(text).toMatch(/kobza_request_duration_seconds_count\{source="provider"\} 1/);
    expect(text).toMatch(/kobza_requests_in_flight 0/);
    expect(text).toMatch(/kobza_http_requests_total\{method="POST",route="\/v1\/chat\/completions",status="404"\} 1/);
    expect(text).toMatch(/kobza_process_resident_memory_bytes/);
  });
});

describe('shutdown', () => {
  it('ends streams still running when the kernel stops, instead of hanging', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 50 } });
    // The kernel waits this long for in-flight requests before aborting them.
    (kobza.kernel.config.kernel as { shutdownTimeoutMs: number }).shutdownTimeoutMs = 200;
    const res = await fetch(`${kobza.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: longQuestion }] }) });
    const reader = res.body!.getReader();
    await reader.read();
    const stopped = kobza.kernel.stop();
    let text = '';
    for (let step = await reader.read(); !step.done; step = await reader.read()) text += new TextDecoder().decode(step.value);
    await stopped;
    const last = JSON.parse(text.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ code: 'ABORTED' });
    expect(kobza.kernel.inFlight).toBe(0);
  });
});
