/**
 * Read your writes, narrowed: a lookup waits for the background write of its own question
 * (so a repeat right after hits), never for another question's write in the same namespace.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectReply, definePlugin, openKeyvStore, type CacheStore, type CacheStoreFactory } from '../../../core/index.js';
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

/** A memory store whose entry writes hang until `release()`. */
function gatedStore() {
  let release!: () => void;
  let released = false;
  const gate = new Promise<void>((resolve) => {
    release = () => {
      released = true;
      resolve();
    };
  });
  const plugin = definePlugin({
    name: 'gated-store',
    register(ctx) {
      const factory: CacheStoreFactory = {
        describe: () => 'gated memory',
        async open(namespace) {
          const inner = await openKeyvStore('memory', namespace);
          const store: CacheStore = {
            ...inner,
            async set(key, value, ttlMs) {
              if (key.startsWith('e:')) await gate;
              return inner.set(key, value, ttlMs);
            },
          };
          return store;
        },
      };
      ctx.provide('CacheStore', factory);
    },
  });
  return { plugin, release, isReleased: () => released };
}

describe('semantic cache: waiting for pending writes', () => {
  it('another question is answered while a write is pending; the same question waits for it and hits', async () => {
    const gated = gatedStore();
    const booted = await bootCache({ ollamaUrl: ollama.url, cache: { store: undefined, storeTimeoutMs: 60_000 }, extra: { 'gated-store': gated.plugin } });
    // Not `booted.ask`: it waits for the write behind each reply, which is what is held here.
    const ask = async (question: string) => {
      const reply = await booted.kernel.handle(booted.kernel.createRequest({ messages: [{ role: 'user', content: question }] }));
      return collectReply(reply);
    };
    const first = await ask('Скільки коштує гуртожиток?');
    expect(first.meta.source).toBe('provider'); // its write now hangs on the gate

    const other = await ask('Де знаходиться бібліотека?');
    expect(other.meta.source).toBe('provider');
    expect(gated.isReleased()).toBe(false); // answered without waiting for the first write

    setTimeout(gated.release, 200);
    const repeat = await ask('Скільки коштує гуртожиток?');
    expect(gated.isReleased()).toBe(true); // it waited for its own question's write
    expect(repeat.meta.source).toBe('cache');
    expect(ollama.count('/api/chat')).toBe(2);
  });
});
