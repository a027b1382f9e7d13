/**
 * Ratings and quarantine across processes sharing one store: a quarantine (or a restore)
 * made on one instance holds on the others after their next sync, like a forget block, and
 * votes cast on two instances are both counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let dir: string;
let ollama: OllamaStandIn;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-moderation-'));
  ollama = await startOllamaStandIn();
});
afterEach(async () => {
  await stopKernels();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

const question = 'Скільки коштує гуртожиток?';

describe('semantic-cache moderation across processes', () => {
  it('a quarantine on one instance stops hits on another after its sync, and a restore there brings them back', async () => {
    const settings = { store: 'sqlite://cache.sqlite', sync: { intervalMs: 0 }, quarantineAfter: 2 };
    const a = await bootCache({ ollamaUrl: ollama.url, dir, cache: settings });
    const b = await bootCache({ ollamaUrl: ollama.url, dir, cache: settings });
    await a.ask(question);
    await b.cache.sync();
    const hit = await b.ask(question);
    expect(hit.meta.source).toBe('cache');
    const key = hit.meta.cache!.key!;

    // One vote on each instance, neither having synced: both are counted.
    expect(await a.cache.rateEntry(key, 'down', 'voter-1')).toMatchObject({ downs: 1, quarantined: false });
    expect(await b.cache.rateEntry(key, 'down', 'voter-2')).toMatchObject({ downs: 2, quarantined: true });
    expect(b.cache.isQuarantined(key)).toBe(true);
    expect(a.cache.isQuarantined(key)).toBe(false);
    await a.cache.sync();
    expect(a.cache.isQuarantined(key)).toBe(true);
    expect((await a.ask(question)).meta.source).toBe('provider');

    expect(await b.cache.setQuarantined(key, false)).toBe(true);
    await a.cache.sync();
    expect(a.cache.isQuarantined(key)).toBe(false);
    const back = await a.ask(question);
    expect(back.meta.source).toBe('cache');
    expect(back.meta.cache!.key).toBe(key);
    expect((await a.cache.listEntries()).find((e) => e.key === key)).toMatchObject({ downs: 0, quarantined: false });
  });

  it("aliases another wording to an entry by its key (the console's alias action)", async () => {
    const cache = (await bootCache({ ollamaUrl: ollama.url })).cache;
    const booted = await bootCache({ ollamaUrl: ollama.url });
    await booted.ask('Де знаходиться бібліотека?');
    const [entry] = await booted.cache.listEntries();
    expect((await booted.ask('Куди йти по книжки?')).meta.source).toBe('provider');
    expect(await booted.cache.aliasEntry(entry.key, 'Де бібла, шоб книжку взяти?')).toBe(true);
    const hit = await booted.ask('Де бібла, шоб книжку взяти?');
    expect(hit.meta.source).toBe('cache');
    expect(hit.meta.cache!.key).toBe(entry.key);
    expect(await booted.cache.aliasEntry('no-such-entry', 'x')).toBe(false);
    expect(await cache.aliasEntry(entry.key, 'x')).toBe(false);
  });
});
