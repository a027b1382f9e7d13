import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definePlugin, openKeyvStore, type CacheStore, type CacheStoreFactory } from '../../../core/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let ollama: OllamaStandIn;
let dir: string;

beforeEach(async () => {
  ollama = await startOllamaStandIn();
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-cache-'));
});

afterEach(async () => {
  await stopKernels();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

const QUESTIONS = [
  'Скільки коштує гуртожиток?',
  'Де знаходиться бібліотека?',
  'Коли початок сесії?',
  'Які документи потрібні для вступу?',
  'Чи є військова кафедра?',
  'Як отримати студентський квиток?',
];

describe('semantic cache: persistence', () => {
  it('SQLite: entries survive a kernel restart and a paraphrase hits without asking the model', async () => {
    const cache = { store: 'sqlite://cache.sqlite' };
    const first = await bootCache({ ollamaUrl: ollama.url, cache, dir });
    const answer = await first.ask('Скільки коштує навчання на контракті?');
    await first.kernel.stop();
    await stopKernels();

    const second = await bootCache({ ollamaUrl: ollama.url, cache, dir });
    const hit = await second.ask('skilky koshtuie navchannia na kontrakti');
    expect(hit.meta.source).toBe('cache');
    expect(hit.meta.cache?.exact).toBe(false);
    expect(hit.text).toBe(answer.text);
    expect(ollama.count('/api/chat')).toBe(1);
  });

  it('a forget beside the running server (its CLI on the same SQLite file) is obeyed: at once with sync off, at the next sync with it on', async () => {
    const question = 'Скільки коштує навчання на контракті?';
    for (const intervalMs of [0, 60_000]) {
      const cache = { store: `sqlite://cache-${intervalMs}.sqlite`, sync: { intervalMs: intervalMs === 0 ? 0 : 60_000 } };
      const server = await bootCache({ ollamaUrl: ollama.url, cache, dir });
      const calls = ollama.count('/api/chat');
      await server.ask(question);
      expect((await server.ask(question)).meta.source).toBe('cache');
      expect((await server.ask(question)).meta.source).toBe('cache');
      // With its feed off nothing would tell a held answer it was forgotten: none is held.
      expect(server.cache.options.heldAnswers).toBe(intervalMs === 0 ? 0 : 1000);

      const cli = await bootCache({ ollamaUrl: ollama.url, cache, dir });
      expect((await cli.cache.forget(question)).removed).toHaveLength(1);
      // What the server's feed timer does every intervalMs, done now rather than waited for.
      if (intervalMs > 0) await server.cache.sync();
      expect((await server.ask(question)).meta.source).toBe('provider');
      expect(ollama.count('/api/chat')).toBe(calls + 2);
      await stopKernels();
    }
  });

  it('the usearch index is saved beside the SQLite file and loaded on restart', async () => {
    const cache = { store: 'sqlite://data/cache.sqlite', index: { annAbove: 3 } };
    const first = await bootCache({ ollamaUrl: ollama.url, cache, dir });
    for (const q of QUESTIONS) await first.ask(q);
    expect((await first.cache.stats()).namespaces[0].index).toBe('ann');
    await first.kernel.stop();
    await stopKernels();
    const files = readdirSync(path.join(dir, 'data'));
    expect(files).toContain('cache.sqlite.semantic-cache.json');
    expect(files.filter((f) => f.endsWith('.usearch'))).toHaveLength(1);

    const second = await bootCache({ ollamaUrl: ollama.url, cache, dir });
    const stats = await second.cache.stats();
    expect(stats.entries).toBe(QUESTIONS.length);
    expect(stats.namespaces[0].index).toBe('ann');
    const hit = await second.ask('skilky koshtuie hurtozhytok');
    expect(hit.meta).toMatchObject({ source: 'cache', cache: { exact: false } });
    expect(hit.text).toBe('Answer to: Скільки коштує гуртожиток?');
  });

  it('a restart loads the saved index instead of scanning the store, and catches up on entries written meanwhile', async () => {
    let scans = 0;
    const counting = definePlugin({
      name: 'counting-store',
      register(ctx) {
        const factory: CacheStoreFactory = {
          describe: () => 'counting sqlite',
          async open(namespace) {
            const inner = await openKeyvStore('sqlite://counted.sqlite', namespace, dir);
            const store: CacheStore = {
              ...inner,
              entries(prefix) {
                scans++;
                return inner.entries!(prefix);
              },
            };
            return store;
          },
        };
        ctx.provide('CacheStore', factory);
      },
    });
    const boot = (indexPath: string) => bootCache({ ollamaUrl: ollama.url, cache: { store: undefined, index: { path: indexPath } }, dir, extra: { 'counting-store': counting } });
    const first = await boot('a.index');
    expect(scans).toBe(0); // a fresh store: nothing to scan
    await first.ask(QUESTIONS[0]);
    await stopKernels();
    expect(existsSync(path.join(dir, 'a.index.json'))).toBe(true);

    // Another process (its own index file) writes while the first one is down.
    const other = await boot('b.index');
    expect(scans).toBe(1); // it had no saved index: one scan
    await other.ask(QUESTIONS[1]);
    await stopKernels();

    const second = await boot('a.index');
    expect(scans).toBe(1); // the saved index plus the other process's change feed
    expect(second.cache.size).toBe(2);
    expect((await second.ask('де знаходиться бiблiотека')).meta.source).toBe('cache');
    await stopKernels();

    // A lost index file (a crash before the first save) falls back to one scan.
    rmSync(path.join(dir, 'a.index.json'));
    const third = await boot('a.index');
    expect(scans).toBe(2);
    expect(third.cache.size).toBe(2);
  });
});
