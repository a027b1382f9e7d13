/**
 * Several Ollama hosts: least-in-flight spreading, failover before the first token,
 * cool-down of hosts that refuse connections; plus the host pool and config validation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KobzaError, collectReply } from '../../../core/index.js';
import { HostPool, normaliseHost } from '../../../plugins/ollama/index.js';
import { ConnectTimeoutError } from '../../../plugins/ollama/transport.js';
import { classifyFailure } from '../../../plugins/ollama/upstream-errors.js';
import { ask, bootOllama, closedPortUrl, standIn, stopAll, user } from './helpers.js';

afterEach(stopAll);

describe('ollama provider: several hosts', () => {
  it('spreads concurrent requests to the host with the fewest in flight', async () => {
    const a = await standIn({ tokenDelayMs: 10 });
    const b = await standIn({ tokenDelayMs: 10 });
    const { kernel } = await bootOllama(`host: [${a.url}, ${b.url}]`);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(kernel, kernel.createRequest({ messages: user(`q${i} one two three`) }))));
    expect(replies.every((r) => r.error === undefined)).toBe(true);
    expect(a.count('/api/chat')).toBe(3);
    expect(b.count('/api/chat')).toBe(3);
    expect(a.maxActive).toBe(3);
    expect(new Set(replies.map((r) => r.meta?.extra.host))).toEqual(new Set([a.url, b.url]));
  });

  it('moves a request that failed before its first token to the next host', async () => {
    const broken = await standIn({ fault: 'http500' });
    const good = await standIn();
    const { kernel } = await bootOllama(`host: [${broken.url}, ${good.url}]\nprobeOnStart: false`);
    for (let i = 0; i < 4; i++) {
      const { text, meta, error } = await ask(kernel, kernel.createRequest({ messages: user(`q${i}`) }));
      expect(error).toBeUndefined();
      expect(text).toBe(`Answer to: q${i}`);
      expect(meta?.extra.host).toBe(good.url);
    }
    // A host that answers (even with 500) is not cooled down: it keeps being tried.
    expect(broken.count('/api/chat')).toBeGreaterThanOrEqual(2);
    expect(good.count('/api/chat')).toBe(4);
  });

  it('skips a host that refused connections for the cool-down, then tries it again', async () => {
    const dead = await closedPortUrl();
    const good = await standIn();
    const { kernel, provider } = await bootOllama(`host: [${dead}, ${good.url}]\ncoolDownMs: 300\nretries: 0\nprobeOnStart: false`);
    const deadHost = provider.pool.hosts.find((h) => h.url === dead)!;
    for (let i = 0; i < 3; i++) {
      const { error } = await ask(kernel, kernel.createRequest({ messages: user(`q${i}`) }));
      expect(error).toBeUndefined();
    }
    expect(deadHost.coolingUntil).toBeGreaterThan(Date.now());
    const cooledAt = deadHost.coolingUntil;
    // While cooling, the dead host is never picked first, so its cool-down is not renewed.
    await ask(kernel, kernel.createRequest({ messages: user('again') }));
    expect(deadHost.coolingUntil).toBe(cooledAt);
    await new Promise((resolve) => setTimeout(resolve, 350));
    // Cooled down: tried again (two rounds guarantee it is picked once), refused again.
    await ask(kernel, kernel.createRequest({ messages: user('after 1') }));
    await ask(kernel, kernel.createRequest({ messages: user('after 2') }));
    expect(deadHost.coolingUntil).toBeGreaterThan(cooledAt);
    expect(good.count('/api/chat')).toBe(6);
  });

  it('when every host fails, reports the most telling error and names the others', async () => {
    const dead = await closedPortUrl();
    const missing = await standIn({ models: ['llama3.2:3b'] });
    const { kernel } = await bootOllama(`host: [${dead}, ${missing.url}]\nretries: 1\nretryBackoffMs: 5\nprobeOnStart: false`);
    const { error } = await ask(kernel, kernel.createRequest({ messages: user('x') }));
    expect(error?.code).toBe('MODEL_NOT_FOUND');
    expect(error?.message).toContain('ollama pull qwen2.5:7b');
    expect(error?.message).toContain(`also tried ${dead}: UPSTREAM_UNAVAILABLE`);
    // A model error is not a connection failure: no second round.
    expect(missing.count('/api/chat')).toBe(1);
    expect((error?.details.attempts as unknown[]).length).toBe(2);
  });

  it('a failure after the first token is not moved to another host', async () => {
    const cutting = await standIn({ fault: 'cut', tokenDelayMs: 5 });
    const good = await standIn({ tokenDelayMs: 5 });
    const { kernel, provider } = await bootOllama(`host: [${cutting.url}, ${good.url}]\nprobeOnStart: false`);
    // Make the cutting host the least loaded one.
    provider.pool.hosts[1].inFlight += 1;
    const reply = await kernel.handle(kernel.createRequest({ messages: user('one two three four') }));
    provider.pool.hosts[1].inFlight -= 1;
    await expect(collectReply(reply)).rejects.toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    expect(good.count('/api/chat')).toBe(0);
  });
});

describe('host pool', () => {
  it('normalises hosts the way OLLAMA_HOST is read', () => {
    expect(normaliseHost('gpu-1')).toBe('http://gpu-1:11434');
    expect(normaliseHost('10.0.0.2:8080')).toBe('http://10.0.0.2:8080');
    expect(normaliseHost('https://ollama.example.org/')).toBe('https://ollama.example.org');
    expect(normaliseHost('http://127.0.0.1:11434/')).toBe('http://127.0.0.1:11434');
    expect(normaliseHost(':11500')).toBe('http://127.0.0.1:11500');
  });

  it('prefers hosts not cooling, then fewest in flight, rotating ties', () => {
    const pool = new HostPool(['a', 'b', 'c'], 1000);
    const [a, b, c] = pool.hosts;
    const picks = [pool.pick(new Set(), 0), pool.pick(new Set(), 0), pool.pick(new Set(), 0)].map((h) => h?.url);
    expect(new Set(picks)).toEqual(new Set(['a', 'b', 'c']));
    a.inFlight = 2;
    b.inFlight = 1;
    c.inFlight = 3;
    expect(pool.pick(new Set(), 0)).toBe(b);
    pool.coolDown(b, 0);
    expect(pool.pick(new Set(), 10)).toBe(a);
    expect(pool.pick(new Set([a, c]), 10)).toBe(b);
    expect(pool.pick(new Set([a, b, c]), 10)).toBeUndefined();
    expect(pool.pick(new Set(), 2000)).toBe(b);
  });

  it('classifies a connect timeout as UPSTREAM_TIMEOUT and a connection failure', () => {
    const failure = classifyFailure(new ConnectTimeoutError('http://gpu-1:11434', 5000), {
      host: 'http://gpu-1:11434',
      model: 'qwen2.5:7b',
      phase: 'before-first-token',
      signal: new AbortController().signal,
      report: { bytes: 0, sawDone: false },
    });
    expect(failure.connection).toBe(true);
    expect(failure.error).toBeInstanceOf(KobzaError);
    expect(failure.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(failure.error.message).toContain('within 5000 ms');
  });
});

describe('ollama config', () => {
  it('reports a bad host with file, line, key path and what was expected', async () => {
    await expect(bootOllama('host: 42')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^test\.yaml:5: plugins\.ollama\.host: expected a URL such as http:\/\/127\.0\.0\.1:11434.*got 42/) });
    await expect(bootOllama('host: "ftp://x"')).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('plugins.ollama.host: expected a URL') });
  });

  it('rejects unknown keys and bad timeouts', async () => {
    const error = await bootOllama('timeouts: { connectMS: 10, idleMs: -1 }').catch((err: KobzaError) => err);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = (error as KobzaError).message;
    expect(message).toContain('plugins.ollama.timeouts');
    expect(message).toMatch(/connectMS/);
    expect(message).toMatch(/connectMs/);
    expect(message).toContain('plugins.ollama.timeouts.idleMs: expected a number more than 0, got -1');
  });

  it('accepts a list of hosts and the documented defaults', async () => {
    const good = await standIn();
    const { provider } = await bootOllama(`host:\n  - ${good.url}\n  - ${good.url}/\nprobeOnStart: false`);
    expect(provider.pool.hosts.map((h) => h.url)).toEqual([good.url]);
    expect(provider.defaultModel).toBe('qwen2.5:7b');
  });
});
