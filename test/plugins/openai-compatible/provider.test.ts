/**
 * The `openai-compatible` provider driven through a real Kernel against an
 * OpenAI-compatible SSE stand-in: streaming, option mapping, faults → coded errors,
 * aborts reaching the upstream, start-up warning, config errors.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { collectReply, Kernel, parseConfig, type ChatRequest, type KobzaError } from '../../../core/index.js';
import type { OpenAiCompatibleProvider } from '../../../plugins/openai-compatible/index.js';
import { expectedOpenAiReply, startOpenAiStandIn, type OpenAiFault, type OpenAiStandIn } from '../../servers/openai-compatible.js';
import { standInEmbedding } from '../../servers/ollama.js';
import { closedPortUrl } from '../ollama/helpers.js';

const MODEL = 'qwen2.5-7b-instruct';
const standIns: OpenAiStandIn[] = [];
const kernels: Kernel[] = [];

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});

async function upstream(options: Parameters<typeof startOpenAiStandIn>[0] = {}): Promise<OpenAiStandIn> {
  const server = await startOpenAiStandIn(options);
  standIns.push(server);
  return server;
}

async function boot(block: string) {
  const logs: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      callback();
    },
  });
  const body = block.trim().split('\n').map((line) => `    ${line}`).join('\n');
  const yaml = `assistant:\n  model: ${MODEL}\nplugins:\n  openai-compatible:\n${body}\n`;
  const kernel = await Kernel.create(parseConfig(yaml, { file: 'test.yaml', env: {} }), {
    builtins: { 'openai-compatible': () => import('../../../plugins/openai-compatible/index.js') },
    logger: pino({ level: 'info' }, sink),
  });
  kernels.push(kernel);
  return { kernel, provider: kernel.resolve('LlmProvider') as OpenAiCompatibleProvider, logs };
}

async function ask(kernel: Kernel, request: ChatRequest) {
  try {
    return await collectReply(await kernel.handle(request));
  } catch (err) {
    return { text: '', meta: undefined, error: err as KobzaError };
  }
}

const user = (content: string) => [{ role: 'user' as const, content }];

describe('openai-compatible provider', () => {
  it('streams delta.content chunks and fills usage and finish reason', async () => {
    const server = await upstream();
    const { kernel, provider } = await boot(`baseURL: ${server.url}`);
    const reply = await kernel.handle(kernel.createRequest({ messages: user('Коли вступ?') }));
    const chunks: string[] = [];
    for await (const chunk of reply.chunks) chunks.push(chunk);
    const body = server.calls.find((c) => c.path === '/v1/chat/completions')!.body;
    expect(chunks).toEqual(expectedOpenAiReply(body).tokens);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(reply.meta).toMatchObject({ source: 'provider', model: MODEL, doneReason: 'stop', complete: true });
    expect(reply.meta.usage.completionTokens).toBe(chunks.length);
    expect(provider.openExchanges).toBe(0);
  });

  it('maps Ollama-named options to OpenAI parameters and sends the API key', async () => {
    const server = await upstream({ apiKey: 'sekret' });
    const { kernel } = await boot(`baseURL: ${server.url}\napiKey: sekret\noptions: { top_k: 20 }`);
    const { text, meta } = await ask(kernel, kernel.createRequest({ messages: user('one two three four'), options: { temperature: 0.5, seed: 3, num_predict: 2, stop: ['x'], num_ctx: 8192 }, metadata: { format: 'json' } }));
    const call = server.calls.find((c) => c.path === '/v1/chat/completions')!;
    expect(call.headers.authorization).toBe('Bearer sekret');
    expect(call.body).toMatchObject({ temperature: 0.5, seed: 3, max_tokens: 2, stop: ['x'], top_k: 20, response_format: { type: 'json_object' } });
    expect(call.body.num_ctx).toBeUndefined();
    expect(text).toBe(expectedOpenAiReply(call.body).text);
    expect(meta?.doneReason).toBe('length');
    expect(meta?.flags.truncated).toBe(true);
  });

  const cases: { fault: OpenAiFault; code: string; message: RegExp; config?: string }[] = [
    { fault: 'http500', code: 'UPSTREAM_BAD_RESPONSE', message: /HTTP 500: the model crashed/ },
    { fault: 'model404', code: 'MODEL_NOT_FOUND', message: /model "qwen2\.5-7b-instruct" not found/ },
    { fault: 'unauthorized', code: 'UPSTREAM_BAD_RESPONSE', message: /rejected the API key.*apiKey/ },
    { fault: 'busy', code: 'UPSTREAM_UNAVAILABLE', message: /busy or still loading \(503\)/ },
    { fault: 'hang', code: 'UPSTREAM_TIMEOUT', message: /within 300 ms \(timeouts\.connectMs\)/, config: 'timeouts: { connectMs: 300 }' },
    { fault: 'reset', code: 'UPSTREAM_UNAVAILABLE', message: /cannot reach/ },
    { fault: 'cut', code: 'UPSTREAM_BAD_RESPONSE', message: /mid-stream/ },
    { fault: 'garbage', code: 'UPSTREAM_BAD_RESPONSE', message: /malformed stream/ },
    { fault: 'error-mid-stream', code: 'UPSTREAM_BAD_RESPONSE', message: /reported an error mid-stream: the model crashed mid-stream/ },
    { fault: 'stall', code: 'UPSTREAM_TIMEOUT', message: /silent for 300 ms/, config: 'timeouts: { idleMs: 300 }' },
    { fault: 'no-done', code: 'UPSTREAM_BAD_RESPONSE', message: /without a finish_reason/ },
  ];

  it.each(cases)('$fault → $code, and nothing stays open', async ({ fault, code, message, config }) => {
    const server = await upstream({ fault });
    const { kernel, provider } = await boot(`baseURL: ${server.url}\nretries: 1\nretryBackoffMs: 5\nprobeOnStart: false\n${config ?? ''}`);
    const chunks: string[] = [];
    let caught: unknown;
    try {
      for await (const chunk of (await kernel.handle(kernel.createRequest({ messages: user('alpha beta gamma delta') }))).chunks) chunks.push(chunk);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'KobzaError', code });
    expect((caught as Error).message).toMatch(message);
    if (['cut', 'garbage', 'error-mid-stream', 'stall'].includes(fault)) expect(chunks).toEqual(['Answer ', 'to: ']);
    await server.idle();
    expect(server.openResponses).toBe(0);
    expect(provider.openExchanges).toBe(0);
    expect(kernel.inFlight).toBe(0);
    expect(server.count('/v1/chat/completions')).toBe(fault === 'reset' ? 2 : 1);
  });

  it('connection refused → UPSTREAM_UNAVAILABLE with the fix, after bounded retries; start-up warns once', async () => {
    const url = `${await closedPortUrl()}/v1`;
    const { kernel, logs } = await boot(`baseURL: ${url}\nretries: 2\nretryBackoffMs: 5`);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('connection refused');
    const { error } = (await ask(kernel, kernel.createRequest({ messages: user('x') }))) as { error?: KobzaError };
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.message).toContain('llama-server');
    expect(error?.details.attempts).toBe(3);
  });

  it('never logs or reports the credentials of the base URL (http://user:pass@host)', async () => {
    const closed = await closedPortUrl();
    const { kernel, logs } = await boot(`baseURL: ${closed.replace('//', '//u:TopSecret@')}/v1\nretries: 0`);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('is not usable');
    expect(warnings[0].msg).toContain(`${closed.replace('//', '//[redacted]@')}/v1`);
    const { error } = (await ask(kernel, kernel.createRequest({ messages: user('x') }))) as { error?: KobzaError };
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    const seen = JSON.stringify([logs, error?.message, error?.details]);
    expect(seen).toContain('[redacted]');
    expect(seen).not.toContain('TopSecret');
  });

  it('aborting mid-stream closes the upstream connection', async () => {
    const server = await upstream({ tokenDelayMs: 30 });
    const { kernel, provider } = await boot(`baseURL: ${server.url}`);
    const controller = new AbortController();
    const reply = await kernel.handle(kernel.createRequest({ messages: user('one two three four five six seven eight'), signal: controller.signal }));
    const consumed = (async () => {
      let n = 0;
      for await (const _chunk of reply.chunks) if (++n === 2) controller.abort();
    })();
    await expect(consumed).rejects.toMatchObject({ code: 'ABORTED' });
    await server.idle();
    expect(server.calls.find((c) => c.path === '/v1/chat/completions')!.clientClosed).toBe(true);
    expect(reply.meta.complete).toBe(false);
    expect(provider.openExchanges).toBe(0);
  });

  it('aborting before the first token cancels the HTTP call', async () => {
    const server = await upstream({ firstTokenDelayMs: 5_000 });
    const { kernel, provider } = await boot(`baseURL: ${server.url}\nprobeOnStart: false`);
    const controller = new AbortController();
    const pending = kernel.handle(kernel.createRequest({ messages: user('x'), signal: controller.signal }));
    await expect.poll(() => server.openResponses).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    await server.idle();
    expect(server.calls[0].clientClosed).toBe(true);
    expect(provider.openExchanges).toBe(0);
  });

  it('a consumer that stops reading early releases the upstream', async () => {
    const server = await upstream({ tokenDelayMs: 20 });
    const { kernel, provider } = await boot(`baseURL: ${server.url}`);
    const reply = await kernel.handle(kernel.createRequest({ messages: user('one two three four five') }));
    for await (const _chunk of reply.chunks) break;
    await server.idle();
    expect(server.calls.find((c) => c.path === '/v1/chat/completions')!.clientClosed).toBe(true);
    expect(provider.openExchanges).toBe(0);
  });

  it('lists models, embeds and probes', async () => {
    const server = await upstream({ models: [MODEL, 'nomic-embed'] });
    const { provider, logs } = await boot(`baseURL: ${server.url}`);
    expect(logs.filter((l) => l.level === 40)).toHaveLength(0);
    expect((await provider.listModels()).map((m) => m.name)).toEqual([MODEL, 'nomic-embed']);
    expect(await provider.embed(['a b', 'c'], 'nomic-embed')).toEqual([standInEmbedding('a b', 32), standInEmbedding('c', 32)]);
    expect(await provider.probe()).toMatchObject({ ok: true });
    server.set({ models: ['other-a', 'other-b'] });
    const probe = await provider.probe();
    expect(probe.ok).toBe(false);
    expect(probe.detail).toContain('does not serve model "qwen2.5-7b-instruct"');
  });

  it('reports config mistakes with the key path', async () => {
    await expect(boot('baseURL: not a url')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('plugins.openai-compatible.baseURL: expected a URL such as http://127.0.0.1:8080/v1, got "not a url"') });
    await expect(boot('base_url: http://x')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('plugins.openai-compatible.base_url') });
  });

  it('cannot be enabled together with ollama: one provider per config', async () => {
    const yaml = `assistant:\n  model: ${MODEL}\nplugins:\n  ollama:\n    probeOnStart: false\n  openai-compatible:\n    probeOnStart: false\n`;
    const creating = Kernel.create(parseConfig(yaml, { file: 'both.yaml', env: {} }), {
      builtins: { ollama: () => import('../../../plugins/ollama/index.js'), 'openai-compatible': () => import('../../../plugins/openai-compatible/index.js') },
      logger: pino({ level: 'silent' }),
    });
    await expect(creating).rejects.toMatchObject({ code: 'PLUGIN_CONFLICT', message: expect.stringMatching(/"ollama".*"openai-compatible".*LlmProvider/) });
  });
});
