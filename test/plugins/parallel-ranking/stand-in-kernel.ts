/**
 * Boots a real Kernel against the Ollama stand-in with the `ollama` provider plugin and
 * whatever other plugins a test names; closes everything after each test.
 */
import { pino } from 'pino';
import { afterEach } from 'vitest';
import { Kernel, parseConfig, type PluginDefinition, type PluginLoader } from '../../../core/index.js';
import { startOllamaStandIn, type OllamaStandIn, type StandInOptions } from '../../servers/ollama.js';

export const silent = pino({ level: 'silent' });

const BUILTINS: Record<string, PluginLoader> = {
  ollama: () => import('../../../plugins/ollama/index.js'),
  'parallel-ranking': () => import('../../../plugins/parallel-ranking/index.js'),
  streaming: () => import('../../../plugins/streaming/index.js'),
};

const open: { kernel?: Kernel; ollama: OllamaStandIn }[] = [];

afterEach(async () => {
  for (const { kernel, ollama } of open.splice(0)) {
    await kernel?.stop();
    await ollama.close();
  }
});

/**
 * Starts the stand-in and a kernel. `plugins` is the YAML of the plugin blocks besides
 * `ollama` (indented two spaces, as under `plugins:`).
 * @example
 * const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: always }', { tokenDelayMs: 2 });
 */
export async function bootWithStandIn(
  plugins: string,
  standIn: StandInOptions = {},
  extra: Record<string, PluginDefinition> = {},
): Promise<{ kernel: Kernel; ollama: OllamaStandIn }> {
  const ollama = await startOllamaStandIn(standIn);
  const entry: { kernel?: Kernel; ollama: OllamaStandIn } = { ollama };
  open.push(entry);
  const yaml = [
    'assistant: { model: "qwen2.5:7b" }',
    'logging: { level: silent, pretty: false }',
    'plugins:',
    `  ollama: { host: "${ollama.url}", probeOnStart: false, retries: 0 }`,
    plugins,
  ].join('\n');
  const loaders: Record<string, PluginLoader> = { ...BUILTINS };
  for (const [name, definition] of Object.entries(extra)) loaders[name] = async () => definition;
  const kernel = await Kernel.create(parseConfig(yaml, { file: 'test.yaml', env: {} }), { builtins: loaders, logger: silent });
  entry.kernel = kernel;
  return { kernel, ollama };
}

/** Reads a reply to the end, keeping the chunks. */
export async function drain(reply: { chunks: AsyncIterable<string> }): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of reply.chunks) chunks.push(chunk);
  return chunks;
}
