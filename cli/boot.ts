/**
 * Boots a kernel for a CLI command: loads the config with the built-in plugins, prints
 * config problems one per line, and wires SIGINT/SIGTERM to a graceful stop.
 */
import { Kernel, isKobzaError, createLogger, loadConfigFile, type KernelOptions } from '../core/index.js';
import { BUILTIN_PLUGINS } from './builtins.js';

/** The config path used when `--config` is not given. */
export const DEFAULT_CONFIG = process.env.KOBZA_CONFIG ?? 'config/default.yaml';

export interface BootOptions extends Omit<KernelOptions, 'builtins'> {
  /** Logs to stderr (interactive commands keep stdout for answers). */
  logToStderr?: boolean;
  /** Logging level override (e.g. `warn` for chat). */
  logLevel?: string;
  /** Model for this run instead of assistant.model (and of a provider block's own `model:`). */
  model?: string;
  /** false: the providers skip their start-up probe (commands that never call the model). */
  probeUpstream?: boolean;
  /**
   * A floor for the cache's and memory's `storeTimeoutMs`: operator commands write in bulk
   * (`kobza cache import`: batches of 256), and no user waits on them.
   */
  minStoreTimeoutMs?: number;
  /**
   * Validate without writing (`kobza check --no-probe`): the built-in plugins' `sqlite://`
   * stores open in memory and no index file is saved, so checking a config creates no
   * data files beside it. Every block is still validated as written.
   */
  writeNothing?: boolean;
}

/** The plugins whose store calls are guarded by `storeTimeoutMs`. */
const STORE_BLOCKS = new Set(['semantic-cache', 'memory']);

/** The built-in provider plugins: the blocks `model` and `probeUpstream` reach. */
const PROVIDER_BLOCKS = new Set(['ollama', 'openai-compatible']);

/** Points a built-in block's SQLite store at memory and turns its saved index files off. */
function keepInMemory(name: string, settings: Record<string, unknown>): void {
  if (typeof settings.store === 'string' && /^sqlite:\/\/./.test(settings.store)) settings.store = 'memory';
  if (name === 'knowledge') settings.indexFile = false;
  const index = settings.index;
  if (index !== null && typeof index === 'object' && 'path' in index) delete (index as Record<string, unknown>).path;
}

/**
 * Loads the config and builds a kernel with the built-in plugins. Problems of the file, its
 * environment and every plugin block come out together (one pass).
 * @example
 * const kernel = await bootKernel('config/default.yaml', { adapters: 'all' });
 */
export async function bootKernel(configPath: string, options: BootOptions = {}): Promise<Kernel> {
  const config = await loadConfigFile(configPath, process.env, { deferProblems: true });
  if (options.model) config.assistant.model = options.model;
  for (const block of config.plugins) {
    if (options.writeNothing && !block.module) keepInMemory(block.name, block.settings);
    if (options.minStoreTimeoutMs !== undefined && STORE_BLOCKS.has(block.name) && !block.module) {
      const configured = block.settings.storeTimeoutMs;
      if (!(typeof configured === 'number' && configured >= options.minStoreTimeoutMs)) block.settings.storeTimeoutMs = options.minStoreTimeoutMs;
    }
    if (!PROVIDER_BLOCKS.has(block.name) || block.module) continue;
    if (options.model && block.settings.model !== undefined) block.settings.model = options.model;
    if (options.probeUpstream === false) block.settings.probeOnStart = false;
  }
  const logging = { ...config.logging, ...(options.logLevel ? { level: options.logLevel as typeof config.logging.level } : {}) };
  const logger = options.logger ?? createLogger(logging, { fd: options.logToStderr ? 2 : 1 });
  return Kernel.create(config, { ...options, logger, builtins: BUILTIN_PLUGINS });
}

/** Prints an error the way users should see it (no stack unless DEBUG) and returns the exit code. */
export function reportFatal(err: unknown): number {
  if (isKobzaError(err)) {
    process.stderr.write(`${err.message}\n`);
    if (err.code !== 'CONFIG_INVALID' && process.env.DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
  } else {
    process.stderr.write(`${err instanceof Error ? (process.env.DEBUG ? err.stack : err.message) : String(err)}\n`);
  }
  return 1;
}

/** Stops the kernel on SIGINT/SIGTERM (a second signal exits at once). */
export function stopOnSignals(kernel: Kernel, onStopped?: () => void): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    kernel.logger.info({ signal }, 'stopping');
    void kernel.stop().then(
      () => onStopped?.(),
      (err) => {
        reportFatal(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
