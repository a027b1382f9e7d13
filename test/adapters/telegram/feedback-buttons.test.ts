/**
 * 👍/👎 under Telegram answers (`telegram.feedback: true`), against the Bot API stand-in:
 * buttons come with the final answer, a press is a callback query that stores the rating
 * (the same `Feedback` service as POST /v1/feedback) and removes the buttons, and three 👎
 * from three chats quarantine a cached answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../servers/telegram.js';
import { startBot, stopAll, type LiveBot } from './helpers.js';

afterEach(stopAll);

const QUESTION = 'Скільки коштує гуртожиток для першокурсників?';

/** Asks in a private chat and waits for the final answer with its buttons. */
async function askWithButtons(live: LiveBot, chatId: number): Promise<StoredMessage> {
  live.telegram.sendUserMessage({ chat: { id: chatId }, text: QUESTION });
  return live.telegram.waitFor(() => live.telegram.botMessages(chatId).find((m) => m.reply_markup), `rating buttons in chat ${chatId}`);
}

function buttonData(message: StoredMessage): string[] {
  return message.reply_markup!.inline_keyboard.flat().map((b) => b.callback_data!);
}

describe('Telegram rating buttons', () => {
  it('puts 👍/👎 under a final answer, stores a press as a rating and removes the buttons', async () => {
    const live = await startBot({ plugins: { feedback: {} }, telegram: { feedback: true } });
    const answer = await askWithButtons(live, 42);
    const [up, down] = buttonData(answer);
    expect(up).toMatch(/^fb:up:[0-9a-f-]{36}$/);
    expect(down).toBe(up.replace('fb:up:', 'fb:down:'));
    const requestId = down.slice('fb:down:'.length);

    live.telegram.pressButton({ chatId: 42, messageId: answer.message_id, data: down });
    await live.telegram.waitFor(() => live.telegram.callbackAnswers().length === 1 && !answer.reply_markup, 'the vote to be answered and the buttons removed');
    expect(live.telegram.callbackAnswers()[0].text).toBe('Дякуємо за оцінку!');
    const [stored] = await live.kernel.resolve('Feedback').latest();
    expect(stored).toMatchObject({ requestId, rating: 'down', question: QUESTION, source: 'provider' });
    expect(stored.conversationId).toContain('42');
  });

  it('answers a press it cannot record and removes those buttons too', async () => {
    const live = await startBot({ plugins: { feedback: { remember: 1 } }, telegram: { feedback: true } });
    const first = await askWithButtons(live, 42);
    await askWithButtons(live, 43); // pushes the first answer out of the `remember` window
    live.telegram.pressButton({ chatId: 42, messageId: first.message_id, data: buttonData(first)[0] });
    await live.telegram.waitFor(() => live.telegram.callbackAnswers().length === 1 && !first.reply_markup, 'the press to be answered');
    expect(live.telegram.callbackAnswers()[0].text).toBe('Цю відповідь уже не можна оцінити.');
    expect(await live.kernel.resolve('Feedback').latest()).toEqual([]);
  });

  it('quarantines a cached answer after 👎 from three chats', async () => {
    const live = await startBot({ plugins: { 'semantic-cache': {}, feedback: {} }, telegram: { feedback: true } });
    await askWithButtons(live, 41);
    await live.kernel.resolve('SemanticCache').flush();
    for (const chatId of [42, 43, 44]) {
      const answer = await askWithButtons(live, chatId);
      live.telegram.pressButton({ chatId, messageId: answer.message_id, data: buttonData(answer)[1] });
      await live.telegram.waitFor(() => !answer.reply_markup, `the vote in chat ${chatId}`);
    }
    const ratings = await live.kernel.resolve('Feedback').latest();
    expect(ratings.map((r) => r.source)).toEqual(['cache', 'cache', 'cache']);
    const [entry] = await live.kernel.resolve('CacheModeration').list({ quarantinedOnly: true });
    expect(entry).toMatchObject({ question: QUESTION, downs: 3, quarantined: true });

    const calls = live.ollama.count('/api/chat');
    await askWithButtons(live, 45);
    expect(live.ollama.count('/api/chat')).toBe(calls + 1);
  });

  it('adds no buttons when telegram.feedback is off', async () => {
    const live = await startBot({ plugins: { feedback: {} } });
    live.telegram.sendUserMessage({ chat: { id: 42 }, text: QUESTION });
    await live.telegram.waitFor(() => live.telegram.callsOf('sendMessage', 42).length > 0 && live.adapter.activeAnswers === 0, 'the answer');
    expect(live.telegram.callsOf('editMessageReplyMarkup')).toHaveLength(0);
    expect(live.telegram.botMessages(42).every((m) => !m.reply_markup)).toBe(true);
  });
});
