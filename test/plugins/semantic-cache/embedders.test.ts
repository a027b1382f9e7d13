import { afterEach, describe, expect, it } from 'vitest';
import { cosine, createHashingEmbedder, createOllamaEmbedder } from '../../../plugins/semantic-cache/embedders.js';
import { startOllamaStandIn, standInEmbedding, type OllamaStandIn } from '../../servers/ollama.js';

let ollama: OllamaStandIn | undefined;
afterEach(async () => {
  await ollama?.close();
  ollama = undefined;
});

describe('built-in hashing embedder', () => {
  const embedder = createHashingEmbedder({ dimensions: 256 });
  const similarity = async (a: string, b: string) => {
    const [va, vb] = await embedder.embed([a, b]);
    return cosine(va, vb);
  };

  it('returns unit vectors of the configured length, deterministically', async () => {
    const [a, again] = await embedder.embed(['Скільки коштує гуртожиток?', 'Скільки коштує гуртожиток?']);
    expect(a).toHaveLength(256);
    expect(cosine(a, a)).toBeCloseTo(1, 5);
    expect(Array.from(again)).toEqual(Array.from(a));
    expect(createHashingEmbedder({ dimensions: 256 }).id).toBe(embedder.id);
    expect(createHashingEmbedder({ dimensions: 128 }).id).not.toBe(embedder.id);
  });

  it('puts translit, synonyms and typos closer to the question than an unrelated one', async () => {
    const unrelated = await similarity('Скільки коштує гуртожиток?', 'Де знаходиться бібліотека?');
    expect(await similarity('Скільки коштує гуртожиток?', 'skilky koshtuie hurtozhytok')).toBeGreaterThan(unrelated + 0.3);
    expect(await similarity('Скільки коштує гуртожиток?', 'Скільки коштує общага?')).toBeGreaterThan(unrelated + 0.3);
    expect(await similarity('Де подивитися розклад занять?', 'Де подивитись розклат занять?')).toBeGreaterThan(unrelated + 0.3);
  });

  it('a configured synonym group brings two words together', async () => {
    const before = await similarity('Де корпус Альфа?', 'Де головний корпус?');
    const withSynonyms = createHashingEmbedder({ text: { synonyms: [['альфа', 'головний']] } });
    const [a, b] = await withSynonyms.embed(['Де корпус Альфа?', 'Де головний корпус?']);
    expect(cosine(a, b)).toBeGreaterThan(before);
  });
});

describe('Ollama embedder (/api/embed)', () => {
  it('embeds through the ollama client and learns the dimensions from the answer', async () => {
    ollama = await startOllamaStandIn({ embeddingDimensions: 48 });
    const embedder = createOllamaEmbedder({ model: 'bge-m3', url: ollama.url });
    expect(embedder.id).toBe('ollama:bge-m3');
    const [a, b] = await embedder.embed(['Скільки коштує гуртожиток?', 'Де бібліотека?']);
    expect(embedder.dimensions).toBe(48);
    expect(Array.from(a)).toEqual(standInEmbedding('Скільки коштує гуртожиток?', 48).map((x) => Math.fround(x)));
    expect(cosine(b, b)).toBeCloseTo(1, 5);
    expect(ollama.calls.filter((c) => c.path === '/api/embed')[0].body).toMatchObject({ model: 'bge-m3', input: ['Скільки коштує гуртожиток?', 'Де бібліотека?'] });
  });

  it('uses the LlmProvider embed() when no URL is configured', async () => {
    const seen: string[][] = [];
    const embedder = createOllamaEmbedder({
      model: 'bge-m3',
      provider: () => ({
        id: 'fake',
        chat: () => Promise.reject(new Error('unused')),
        embed: async (input) => {
          seen.push(input);
          return input.map(() => [3, 4]);
        },
      }),
    });
    const [v] = await embedder.embed(['x']);
    expect(seen).toEqual([['x']]);
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('maps upstream failures to coded errors', async () => {
    ollama = await startOllamaStandIn({ models: ['qwen2.5:7b'] });
    await expect(createOllamaEmbedder({ model: 'bge-m3', url: ollama.url }).embed(['x'])).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    ollama.set({ models: undefined, fault: 'http500' });
    await expect(createOllamaEmbedder({ model: 'bge-m3', url: ollama.url }).embed(['x'])).rejects.toMatchObject({ code: 'UPSTREAM_BAD_RESPONSE' });
    const url = ollama.url;
    await ollama.close();
    ollama = undefined;
    await expect(createOllamaEmbedder({ model: 'bge-m3', url }).embed(['x'])).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });
});
