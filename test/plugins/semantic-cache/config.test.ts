import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { definePlugin, Kernel, parseConfig, type Embedder } from '../../../core/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let ollama: OllamaStandIn;
beforeEach(async () => {
  ollama = await startOllamaStandIn();
});
afterEach(async () => {
  await stopKernels();
  await ollama.close();
});

describe('semantic-cache config', () => {
  it('reports bad values with the file, line, key path and what was expected', async () => {
    const yaml = [
      'assistant:',
      '  model: qwen2.5:7b',
      'plugins:',
      '  semantic-cache:',
      '    ttlMs: -5',
      '    followUps: sometimes',
      '    embedder: { type: openai }',
      '    index: { quantisation: f16 }',
      '    heldAnswers: -1',
      '',
    ].join('\n');
    const config = parseConfig(yaml, { file: 'bad.yaml', env: {} });
    const error = await Kernel.create(config, {
      builtins: { 'semantic-cache': () => import('../../../plugins/semantic-cache/index.js') },
      logger: pino({ level: 'silent' }),
      requireProvider: false,
    }).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain('bad.yaml:5: plugins.semantic-cache.ttlMs: expected a number 0 or more, got -5');
    expect(message).toContain('bad.yaml:6: plugins.semantic-cache.followUps: expected context or bypass, got "sometimes"');
    expect(message).toContain('bad.yaml:7: plugins.semantic-cache.embedder.type: expected builtin, ollama or provided, got "openai"');
    expect(message).toContain('bad.yaml:8: plugins.semantic-cache.index.quantisation: unknown key; did you mean "quantization"?');
    expect(message).toContain('bad.yaml:9: plugins.semantic-cache.heldAnswers: expected a number 0 or more, got -1');
  });

  it('embedder: ollama embeds through /api/embed and still verifies every hit', async () => {
    const { ask, cache } = await bootCache({ ollamaUrl: ollama.url, cache: { embedder: { type: 'ollama', model: 'bge-m3', url: ollama.url } } });
    expect(cache.options.embedder.id).toBe('ollama:bge-m3');
    await ask('Коли початок сесії?');
    expect(ollama.count('/api/embed')).toBe(1); // the stored question
    expect((await ask('коли початок сесії')).meta.source).toBe('cache'); // exact: no embedding needed
    expect((await ask('Коли кінець сесії?')).meta.source).toBe('provider'); // a near neighbour, vetoed
    expect(ollama.count('/api/embed')).toBeGreaterThanOrEqual(2);
  });

  it('embedder: ollama without a url embeds through the ollama provider plugin (its hosts and failover)', async () => {
    const { ask } = await bootCache({ ollamaUrl: ollama.url, cache: { embedder: { type: 'ollama', model: 'bge-m3' } } });
    await ask('Коли початок сесії?');
    const embeds = ollama.calls.filter((c) => c.path === '/api/embed');
    expect(embeds).toHaveLength(1);
    expect(embeds[0].body).toMatchObject({ model: 'bge-m3' });
    expect((await ask('Коли кінець сесії?')).meta.source).toBe('provider');
  });

  it('when the embedder is down, lookups degrade to misses and the model still answers', async () => {
    const { ask, misses } = await bootCache({ ollamaUrl: ollama.url, cache: { embedder: { type: 'ollama', model: 'bge-m3', url: ollama.url } } });
    await ask('Коли початок сесії?');
    ollama.set({ fault: (request) => (request.path === '/api/embed' ? 'http500' : undefined) });
    const answer = await ask('Коли починається сесія?');
    expect(answer.meta.source).toBe('provider');
    expect(misses.at(-1)).toMatchObject({ reason: 'embedder-error' });
  });

  it('uses an Embedder another plugin provides, unless the config names one', async () => {
    let calls = 0;
    const custom = definePlugin({
      name: 'custom-embedder',
      provides: ['Embedder'],
      register(ctx) {
        const embedder: Embedder = {
          id: 'custom',
          dimensions: 2,
          async embed(texts) {
            calls += texts.length;
            return texts.map(() => Float32Array.from([1, 0]));
          },
        };
        ctx.provide('Embedder', embedder);
      },
    });
    const provided = await bootCache({ ollamaUrl: ollama.url, extra: { 'custom-embedder': custom } });
    expect(provided.cache.options.embedder.id).toBe('custom');
    await provided.ask('Де бібліотека?');
    expect(calls).toBe(1);
    // Every vector is identical, yet a different question is not served: verification decides.
    expect((await provided.ask('Де їдальня?')).meta.source).toBe('provider');
    const named = await bootCache({ ollamaUrl: ollama.url, extra: { 'custom-embedder': custom }, cache: { embedder: { type: 'builtin' } } });
    expect(named.cache.options.embedder.id).toMatch(/^builtin-hash:/);
  });

  it('heldAnswers reaches the cache: 1000 by default, 0 turns holding off', async () => {
    expect((await bootCache({ ollamaUrl: ollama.url })).cache.options.heldAnswers).toBe(1000);
    const off = await bootCache({ ollamaUrl: ollama.url, cache: { heldAnswers: 0 } });
    expect(off.cache.options.heldAnswers).toBe(0);
    await off.ask('Де їдальня?');
    expect((await off.ask('Де їдальня?')).meta.source).toBe('cache');
  });
});
