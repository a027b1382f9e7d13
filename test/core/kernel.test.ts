import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  collectReply,
  createReplyMeta,
  definePlugin,
  Kernel,
  KobzaError,
  parseConfig,
  type KobzaEvents,
  type LlmProvider,
  type PluginDefinition,
} from '../../core/index.js';

const silent = pino({ level: 'silent' });

/** A provider plugin written the way a user would write one, answering from a script. */
function scriptedProvider(name: string, answer: (text: string) => string[] | Promise<string[]>, options: { delayMs?: number } = {}): PluginDefinition {
  return definePlugin({
    name,
    provides: ['LlmProvider'],
    register(ctx) {
      const provider: LlmProvider = {
        id: name,
        async chat(request) {
          const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
          const parts = await answer(request.messages[request.messages.length - 1].content);
          async function* stream() {
            for (const part of parts) {
              if (options.delayMs) {
                await new Promise<void>((resolve, reject) => {
                  const timer = setTimeout(resolve, options.delayMs);
                  request.signal.addEventListener('abort', () => {
                    clearTimeout(timer);
                    reject(new KobzaError('ABORTED', 'aborted'));
                  });
                });
              }
              yield part;
            }
            meta.complete = true;
          }
          return { chunks: stream(), meta };
        },
      };
      ctx.provide('LlmProvider', provider);
    },
  });
}

const kernels: Kernel[] = [];
async function boot(yaml: string, builtins: Record<string, PluginDefinition>, extra: Partial<Parameters<typeof Kernel.create>[1]> = {}) {
  const config = parseConfig(yaml, { file: 'test.yaml', env: {} });
  const loaders = Object.fromEntries(Object.entries(builtins).map(([k, v]) => [k, async () => v]));
  const kernel = await Kernel.create(config, { builtins: loaders, logger: silent, ...extra });
  kernels.push(kernel);
  return kernel;
}

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
});

describe('kernel', () => {
  it('runs a request through middleware in stage order and emits events', async () => {
    const trace: string[] = [];
    const tagger = (stage: 'guard' | 'cache' | 'deliver') =>
      definePlugin({
        name: `tag-${stage}`,
        register(ctx) {
          ctx.provide('Middleware', { name: `tag-${stage}`, stage, handle: (req, next) => (trace.push(stage), next()) });
        },
      });
    const kernel = await boot(['assistant: { model: m, systemPrompt: "be brief" }', 'plugins:', '  provider: {}', '  cache: {}', '  guard: {}', '  deliver: {}'].join('\n'), {
      provider: scriptedProvider('provider', (q) => ['echo: ', q]),
      cache: tagger('cache'),
      guard: tagger('guard'),
      deliver: tagger('deliver'),
    });
    const events: string[] = [];
    for (const name of ['request:start', 'reply:first-chunk', 'request:end'] as (keyof KobzaEvents)[]) kernel.events.on(name, () => events.push(name));
    const request = kernel.createRequest({ messages: [{ role: 'user', content: 'Привіт' }] });
    expect(request.messages[0]).toEqual({ role: 'system', content: 'be brief' });
    expect(request.model).toBe('m');
    const { text, meta } = await collectReply(await kernel.handle(request));
    expect(text).toBe('echo: Привіт');
    expect(trace).toEqual(['deliver', 'guard', 'cache']);
    expect(events).toEqual(['request:start', 'reply:first-chunk', 'request:end']);
    expect(meta.timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(kernel.inFlight).toBe(0);
  });

  it('refuses to start when a dependency is missing, naming both sides', async () => {
    const needy = definePlugin({ name: 'needy', dependsOn: ['Embedder'], register() {} });
    await expect(boot('assistant: { model: m }\nplugins:\n  provider: {}\n  needy: {}', { provider: scriptedProvider('provider', () => []), needy })).rejects.toMatchObject({
      code: 'PLUGIN_DEPENDENCY',
      message: expect.stringMatching(/test\.yaml:4: plugin "needy" depends on "Embedder", which no enabled plugin provides/),
    });
  });

  it('refuses two providers for one slot, naming both', async () => {
    const yaml = 'assistant: { model: m }\nplugins:\n  a: {}\n  b: {}';
    const a = { ...scriptedProvider('a', () => []) };
    const b = { ...scriptedProvider('b', () => []) };
    await expect(boot(yaml, { a, b })).rejects.toMatchObject({ code: 'PLUGIN_CONFLICT', message: expect.stringContaining('plugins "a" (line 3) and "b" (line 4) both provide LlmProvider') });
    // Also when a plugin fills a slot it did not declare.
    const sneaky = definePlugin({ name: 'sneaky', register: (ctx) => ctx.provide('LlmProvider', { id: 'x', chat: () => Promise.reject(new Error('x')) }) });
    await expect(boot('assistant: { model: m }\nplugins:\n  a: {}\n  sneaky: {}', { a, sneaky })).rejects.toMatchObject({ code: 'PLUGIN_CONFLICT', message: expect.stringContaining('"a" and "sneaky" both provide LlmProvider') });
  });

  it('refuses to boot without a provider, and with an unknown plugin (did you mean)', async () => {
    await expect(boot('assistant: { model: m }\nplugins: {}', {})).rejects.toMatchObject({ code: 'PLUGIN_DEPENDENCY', message: expect.stringContaining('no plugin provides LlmProvider') });
    await expect(boot('assistant: { model: m }\nplugins:\n  olama: {}', { ollama: scriptedProvider('ollama', () => []) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'test.yaml:3: plugins.olama: unknown plugin; did you mean "ollama"?',
    });
  });

  it('validates each plugin block with the plugin\'s own schema before anything registers', async () => {
    let registered = false;
    const typed = definePlugin({
      name: 'typed',
      configSchema: z.strictObject({ weight: z.number({ error: 'expected a number' }).default(1) }),
      register: () => {
        registered = true;
      },
    });
    await expect(boot('assistant: { model: m }\nplugins:\n  typed:\n    weight: heavy\n  provider: {}', { typed, provider: scriptedProvider('provider', () => []) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'test.yaml:4: plugins.typed.weight: expected a number, got "heavy"',
    });
    expect(registered).toBe(false);
  });

  it('skips disabled plugins and loads custom plugin modules relative to the config file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kobza-kernel-'));
    writeFileSync(
      path.join(dir, 'shout.mjs'),
      `export default { name: 'shout', register(ctx, config) { ctx.provide('Middleware', { name: 'shout', stage: 'guard', async handle(req, next) { const r = await next(); const chunks = r.chunks; r.chunks = (async function* () { for await (const c of chunks) yield c.toUpperCase() + (config.suffix ?? ''); })(); return r; } }); } };`,
    );
    const yaml = ['assistant: { model: m }', 'plugins:', '  provider: {}', '  shout:', '    module: ./shout.mjs', '    suffix: "!"', '  ghost:', '    enabled: false'].join('\n');
    const config = parseConfig(yaml, { file: path.join(dir, 'kobza.yaml'), env: {} });
    const kernel = await Kernel.create(config, { builtins: { provider: async () => scriptedProvider('provider', () => ['привіт']) }, logger: silent });
    kernels.push(kernel);
    expect(kernel.plugins.map((p) => p.block.name)).toEqual(['provider', 'shout']);
    const { text } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'x' }] })));
    expect(text).toBe('ПРИВІТ!');

    const broken = parseConfig(['assistant: { model: m }', 'plugins:', '  provider: {}', '  gone:', '    module: ./missing.mjs'].join('\n'), { file: path.join(dir, 'kobza.yaml'), env: {} });
    await expect(Kernel.create(broken, { builtins: { provider: async () => scriptedProvider('provider', () => []) }, logger: silent })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/kobza\.yaml:5: plugins\.gone\.module: cannot load plugin module .*missing\.mjs/),
    });
  });

  it('wraps errors thrown in the pipeline and in the stream with the request id', async () => {
    const kernel = await boot('assistant: { model: m }\nplugins:\n  provider: {}', {
      provider: scriptedProvider('provider', (q) => {
        if (q === 'throw') throw new Error('boom');
        return ['ok'];
      }),
    });
    const errors: KobzaEvents['request:error'][] = [];
    kernel.events.on('request:error', (e) => errors.push(e));
    const request = kernel.createRequest({ messages: [{ role: 'user', content: 'throw' }] });
    await expect(kernel.handle(request)).rejects.toMatchObject({ code: 'INTERNAL', requestId: request.id });
    expect(errors).toHaveLength(1);
    expect(errors[0].requestId).toBe(request.id);
    expect(kernel.inFlight).toBe(0);
  });

  it('starts adapters in order, stops them in reverse, then runs close hooks in reverse', async () => {
    const trace: string[] = [];
    const adapterPlugin = (name: string) =>
      definePlugin({
        name,
        register(ctx) {
          ctx.provide('Adapter', { name, start: async () => void trace.push(`start ${name}`), stop: async () => void trace.push(`stop ${name}`) });
          ctx.onClose(() => void trace.push(`close ${name}`));
        },
      });
    const kernel = await boot('assistant: { model: m }\nplugins:\n  provider: {}\n  one: {}\n  two: {}', { provider: scriptedProvider('provider', () => []), one: adapterPlugin('one'), two: adapterPlugin('two') });
    await kernel.start();
    await kernel.stop();
    expect(trace).toEqual(['start one', 'start two', 'stop two', 'stop one', 'close two', 'close one']);
  });

  it('drains in-flight requests on stop, and refuses new ones meanwhile', async () => {
    const kernel = await boot('assistant: { model: m }\nplugins:\n  provider: {}', { provider: scriptedProvider('provider', () => ['a', 'b', 'c'], { delayMs: 30 }) });
    const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'x' }] }));
    const collected = collectReply(reply);
    const stopped = kernel.stop();
    await expect(kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'late' }] }))).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const { text } = await collected;
    await stopped;
    expect(text).toBe('abc');
    expect(kernel.inFlight).toBe(0);
  });

  it('aborts what is still running when the shutdown timeout passes', async () => {
    const kernel = await boot('assistant: { model: m }\nkernel: { shutdownTimeoutMs: 50 }\nplugins:\n  provider: {}', {
      provider: scriptedProvider('provider', () => Array.from({ length: 100 }, () => 'x'), { delayMs: 20 }),
    });
    const request = kernel.createRequest({ messages: [{ role: 'user', content: 'long' }] });
    const collected = collectReply(await kernel.handle(request));
    await kernel.stop();
    await expect(collected).rejects.toMatchObject({ code: 'ABORTED' });
    expect(request.signal.aborted).toBe(true);
  });
});
