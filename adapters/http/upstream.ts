/**
 * What the model-listing, embedding and readiness endpoints ask of the upstream. The
 * provider is resolved at request time (`ctx.tryResolve`), so the adapter works with any
 * provider plugin and degrades clearly when one lacks an optional capability.
 */
import { KobzaError, wrapError, type ModelInfo, type PluginContext, type ProbeResult } from '../../core/index.js';

/**
 * Models the upstream offers; without `listModels`, the configured default model alone.
 * @example
 * const models = await listUpstreamModels(ctx, request.id, AbortSignal.timeout(10_000));
 */
export async function listUpstreamModels(ctx: PluginContext, requestId: string, signal?: AbortSignal): Promise<ModelInfo[]> {
  const provider = ctx.tryResolve('LlmProvider');
  if (!provider) throw new KobzaError('UPSTREAM_UNAVAILABLE', 'no LLM provider is configured', { requestId });
  if (!provider.listModels) return [{ name: ctx.config.assistant.model, model: ctx.config.assistant.model }];
  try {
    return await provider.listModels(signal);
  } catch (err) {
    throw wrapError(err, requestId);
  }
}

/**
 * Every address Kobza talks to, to keep out of what clients see: the provider's upstreams
 * and each URL written in a plugin block (stores, an embedder, the Bot API).
 * @example
 * const hidden = internalHosts(internalAddresses(ctx));
 */
export function internalAddresses(ctx: PluginContext): string[] {
  const addresses = [...(ctx.tryResolve('LlmProvider')?.describeUpstreams?.() ?? [])];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.includes('://')) addresses.push(value);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  for (const block of ctx.config.plugins) visit(block.settings);
  return addresses;
}

/** Where embeddings came from, and the vectors. */
export interface Embeddings {
  model: string;
  vectors: number[][];
}

/**
 * Embeds texts. The provider's `embed` (e.g. Ollama `/api/embed`) serves named models; a
 * registered `Embedder` serves requests that name it (its `id`) or name no model, and
 * every request when the provider cannot embed.
 * @example
 * const { vectors } = await embedTexts(ctx, ['привіт'], 'nomic-embed-text', request.id);
 */
export async function embedTexts(ctx: PluginContext, texts: string[], model: string, requestId: string, signal?: AbortSignal): Promise<Embeddings> {
  const provider = ctx.tryResolve('LlmProvider');
  const embedder = ctx.tryResolve('Embedder');
  try {
    if (embedder && (model === '' || model === embedder.id || !provider?.embed)) {
      const vectors = await embedder.embed(texts, signal);
      return { model: embedder.id, vectors: vectors.map((v) => Array.from(v)) };
    }
    if (provider?.embed) {
      const name = model || ctx.config.assistant.model;
      return { model: name, vectors: await provider.embed(texts, name, signal) };
    }
  } catch (err) {
    throw wrapError(err, requestId);
  }
  throw new KobzaError('NOT_FOUND', 'embeddings are not available: the provider cannot embed and no Embedder plugin is enabled', { requestId });
}

/**
 * Whether the upstream can answer now. Never throws: an unreachable upstream, a probe that
 * times out or a missing provider is `{ ok: false, detail }`.
 */
export async function probeUpstream(ctx: PluginContext, timeoutMs: number): Promise<ProbeResult> {
  const provider = ctx.tryResolve('LlmProvider');
  if (!provider) return { ok: false, detail: 'no LLM provider is configured' };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    if (provider.probe) return await provider.probe(signal);
    if (provider.listModels) {
      const models = await provider.listModels(signal);
      return { ok: true, detail: `${provider.id} lists ${models.length} model(s)`, models: models.map((m) => m.name) };
    }
    return { ok: true, detail: `${provider.id} cannot be probed; assuming ready` };
  } catch (err) {
    const error = wrapError(err);
    return { ok: false, detail: signal.aborted ? `the upstream did not answer within ${timeoutMs} ms` : error.message };
  }
}

/** Shortens vectors to `dimensions` and re-normalises them, as Ollama does. */
export function shortenVectors(vectors: number[][], dimensions: number | null | undefined, param: string, requestId: string): number[][] {
  if (dimensions == null) return vectors;
  return vectors.map((vector) => {
    if (dimensions > vector.length) throw new KobzaError('BAD_REQUEST', `${param}: expected at most ${vector.length} dimensions for this model`, { requestId, details: { param } });
    if (dimensions === vector.length) return vector;
    const cut = vector.slice(0, dimensions);
    // Math.hypot(...cut) would spread thousands of arguments onto the stack.
    const norm = Math.sqrt(cut.reduce((sum, x) => sum + x * x, 0)) || 1;
    return cut.map((x) => x / norm);
  });
}
