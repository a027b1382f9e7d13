/**
 * Boots real Kernels with the `ollama` provider (against the Ollama stand-in) and the
 * `semantic-cache` plugin from YAML, the way users run them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import YAML from 'yaml';
import { collectReply, Kernel, parseConfig, type ChatMessage, type KobzaEvents, type PluginDefinition, type ReplyMeta, type RequestInit } from '../../../core/index.js';
import { SEMANTIC_CACHE_TOKEN, type SemanticCache } from '../../../plugins/semantic-cache/index.js';

export interface BootedCache {
  kernel: Kernel;
  cache: SemanticCache;
  hits: KobzaEvents['cache:hit'][];
  misses: KobzaEvents['cache:miss'][];
  /** Asks one question (or a conversation) and collects the reply. */
  ask(question: string | ChatMessage[], init?: Partial<RequestInit>): Promise<{ text: string; meta: ReplyMeta; chunks: string[] }>;
}

const running: Kernel[] = [];

export interface BootOptions {
  /** The `semantic-cache` block. */
  cache?: Record<string, unknown>;
  /** Stand-in URL for the `ollama` plugin. */
  ollamaUrl: string;
  /** Extra plugins by name (definition objects), placed before/after as listed in `order`. */
  extra?: Record<string, PluginDefinition>;
  /** Settings of the extra plugins. */
  extraSettings?: Record<string, Record<string, unknown>>;
  /** Folder relative paths resolve against. */
  dir?: string;
  /** The kernel's logger (default: silent). */
  logger?: Logger;
}

/** Builds a kernel with ollama + semantic-cache (+ extras) and waits until the cache is ready. */
export async function bootCache(options: BootOptions): Promise<BootedCache> {
  const plugins: Record<string, unknown> = {
    ollama: { host: options.ollamaUrl, probeOnStart: false, retries: 0 },
    ...(options.extraSettings ?? Object.fromEntries(Object.keys(options.extra ?? {}).map((k) => [k, {}]))),
    // A memory store unless the test names one (`store: undefined` = a registered CacheStore).
    'semantic-cache': options.cache && 'store' in options.cache ? options.cache : { store: 'memory', ...(options.cache ?? {}) },
  };
  const file = path.join(options.dir ?? process.cwd(), 'test.yaml');
  const config = parseConfig(YAML.stringify({ assistant: { model: 'qwen2.5:7b' }, plugins }), { file, env: {} });
  const builtins: Record<string, () => Promise<PluginDefinition>> = {
    ollama: async () => (await import('../../../plugins/ollama/index.js')).default as PluginDefinition,
    'semantic-cache': async () => (await import('../../../plugins/semantic-cache/index.js')).default as PluginDefinition,
  };
  for (const [name, definition] of Object.entries(options.extra ?? {})) builtins[name] = async () => definition;
  const kernel = await Kernel.create(config, { builtins, logger: options.logger ?? pino({ level: 'silent' }) });
  running.push(kernel);
  const handle = kernel.resolve(SEMANTIC_CACHE_TOKEN);
  const cache = await handle.ready();
  const hits: BootedCache['hits'] = [];
  const misses: BootedCache['misses'] = [];
  kernel.events.on('cache:hit', (e) => hits.push(e));
  kernel.events.on('cache:miss', (e) => misses.push(e));
  return {
    kernel,
    cache,
    hits,
    misses,
    async ask(question, init = {}) {
      const messages: ChatMessage[] = typeof question === 'string' ? [{ role: 'user', content: question }] : question;
      const reply = await kernel.handle(kernel.createRequest({ messages, ...init }));
      const chunks: string[] = [];
      for await (const chunk of reply.chunks) chunks.push(chunk);
      // The answer is written behind the reply: wait for it, as a next question a moment later would.
      await handle.flush();
      return { text: chunks.join(''), meta: reply.meta, chunks };
    },
  };
}

/** Stops every kernel booted here (call in afterEach). */
export async function stopKernels(): Promise<void> {
  await Promise.all(running.splice(0).map((k) => k.stop()));
}

/** The labelled fixture pairs (uk/ru/en, written for these tests). */
export function fixturePairs(): { id: string; cached: string; query: string; same: boolean; kind: string }[] {
  return readFileSync(path.join(import.meta.dirname, 'fixtures', 'pairs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

export { collectReply };
