import { afterEach, describe, expect, it } from 'vitest';
import { compareQuestions } from '../../../core/text/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let ollama: OllamaStandIn | undefined;
afterEach(async () => {
  await stopKernels();
  await ollama?.close();
});

/** A stand-in "semantic model" that embeds these two words alike, as bge-m3 would. */
const startSemanticStandIn = () => startOllamaStandIn({ sameMeaning: [['бібліотека', 'книгозбірня']] });

describe('semantic-cache strong-embedder mode', () => {
  it('pairs a word the rules leave alone by word embeddings (batched and cached), slot vetoes stay hard', async () => {
    expect(compareQuestions('Де знаходиться бібліотека?', 'Де знаходиться книгозбірня?').same).toBe(false);
    ollama = await startSemanticStandIn();
    const { ask, misses } = await bootCache({ ollamaUrl: ollama.url, cache: { embedder: { type: 'ollama', model: 'bge-m3', url: ollama.url, wordMatch: 0.8 } } });
    await ask('Де знаходиться бібліотека?');
    await ask('Коли відкривається бібліотека?');
    expect((await ask('Де знаходиться книгозбірня?')).meta.source).toBe('cache');
    // Word batches: each content word is embedded once, in one call per lookup.
    const batches = ollama.calls.filter((c) => c.path === '/api/embed').map((c) => c.body?.input as string[] | string).filter((input) => Array.isArray(input) && input.some((w) => !w.includes(' ')));
    const embedded = batches.flat();
    expect(embedded).toContain('книгозбірня');
    expect(embedded).toContain('бібліотека');
    expect(new Set(embedded).size).toBe(embedded.length);
    // The same words again: their vectors are cached, only the question itself is embedded.
    const before = ollama.count('/api/embed');
    expect((await ask('Де книгозбірня?')).meta.source).toBe('cache');
    expect(ollama.count('/api/embed')).toBe(before + 1);
    // A time veto is not a word to pair: start vs end stays a miss.
    expect((await ask('Коли закривається книгозбірня?')).meta.source).toBe('provider');
    expect(misses.at(-1)).toMatchObject({ vetoedBy: 'time' });
  });

  it('is off without wordMatch: the rules alone decide', async () => {
    ollama = await startSemanticStandIn();
    const { ask } = await bootCache({ ollamaUrl: ollama.url, cache: { embedder: { type: 'ollama', model: 'bge-m3', url: ollama.url } } });
    await ask('Де знаходиться бібліотека?');
    expect((await ask('Де знаходиться книгозбірня?')).meta.source).toBe('provider');
  });
});
