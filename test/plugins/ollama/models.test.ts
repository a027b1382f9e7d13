/**
 * The Ollama provider's model management (core's ModelAdmin) against the stand-in: pull
 * progress, a reader that stops early closes the upstream exchange, a silent progress
 * stream times out, upstream answers keep Ollama's message under a code, failover to a
 * reachable host.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KobzaError, ModelProgress } from '../../../core/index.js';
import { eventually } from '../../adapters/http/helpers.js';
import { bootOllama, closedPortUrl, standIn, stopAll } from './helpers.js';

afterEach(stopAll);

const signal = () => new AbortController().signal;

describe('ollama provider: model management', () => {
  it('pulls with progress, shows, lists loaded models, copies, creates and deletes', async () => {
    const ollama = await standIn();
    const { provider } = await bootOllama(`host: ${ollama.url}\nprobeOnStart: false`);
    const admin = provider.modelAdmin;
    const lines: ModelProgress[] = [];
    for await (const progress of admin.pull({ model: 'llama3.2' }, signal())) lines.push(progress);
    expect(lines[0]).toEqual({ status: 'pulling manifest' });
    expect(lines.filter((l) => l.digest).map((l) => l.completed)).toEqual([0, 4_683_087_332 / 4, 4_683_087_332 / 2, 4_683_087_332]);
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect((await provider.listModels()).map((m) => m.name)).toContain('llama3.2:latest');

    expect(await admin.show({ model: 'llama3.2' }, signal())).toMatchObject({ modelfile: 'FROM llama3.2:latest' });
    expect(await admin.running(signal())).toEqual([]);
    await admin.copy('llama3.2', 'llama-copy', signal());
    const created: string[] = [];
    for await (const progress of admin.create({ model: 'kobza-uk', from: 'llama-copy', system: 'Відповідай українською.' }, signal())) created.push(progress.status);
    expect(created.at(-1)).toBe('success');
    await admin.delete('llama-copy', signal());
    expect((await provider.listModels()).map((m) => m.name)).toEqual(['qwen2.5:7b', 'llama3.2:latest', 'kobza-uk:latest']);
    expect(provider.openExchanges).toBe(0);
  });

  it('keeps Ollama\'s message under a code', async () => {
    const ollama = await standIn();
    const { provider } = await bootOllama(`host: ${ollama.url}\nprobeOnStart: false`);
    const missing = (await provider.modelAdmin.delete('ghost', signal()).catch((err: unknown) => err)) as KobzaError;
    expect(missing).toMatchObject({ code: 'MODEL_NOT_FOUND', message: "model 'ghost' not found" });
    const badCopy = (await provider.modelAdmin.copy('qwen2.5:7b', '', signal()).catch((err: unknown) => err)) as KobzaError;
    expect(badCopy).toMatchObject({ code: 'BAD_REQUEST', message: 'destination name is required' });
    const failedPull = (await (async () => {
      for await (const _ of provider.modelAdmin.pull({ model: 'does-not-exist' }, signal()));
    })().catch((err: unknown) => err)) as KobzaError;
    expect(failedPull.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(failedPull.message).toContain('pull model manifest: file does not exist');
    expect(provider.openExchanges).toBe(0);
  });

  it('closes the upstream exchange when the reader stops early, and times out a silent stream', async () => {
    const ollama = await standIn({ progressDelayMs: 30 });
    const { provider } = await bootOllama(`host: ${ollama.url}\nprobeOnStart: false`);
    for await (const progress of provider.modelAdmin.pull({ model: 'llama3.2' }, signal())) {
      expect(progress.status).toBe('pulling manifest');
      break;
    }
    await eventually(() => ollama.calls.some((c) => c.path === '/api/pull' && c.clientClosed));
    expect(provider.openExchanges).toBe(0);
    expect((await provider.listModels()).map((m) => m.name)).not.toContain('llama3.2:latest');

    ollama.set({ progressDelayMs: 400 });
    const slow = await bootOllama(`host: ${ollama.url}\nprobeOnStart: false\ntimeouts: { connectMs: 1000, firstTokenMs: 100, idleMs: 1000 }`);
    const silent = (await (async () => {
      for await (const _ of slow.provider.modelAdmin.pull({ model: 'phi3' }, signal()));
    })().catch((err: unknown) => err)) as KobzaError;
    expect(silent.code).toBe('UPSTREAM_TIMEOUT');
    expect(silent.message).toMatch(/firstTokenMs/);
    expect(slow.provider.openExchanges).toBe(0);
  });

  it('goes to a reachable host when the first refuses connections', async () => {
    const dead = await closedPortUrl();
    const good = await standIn();
    const { provider } = await bootOllama(`host: [${dead}, ${good.url}]\nretries: 0\nprobeOnStart: false`);
    expect(await provider.modelAdmin.show({ model: 'qwen2.5:7b' }, signal())).toHaveProperty('details');
    expect(good.count('/api/show')).toBe(1);
  });
});
