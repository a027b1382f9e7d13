/**
 * Boots a real Kernel with the `ollama` plugin from YAML, the way users run it, and
 * captures what the plugin logs.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { collectReply, Kernel, parseConfig, type ChatRequest, type KobzaError } from '../../../core/index.js';
import type { OllamaProvider } from '../../../plugins/ollama/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';

export interface BootedKernel {
  kernel: Kernel;
  provider: OllamaProvider;
  /** Parsed pino lines the kernel and plugins wrote. */
  logs: { level: number; msg: string; [key: string]: unknown }[];
}

const running: Kernel[] = [];

/** The YAML text of a config with the given `plugins.ollama` block (indented YAML lines). */
export function ollamaYaml(block: string, extraTop = ''): string {
  const indented = block
    .trim()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
  return `assistant:\n  model: qwen2.5:7b\n${extraTop}plugins:\n  ollama:\n${indented}\n`;
}

/** Builds (does not start adapters) a kernel with only the ollama plugin. */
export async function bootOllama(block: string, extraTop = ''): Promise<BootedKernel> {
  const logs: BootedKernel['logs'] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      callback();
    },
  });
  const kernel = await Kernel.create(parseConfig(ollamaYaml(block, extraTop), { file: 'test.yaml', env: {} }), {
    builtins: { ollama: () => import('../../../plugins/ollama/index.js') },
    logger: pino({ level: 'info' }, sink),
  });
  running.push(kernel);
  return { kernel, provider: kernel.resolve('LlmProvider') as OllamaProvider, logs };
}

/** Stops every kernel booted by `bootOllama` (call in afterEach). */
export async function stopKernels(): Promise<void> {
  await Promise.all(running.splice(0).map((k) => k.stop()));
}

/** Runs a request and collects its text; a failure comes back as the error. */
export async function ask(kernel: Kernel, request: ChatRequest): Promise<{ text: string; error?: KobzaError; meta?: Awaited<ReturnType<typeof collectReply>>['meta'] }> {
  try {
    const { text, meta } = await collectReply(await kernel.handle(request));
    return { text, meta };
  } catch (err) {
    return { text: '', error: err as KobzaError };
  }
}

/** A loopback port nothing listens on (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const standIns: OllamaStandIn[] = [];

/** Starts an Ollama stand-in that `stopAll()` closes. */
export async function standIn(options: Parameters<typeof startOllamaStandIn>[0] = {}): Promise<OllamaStandIn> {
  const server = await startOllamaStandIn(options);
  standIns.push(server);
  return server;
}

/** Stops every kernel and stand-in a test started (use in afterEach). */
export async function stopAll(): Promise<void> {
  await stopKernels();
  await Promise.all(standIns.splice(0).map((s) => s.close()));
}

/** A one-message conversation. */
export const user = (content: string) => [{ role: 'user' as const, content }];
