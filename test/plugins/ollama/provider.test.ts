/**
 * The `ollama` provider driven through a real Kernel against the Ollama stand-in:
 * streaming and metadata, option mapping, every fault → its coded error, aborts that
 * reach the upstream, and nothing left open afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectedReply, standInEmbedding, type Fault } from '../../servers/ollama.js';
import { ask, bootOllama, closedPortUrl, standIn, stopAll, user } from './helpers.js';

afterEach(stopAll);

describe('ollama provider: streaming', () => {
  it('streams the answer in token-sized chunks and fills the metadata from the final chunk', async () => {
    const ollama = await standIn();
    const { kernel } = await bootOllama(`host: ${ollama.url}`);
    const request = kernel.createRequest({ messages: user('Коли починається вступна кампанія?') });
    const reply = await kernel.handle(request);
    const chunks: string[] = [];
    for await (const chunk of reply.chunks) chunks.push(chunk);
    const expected = expectedReply(ollama.calls.find((c) => c.path === '/api/chat')!.body);
    expect(chunks).toEqual(expected.tokens);
    expect(reply.meta).toMatchObject({ source: 'provider', model: 'qwen2.5:7b', doneReason: 'stop', complete: true, extra: { host: ollama.url } });
    expect(reply.meta.usage.completionTokens).toBe(expected.tokens.length);
    expect(reply.meta.usage.promptTokens).toBeGreaterThan(0);
    expect(reply.meta.timings.upstream?.totalNs).toBeGreaterThan(0);
    expect(reply.meta.timings.upstream?.loadNs).toBe(500_000);
    expect(reply.meta.flags.truncated).toBeUndefined();
  });

  it('maps generation options, plugin defaults, keep_alive and format onto the Ollama request', async () => {
    const ollama = await standIn();
    const { kernel } = await bootOllama(`host: ${ollama.url}\nkeepAlive: 10m\noptions: { num_ctx: 4096, temperature: 0.1 }`);
    const request = kernel.createRequest({
      messages: user('one two three four five'),
      options: { temperature: 0.7, top_p: 0.9, top_k: 40, seed: 7, stop: ['five'], num_predict: 3, keep_alive: '1h' },
      metadata: { format: 'json' },
    });
    const { text, meta } = await ask(kernel, request);
    const body = ollama.calls.find((c) => c.path === '/api/chat')!.body;
    expect(body.options).toEqual({ temperature: 0.7, top_p: 0.9, top_k: 40, seed: 7, stop: ['five'], num_predict: 3, num_ctx: 4096 });
    expect(body.keep_alive).toBe('1h');
    expect(body.format).toBe('json');
    expect(body.stream).toBe(true);
    expect(text).toBe(expectedReply(body).text);
    expect(meta?.doneReason).toBe('length');
    expect(meta?.flags.truncated).toBe(true);

    await ask(kernel, kernel.createRequest({ messages: user('x') }));
    const second = ollama.calls.filter((c) => c.path === '/api/chat')[1].body;
    expect(second.keep_alive).toBe('10m');
    expect(second.options).toEqual({ num_ctx: 4096, temperature: 0.1 });
  });

  it('uses assistant.model by default, the plugin model over it, and the request model over both', async () => {
    const ollama = await standIn();
    const { kernel } = await bootOllama(`host: ${ollama.url}\nmodel: llama3.2:3b`);
    await ask(kernel, kernel.createRequest({ messages: user('a') }));
    await ask(kernel, { ...kernel.createRequest({ messages: user('b') }), model: '' });
    await ask(kernel, kernel.createRequest({ messages: user('c'), model: 'gemma3:4b' }));
    const models = ollama.calls.filter((c) => c.path === '/api/chat').map((c) => c.body.model);
    // createRequest fills assistant.model; an empty model falls back to the plugin's.
    expect(models).toEqual(['qwen2.5:7b', 'llama3.2:3b', 'gemma3:4b']);
  });
});

describe('ollama provider: faults become coded errors', () => {
  const cases: { fault: Fault; code: string; message: RegExp; config?: string; afterTokens?: number }[] = [
    { fault: 'http500', code: 'UPSTREAM_BAD_RESPONSE', message: /HTTP 500: llama runner process has terminated/ },
    { fault: 'model404', code: 'MODEL_NOT_FOUND', message: /model "qwen2\.5:7b" not found.*ollama pull qwen2\.5:7b/ },
    { fault: 'busy', code: 'UPSTREAM_UNAVAILABLE', message: /busy/ },
    { fault: 'hang', code: 'UPSTREAM_TIMEOUT', message: /no token within 300 ms/, config: 'timeouts: { firstTokenMs: 300 }' },
    { fault: 'reset', code: 'UPSTREAM_UNAVAILABLE', message: /cannot reach Ollama|closed the connection before answering/ },
    { fault: 'cut', code: 'UPSTREAM_BAD_RESPONSE', message: /closed the connection mid-stream|dropped the connection/ },
    { fault: 'garbage', code: 'UPSTREAM_BAD_RESPONSE', message: /not JSON.*502 Bad Gateway/ },
    { fault: 'error-mid-stream', code: 'UPSTREAM_BAD_RESPONSE', message: /reported an error mid-stream: an error was encountered/ },
    { fault: 'stall', code: 'UPSTREAM_TIMEOUT', message: /silent for 300 ms/, config: 'timeouts: { idleMs: 300 }' },
    { fault: 'no-done', code: 'UPSTREAM_BAD_RESPONSE', message: /without "done"/ },
  ];

  it.each(cases)('$fault → $code, and nothing stays open', async ({ fault, code, message, config }) => {
    const ollama = await standIn({ fault, faultAfterTokens: 2 });
    const { kernel, provider } = await bootOllama(`host: ${ollama.url}\nretries: 1\nretryBackoffMs: 10\n${config ?? ''}`);
    const chunks: string[] = [];
    let caught: unknown;
    try {
      for await (const chunk of (await kernel.handle(kernel.createRequest({ messages: user('alpha beta gamma delta epsilon') }))).chunks) chunks.push(chunk);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ name: 'KobzaError', code });
    expect((caught as Error).message).toMatch(message);
    if (['cut', 'garbage', 'error-mid-stream', 'stall'].includes(fault)) expect(chunks).toEqual(['Answer ', 'to: ']);
    await ollama.idle();
    expect(ollama.openResponses).toBe(0);
    expect(provider.openExchanges).toBe(0);
    expect(kernel.inFlight).toBe(0);
    // Only a connection failure is retried; everything else is tried once.
    expect(ollama.count('/api/chat')).toBe(fault === 'reset' ? 2 : 1);
  });

  it('connection refused → UPSTREAM_UNAVAILABLE saying how to fix it, after bounded retries', async () => {
    const url = await closedPortUrl();
    const { kernel } = await bootOllama(`host: ${url}\nretries: 2\nretryBackoffMs: 5\nprobeOnStart: false`);
    const { error } = await ask(kernel, kernel.createRequest({ messages: user('x') }));
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.message).toContain('connection refused');
    expect(error?.message).toContain('ollama serve');
    expect(error?.message).toContain('OLLAMA_HOST');
    expect(error?.details.attempts).toHaveLength(3);
  });

  it('retries a connection failure before the first token and then answers', async () => {
    const ollama = await standIn({ fault: (req) => (req.index < 2 ? 'reset' : undefined) });
    const { kernel } = await bootOllama(`host: ${ollama.url}\nretries: 2\nretryBackoffMs: 5`);
    const { text, error } = await ask(kernel, kernel.createRequest({ messages: user('hello') }));
    expect(error).toBeUndefined();
    expect(text).toBe('Answer to: hello');
    expect(ollama.count('/api/chat')).toBe(3);
  });

  it('does not retry once tokens have flowed', async () => {
    const ollama = await standIn({ fault: (req) => (req.index === 0 ? 'cut' : undefined) });
    const { kernel } = await bootOllama(`host: ${ollama.url}\nretries: 3\nretryBackoffMs: 5`);
    const { error } = await ask(kernel, kernel.createRequest({ messages: user('a b c d') }));
    expect(error?.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(ollama.count('/api/chat')).toBe(1);
  });
});

describe('ollama provider: aborts reach the upstream', () => {
  it('aborting mid-stream closes the upstream connection and ends the reply with ABORTED', async () => {
    const ollama = await standIn({ tokenDelayMs: 30 });
    const { kernel, provider } = await bootOllama(`host: ${ollama.url}`);
    const controller = new AbortController();
    const reply = await kernel.handle(kernel.createRequest({ messages: user('one two three four five six seven eight nine ten'), signal: controller.signal }));
    const chunks: string[] = [];
    const consumed = (async () => {
      for await (const chunk of reply.chunks) {
        chunks.push(chunk);
        if (chunks.length === 2) controller.abort();
      }
    })();
    await expect(consumed).rejects.toMatchObject({ code: 'ABORTED' });
    await ollama.idle();
    const call = ollama.calls.find((c) => c.path === '/api/chat')!;
    expect(call.clientClosed).toBe(true);
    expect(chunks.length).toBeLessThan(expectedReply(call.body).tokens.length);
    expect(reply.meta.complete).toBe(false);
    expect(provider.openExchanges).toBe(0);
    expect(kernel.inFlight).toBe(0);
  });

  it('aborting before the first token (queued upstream) cancels the HTTP call', async () => {
    const ollama = await standIn({ parallel: 1, tokenDelayMs: 50 });
    const { kernel, provider } = await bootOllama(`host: ${ollama.url}`);
    const blocker = kernel.handle(kernel.createRequest({ messages: user('a b c d e f') }));
    const controller = new AbortController();
    const queued = kernel.handle(kernel.createRequest({ messages: user('second'), signal: controller.signal }));
    await expect.poll(() => ollama.queued).toBe(1);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
    await expect.poll(() => ollama.queued).toBe(0);
    expect(ollama.calls.filter((c) => c.path === '/api/chat')[1].clientClosed).toBe(true);
    const { text } = await (await import('../../../core/index.js')).collectReply(await blocker);
    expect(text).toBe('Answer to: a b c d e f');
    await ollama.idle();
    expect(provider.openExchanges).toBe(0);
  });

  it('a consumer that stops reading early releases the upstream', async () => {
    const ollama = await standIn({ tokenDelayMs: 20 });
    const { kernel, provider } = await bootOllama(`host: ${ollama.url}`);
    const reply = await kernel.handle(kernel.createRequest({ messages: user('one two three four five six') }));
    for await (const _chunk of reply.chunks) break;
    await ollama.idle();
    expect(ollama.calls.find((c) => c.path === '/api/chat')!.clientClosed).toBe(true);
    expect(provider.openExchanges).toBe(0);
  });

  it('kernel.stop() aborts streams past the drain timeout and closes every socket', async () => {
    const ollama = await standIn({ tokenDelayMs: 50 });
    const { kernel } = await bootOllama(`host: ${ollama.url}`, 'kernel:\n  shutdownTimeoutMs: 50\n');
    const reply = await kernel.handle(kernel.createRequest({ messages: user('one two three four five six seven eight nine') }));
    const consumed = (async () => {
      for await (const _chunk of reply.chunks) {
        // keep reading
      }
    })();
    await kernel.stop();
    await expect(consumed).rejects.toMatchObject({ code: 'ABORTED' });
    await ollama.idle();
    await expect.poll(() => ollama.openSockets()).toBe(0);
  });

  it('many aborted and completed requests leave no open responses or pooled sockets', async () => {
    const ollama = await standIn({ tokenDelayMs: 2 });
    const { kernel, provider } = await bootOllama(`host: ${ollama.url}`);
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const controller = new AbortController();
        const request = kernel.createRequest({ messages: user(`q${i} a b c d e`), signal: controller.signal });
        try {
          const reply = await kernel.handle(request);
          let n = 0;
          for await (const _chunk of reply.chunks) if (i % 2 === 0 && ++n === 2) controller.abort();
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ABORTED');
        }
      }),
    );
    await ollama.idle();
    expect(provider.openExchanges).toBe(0);
    expect(ollama.calls.filter((c) => c.clientClosed)).toHaveLength(10);
    // Completed exchanges return their sockets to the keep-alive pool, aborted ones close.
    expect(provider.transport.openSockets()).toBeLessThanOrEqual(10);
    await kernel.stop();
    await expect.poll(() => ollama.openSockets()).toBe(0);
  });
});

describe('ollama provider: models, embeddings, probe, start-up', () => {
  it('lists models, embeds through /api/embed and probes version and model', async () => {
    const ollama = await standIn({ models: ['qwen2.5:7b', 'nomic-embed-text'] });
    const { provider } = await bootOllama(`host: ${ollama.url}\nkeepAlive: 5m`);
    const models = await provider.listModels();
    expect(models.map((m) => m.name)).toEqual(['qwen2.5:7b', 'nomic-embed-text:latest']);
    expect(models[0].details).toMatchObject({ family: 'qwen2' });
    const vectors = await provider.embed(['вступ 2025', 'hello'], 'nomic-embed-text');
    expect(vectors[0]).toEqual(standInEmbedding('вступ 2025'));
    expect(ollama.calls.find((c) => c.path === '/api/embed')!.body).toMatchObject({ model: 'nomic-embed-text', keep_alive: '5m' });
    await expect(provider.embed(['x'], 'missing-model')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    const probe = await provider.probe();
    expect(probe).toMatchObject({ ok: true, version: '0.6.5' });
    expect(probe.detail).toContain('model qwen2.5:7b available');
  });

  it('probe says which model to pull when the default one is missing', async () => {
    const ollama = await standIn({ models: ['llama3.2:3b'] });
    const { provider, logs } = await bootOllama(`host: ${ollama.url}`);
    const probe = await provider.probe();
    expect(probe.ok).toBe(false);
    expect(probe.detail).toContain('ollama pull qwen2.5:7b');
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('ollama pull qwen2.5:7b');
  });

  it('with no Ollama running it starts, warns once with the fix, and answers UPSTREAM_UNAVAILABLE', async () => {
    const url = await closedPortUrl();
    const { kernel, logs } = await bootOllama(`host: ${url}\nretries: 0`);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    for (const hint of ['OLLAMA_HOST', 'ollama serve', 'ollama pull qwen2.5:7b']) expect(warnings[0].msg).toContain(hint);
    const { error } = await ask(kernel, kernel.createRequest({ messages: user('x') }));
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('never logs or reports the credentials of a host URL (http://user:pass@host)', async () => {
    const [one, two] = [await closedPortUrl(), await closedPortUrl()];
    const hosts = [one.replace('//', '//u:TopSecret@'), two.replace('//', '//v:TopSecret2@')];
    const { kernel, provider, logs } = await bootOllama(`host: [${hosts.join(', ')}]\nretries: 0`);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('Ollama is not reachable');
    expect(warnings[0].msg).toContain(one.replace('//', '//[redacted]@'));
    expect(warnings[0].hosts).toEqual([one.replace('//', '//[redacted]@'), two.replace('//', '//[redacted]@')]);
    const { error } = await ask(kernel, kernel.createRequest({ messages: user('x') }));
    expect(error?.code).toBe('UPSTREAM_UNAVAILABLE');
    const pulled = await provider.modelAdmin.show({ model: 'qwen2.5:7b' }, AbortSignal.timeout(10_000)).catch((err: unknown) => err);
    expect((pulled as { code?: string }).code).toBe('UPSTREAM_UNAVAILABLE');
    const seen = JSON.stringify([logs, error?.message, error?.details, (pulled as Error).message, (pulled as { details?: unknown }).details]);
    expect(seen).toContain('[redacted]');
    expect(seen).not.toContain('TopSecret');
  });

  it('logs that Ollama is ready when the probe succeeds', async () => {
    const ollama = await standIn();
    const { logs } = await bootOllama(`host: ${ollama.url}`);
    expect(logs.filter((l) => l.level === 40)).toHaveLength(0);
    expect(logs.some((l) => l.level === 30 && String(l.msg).startsWith('Ollama ready'))).toBe(true);
    expect(ollama.count('/api/version')).toBe(1);
  });
});
