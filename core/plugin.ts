/**
 * The plugin contract. A plugin is a plain object — a name, a config schema, what it
 * depends on and provides, and a `register` function that puts its services into the
 * kernel. Built-in plugins and user plugins (`module: ./my-plugin.js`) are written alike.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DependencyContainer } from 'tsyringe';
import type { Adapter, Middleware, Scorer } from './contracts.js';
import type { EventBus } from './events.js';
import type { KobzaConfig } from './config/schema.js';
import type { Services, SingleSlot } from './tokens.js';
import type { ChatRequest, Reply } from './types.js';
import type { RequestInit } from './request.js';

/** What the kernel offers a plugin while it registers, and later at run time. */
export interface PluginContext {
  /** The plugin's key in `plugins:`. */
  readonly name: string;
  /** The whole loaded config (assistant settings, file, dir). */
  readonly config: KobzaConfig;
  /** Folder of the config file; resolve relative paths against it. */
  readonly configDir: string;
  readonly events: EventBus;
  /** A child logger bound to this plugin. */
  readonly logger: Logger;
  /** The kernel's tsyringe container, for plugins that want it directly. */
  readonly container: DependencyContainer;

  /** Fills a single slot (`LlmProvider`, `Embedder`, `CacheStore`, `ConversationMemory`). */
  provide<K extends SingleSlot>(slot: K, service: Services[K]): void;
  /** Adds a pipeline step. */
  use(middleware: Middleware): void;
  /** Adds a ranking scorer. */
  addScorer(scorer: Scorer): void;
  /** Adds a front door, started after every plugin registered. */
  addAdapter(adapter: Adapter): void;

  /** A registered single-slot service; throws PLUGIN_DEPENDENCY when the slot is empty. */
  resolve<K extends SingleSlot | 'EventBus' | 'Logger' | 'Config'>(slot: K): Services[K];
  /** A registered single-slot service, or undefined. */
  tryResolve<K extends SingleSlot>(slot: K): Services[K] | undefined;
  /** Every registered scorer / middleware / adapter. */
  resolveAll<K extends 'Scorer' | 'Middleware' | 'Adapter'>(slot: K): Services[K][];

  /** Runs a request through the whole pipeline (what adapters call). */
  handle(request: ChatRequest): Promise<Reply>;
  /** Builds a request with defaults (id, model, system prompt, signal). */
  createRequest(init: RequestInit): ChatRequest;

  /** Runs when the kernel stops, in reverse registration order. */
  onClose(hook: () => void | Promise<void>): void;
  /** Runs after every plugin registered, before adapters start. */
  onReady(hook: () => void | Promise<void>): void;
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
  provides?: readonly SingleSlot[];
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
 *     ctx.addScorer({ name: 'shout', weight: config.weight, score: (c) => (c.text === c.text.toUpperCase() ? 0 : 1) });
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
