/**
 * How updates arrive: long polling (concurrent across chats, in order within a chat) and
 * webhooks (secret header checked, answered before the answer streams, one answer at a
 * time per chat); and memory that survives a restart with the SQLite store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startOllamaStandIn } from '../../servers/ollama.js';
import { startTelegramStandIn } from '../../servers/telegram.js';
import { freePort, own, settledAnswer, startBot, stopAll } from './helpers.js';

afterEach(stopAll);

const sentences = (question: string) => Array.from({ length: 8 }, (_, i) => `Речення ${i + 1} про ${question}.`).join(' ');

describe('long polling', () => {
  it('answers different chats at once and one chat in order', async () => {
    const live = await startBot({ ollama: { tokenDelayMs: 15, reply: (r) => sentences(r.body.messages.at(-1).content) } });
    live.telegram.sendUserMessage({ chat: { id: 801 }, text: 'перше' });
    live.telegram.sendUserMessage({ chat: { id: 802 }, text: 'друге' });
    live.telegram.sendUserMessage({ chat: { id: 801 }, text: 'третє' });
    await settledAnswer(live, 801, 'two answers', (m) => m.length === 2);
    await settledAnswer(live, 802, 'one answer', (m) => m.length === 1);

    expect(live.ollama.maxActive).toBe(2);
    const [first, third] = live.telegram.botMessages(801);
    expect([first.text, third.text]).toEqual([sentences('перше'), sentences('третє')]);
    // The chat's second question reached the model only after its first answer was delivered.
    const thirdCall = live.ollama.calls.find((c) => c.path === '/api/chat' && c.body.messages.at(-1).content === 'третє')!;
    expect(thirdCall.at).toBeGreaterThanOrEqual(first.history.at(-1)!.at);
  });
});

describe('webhook', () => {
  it('registers the webhook, checks the secret, answers the call at once and streams after', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/hook`;
    const live = await startBot({
      telegram: { mode: 'webhook', webhook: { url, secretToken: 'kobza-hook_secret', host: '127.0.0.1', port } },
      ollama: { tokenDelayMs: 15, reply: (r) => sentences(r.body.messages.at(-1).content) },
    });
    expect(live.telegram.webhook).toEqual({ url, secretToken: 'kobza-hook_secret' });
    expect(live.telegram.callsOf('getUpdates')).toEqual([]);

    live.telegram.sendUserMessage({ chat: { id: 810 }, text: 'через вебхук' });
    const [answer] = await settledAnswer(live, 810, 'the answer', (m) => m.length === 1);
    expect(answer.text).toBe(sentences('через вебхук'));
    expect(live.telegram.deliveries).toHaveLength(1);
    expect(live.telegram.deliveries[0].status).toBe(200);
    // Telegram got its 200 before the answer was finished.
    expect(live.telegram.deliveries[0].at).toBeLessThan(answer.history.at(-1)!.at);

    const update = { update_id: 1, message: { message_id: 99, date: 0, chat: { id: 811, type: 'private' }, from: { id: 811, is_bot: false, first_name: 'X' }, text: 'хакер' } };
    expect((await live.telegram.postToWebhook(update, 'wrong-secret')).status).toBe(401);
    expect((await live.telegram.postToWebhook(update)).status).toBe(401);
    const wrongPath = await fetch(`http://127.0.0.1:${port}/other`, { method: 'POST', body: '{}', headers: { 'x-telegram-bot-api-secret-token': 'kobza-hook_secret' } });
    expect(wrongPath.status).toBe(404);
    expect(live.ollama.count('/api/chat')).toBe(1);
  });

  it('keeps one chat in order while answering the webhook at once', async () => {
    const port = await freePort();
    const live = await startBot({
      telegram: { mode: 'webhook', webhook: { url: `http://127.0.0.1:${port}/hook`, secretToken: 'secret', host: '127.0.0.1', port } },
      ollama: { tokenDelayMs: 15, reply: (r) => sentences(r.body.messages.at(-1).content) },
    });
    live.telegram.sendUserMessage({ chat: { id: 820 }, text: 'раз' });
    live.telegram.sendUserMessage({ chat: { id: 820 }, text: 'два' });
    live.telegram.sendUserMessage({ chat: { id: 821 }, text: 'три' });
    await settledAnswer(live, 820, 'two answers', (m) => m.length === 2);
    await settledAnswer(live, 821, 'one answer', (m) => m.length === 1);
    expect(live.telegram.botMessages(820).map((m) => m.text)).toEqual([sentences('раз'), sentences('два')]);
    expect(live.ollama.maxActive).toBe(2);
    const [first] = live.telegram.botMessages(820);
    const second = live.ollama.calls.find((c) => c.path === '/api/chat' && c.body.messages.at(-1).content === 'два')!;
    expect(second.at).toBeGreaterThanOrEqual(first.history.at(-1)!.at);
    // All three webhook calls were answered before the answers they started were done.
    expect(live.telegram.deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(live.telegram.deliveries[2].at).toBeLessThan(live.telegram.botMessages(820)[1].history.at(-1)!.at);
  });
});

describe('memory across a restart', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kobza-telegram-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('remembers the conversation after the bot restarts (SQLite store)', async () => {
    const store = `sqlite://${path.join(dir, 'memory.sqlite')}`;
    const ollama = await own(startOllamaStandIn({ tokenDelayMs: 2 }));
    const telegram = await own(startTelegramStandIn());
    const first = await startBot({ ollama, bot: telegram, plugins: { memory: { store } } });
    telegram.sendUserMessage({ chat: { id: 830 }, text: 'Мене звати Оксана' });
    await settledAnswer(first, 830, 'the first answer', (m) => m.length === 1);
    await first.stop();

    const second = await startBot({ ollama, bot: telegram, plugins: { memory: { store } } });
    telegram.sendUserMessage({ chat: { id: 830 }, text: 'Як мене звати?' });
    await settledAnswer(second, 830, 'the second answer', (m) => m.length === 2);
    expect(ollama.calls.filter((c) => c.path === '/api/chat').at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'Мене звати Оксана' },
      { role: 'assistant', content: 'Answer to: Мене звати Оксана' },
      { role: 'user', content: 'Як мене звати?' },
    ]);
    // Another chat's conversation is separate.
    telegram.sendUserMessage({ chat: { id: 831 }, text: 'Хто я?' });
    await settledAnswer(second, 831, 'the other chat', (m) => m.length === 1);
    expect(ollama.calls.filter((c) => c.path === '/api/chat').at(-1)!.body.messages).toEqual([{ role: 'user', content: 'Хто я?' }]);
  });
});
