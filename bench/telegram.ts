/**
 * Telegram adapter benchmark, side by side in one run, against the Bot API stand-in with
 * Telegram-like flood control (a second message call to a private chat within 1 s → 429)
 * and the Ollama stand-in generating at about 20 tokens/s:
 *
 * 1. What the user sees: time to the first visible text and to the final message, Bot API
 *    calls and 429s per answer — for `streaming: drafts`, `edits` and `off` with the
 *    production intervals (1 s private), and for a naive streamer that edits the message
 *    on every token (what the bots in agno#7360 / lettabot#433 do).
 * 2. Cost of rendering a frame: Markdown → HTML + split for a 4,096-character answer.
 *
 * Run alone: `npx tsx bench/telegram.ts`. `KOBZA_BENCH_TELEGRAM_ANSWERS` (default 3)
 * answers per side.
 */
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Api } from 'grammy';
import { pino } from 'pino';
import YAML from 'yaml';
import { Kernel, parseConfig } from '../core/index.js';
import { BUILTIN_PLUGINS } from '../cli/builtins.js';
import { renderTelegramHtml, splitForTelegram } from '../adapters/telegram/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../test/servers/ollama.js';
import { startTelegramStandIn, type TelegramStandIn } from '../test/servers/telegram.js';

const ANSWERS = Number(process.env.KOBZA_BENCH_TELEGRAM_ANSWERS ?? 3);
const TOKEN_MS = 50; // ~20 tokens/s, a 7B model on a modest GPU
const FIRST_TOKEN_MS = 400;
const ANSWER = Array.from({ length: 8 }, (_, i) => `**Пункт ${i + 1}.** Для вступу на бакалаврат потрібні паспорт, ідентифікаційний код і документ про освіту.`).join('\n');

interface Side {
  firstVisibleMs: number[];
  finalMs: number[];
  calls: number[];
  limited: number[];
  complete: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

const MESSAGE_METHODS = ['sendMessage', 'editMessageText', 'sendMessageDraft'];

function measure(telegram: TelegramStandIn, chatId: number, askedAt: number, side: Side, expected: string): void {
  const calls = telegram.calls.filter((c) => c.chatId === chatId && MESSAGE_METHODS.includes(c.method));
  const visible = calls.find((c) => c.ok);
  const final = telegram.botMessages(chatId).at(-1);
  side.firstVisibleMs.push((visible?.at ?? NaN) - askedAt);
  side.finalMs.push((final?.history.at(-1)?.at ?? NaN) - askedAt);
  side.calls.push(calls.length);
  side.limited.push(calls.filter((c) => c.errorCode === 429).length);
  if (final?.text.replace(/\s+/g, ' ').trim() === expected) side.complete++;
}

const expectedText = renderTelegramHtml(ANSWER)
  .replace(/<[^>]+>/g, '')
  .replace(/\s+/g, ' ')
  .trim();

async function kobzaSide(mode: 'drafts' | 'edits' | 'off', ollama: OllamaStandIn): Promise<Side> {
  const telegram = await startTelegramStandIn({ floodControlMs: 1000 });
  const config = {
    assistant: { model: 'qwen2.5:7b' },
    plugins: {
      ollama: { host: ollama.url, probeOnStart: false },
      telegram: { token: telegram.token, apiRoot: telegram.url, streaming: mode, registerCommands: false, polling: { timeoutSeconds: 1 } },
    },
  };
  const logger = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
  const kernel = await Kernel.create(parseConfig(YAML.stringify(config)), { builtins: BUILTIN_PLUGINS, logger });
  await kernel.start();
  const side: Side = { firstVisibleMs: [], finalMs: [], calls: [], limited: [], complete: 0 };
  try {
    for (let i = 0; i < ANSWERS; i++) {
      const chatId = 10_000 + i;
      const askedAt = Date.now();
      telegram.sendUserMessage({ chat: { id: chatId }, text: `Питання ${i}` });
      await telegram.waitFor(() => telegram.botMessages(chatId).at(-1)?.text.replace(/\s+/g, ' ').trim() === expectedText, 'the final answer', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let trailing calls land
      measure(telegram, chatId, askedAt, side, expectedText);
    }
  } finally {
    await kernel.stop();
    await telegram.close();
  }
  return side;
}

/** Edits the message on every token, as many Ollama Telegram bots do. */
async function naiveSide(ollama: OllamaStandIn): Promise<Side> {
  const telegram = await startTelegramStandIn({ floodControlMs: 1000 });
  const api = new Api(telegram.token, { apiRoot: telegram.url });
  const side: Side = { firstVisibleMs: [], finalMs: [], calls: [], limited: [], complete: 0 };
  try {
    for (let i = 0; i < ANSWERS; i++) {
      const chatId = 20_000 + i;
      telegram.sendUserMessage({ chat: { id: chatId }, text: `Питання ${i}` });
      const askedAt = Date.now();
      const response = await fetch(`${ollama.url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'x' }], stream: true }) });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      let buffer = '';
      let messageId: number | undefined;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          text += JSON.parse(line).message?.content ?? '';
          try {
            if (messageId === undefined) messageId = (await api.sendMessage(chatId, renderTelegramHtml(text), { parse_mode: 'HTML' })).message_id;
            else await api.editMessageText(chatId, messageId, renderTelegramHtml(text), { parse_mode: 'HTML' });
          } catch {
            // the naive bot ignores errors and moves on
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      measure(telegram, chatId, askedAt, side, expectedText);
    }
  } finally {
    await telegram.close();
  }
  return side;
}

function renderCost(): { perFrameUs: number; parts: number } {
  const long = ANSWER.repeat(Math.ceil(4096 / ANSWER.length)).slice(0, 4096);
  const rounds = 300;
  for (let i = 0; i < 20; i++) splitForTelegram(long).map((p) => renderTelegramHtml(p.text));
  const started = performance.now();
  let parts = 0;
  for (let i = 0; i < rounds; i++) parts = splitForTelegram(long).map((p) => renderTelegramHtml(p.text)).length;
  return { perFrameUs: ((performance.now() - started) / rounds) * 1000, parts };
}

export async function run(): Promise<void> {
  const ollama = await startOllamaStandIn({ tokenDelayMs: TOKEN_MS, firstTokenDelayMs: FIRST_TOKEN_MS, reply: () => ANSWER });
  const sides: [string, Side][] = [];
  try {
    for (const mode of ['drafts', 'edits', 'off'] as const) sides.push([`kobza streaming: ${mode}`, await kobzaSide(mode, ollama)]);
    sides.push(['naive: edit on every token', await naiveSide(ollama)]);
  } finally {
    await ollama.close();
  }
  const tokens = ANSWER.match(/\S+\s*|\s+/g)!.length;
  process.stdout.write(`answer: ${ANSWER.length} chars, ${tokens} tokens at ${TOKEN_MS} ms/token after ${FIRST_TOKEN_MS} ms; flood control 1 msg/s per chat; ${ANSWERS} answers per side\n\n`);
  process.stdout.write('| side | first visible text (median) | final message (median) | Bot API calls / answer | 429s / answer | full answer delivered |\n| --- | --- | --- | --- | --- | --- |\n');
  for (const [name, side] of sides) {
    process.stdout.write(
      `| ${name} | ${median(side.firstVisibleMs).toFixed(0)} ms | ${median(side.finalMs).toFixed(0)} ms | ${median(side.calls)} | ${median(side.limited)} | ${side.complete}/${ANSWERS} |\n`,
    );
  }
  const cost = renderCost();
  process.stdout.write(`\nrender + split of a 4,096-character answer (${cost.parts} part): ${cost.perFrameUs.toFixed(0)} µs per frame\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
