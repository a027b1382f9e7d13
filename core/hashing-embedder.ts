/**
 * The built-in, model-free multilingual embedder (the `Embedder` contract): a question is
 * analysed by core/text (normalised, Latin-letter Ukrainian/Russian transliterated to
 * Cyrillic, stemmed, slots separated), and its content words, their synonym concepts, their
 * cross-script spelling keys and character trigrams are hashed into a fixed number of
 * dimensions. Shared by the semantic cache and the knowledge plugin, so both see the same
 * vectors; the vector only proposes candidates, core/text's checks decide.
 */
import { createHash } from 'node:crypto';
import type { Embedder } from './contracts.js';
import { analyzeQuestion, modelFor, type QuestionAnalysis, type TextOptions } from './text/index.js';

/** 32-bit FNV-1a. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalizeVector(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  if (sum === 0) return vector;
  const inverse = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] *= inverse;
  return vector;
}

/** Cosine of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

export interface HashingEmbedderOptions {
  /** Length of the vectors. More dimensions = fewer hash collisions, more memory. */
  dimensions?: number;
  /** Deployment vocabulary (synonyms, entities), the same object the verifier uses. */
  text?: TextOptions;
}

// Feature weights. Content words dominate; slot features are light so near-misses stay
// candidates (the verifier refuses them with a reason) while ranking the right entry first.
const WEIGHT = { concept: 1.0, stem: 0.8, key: 0.6, trigrams: 0.6, optional: 0.35, slot: 0.45 };

/** Questions whose vectors fingerprint the embedder: a changed lexicon or stemmer changes the id. */
const FINGERPRINT_PROBES = [
  'Скільки коштує навчання на магістратурі у 2025 році?',
  'skilky koshtuie hurtozhytok',
  'Когда начало сессии?',
  'How do I apply for the PhD programme without a visa?',
];

/**
 * The built-in model-free embedder.
 * @example
 * const embedder = createHashingEmbedder({ dimensions: 256 });
 * const [a, b] = await embedder.embed(['Скільки коштує гуртожиток?', 'skilky koshtuie hurtozhytok']);
 */
export function createHashingEmbedder(options: HashingEmbedderOptions = {}): Embedder & { embedOne(text: string): Float32Array; embedAnalysis(analysis: QuestionAnalysis): Float32Array } {
  const dimensions = options.dimensions ?? 256;
  const text = options.text ?? {};
  const model = modelFor(text);

  function add(vector: Float32Array, feature: string, weight: number): void {
    const hash = fnv1a(feature);
    // The top bit picks the sign, so collisions cancel out on average instead of piling up.
    vector[hash % dimensions] += hash & 0x80000000 ? -weight : weight;
  }

  function embedAnalysis(analysis: QuestionAnalysis): Float32Array {
    const vector = new Float32Array(dimensions);
    for (const word of analysis.content) {
      const scale = word.optional ? WEIGHT.optional : 1;
      if (word.concepts.length > 0) {
        for (const concept of word.concepts) add(vector, `c:${concept}`, (WEIGHT.concept * scale) / Math.sqrt(word.concepts.length));
      } else {
        add(vector, `s:${word.stem}`, WEIGHT.stem * scale);
      }
      if (word.key) {
        add(vector, `k:${word.key}`, WEIGHT.key * scale);
        const padded = `^${word.key}$`;
        const count = Math.max(1, padded.length - 2);
        for (let i = 0; i + 3 <= padded.length; i++) add(vector, `t:${padded.slice(i, i + 3)}`, (WEIGHT.trigrams * scale) / Math.sqrt(count));
      }
    }
    const slots = analysis.slots;
    if (slots.intent) add(vector, `i:${slots.intent}`, WEIGHT.slot);
    if (slots.degree) add(vector, `d:${slots.degree}`, WEIGHT.slot);
    if (slots.timePolarity) add(vector, `p:${slots.timePolarity}`, WEIGHT.slot);
    if (slots.timeRelative) add(vector, `r:${slots.timeRelative}`, WEIGHT.slot);
    if (slots.negated) add(vector, 'n:neg', WEIGHT.slot);
    for (const n of slots.numbers) add(vector, `#:${n}`, WEIGHT.slot);
    for (const y of slots.years) add(vector, `y:${y}`, WEIGHT.slot);
    for (const e of slots.entities) add(vector, `e:${e}`, WEIGHT.slot);
    // A question made only of stop-words still gets a vector from its normalised text.
    if (analysis.content.length === 0) add(vector, `q:${analysis.normalized}`, 1);
    return normalizeVector(vector);
  }

  function embedOne(question: string): Float32Array {
    return embedAnalysis(analyzeQuestion(question, model));
  }

  const fingerprint = createHash('sha256');
  for (const probe of FINGERPRINT_PROBES) fingerprint.update(Buffer.from(embedOne(probe).buffer));
  const id = `builtin-hash:d${dimensions}:${fingerprint.digest('hex').slice(0, 12)}`;

  return {
    id,
    dimensions,
    embedOne,
    embedAnalysis,
    async embed(texts) {
      return texts.map(embedOne);
    },
  };
}

