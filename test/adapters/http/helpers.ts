/**
 * Boots a live Kobza for HTTP tests: a real Kernel from YAML text with the built-in
 * plugins (`ollama` pointed at the stand-in, `http` on port 0), plus a recording plugin
 * that shows what reached the pipeline (metadata, options, messages).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import YAML from 'yaml';
import { createLogger, definePlugin, Kernel, parseConfig, type ChatRequest, type PluginLoader } from '../../../core/index.js';
import { BUILTIN_PLUGINS } from '../../../cli/builtins.js';
import { findHttpAdapter, type HttpAdapter } from '../../../adapters/http/index.js';
import { startOllamaStandIn, type OllamaStandIn, type StandInOptions } from '../../servers/ollama.js';

export interface LiveKobza {
  kernel: Kernel;
  http: HttpAdapter;
  /** `http://127.0.0.1:PORT` of Kobza. */
  url: string;
  ollama: OllamaStandIn;
  /** Requests as the pipeline saw them (outermost stage), in order. */
  seen: ChatRequest[];
}

export interface BootOptions {
  /** `plugins.http` settings (port 0 is added). */
  http?: Record<string, unknown>;
  /** Options for a fresh stand-in, or an existing one (e.g. already closed for "down"). */
  standIn?: StandInOptions | OllamaStandIn;
  /** Plugin blocks placed between `ollama` and `http`, in order (e.g. `semantic-cache`). */
  plugins?: Record<string, Record<string, unknown>>;
  /** Extra `plugins.ollama` settings. */
  ollama?: Record<string, unknown>;
  /** Start adapters (listen); false = use `http.app.inject()`. */
  listen?: boolean;
  /** Receives every log line (JSON) of the kernel's real, redacting logger. */
  logSink?: (line: string) => void;
  logLevel?: 'debug' | 'info' | 'warn';
  /** The top-level `limits:` block. */
  limits?: Record<string, unknown>;
  /** `assistant.systemPrompt`. */
  systemPrompt?: string;
}

const running: { kernel: Kernel; ollama: OllamaStandIn; owned: boolean }[] = [];

function isStandIn(value: BootOptions['standIn']): value is OllamaStandIn {
  return typeof (value as OllamaStandIn | undefined)?.count === 'function';
}

/** A plugin that records each request entering the pipeline. */
function recorder(seen: ChatRequest[]): PluginLoader {
  return async () =>
    definePlugin({
      name: 'recorder',
      register(ctx) {
        ctx.provide('Middleware', {
          name: 'recorder',
          stage: 'deliver',
          handle(request, next) {
            seen.push(request);
            return next();
          },
        });
      },
    });
}

/**
 * Starts a stand-in (unless given) and a Kobza in front of it.
 * @example
 * const kobza = await startKobza({ http: { apiKeys: ['test-key-123'] } });
 * const client = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'test-key-123' });
 */
export async function startKobza(options: BootOptions = {}): Promise<LiveKobza> {
  const owned = !isStandIn(options.standIn);
  const ollama = isStandIn(options.standIn) ? options.standIn : await startOllamaStandIn(options.standIn ?? {});
  const seen: ChatRequest[] = [];
  const config = {
    assistant: { model: 'qwen2.5:7b', ...(options.systemPrompt ? { systemPrompt: options.systemPrompt } : {}) },
    logging: { level: 'silent' },
    ...(options.limits ? { limits: options.limits } : {}),
    plugins: {
      recorder: {},
      ollama: { host: ollama.url, probeOnStart: false, retries: 0, ...options.ollama },
      ...options.plugins,
      http: { port: 0, ...options.http },
    },
  };
  const kernel = await Kernel.create(parseConfig(YAML.stringify(config), { file: 'http-test.yaml', env: {} }), {
    builtins: { ...BUILTIN_PLUGINS, recorder: recorder(seen) },
    logger: options.logSink ? createLogger({ level: options.logLevel ?? 'info', pretty: false }, { stream: lineSink(options.logSink) }) : pino({ level: 'silent' }),
  });
  running.push({ kernel, ollama, owned });
  if (options.listen !== false) await kernel.start();
  const http = findHttpAdapter(kernel);
  if (!http) throw new Error('the http adapter did not register');
  return { kernel, http, url: http.url ?? '', ollama, seen };
}

function lineSink(onLine: (line: string) => void): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) onLine(line);
      callback();
    },
  });
}

/** Stops every Kobza and the stand-ins they started (call in afterEach/afterAll). */
export async function stopKobzas(): Promise<void> {
  const all = running.splice(0);
  await Promise.all(all.map((r) => r.kernel.stop()));
  await Promise.all(all.filter((r) => r.owned).map((r) => r.ollama.close()));
}

/** Waits until `check` is true (events on sockets arrive asynchronously). */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A response's JSON body, untyped (tests look into it freely). */
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}
