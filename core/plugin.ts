/**
 * The plugin contract. A plugin is a plain object — a name, a config schema, what it
 * depends on and provides, and a `register` function that puts its services into the
 * kernel. Built-in plugins and user plugins (`module: ./my-plugin.js`) are written alike.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { EventBus } from './events.js';
import type { KobzaConfig } from './config/schema.js';
import type { ManyToken, Services, SingleToken } from './tokens.js';
import type { ChatRequest, Reply } from './types.js';
import type { RequestInit } from './request.js';

/**
 * What the kernel offers a plugin while it registers, and later at run time. Services
 * live in the kernel's tsyringe container: `provide` puts one there, `resolve` reads one.
 * @example
 * ctx.provide('Middleware', { name: 'timing', stage: 'guard', handle: (request, next) => next() });
 * ctx.provide('Scorer', { name: 'short', score: (c) => (c.text.length < 400 ? 1 : 0.5) });
 * const provider = ctx.resolve('LlmProvider');
 */
export interface PluginContext {
  /** The plugin's key in `plugins:`. */
  readonly name: string;
  /** The whole loaded config (assistant settings, `file`, and `dir` to resolve relative paths against). */
  readonly config: KobzaConfig;
  /** A child logger bound to this plugin. */
  readonly logger: Logger;
  readonly events: EventBus;

  /**
   * Registers a service. A single slot (`LlmProvider`, `Embedder`, `CacheStore`,
   * `ConversationMemory`, any augmented token) takes one provider — a second is
   * PLUGIN_CONFLICT naming both plugins; a many-valued token (`Scorer`, `Middleware`,
   * `Adapter`) adds one more.
   */
  provide<K extends keyof Services>(token: K, service: Services[K]): void;
  /** A registered single-slot service; throws PLUGIN_DEPENDENCY when the slot is empty. */
  resolve<K extends SingleToken>(token: K): Services[K];
  /** A registered single-slot service, or undefined. */
  tryResolve<K extends SingleToken>(token: K): Services[K] | undefined;
  /** Every registered scorer / middleware (pipeline order) / adapter. */
  resolveAll<K extends ManyToken>(token: K): Services[K][];

  /** Runs a request through the whole pipeline (what adapters call). */
  handle(request: ChatRequest): Promise<Reply>;
  /** Builds a request with defaults (id, model, system prompt, signal). */
  createRequest(init: RequestInit): ChatRequest;

  /** Runs after every plugin registered, before adapters start. */
  onReady(hook: () => void | Promise<void>): void;
  /** Runs when the kernel stops, in reverse registration order. */
  onClose(hook: () => void | Promise<void>): void;
}

export interface PluginDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  /** Validates the plugin's block in the YAML file (reserved keys `module`, `enabled` removed). */
  configSchema?: S;
  /**
   * Slots or plugin names this plugin needs (`'LlmProvider'`, `'memory'`). A missing one
   * stops start-up with PLUGIN_DEPENDENCY naming both sides.
   */
  dependsOn?: readonly string[];
  /** Single slots this plugin fills; two plugins filling one slot is PLUGIN_CONFLICT. */
  provides?: readonly SingleToken[];
  /** An adapter that only makes sense in `kobza chat` (started by that command only). */
  interactive?: boolean;
  register(ctx: PluginContext, config: z.output<S>): void | Promise<void>;
}

/**
 * Declares a plugin with typed config.
 * @example
 * export default definePlugin({
 *   name: 'shout',
 *   configSchema: z.strictObject({ weight: z.number().default(1) }),
 *   register(ctx, config) {
 *     ctx.provide('Scorer', { name: 'shout', weight: config.weight, score: (c) => (c.text === c.text.toUpperCase() ? 0 : 1) });
 *   },
 * });
 */
export function definePlugin<S extends z.ZodType>(definition: PluginDefinition<S>): PluginDefinition<S> {
  return definition;
}

/** True when a module's export looks like a plugin definition. */
export function isPluginDefinition(value: unknown): value is PluginDefinition {
  return typeof value === 'object' && value !== null && typeof (value as PluginDefinition).name === 'string' && typeof (value as PluginDefinition).register === 'function';
}
