/**
 * Embedders for the semantic cache (the `Embedder` contract of core):
 * - a built-in, model-free multilingual embedder: the question is analysed by core/text
 *   (normalised, Latin-letter Ukrainian/Russian transliterated to Cyrillic, stemmed, slots
 *   separated), and its content words, their synonym concepts, their cross-script spelling
 *   keys and character trigrams are hashed into a fixed number of dimensions;
 * - an Ollama embedder calling `/api/embed` with a configured model (e.g. `bge-m3`),
 *   directly through the `ollama` client or through the LlmProvider's `embed`.
 * The vector only proposes candidates; core/text's `compareQuestions` decides a hit.
 */
import { createHash } from 'node:crypto';
import { Ollama } from 'ollama';
import { KobzaError, isAbortError, type Embedder, type LlmProvider } from '../../core/index.js';
import { analyzeQuestion, modelFor, type TextOptions } from '../../core/text/index.js';

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
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
export function createHashingEmbedder(options: HashingEmbedderOptions = {}): Embedder & { embedOne(text: string): Float32Array } {
  const dimensions = options.dimensions ?? 256;
  const text = options.text ?? {};
  const model = modelFor(text);

  function add(vector: Float32Array, feature: string, weight: number): void {
    const hash = fnv1a(feature);
    // The top bit picks the sign, so collisions cancel out on average instead of piling up.
    vector[hash % dimensions] += hash & 0x80000000 ? -weight : weight;
  }

  function embedOne(question: string): Float32Array {
    const vector = new Float32Array(dimensions);
    const analysis = analyzeQuestion(question, model);
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

  const fingerprint = createHash('sha256');
  for (const probe of FINGERPRINT_PROBES) fingerprint.update(Buffer.from(embedOne(probe).buffer));
  const id = `builtin-hash:d${dimensions}:${fingerprint.digest('hex').slice(0, 12)}`;

  return {
    id,
    dimensions,
    embedOne,
    async embed(texts) {
      return texts.map(embedOne);
    },
  };
}

export interface OllamaEmbedderOptions {
  /** Embedding model, e.g. `bge-m3`, `nomic-embed-text`. */
  model: string;
  /** Ollama base URL. Omitted: the LlmProvider's `embed` when it has one, else http://127.0.0.1:11434. */
  url?: string;
  /** The registered provider, asked lazily (it may register after this plugin). */
  provider?: () => LlmProvider | undefined;
  /** Per-call timeout. */
  timeoutMs?: number;
  /** How long Ollama keeps the embedding model loaded. */
  keepAlive?: string | number;
}

function upstreamError(err: unknown, model: string, url: string): KobzaError {
  if (err instanceof KobzaError) return err;
  if (isAbortError(err)) return new KobzaError('ABORTED', 'the embedding request was aborted', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  const status = (err as { status_code?: number }).status_code;
  if (status === 404 || /not found/i.test(message)) return new KobzaError('MODEL_NOT_FOUND', `embedding model "${model}" not found at ${url}; run: ollama pull ${model}`, { cause: err });
  if (/timeout|timed out/i.test(message)) return new KobzaError('UPSTREAM_TIMEOUT', `Ollama at ${url} did not answer the embedding request in time`, { cause: err });
  if (status === undefined && /fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(message + String((err as { cause?: unknown }).cause ?? ''))) {
    return new KobzaError('UPSTREAM_UNAVAILABLE', `Ollama at ${url} is not reachable for embeddings`, { cause: err });
  }
  return new KobzaError('UPSTREAM_BAD_RESPONSE', `Ollama embedding failed: ${message}`, { cause: err });
}

/**
 * An embedder over Ollama's `/api/embed`. Its dimensions are learnt from the first answer.
 * @example
 * const embedder = createOllamaEmbedder({ model: 'bge-m3', url: 'http://127.0.0.1:11434' });
 * const [vector] = await embedder.embed(['Скільки коштує гуртожиток?']);
 */
export function createOllamaEmbedder(options: OllamaEmbedderOptions): Embedder {
  const url = options.url ?? 'http://127.0.0.1:11434';
  const timeoutMs = options.timeoutMs ?? 30_000;
  let dimensions = 0;

  async function viaClient(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    const combined = AbortSignal.any(signals);
    // One client per call: the ollama client's own abort() would cancel every call in flight.
    const client = new Ollama({ host: url, fetch: (input, init) => fetch(input, { ...init, signal: combined }) });
    const response = await client.embed({ model: options.model, input: texts, truncate: true, keep_alive: options.keepAlive });
    return response.embeddings;
  }

  const embedder: Embedder = {
    id: `ollama:${options.model}`,
    get dimensions() {
      return dimensions;
    },
    async embed(texts, signal) {
      if (texts.length === 0) return [];
      const provider = options.url ? undefined : options.provider?.();
      let raw: number[][];
      try {
        raw = provider?.embed ? await provider.embed(texts, options.model, signal) : await viaClient(texts, signal);
      } catch (err) {
        throw upstreamError(err, options.model, url);
      }
      if (!Array.isArray(raw) || raw.length !== texts.length || raw.some((v) => !Array.isArray(v) || v.length === 0)) {
        throw new KobzaError('UPSTREAM_BAD_RESPONSE', `Ollama returned ${Array.isArray(raw) ? raw.length : 'no'} embeddings for ${texts.length} texts`);
      }
      const vectors = raw.map((v) => normalizeVector(Float32Array.from(v)));
      if (dimensions === 0) dimensions = vectors[0].length;
      if (vectors.some((v) => v.length !== dimensions)) throw new KobzaError('UPSTREAM_BAD_RESPONSE', `embedding model "${options.model}" changed its vector length`);
      return vectors;
    },
  };
  return embedder;
}
