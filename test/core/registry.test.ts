/**
 * The kernel's tsyringe container is its one registry: what plugins provide is read back
 * from it, single slots refuse a second provider, augmented tokens are single slots, and
 * the context a plugin gets has exactly the documented members.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { collectReply, createReplyMeta, definePlugin, Kernel, parseConfig, type Middleware, type PluginContext, type PluginDefinition, type Scorer, type Stage } from '../../core/index.js';

declare module '../../core/index.js' {
  interface Services {
    RegistryTestClock: { now(): number };
  }
}

const silent = pino({ level: 'silent' });

const echo = definePlugin({
  name: 'echo',
  provides: ['LlmProvider'],
  register(ctx) {
    ctx.provide('LlmProvider', {
      id: 'echo',
      async chat(request) {
        const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
        meta.complete = true;
        return { chunks: (async function* () { yield request.messages.at(-1)!.content; })(), meta };
      },
    });
  },
});

const kernels: Kernel[] = [];
async function boot(names: string[], builtins: Record<string, PluginDefinition>, logger = silent) {
  const yaml = ['assistant: { model: m }', 'plugins:', ...names.map((n) => `  ${n}: {}`)].join('\n');
  const config = parseConfig(yaml, { file: 'test.yaml', env: {} });
  const loaders = Object.fromEntries(Object.entries(builtins).map(([k, v]) => [k, async () => v]));
  const kernel = await Kernel.create(config, { builtins: loaders, logger });
  kernels.push(kernel);
  return kernel;
}

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
});

describe('kernel registry', () => {
  it('a plugin context has exactly the documented members (no raw container, no use/addScorer/addAdapter, no configDir)', async () => {
    let seen: PluginContext | undefined;
    await boot(['echo', 'probe'], { echo, probe: definePlugin({ name: 'probe', register: (ctx) => void (seen = ctx) }) });
    expect(Object.keys(seen!).sort()).toEqual(['config', 'createRequest', 'events', 'handle', 'logger', 'name', 'onClose', 'onReady', 'provide', 'resolve', 'resolveAll', 'tryResolve']);
    expect(seen!.config.dir).toBe(process.cwd()); // test.yaml is relative to the working directory
  });

  it('many-valued services live in the container, in the order provided; middleware in stage then YAML order', async () => {
    const step = (name: string, stage: Stage): Middleware => ({ name, stage, handle: (request, next) => next(request) });
    const scorer = (name: string): Scorer => ({ name, score: () => 1 });
    const adds = (middleware: Middleware[], scorers: Scorer[]) =>
      definePlugin({
        name: 'adds',
        register(ctx) {
          for (const m of middleware) ctx.provide('Middleware', m);
          for (const s of scorers) ctx.provide('Scorer', s);
        },
      });
    const kernel = await boot(['echo', 'first', 'second'], {
      echo,
      first: adds([step('cache-1', 'cache'), step('guard-1', 'guard')], [scorer('a')]),
      second: adds([step('deliver-1', 'deliver'), step('guard-2', 'guard'), step('generate-1', 'generate')], [scorer('b'), scorer('c')]),
    });
    expect(kernel.container.resolveAll<Scorer>('Scorer').map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(kernel.resolveAll('Scorer').map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(kernel.resolveAll('Middleware').map((m) => m.name)).toEqual(['deliver-1', 'guard-1', 'guard-2', 'cache-1', 'generate-1']);
    expect(kernel.resolveAll('Adapter')).toEqual([]);
    expect(kernel.container.resolve('LlmProvider')).toBe(kernel.resolve('LlmProvider'));
  });

  it('an augmented token is a single slot: resolvable, a dependency, and a conflict when two plugins provide it', async () => {
    const clock = (name: string, at: number) => definePlugin({ name, register: (ctx) => ctx.provide('RegistryTestClock', { now: () => at }) });
    const reader = definePlugin({
      name: 'reader',
      dependsOn: ['RegistryTestClock'],
      register(ctx) {
        ctx.onReady(() => {
          read = ctx.resolve('RegistryTestClock').now();
        });
      },
    });
    let read = 0;
    const kernel = await boot(['echo', 'clock', 'reader'], { echo, clock: clock('clock', 42), reader });
    expect(read).toBe(42);
    expect(kernel.tryResolve('RegistryTestClock')?.now()).toBe(42);

    await expect(boot(['echo', 'one', 'two'], { echo, one: clock('one', 1), two: clock('two', 2) })).rejects.toMatchObject({
      code: 'PLUGIN_CONFLICT',
      message: expect.stringContaining('plugins "one" and "two" both provide RegistryTestClock'),
      details: { slot: 'RegistryTestClock', plugins: ['one', 'two'] },
    });
    await expect(boot(['echo', 'reader'], { echo, reader })).rejects.toMatchObject({
      code: 'PLUGIN_DEPENDENCY',
      message: expect.stringContaining('plugin "reader" depends on "RegistryTestClock", which no enabled plugin provides; enable a plugin that provides RegistryTestClock'),
    });
  });

  it('a missing plugin dependency names the plugin to add; resolve of an empty slot is PLUGIN_DEPENDENCY', async () => {
    const needy = definePlugin({ name: 'needy', dependsOn: ['memory'], register() {} });
    await expect(boot(['echo', 'needy'], { echo, needy })).rejects.toMatchObject({
      code: 'PLUGIN_DEPENDENCY',
      message: expect.stringContaining('plugin "needy" depends on "memory", which no enabled plugin provides; add plugins.memory to the config'),
    });
    let thrown: unknown;
    const eager = definePlugin({
      name: 'eager',
      register(ctx) {
        expect(ctx.tryResolve('Embedder')).toBeUndefined();
        try {
          ctx.resolve('ConversationMemory');
        } catch (err) {
          thrown = err;
        }
      },
    });
    await boot(['echo', 'eager'], { echo, eager });
    expect(thrown).toMatchObject({ code: 'PLUGIN_DEPENDENCY', message: expect.stringContaining('nothing provides ConversationMemory; enable the `memory` plugin') });
  });

  it('a throwing event listener is logged and neither breaks the request nor the listeners after it', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const kernel = await boot(['echo'], { echo }, pino({ level: 'warn' }, sink));
    const heard: string[] = [];
    kernel.events.on('request:start', () => {
      throw new Error('listener bug');
    });
    kernel.events.on('request:start', (e) => heard.push(e.requestId));
    const request = kernel.createRequest({ messages: [{ role: 'user', content: 'still here' }] });
    const { text } = await collectReply(await kernel.handle(request));
    expect(text).toBe('still here');
    expect(heard).toEqual([request.id]);
    expect(lines.map((l) => JSON.parse(l) as { msg: string; event: string; err: { message: string } })).toMatchObject([
      { msg: 'an event listener threw; the others still ran', event: 'request:start', err: { message: 'listener bug' } },
    ]);
  });
});
