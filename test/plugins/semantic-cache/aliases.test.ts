import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let dir: string;
let ollama: OllamaStandIn;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-aliases-'));
  ollama = await startOllamaStandIn();
});
afterEach(async () => {
  await stopKernels();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('semantic-cache aliases', () => {
  it('an alias taught on one instance serves on another sharing the store, and groups join', async () => {
    const settings = { store: 'sqlite://cache.sqlite', sync: { intervalMs: 0 } };
    const a = await bootCache({ ollamaUrl: ollama.url, dir, cache: settings });
    const b = await bootCache({ ollamaUrl: ollama.url, dir, cache: settings });
    await a.ask('Де знаходиться бібліотека?');
    expect(await b.cache.alias('Куди йти по книжки?', 'Де знаходиться бібліотека?')).toMatchObject({ added: true });
    expect(await b.cache.alias('Де бібла, шоб книжку взяти?', 'Куди йти по книжки?')).toMatchObject({ added: true });
    await a.cache.sync();
    const hit = await a.ask('Де бібла, шоб книжку взяти?');
    expect(hit.meta.source).toBe('cache');
    expect(hit.text).toBe((await a.ask('Де знаходиться бібліотека?')).text);
    expect(a.hits.at(-2)).toMatchObject({ exact: false });
    expect((await a.cache.stats()).aliases).toBe(2);
    // An alias is not a forget: the question itself still answers as before.
    expect((await a.ask('Де знаходиться їдальня?')).meta.source).toBe('provider');
  });
});
