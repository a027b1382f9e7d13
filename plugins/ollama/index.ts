/**
 * The `ollama` plugin: provides the LlmProvider that streams answers from one or more
 * Ollama servers through the official `ollama` client.
 *
 * ```yaml
 * plugins:
 *   ollama:
 *     host: ${OLLAMA_HOST:-http://127.0.0.1:11434}   # or a list of hosts
 *     timeouts: { connectMs: 5000, firstTokenMs: 60000, idleMs: 30000 }
 *     keepAlive: 10m
 * ```
 *
 * At start-up it probes the upstream briefly; when Ollama is down or the model is missing
 * it logs one warning saying how to fix it, and starts anyway (requests then fail with
 * UPSTREAM_UNAVAILABLE / MODEL_NOT_FOUND instead of crashing).
 */
import { z } from 'zod';
import { definePlugin, redactUrl } from '../../core/index.js';
import { normaliseHost } from './host-pool.js';
import { OllamaProvider } from './provider.js';

export { OllamaProvider, toOllamaOptions, type OllamaProviderSettings, type OllamaTimeouts } from './provider.js';
export { HostPool, normaliseHost } from './host-pool.js';

const HOST_EXPECTED = 'expected a URL such as http://127.0.0.1:11434';

function isHost(value: string): boolean {
  try {
    const url = new URL(normaliseHost(value));
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

const hostSchema = z.string({ error: HOST_EXPECTED }).refine(isHost, { error: HOST_EXPECTED });
const milliseconds = (fallback: number) => z.number().int().positive().default(fallback);
const keepAliveSchema = z.union([z.string(), z.number()], { error: 'expected a duration such as "10m", a number of seconds, or -1 (keep loaded)' });

/** Generation defaults applied under each request's own options. */
export const generationOptionsSchema = z.strictObject({
  temperature: z.number().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  min_p: z.number().min(0).max(1).optional(),
  num_predict: z.number().int().min(-2).optional(),
  num_ctx: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
  stop: z.array(z.string()).optional(),
  repeat_penalty: z.number().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
});

export const ollamaConfigSchema = z.strictObject({
  /** One host or a list; default `$OLLAMA_HOST`, else http://127.0.0.1:11434. */
  host: z.union([hostSchema, z.array(hostSchema, { error: `${HOST_EXPECTED}, or a list of them` }).min(1)], { error: `${HOST_EXPECTED}, or a list of them` }).optional(),
  /** Model for requests that name none; default `assistant.model`. */
  model: z.string().min(1).optional(),
  timeouts: z
    .strictObject({ connectMs: milliseconds(5_000), firstTokenMs: milliseconds(60_000), idleMs: milliseconds(30_000) }, { error: 'expected { connectMs, firstTokenMs, idleMs }' })
    .default({ connectMs: 5_000, firstTokenMs: 60_000, idleMs: 30_000 }),
  /** How long Ollama keeps the model loaded after a request ("5m", seconds, -1 = forever). */
  keepAlive: keepAliveSchema.optional(),
  /** Extra rounds over the hosts after connection failures before the first token. */
  retries: z.number().int().min(0).max(10).default(2),
  /** Wait before the first retry; doubles each round. */
  retryBackoffMs: z.number().int().min(0).default(250),
  /** How long a host that refused connections is skipped. */
  coolDownMs: z.number().int().min(0).default(30_000),
  /** Default generation options (temperature, num_ctx, …); requests override them. */
  options: generationOptionsSchema.default({}),
  /** Extra HTTP headers (e.g. Authorization for a proxy in front of Ollama). */
  headers: z.record(z.string(), z.string()).optional(),
  /** Probe the upstream at start-up and warn when it is not usable. */
  probeOnStart: z.boolean().default(true),
});

export type OllamaConfig = z.output<typeof ollamaConfigSchema>;

/** How long the start-up probe may delay boot. */
const STARTUP_PROBE_MS = 1_500;

/**
 * The plugin definition (what `plugins: { ollama: … }` loads).
 * @example
 * const kernel = await Kernel.create(parseConfig(yaml), { builtins: { ollama: () => import('kobza/plugins/ollama') } });
 */
export default definePlugin({
  name: 'ollama',
  configSchema: ollamaConfigSchema,
  provides: ['LlmProvider'],
  register(ctx, config) {
    const hostSetting = config.host ?? process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434';
    const hosts = [...new Set((Array.isArray(hostSetting) ? hostSetting : [hostSetting]).map(normaliseHost))];
    const provider = new OllamaProvider({
      hosts,
      model: config.model ?? ctx.config.assistant.model,
      timeouts: config.timeouts,
      keepAlive: config.keepAlive,
      retries: config.retries,
      retryBackoffMs: config.retryBackoffMs,
      coolDownMs: config.coolDownMs,
      options: config.options,
      headers: config.headers,
    });
    ctx.provide('LlmProvider', provider);
    ctx.onClose(() => provider.close());
    if (config.probeOnStart) {
      ctx.onReady(async function probeOllamaAtStart() {
        const limit = Math.min(STARTUP_PROBE_MS, config.timeouts.connectMs);
        const result = await provider.probe(AbortSignal.timeout(limit));
        if (result.ok) ctx.logger.info({ hosts: hosts.map(redactUrl), model: provider.defaultModel, version: result.version }, `Ollama ready: ${result.detail}`);
        else ctx.logger.warn({ hosts: hosts.map(redactUrl), model: provider.defaultModel }, `Ollama is not usable yet — ${result.detail}`);
      });
    }
  },
});
