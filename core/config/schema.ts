/**
 * The top-level config schema. Each plugin's own block is validated by the schema the
 * plugin declares (see `definePlugin`).
 */
import { z } from 'zod';

export const assistantSchema = z.strictObject({
  /** Default model for requests that name none. */
  model: z.string({ error: 'expected a model name such as qwen2.5:7b' }).min(1, { error: 'expected a model name such as qwen2.5:7b' }),
  /** Prepended as a system message when a request has none. */
  systemPrompt: z.string().optional(),
  /** Language of user-facing messages: uk (default), en, ru. */
  language: z.enum(['uk', 'en', 'ru']).default('uk'),
});

export const loggingSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto` = pretty when the output is a TTY. */
  pretty: z.union([z.boolean(), z.literal('auto')], { error: 'expected true, false or auto' }).default('auto'),
});

export const kernelSchema = z.strictObject({
  /** How long `stop()` waits for in-flight requests before aborting them. */
  shutdownTimeoutMs: z.number().int().min(0).default(10_000),
});

/**
 * Caps on what one request may ask of the model, for every front door (HTTP, Telegram,
 * console). A request above a token cap is clamped to it; beyond `maxInFlight` generations
 * (cache hits and FAQ answers are not generations) requests wait in a queue of `maxQueued`,
 * and beyond that are refused with OVERLOADED (HTTP 503 + Retry-After).
 */
export const limitsSchema = z.strictObject({
  /** Most tokens one answer may generate (`max_tokens`, `max_completion_tokens`, `num_predict`). */
  maxTokens: z.number().int().min(1).default(4096),
  /** Largest context window (`num_ctx`) a request may ask for. */
  maxContext: z.number().int().min(1).default(32768),
  /** Generations (calls to the LLM provider) running at once. */
  maxInFlight: z.number().int().min(1).default(32),
  /** Generations waiting for a free slot; one more is refused with OVERLOADED. */
  maxQueued: z.number().int().min(0).default(64),
  /** What a refused client is told to wait (`Retry-After`), in seconds. */
  retryAfterSeconds: z.number().int().min(1).default(2),
});

export const DEFAULT_LIMITS = { maxTokens: 4096, maxContext: 32768, maxInFlight: 32, maxQueued: 64, retryAfterSeconds: 2 } as const;

/** Keys every plugin block may carry, besides the plugin's own. */
export const RESERVED_PLUGIN_KEYS = ['module', 'enabled'] as const;

export const topLevelSchema = z.strictObject({
  assistant: assistantSchema,
  logging: loggingSchema.default({ level: 'info', pretty: 'auto' }),
  kernel: kernelSchema.default({ shutdownTimeoutMs: 10_000 }),
  limits: limitsSchema.default(DEFAULT_LIMITS),
  plugins: z.record(z.string(), z.unknown()).default({}),
});

export type AssistantSettings = z.output<typeof assistantSchema>;
export type LoggingSettings = z.output<typeof loggingSchema>;
export type LimitSettings = z.output<typeof limitsSchema>;

/** One problem found in a config. */
export interface ConfigProblem {
  file: string;
  line: number;
  path: string;
  message: string;
}

export interface PluginBlock {
  /** The key in `plugins:`. */
  name: string;
  /** Path of a custom plugin module, resolved against the config file's folder. */
  module?: string;
  enabled: boolean;
  /** The plugin's own settings (reserved keys removed), validated later by its schema. */
  settings: Record<string, unknown>;
  /** 1-based line of the block in the file, for messages. */
  line: number;
}

/** A loaded, interpolated, top-level-validated config. */
export interface KobzaConfig {
  /** Absolute path of the file, or `<inline>`. */
  file: string;
  /** Folder that relative paths in the file are resolved against. */
  dir: string;
  assistant: AssistantSettings;
  logging: LoggingSettings;
  kernel: z.output<typeof kernelSchema>;
  /** `limits:` (always set by the loader; a hand-built config may omit it for the defaults). */
  limits?: LimitSettings;
  /** In file order. */
  plugins: PluginBlock[];
  /** Maps a dotted key path to its 1-based line. */
  lineOf(path: readonly (string | number)[]): number;
  /** Problems found while loading (only with `deferProblems`), reported by `Kernel.create` with the plugins' own. */
  problems?: readonly ConfigProblem[];
}
