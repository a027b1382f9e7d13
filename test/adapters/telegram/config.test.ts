/**
 * The shipped example config starts and answers (ollama + memory + telegram, token from
 * the environment), and bad `plugins.telegram` settings stop start-up with one clear line.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger, Kernel, loadConfigFile, parseConfig } from '../../../core/index.js';
import { BUILTIN_PLUGINS } from '../../../cli/builtins.js';
import { startOllamaStandIn } from '../../servers/ollama.js';
import { startTelegramStandIn } from '../../servers/telegram.js';
import { own, stopAll } from './helpers.js';

afterEach(stopAll);

const example = path.resolve(import.meta.dirname, '../../../config/telegram.example.yaml');
const quiet = createLogger({ level: 'silent', pretty: false }, { stream: new Writable({ write: (_c, _e, done) => done() }) });

describe('config/telegram.example.yaml', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kobza-telegram-example-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with the token from the environment and answers with memory', async () => {
    const ollama = await own(startOllamaStandIn());
    const telegram = await own(startTelegramStandIn());
    const env = { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url, OLLAMA_HOST: ollama.url, KOBZA_DATA_DIR: dir };
    const kernel = await Kernel.create(await loadConfigFile(example, env), { builtins: BUILTIN_PLUGINS, logger: quiet });
    await kernel.start();
    own(Promise.resolve({ close: () => kernel.stop() }));

    telegram.sendUserMessage({ chat: { id: 901 }, text: '/start' });
    telegram.sendUserMessage({ chat: { id: 901 }, text: 'Коли вступна кампанія?' });
    await telegram.waitFor(() => telegram.botMessages(901).length === 2 && telegram.botMessages(901)[1].text === 'Answer to: Коли вступна кампанія?', 'the greeting and the answer');
    expect(telegram.botMessages(901)[0].text).toBe('Вітаю! Я відповідаю на запитання вступників. Напишіть своє запитання.');
    const call = ollama.calls.find((c) => c.path === '/api/chat')!;
    expect(call.body.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('приймальної комісії') });
    await kernel.stop();
    expect(existsSync(path.join(dir, 'telegram-memory.sqlite'))).toBe(true);
  });

  it('refuses to start without TELEGRAM_BOT_TOKEN, naming the variable', async () => {
    await expect(loadConfigFile(example, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('environment variable TELEGRAM_BOT_TOKEN is not set') });
  });
});

describe('plugins.telegram validation', () => {
  const boot = (telegram: string) =>
    Kernel.create(parseConfig(`assistant: { model: m }\nplugins:\n  ollama: { host: http://127.0.0.1:1, probeOnStart: false }\n  telegram: ${telegram}\n`, { file: 'bot.yaml' }), { builtins: BUILTIN_PLUGINS, logger: quiet });

  it('names the file, line, key and what was expected', async () => {
    await expect(boot('{ token: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAA", mode: webhook }')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('bot.yaml:4: plugins.telegram.webhook: expected webhook: { url, secretToken } when mode is webhook'),
    });
    await expect(boot('{ token: "not-a-token" }')).rejects.toMatchObject({ message: expect.stringContaining('plugins.telegram.token: expected a bot token like 123456789:AA…') });
    await expect(boot('{ token: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAA", streaming: fast }')).rejects.toMatchObject({ message: expect.stringContaining('plugins.telegram.streaming: expected drafts, edits or off') });
    await expect(boot('{ token: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAA", intervals: { privateMs: 5 } }')).rejects.toMatchObject({ message: expect.stringContaining('plugins.telegram.intervals.privateMs: expected a number 10 or more, got 5') });
    await expect(boot('{ token: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAA", webhok: {} }')).rejects.toMatchObject({ message: expect.stringContaining('plugins.telegram.webhok: unknown key; did you mean "webhook"?') });
  });

  it('never echoes a malformed token or webhook secret in a config error', async () => {
    const error = await boot('{ token: "123456789:short-secret-part", mode: webhook, webhook: { url: "https://e.org/h", secretToken: "bad secret!" } }').catch((err: Error) => err);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toContain('plugins.telegram.token: expected a bot token like 123456789:AA… (the value is not shown)');
    expect((error as Error).message).toContain('plugins.telegram.webhook.secretToken: expected a secret');
    expect((error as Error).message).not.toContain('secret-part');
    expect((error as Error).message).not.toContain('bad secret!');
  });
});
