/**
 * The knowledge plugin's FAQ variants count as cache aliases (through the core
 * `FaqVariants` contract): an answer the model gave to one wording of a FAQ question is
 * served from the cache for another wording of it — in memory, nothing written to the store.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PluginDefinition } from '../../../core/index.js';
import knowledge from '../../../plugins/knowledge/index.js';
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

const ROOT = path.resolve(import.meta.dirname, '../../..');
// Two `q` variants of the sample FAQ's `library-hours` entry, which the verifier alone tells apart (intent: when / what).
const A = 'Коли працює бібліотека?';
const B = 'Який графік роботи бібліотеки?';

describe('FAQ variants as cache aliases', () => {
  it('serves an answer cached for one variant to another, when the FAQ did not answer it', async () => {
    // Without the knowledge plugin the two wordings are different questions to the cache.
    const alone = await bootCache({ ollamaUrl: ollama.url, dir: ROOT });
    expect((await alone.ask(A)).meta.source).toBe('provider');
    expect((await alone.ask(B)).meta.source).toBe('provider');

    // The FAQ is off, so the model answers variant A and the cache keeps it.
    const booted = await bootCache({
      ollamaUrl: ollama.url,
      dir: ROOT,
      extra: { knowledge: knowledge as PluginDefinition },
      extraSettings: { knowledge: { sources: ['knowledge/faq.*.yaml'], faq: false } },
    });
    const first = await booted.ask(A);
    expect(first.meta.source).toBe('provider');
    const second = await booted.ask(B);
    expect(second.meta.source).toBe('cache');
    expect(second.text).toBe(first.text);
    expect(second.meta.extra.cachedQuestion).toBe(A);
    // In memory only: not counted as (nor stored with) the operator's aliases.
    expect((await booted.cache.stats()).aliases).toBe(0);
    expect(await booted.cache.options.store.get('aliases')).toBeUndefined();
  });
});
