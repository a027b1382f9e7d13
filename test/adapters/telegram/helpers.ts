/**
 * Boots a live Kobza for Telegram tests: a real Kernel from YAML text with the built-in
 * plugins — `ollama` pointed at the Ollama stand-in, `telegram` pointed at the Bot API
 * stand-in — and the kernel's real (redacting) logger writing into an array.
 */
import { Writable } from 'node:stream';
import net from 'node:net';
import YAML from 'yaml';
import { createLogger, Kernel, parseConfig } from '../../../core/index.js';
import { BUILTIN_PLUGINS } from '../../../cli/builtins.js';
import type { TelegramAdapter } from '../../../adapters/telegram/index.js';
import { startOllamaStandIn, type OllamaStandIn, type StandInOptions } from '../../servers/ollama.js';
import { startTelegramStandIn, type StoredMessage, type TelegramStandIn, type TelegramStandInOptions } from '../../servers/telegram.js';

export interface LiveBot {
  kernel: Kernel;
  adapter: TelegramAdapter;
  telegram: TelegramStandIn;
  ollama: OllamaStandIn;
  /** Every log line (JSON text) the kernel wrote. */
  logs: string[];
  /** Stops this kernel only (the stand-ins stay up). */
  stop(): Promise<void>;
}

export interface BootOptions {
  /** `plugins.telegram` settings on top of fast test defaults. */
  telegram?: Record<string, unknown>;
  /** Extra plugin blocks placed before `telegram` (e.g. `memory`). */
  plugins?: Record<string, Record<string, unknown>>;
  /** Options for a fresh stand-in, or an existing one. */
  ollama?: StandInOptions | OllamaStandIn;
  bot?: TelegramStandInOptions | TelegramStandIn;
  logLevel?: 'debug' | 'info' | 'warn';
  /** Start the kernel (default true). */
  start?: boolean;
  /** The top-level `limits:` block. */
  limits?: Record<string, unknown>;
}

const owned: { close(): Promise<void> }[] = [];
const kernels: Kernel[] = [];

/** Fast settings for tests: small intervals, short polls. */
export const TEST_TELEGRAM = {
  intervals: { privateMs: 80, groupMs: 150, typingMs: 300 },
  minGrowthChars: 10,
  polling: { timeoutSeconds: 1 },
  registerCommands: false,
};

/**
 * Starts stand-ins (unless given) and a Kobza with the Telegram adapter in front of them.
 * @example
 * const live = await startBot({ telegram: { streaming: 'edits' } });
 * live.telegram.sendUserMessage({ chat: { id: 42 }, text: 'Привіт' });
 */
export async function startBot(options: BootOptions = {}): Promise<LiveBot> {
  const ollama = isOllama(options.ollama) ? options.ollama : await own(startOllamaStandIn({ tokenDelayMs: 5, ...options.ollama }));
  const telegram = isTelegram(options.bot) ? options.bot : await own(startTelegramStandIn(options.bot));
  const config = {
    assistant: { model: 'qwen2.5:7b' },
    kernel: { shutdownTimeoutMs: 3000 },
    ...(options.limits ? { limits: options.limits } : {}),
    plugins: {
      ollama: { host: ollama.url, probeOnStart: false, retries: 0 },
      ...options.plugins,
      telegram: { token: telegram.token, apiRoot: telegram.url, ...TEST_TELEGRAM, ...options.telegram },
    },
  };
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: options.logLevel ?? 'debug', pretty: false }, { stream });
  const kernel = await Kernel.create(parseConfig(YAML.stringify(config), { file: 'telegram-test.yaml' }), { builtins: BUILTIN_PLUGINS, logger });
  kernels.push(kernel);
  if (options.start !== false) await kernel.start();
  const adapter = kernel.resolveAll('Adapter').find((a) => a.name === 'telegram') as TelegramAdapter;
  return { kernel, adapter, telegram, ollama, logs, stop: () => kernel.stop() };
}

/** Stops every kernel and stand-in started by `startBot`. Use in afterEach. */
export async function stopAll(): Promise<void> {
  await Promise.allSettled(kernels.splice(0).map((k) => k.stop()));
  await Promise.allSettled(owned.splice(0).map((s) => s.close()));
}

/** Registers a stand-in for closing in `stopAll`. */
export async function own<T extends { close(): Promise<void> }>(starting: Promise<T>): Promise<T> {
  const value = await starting;
  owned.push(value);
  return value;
}

function isOllama(value: BootOptions['ollama']): value is OllamaStandIn {
  return typeof (value as OllamaStandIn | undefined)?.count === 'function';
}
function isTelegram(value: BootOptions['bot']): value is TelegramStandIn {
  return typeof (value as TelegramStandIn | undefined)?.sendUserMessage === 'function';
}

/** A port free right now on 127.0.0.1 (for webhook URLs, which must be known up front). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Waits until the bot's messages in a chat after `since` hold `count` answers and the
 * bot went quiet (no call to the chat for a while), then returns them.
 */
export async function settledAnswer(live: LiveBot, chatId: number, what: string, predicate: (messages: StoredMessage[]) => boolean, timeoutMs = 15_000): Promise<StoredMessage[]> {
  return live.telegram.waitFor(() => {
    const messages = live.telegram.botMessages(chatId);
    return predicate(messages) && live.adapter.activeAnswers === 0 ? messages : undefined;
  }, what, timeoutMs);
}

/** Arrival times of message calls (send/edit/draft) to one chat, in order. */
export function messageCallTimes(telegram: TelegramStandIn, chatId: number): number[] {
  return telegram.calls.filter((c) => c.chatId === chatId && ['sendMessage', 'editMessageText', 'sendMessageDraft'].includes(c.method)).map((c) => c.at);
}

/** Gaps between consecutive times. */
export function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]);
}
