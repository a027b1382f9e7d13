/**
 * The shared cache in busy Telegram chats, with memory on: a FAQ question asked after some
 * small talk in one chat is served from the cache in another chat that also had small talk
 * (the memory plugin answers a self-contained question without the history, so the answer
 * is shareable), and a personal question never is. The Ollama stand-in's answers quote the
 * context they were made from, so any leak would show.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { echoReply } from '../../servers/ollama.js';
import { settledAnswer, startBot, stopAll, type LiveBot } from './helpers.js';

afterEach(stopAll);

const FAQ = 'Скільки коштує навчання на контракті?';

async function say(live: LiveBot, chatId: number, text: string): Promise<string> {
  const before = live.telegram.botMessages(chatId).length;
  live.telegram.sendUserMessage({ chat: { id: chatId }, from: { id: chatId }, text });
  const messages = await settledAnswer(live, chatId, `an answer to «${text}»`, (m) => m.length > before);
  return messages.at(-1)!.text;
}

describe('telegram: a shared cache in busy chats', () => {
  it('serves a FAQ answer across chats after small talk; never a personal one', async () => {
    const live = await startBot({ ollama: { reply: echoReply, tokenDelayMs: 0 }, plugins: { memory: {}, 'semantic-cache': {} }, logLevel: 'warn' });
    const hits: string[] = [];
    live.kernel.events.on('cache:hit', (e) => hits.push(e.requestId));
    const ALICE = 101;
    const BOB = 202;

    // Small talk in both chats: the memory plugin keeps it.
    await say(live, ALICE, 'Привіт! Мене звати Олена Коваль, мій телефон +380501234567');
    await say(live, BOB, 'Добрий день, я Богдан, пишу з Полтави');

    // Alice's FAQ: answered without her history (nothing of hers is in the prompt or the answer).
    const generated = live.ollama.count('/api/chat');
    const alice = await say(live, ALICE, FAQ);
    expect(alice).toContain(`Answer to: ${FAQ}`);
    expect(alice).not.toMatch(/Олен|Коваль|380501234567/);
    expect(live.ollama.count('/api/chat')).toBe(generated + 1);
    await live.kernel.resolve('SemanticCache').flush();

    // Bob's FAQ, after his own small talk: from the cache, no generation.
    const bob = await say(live, BOB, FAQ);
    expect(bob).toBe(alice);
    expect(live.ollama.count('/api/chat')).toBe(generated + 1);
    expect(hits).toHaveLength(1);

    // A personal question: answered with the chat's own history, never from another chat.
    const aliceName = await say(live, ALICE, 'Як мене звати?');
    expect(aliceName).toMatch(/Олена/);
    await live.kernel.resolve('SemanticCache').flush();
    const bobName = await say(live, BOB, 'Як мене звати?');
    expect(bobName).toMatch(/Богдан/);
    expect(bobName).not.toMatch(/Олен|380501234567/);
    expect(live.ollama.count('/api/chat')).toBe(generated + 3);
    expect(hits).toHaveLength(1);
  }, 30_000);

  it('tells a user the bot is busy when every generation slot and the queue are taken', async () => {
    const live = await startBot({ ollama: { firstTokenDelayMs: 60_000 }, limits: { maxInFlight: 1, maxQueued: 0 }, logLevel: 'warn' });
    live.telegram.sendUserMessage({ chat: { id: 301 }, from: { id: 301 }, text: 'Перше питання?' });
    await live.telegram.waitFor(() => live.ollama.active === 1, 'the first generation to hold its slot');
    live.telegram.sendUserMessage({ chat: { id: 302 }, from: { id: 302 }, text: 'Друге питання?' });
    // The first chat's answer is still held, so wait for this chat's message alone.
    const busy = await live.telegram.waitFor(() => live.telegram.botMessages(302).at(-1)?.text, 'the busy text in the second chat');
    expect(busy).toBe('Зараз забагато запитів. Спробуйте за хвилину.');
    expect(live.ollama.count('/api/chat')).toBe(1);
  }, 30_000);
});
