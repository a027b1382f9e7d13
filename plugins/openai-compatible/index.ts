/**
 * The `openai-compatible` plugin: provides the LlmProvider that streams from an
 * OpenAI-compatible server — llama.cpp's `llama-server`, vLLM, LM Studio — through the
 * official `openai` client. Use it instead of `ollama` (exactly one provider per config).
 *
 * ```yaml
 * plugins:
 *   openai-compatible:
 *     baseURL: http://127.0.0.1:8080/v1
 *     apiKey: ${LLM_API_KEY:-}
 *     model: qwen2.5-7b-instruct
 * ```
 */
import { z } from 'zod';
import { definePlugin, redactUrl } from '../../core/index.js';
import { OpenAiCompatibleProvider } from './provider.js';

export { OpenAiCompatibleProvider, toOpenAiParams, type OpenAiCompatibleSettings, type OpenAiCompatibleTimeouts } from './provider.js';

const URL_EXPECTED = 'expected a URL such as http://127.0.0.1:8080/v1';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const milliseconds = (fallback: number) => z.number().int().positive().default(fallback);

/** Generation defaults (Ollama names, mapped to OpenAI parameters per request). */
const generationOptionsSchema = z.strictObject({
  temperature: z.number().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  min_p: z.number().min(0).max(1).optional(),
  num_predict: z.number().int().min(-2).optional(),
  seed: z.number().int().optional(),
  stop: z.array(z.string()).optional(),
  repeat_penalty: z.number().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
});

export const openAiCompatibleConfigSchema = z.strictObject({
  /** The server's OpenAI API root, usually ending in /v1. */
  baseURL: z.string({ error: URL_EXPECTED }).refine(isHttpUrl, { error: URL_EXPECTED }).default('http://127.0.0.1:8080/v1'),
  /** Sent as `Authorization: Bearer …`; most local servers need none. */
  apiKey: z.string().optional(),
  /** Model for requests that name none; default `assistant.model`. */
  model: z.string().min(1).optional(),
  timeouts: z
    .strictObject({ connectMs: milliseconds(5_000), firstTokenMs: milliseconds(60_000), idleMs: milliseconds(30_000) }, { error: 'expected { connectMs, firstTokenMs, idleMs }' })
    .default({ connectMs: 5_000, firstTokenMs: 60_000, idleMs: 30_000 }),
  retries: z.number().int().min(0).max(10).default(2),
  retryBackoffMs: z.number().int().min(0).default(250),
  options: generationOptionsSchema.default({}),
  /** Ask for token counts in the last chunk; turn off for servers that reject `stream_options`. */
  includeUsage: z.boolean().default(true),
  headers: z.record(z.string(), z.string()).optional(),
  probeOnStart: z.boolean().default(true),
});

export type OpenAiCompatibleConfig = z.output<typeof openAiCompatibleConfigSchema>;

const STARTUP_PROBE_MS = 1_500;

/**
 * The plugin definition (what `plugins: { openai-compatible: … }` loads).
 * @example
 * const kernel = await Kernel.create(config, { builtins: { 'openai-compatible': () => import('./plugins/openai-compatible/index.js') } });
 */
export default definePlugin({
  name: 'openai-compatible',
  configSchema: openAiCompatibleConfigSchema,
  provides: ['LlmProvider'],
  register(ctx, config) {
    const provider = new OpenAiCompatibleProvider({
      baseURL: config.baseURL.replace(/\/+$/, ''),
      apiKey: config.apiKey,
      model: config.model ?? ctx.config.assistant.model,
      timeouts: config.timeouts,
      retries: config.retries,
      retryBackoffMs: config.retryBackoffMs,
      options: config.options,
      includeUsage: config.includeUsage,
      headers: config.headers,
    });
    ctx.provide('LlmProvider', provider);
    ctx.onClose(() => provider.close());
    if (config.probeOnStart) {
      ctx.onReady(async function probeUpstreamAtStart() {
        const result = await provider.probe(AbortSignal.timeout(Math.min(STARTUP_PROBE_MS, config.timeouts.connectMs)));
        if (result.ok) ctx.logger.info({ baseURL: redactUrl(config.baseURL), model: provider.defaultModel }, `upstream ready: ${result.detail}`);
        else ctx.logger.warn({ baseURL: redactUrl(config.baseURL), model: provider.defaultModel }, `upstream is not usable yet — ${result.detail}`);
      });
    }
  },
});
