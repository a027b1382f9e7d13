/**
 * The kernel: load → validate → register → start; stop in reverse, draining in-flight
 * requests up to a timeout. It owns the pipeline, the DI container and the event bus;
 * everything else is a plugin.
 */
import 'reflect-metadata';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import { didYouMean, throwProblems, validateAt, type ConfigProblem } from './config/load.js';
import { loadConfigFile } from './config/load.js';
import type { KobzaConfig, PluginBlock } from './config/schema.js';
import type { Adapter, LlmProvider, Middleware } from './contracts.js';
import { KobzaError, wrapError } from './errors.js';
import { EventBus } from './events.js';
import { createLogger } from './logger.js';
import { clampOptions, GenerationGate } from './limits.js';
import { DEFAULT_LIMITS } from './config/schema.js';
import { composePipeline, orderMiddleware, type Handler } from './pipeline.js';
import { isPluginDefinition, type PluginContext, type PluginDefinition } from './plugin.js';
import { observeReply } from './reply.js';
import { createRequest, isAborted, releaseRequest, type RequestInit } from './request.js';
import { isManyToken, type ManyToken, type Services, type SingleToken } from './tokens.js';
import type { ChatRequest, Reply } from './types.js';

/** Loads a built-in plugin by name (the CLI passes the shipped set). */
export type PluginLoader = () => Promise<PluginDefinition | { default: PluginDefinition }>;

export interface KernelOptions {
  /** Built-in plugins by config key. */
  builtins?: Record<string, PluginLoader>;
  /** Root logger; default: from `logging:` in the config. */
  logger?: Logger;
  /** Which adapters `start()` starts: all (default), only interactive ones, none. */
  adapters?: 'all' | 'interactive' | 'non-interactive' | 'none';
  /** Refuse to boot without an LlmProvider (default true). */
  requireProvider?: boolean;
  /** Plugin blocks to add when the config lacks them (e.g. `kobza chat` adds `console`). */
  ensurePlugins?: Record<string, Record<string, unknown>>;
}

interface LoadedPlugin {
  block: PluginBlock;
  definition: PluginDefinition;
  settings: unknown;
}

const SLOT_HINTS: Partial<Record<string, string>> = {
  LlmProvider: 'enable the `ollama` or `openai-compatible` plugin',
  ConversationMemory: 'enable the `memory` plugin',
};

function unwrapModule(mod: unknown): unknown {
  if (isPluginDefinition(mod)) return mod;
  const candidate = (mod as { default?: unknown })?.default ?? (mod as { plugin?: unknown })?.plugin;
  if (typeof candidate === 'function' && !isPluginDefinition(candidate)) return (candidate as () => unknown)();
  return candidate;
}

/**
 * A running (or ready-to-run) Kobza.
 *
 * Its tsyringe container is the one registry: single slots hold one `useValue`
 * registration, many-valued tokens (Scorer, Middleware, Adapter) one registration per
 * service, in the order plugins provided them. Each plugin gets a child container whose
 * private binding is its own `Logger`; its lookups go through that child to the kernel's.
 * @example
 * const kernel = await Kernel.fromFile('config/default.yaml', { builtins });
 * await kernel.start();
 * const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Привіт' }] }));
 */
export class Kernel {
  readonly events: EventBus;
  readonly container: DependencyContainer;
  readonly logger: Logger;
  readonly config: KobzaConfig;
  readonly plugins: readonly LoadedPlugin[];

  readonly #options: KernelOptions;
  /** Which plugin filled each single slot — only to name both sides of a PLUGIN_CONFLICT. */
  readonly #providers = new Map<string, string>();
  /** Adapters that only `kobza chat` starts (`interactive: true` plugins). */
  readonly #interactive = new WeakSet<Adapter>();
  readonly #closeHooks: { plugin: string; hook: () => void | Promise<void> }[] = [];
  readonly #readyHooks: (() => void | Promise<void>)[] = [];
  readonly #shutdown = new AbortController();
  readonly #started: Adapter[] = [];
  #pipeline: Handler = () => Promise.reject(new KobzaError('INTERNAL', 'the kernel is not ready'));
  readonly #limits: NonNullable<KobzaConfig['limits']>;
  readonly #gate: GenerationGate;
  #inFlight = 0;
  #drainWaiters: (() => void)[] = [];
  #stopping = false;
  #stopped = false;

  private constructor(config: KobzaConfig, plugins: LoadedPlugin[], options: KernelOptions, logger: Logger) {
    this.config = config;
    this.plugins = plugins;
    this.#options = options;
    this.logger = logger;
    this.#limits = config.limits ?? { ...DEFAULT_LIMITS };
    this.#gate = new GenerationGate(this.#limits);
    this.events = new EventBus({ onListenerError: (err, event) => logger.warn({ err, event }, 'an event listener threw; the others still ran') });
    this.container = rootContainer.createChildContainer();
    this.container.register(EventBus, { useValue: this.events });
    this.container.register('Logger', { useValue: logger });
  }

  /** Loads a config file and builds a kernel from it (plugins registered, adapters not started). */
  static async fromFile(file: string, options: KernelOptions = {}): Promise<Kernel> {
    return Kernel.create(await loadConfigFile(file), options);
  }

  /** Builds a kernel from a loaded config: resolves, validates and registers every plugin. */
  static async create(config: KobzaConfig, options: KernelOptions = {}): Promise<Kernel> {
    // One pass: problems the loader deferred (environment, top-level keys) come out with the plugins' own.
    const problems: ConfigProblem[] = [...(config.problems ?? [])];
    const blocks = [...config.plugins];
    for (const [name, settings] of Object.entries(options.ensurePlugins ?? {})) {
      const existing = blocks.find((b) => b.name === name);
      if (!existing) blocks.push({ name, enabled: true, settings, line: 1 });
      else existing.enabled = true;
    }
    const loaded: LoadedPlugin[] = [];
    for (const block of blocks) {
      if (!block.enabled) continue;
      const definition = await Kernel.#resolveDefinition(config, block, options, problems);
      if (!definition) continue;
      let settings: unknown = block.settings;
      if (definition.configSchema) {
        settings = validateAt(definition.configSchema, block.settings, ['plugins', block.name], config.file, config, problems);
        if (settings === undefined) continue;
      }
      loaded.push({ block, definition, settings });
    }
    if (problems.length) throwProblems(problems);
    Kernel.#checkStaticConflicts(config, loaded);
    const logger = options.logger ?? createLogger(config.logging);
    const kernel = new Kernel(config, loaded, options, logger);
    await kernel.#register();
    return kernel;
  }

  static async #resolveDefinition(config: KobzaConfig, block: PluginBlock, options: KernelOptions, problems: ConfigProblem[]): Promise<PluginDefinition | undefined> {
    const at = ['plugins', block.name];
    if (block.module) {
      const target = path.resolve(config.dir, block.module);
      try {
        const mod = unwrapModule(await import(pathToFileURL(target).href));
        if (!isPluginDefinition(mod)) {
          problems.push({ file: config.file, line: config.lineOf([...at, 'module']), path: [...at, 'module'].join('.'), message: `expected a module whose default export is a plugin ({ name, register }), got exports of ${target}` });
          return undefined;
        }
        return mod;
      } catch (err) {
        problems.push({ file: config.file, line: config.lineOf([...at, 'module']), path: [...at, 'module'].join('.'), message: `cannot load plugin module ${target}: ${(err as Error).message.split('\n')[0]}` });
        return undefined;
      }
    }
    const loader = options.builtins?.[block.name];
    if (!loader) {
      const known = Object.keys(options.builtins ?? {});
      const suggestion = didYouMean(block.name, known);
      problems.push({
        file: config.file,
        line: block.line,
        path: at.join('.'),
        message: suggestion
          ? `unknown plugin; did you mean "${suggestion}"?`
          : `unknown plugin; expected a built-in (${known.join(', ') || 'none'}) or a block with module: ./path/to/plugin.js`,
      });
      return undefined;
    }
    const mod = unwrapModule(await loader());
    if (!isPluginDefinition(mod)) throw new KobzaError('INTERNAL', `built-in plugin "${block.name}" did not export a plugin definition`);
    return mod;
  }

  static #checkStaticConflicts(config: KobzaConfig, loaded: LoadedPlugin[]): void {
    const owners = new Map<string, LoadedPlugin>();
    for (const plugin of loaded) {
      for (const slot of plugin.definition.provides ?? []) {
        const other = owners.get(slot);
        if (other) {
          throw new KobzaError(
            'PLUGIN_CONFLICT',
            `${config.file}: plugins "${other.block.name}" (line ${other.block.line}) and "${plugin.block.name}" (line ${plugin.block.line}) both provide ${slot}; keep one and set enabled: false on the other`,
            { details: { slot, plugins: [other.block.name, plugin.block.name] } },
          );
        }
        owners.set(slot, plugin);
      }
    }
  }

  #context(plugin: LoadedPlugin): PluginContext {
    const name = plugin.block.name;
    const logger = this.logger.child({ plugin: name });
    const own = this.container.createChildContainer();
    own.register('Logger', { useValue: logger });
    const kernel = this;
    return {
      name,
      config: this.config,
      events: this.events,
      logger,
      provide(token, service) {
        kernel.#provide(name, plugin, token, service);
      },
      resolve: (token) => kernel.#resolveFrom(own, token),
      tryResolve: (token) => (own.isRegistered(token, true) ? own.resolve(token) : undefined),
      resolveAll: (token) => kernel.resolveAll(token),
      handle: (request) => kernel.handle(request),
      createRequest: (init) => kernel.createRequest(init),
      onReady(hook) {
        kernel.#readyHooks.push(hook);
      },
      onClose(hook) {
        kernel.#closeHooks.push({ plugin: name, hook });
      },
    };
  }

  #provide(name: string, plugin: LoadedPlugin, token: string, service: unknown): void {
    if (isManyToken(token)) {
      if (token === 'Adapter' && plugin.definition.interactive) this.#interactive.add(service as Adapter);
      this.container.register(token, { useValue: service });
      return;
    }
    const existing = this.#providers.get(token);
    if (existing !== undefined) {
      throw new KobzaError('PLUGIN_CONFLICT', `plugins "${existing}" and "${name}" both provide ${token}; keep one and set enabled: false on the other`, {
        details: { slot: token, plugins: [existing, name] },
      });
    }
    this.#providers.set(token, name);
    this.container.register(token, { useValue: service });
  }

  #resolveFrom<K extends SingleToken>(from: DependencyContainer, token: K): Services[K] {
    if (!from.isRegistered(token, true)) {
      throw new KobzaError('PLUGIN_DEPENDENCY', `nothing provides ${token}; ${SLOT_HINTS[token] ?? `enable a plugin that provides ${token}`}`);
    }
    return from.resolve<Services[K]>(token);
  }

  async #register(): Promise<void> {
    for (const plugin of this.plugins) {
      try {
        await plugin.definition.register(this.#context(plugin), plugin.settings as never);
      } catch (err) {
        const wrapped = wrapError(err);
        if (wrapped.code === 'INTERNAL') wrapped.message = `plugin "${plugin.block.name}" failed to register: ${wrapped.message}`;
        throw wrapped;
      }
    }
    // Dependencies are checked after registration, against what is really there.
    const names = new Set(this.plugins.flatMap((p) => [p.block.name, p.definition.name]));
    for (const plugin of this.plugins) {
      for (const need of plugin.definition.dependsOn ?? []) {
        if (names.has(need) || this.container.isRegistered(need)) continue;
        // Tokens are PascalCase (`LlmProvider`), plugin names kebab-case (`memory`).
        const isToken = /^[A-Z]/.test(need);
        const hint = isToken ? (SLOT_HINTS[need] ?? `enable a plugin that provides ${need}`) : `add plugins.${need} to the config`;
        throw new KobzaError('PLUGIN_DEPENDENCY', `${this.config.file}:${plugin.block.line}: plugin "${plugin.block.name}" depends on "${need}", which no enabled plugin provides; ${hint}`, {
          details: { plugin: plugin.block.name, dependency: need },
        });
      }
    }
    if (this.#options.requireProvider !== false && !this.container.isRegistered('LlmProvider')) {
      throw new KobzaError('PLUGIN_DEPENDENCY', `${this.config.file}: no plugin provides LlmProvider; ${SLOT_HINTS.LlmProvider}`, { details: { dependency: 'LlmProvider' } });
    }
    let provider: LlmProvider | undefined;
    // The gate sits at the terminal step: only real generations take a slot.
    const gate = this.#gate;
    this.#pipeline = composePipeline(this.resolveAll('Middleware'), (request) => {
      provider ??= this.tryResolve('LlmProvider');
      if (!provider) return Promise.reject(new KobzaError('UPSTREAM_UNAVAILABLE', 'no LLM provider is configured', { requestId: request.id }));
      const chosen = provider;
      return gate.run(request, () => chosen.chat(request));
    });
    for (const hook of this.#readyHooks) await hook();
  }

  /** A registered single-slot service; throws PLUGIN_DEPENDENCY when the slot is empty. */
  resolve<K extends SingleToken>(token: K): Services[K] {
    return this.#resolveFrom(this.container, token);
  }

  /** A registered single-slot service, or undefined. */
  tryResolve<K extends SingleToken>(token: K): Services[K] | undefined {
    return this.container.isRegistered(token) ? this.container.resolve<Services[K]>(token) : undefined;
  }

  /** Every scorer / adapter in the order provided; middleware in pipeline order (stage, then YAML order). */
  resolveAll<K extends ManyToken>(token: K): Services[K][] {
    if (!this.container.isRegistered(token)) return [];
    const all = this.container.resolveAll<Services[K]>(token);
    return (token === 'Middleware' ? orderMiddleware(all as Middleware[]) : all) as Services[K][];
  }

  /** Generations (provider calls) holding a slot of `limits.maxInFlight`, and those waiting. */
  get generations(): { active: number; queued: number } {
    return { active: this.#gate.active, queued: this.#gate.queued };
  }

  /** Requests currently being served. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Builds a request with the config's defaults; it aborts when the kernel shuts down. */
  createRequest(init: RequestInit): ChatRequest {
    return createRequest(init, {
      model: this.config.assistant.model,
      systemPrompt: this.config.assistant.systemPrompt,
      signals: [this.#shutdown.signal],
    });
  }

  /**
   * Runs a request through the pipeline. Errors — thrown or in the stream — come out as
   * KobzaError with the request id; events mark start, first chunk, end and error.
   */
  async handle(request: ChatRequest): Promise<Reply> {
    if (this.#stopping) {
      releaseRequest(request);
      throw new KobzaError('UPSTREAM_UNAVAILABLE', 'Kobza is shutting down', { requestId: request.id });
    }
    const startedAt = Date.now();
    const events = this.events;
    clampOptions(request, this.#limits, this.logger);
    this.#inFlight++;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      releaseRequest(request);
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of this.#drainWaiters.splice(0)) wake();
    };
    // Payloads are built only when someone listens: this runs for every request.
    if (events.listenerCount('request:start') > 0) {
      events.emit('request:start', { requestId: request.id, conversationId: request.conversationId, model: request.model, adapter: request.metadata.adapter });
    }
    let reply: Reply;
    try {
      if (isAborted(request)) throw new KobzaError('ABORTED', 'the request was aborted before it started');
      reply = await this.#pipeline(request);
    } catch (err) {
      const error = wrapError(err, request.id);
      this.#logError(error);
      if (events.listenerCount('request:error') > 0) events.emit('request:error', { requestId: request.id, error, durationMs: Date.now() - startedAt });
      settle();
      throw error;
    }
    let first = true;
    return observeReply(reply, {
      wantsText: false,
      onChunk: (chunk, meta) => {
        if (first && chunk.length > 0) {
          first = false;
          const ttftMs = Date.now() - startedAt;
          meta.timings.firstChunkMs ??= ttftMs;
          if (events.listenerCount('reply:first-chunk') > 0) events.emit('reply:first-chunk', { requestId: request.id, ttftMs, source: meta.source });
        }
      },
      onComplete: (_text, meta) => {
        meta.timings.totalMs = Date.now() - startedAt;
        if (events.listenerCount('request:end') > 0) events.emit('request:end', { requestId: request.id, durationMs: meta.timings.totalMs, meta });
        settle();
      },
      onError: (error) => {
        this.#logError(error);
        if (events.listenerCount('request:error') > 0) events.emit('request:error', { requestId: request.id, error, durationMs: Date.now() - startedAt });
        settle();
      },
    });
  }

  #logError(error: KobzaError): void {
    // Aborts are routine (clients go away) and logged at debug: skip the child logger then.
    if (error.code === 'ABORTED') {
      if (this.logger.isLevelEnabled('debug')) this.logger.child({ reqId: error.requestId }).debug({ code: error.code }, error.message);
      return;
    }
    const log = this.logger.child({ reqId: error.requestId });
    if (error.code === 'INTERNAL') log.error({ err: error, code: error.code }, error.message);
    else log.warn({ code: error.code, cause: error.cause instanceof Error ? error.cause.message : undefined }, error.message);
  }

  /** Starts the adapters chosen by `options.adapters`. */
  async start(): Promise<void> {
    const which = this.#options.adapters ?? 'all';
    for (const adapter of this.resolveAll('Adapter')) {
      if (which === 'none') break;
      const interactive = this.#interactive.has(adapter);
      if (which === 'interactive' && !interactive) continue;
      if (which === 'non-interactive' && interactive) continue;
      await adapter.start();
      this.#started.push(adapter);
    }
  }

  /**
   * Stops adapters (reverse order), waits for in-flight requests up to
   * `kernel.shutdownTimeoutMs`, aborts what remains, then runs close hooks in reverse.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopping = true;
    for (const adapter of [...this.#started].reverse()) {
      try {
        await adapter.stop();
      } catch (err) {
        this.logger.warn({ err, adapter: adapter.name }, 'adapter failed to stop cleanly');
      }
    }
    if (this.#inFlight > 0) {
      const timeoutMs = this.config.kernel.shutdownTimeoutMs;
      this.logger.info({ inFlight: this.#inFlight, timeoutMs }, 'draining in-flight requests');
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        new Promise<boolean>((resolve) => this.#drainWaiters.push(() => resolve(true))),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!drained) {
        this.logger.warn({ inFlight: this.#inFlight }, 'shutdown timeout: aborting in-flight requests');
        this.#shutdown.abort(new KobzaError('ABORTED', 'Kobza is shutting down'));
      }
    }
    this.#shutdown.abort(new KobzaError('ABORTED', 'Kobza is shutting down'));
    for (const { plugin, hook } of [...this.#closeHooks].reverse()) {
      try {
        await hook();
      } catch (err) {
        this.logger.warn({ err, plugin }, 'close hook failed');
      }
    }
    this.#stopped = true;
  }
}
