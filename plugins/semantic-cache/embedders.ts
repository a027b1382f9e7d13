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
import { Ollama } from 'ollama';
import { KobzaError, isAbortError, normalizeVector, type Embedder, type LlmProvider } from '../../core/index.js';

// The built-in embedder lives in core/ (the knowledge plugin uses it too); re-exported here.
export { cosine, createHashingEmbedder, normalizeVector, type HashingEmbedderOptions } from '../../core/index.js';

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
