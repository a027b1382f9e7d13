/**
 * Strong-embedder mode: content words embedded one by one with the configured semantic
 * model (batched: one call per lookup for the words not seen yet; cached), so the verifier
 * may pair a word the rules leave alone with its nearest word in the other question
 * (`TextOptions.wordSimilarity`). The slot vetoes stay hard; only content pairing widens.
 */
import { BoundedMap, type Embedder } from '../../core/index.js';
import { analyzeQuestion, modelFor, type TextOptions } from '../../core/text/index.js';
import { cosine } from './embedders.js';

/**
 * Word vectors for one cache.
 * @example
 * const words = new WordVectors(20_000);
 * const text: TextOptions = { wordSimilarity: words.similarity, wordSimilarityMin: 0.8 };
 * words.embedder = ollamaEmbedder;
 * await words.prepare(['Як оплатити гуртожиток?', 'Як внести плату за гуртожиток?'], text);
 */
export class WordVectors {
  /** Set once the cache's embedder is chosen. */
  embedder: Embedder | undefined;
  /** Embedding calls made (for tests and stats). */
  calls = 0;
  readonly #vectors: BoundedMap<string, Float32Array>;

  constructor(capacity = 20_000) {
    this.#vectors = new BoundedMap(capacity);
  }

  /** Cosine of two words' vectors; undefined when either was never embedded. */
  readonly similarity = (a: string, b: string): number | undefined => {
    const va = this.#vectors.get(a);
    const vb = this.#vectors.get(b);
    return va && vb ? cosine(va, vb) : undefined;
  };

  /** Embeds, in one batch, the content words of these questions that have no vector yet. */
  async prepare(questions: readonly string[], text: TextOptions, signal?: AbortSignal): Promise<void> {
    if (!this.embedder) return;
    const model = modelFor(text);
    const missing = new Set<string>();
    for (const question of questions) {
      for (const word of analyzeQuestion(question, model).content) if (!this.#vectors.has(word.token)) missing.add(word.token);
    }
    if (missing.size === 0) return;
    const words = [...missing];
    this.calls++;
    const vectors = await this.embedder.embed(words, signal);
    words.forEach((word, i) => this.#vectors.set(word, unit(vectors[i])));
  }
}

function unit(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const x of vector) sum += x * x;
  if (sum === 0 || Math.abs(sum - 1) < 1e-6) return vector;
  const out = new Float32Array(vector.length);
  const inverse = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] * inverse;
  return out;
}
