/**
 * Commands and safety: /start, /help, /reset (with the memory plugin), /stop, admin
 * /model, the allowlist, the per-user rate limit, friendly errors in the user's
 * language, and a token that never reaches the logs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEXTS } from '../../../adapters/telegram/index.js';
import { settledAnswer, startBot, stopAll } from './helpers.js';

afterEach(stopAll);

const textsOf = (live: Awaited<ReturnType<typeof startBot>>, chatId: number) => live.telegram.botMessages(chatId).map((m) => m.text);

describe('commands', () => {
  it('greets and helps in the user language, with texts from the config', async () => {
    const live = await startBot({ telegram: { texts: { uk: { greeting: 'Вітаємо в боті КДУ!' } } } });
    live.telegram.sendUserMessage({ chat: { id: 701 }, text: '/start' });
    live.telegram.sendUserMessage({ chat: { id: 702 }, from: { id: 702, language_code: 'en' }, text: '/help' });
    live.telegram.sendUserMessage({ chat: { id: 703 }, from: { id: 703, language_code: 'ru' }, text: '/start' });
    await settledAnswer(live, 701, 'greeting', (m) => m.length === 1);
    await settledAnswer(live, 702, 'help', (m) => m.length === 1);
    await settledAnswer(live, 703, 'greeting', (m) => m.length === 1);
    expect(textsOf(live, 701)).toEqual(['Вітаємо в боті КДУ!']);
    expect(textsOf(live, 702)).toEqual([DEFAULT_TEXTS.en.help]);
    expect(textsOf(live, 703)).toEqual([DEFAULT_TEXTS.ru.greeting]);
    expect(live.ollama.count('/api/chat')).toBe(0);
  });

  it('/reset forgets the conversation kept by the memory plugin', async () => {
    const live = await startBot({ plugins: { memory: {} } });
    const ask = async (text: string, count: number) => {
      live.telegram.sendUserMessage({ chat: { id: 710 }, text });
      await settledAnswer(live, 710, text, (m) => m.length === count);
    };
    await ask('Скільки коштує навчання?', 1);
    await ask('А на заочній?', 2);
    const second = live.ollama.calls.filter((c) => c.path === '/api/chat')[1].body.messages;
    expect(second).toEqual([
      { role: 'user', content: 'Скільки коштує навчання?' },
      { role: 'assistant', content: 'Answer to: Скільки коштує навчання?' },
      { role: 'user', content: 'А на заочній?' },
    ]);
    await ask('/reset', 3);
    expect(textsOf(live, 710)[2]).toBe(DEFAULT_TEXTS.uk.reset);
    await ask('Які спеціальності є?', 4);
    expect(live.ollama.calls.filter((c) => c.path === '/api/chat')[2].body.messages).toEqual([{ role: 'user', content: 'Які спеціальності є?' }]);
  });

  it('/stop aborts the running answer upstream, keeps what was written, and says so', async () => {
    const words = Array.from({ length: 200 }, (_, i) => `слово${i}`).join(' ');
    const live = await startBot({ ollama: { tokenDelayMs: 20, reply: () => words } });
    live.telegram.sendUserMessage({ chat: { id: 720 }, text: 'Розкажи довго' });
    await live.telegram.waitFor(() => live.telegram.drafts(720).length >= 2, 'a few drafts');
    live.telegram.sendUserMessage({ chat: { id: 720 }, text: '/stop' });
    const [partial, stopped] = await settledAnswer(live, 720, 'the partial answer and the note', (m) => m.length === 2);

    expect(stopped.text).toBe(DEFAULT_TEXTS.uk.stopped);
    expect(partial.text.length).toBeGreaterThan(0);
    expect(partial.text.length).toBeLessThan(words.length);
    expect(words.startsWith(partial.text)).toBe(true);
    await live.ollama.idle();
    expect(live.ollama.calls.find((c) => c.path === '/api/chat')?.clientClosed).toBe(true);

    live.telegram.sendUserMessage({ chat: { id: 720 }, text: '/stop' });
    await settledAnswer(live, 720, 'nothing to stop', (m) => m.length === 3);
    expect(textsOf(live, 720)[2]).toBe(DEFAULT_TEXTS.uk.nothingToStop);
  });

  it('/model lists and switches this chat\'s model for admins only', async () => {
    const live = await startBot({ telegram: { admins: [900, '@boss'] }, ollama: { models: ['qwen2.5:7b', 'llama3.2:3b'] } });
    live.telegram.sendUserMessage({ chat: { id: 730 }, from: { id: 730 }, text: '/model' });
    await settledAnswer(live, 730, 'refusal', (m) => m.length === 1);
    expect(textsOf(live, 730)).toEqual([DEFAULT_TEXTS.uk.adminOnly]);

    live.telegram.sendUserMessage({ chat: { id: 900 }, text: '/model' });
    await settledAnswer(live, 900, 'the list', (m) => m.length === 1);
    expect(textsOf(live, 900)[0]).toContain('▸ qwen2.5:7b');
    expect(textsOf(live, 900)[0]).toContain('• llama3.2:3b');

    live.telegram.sendUserMessage({ chat: { id: 900 }, text: '/model mistral' });
    await settledAnswer(live, 900, 'unknown model', (m) => m.length === 2);
    expect(textsOf(live, 900)[1]).toBe('Моделі mistral немає на сервері.');

    live.telegram.sendUserMessage({ chat: { id: 900 }, text: '/model llama3.2:3b' });
    await settledAnswer(live, 900, 'switched', (m) => m.length === 3);
    live.telegram.sendUserMessage({ chat: { id: 900 }, text: 'Привіт' });
    await settledAnswer(live, 900, 'the answer', (m) => m.length === 4);
    expect(live.ollama.calls.filter((c) => c.path === '/api/chat').map((c) => c.body.model)).toEqual(['llama3.2:3b']);

    // An admin by @username; another chat keeps the default model.
    live.telegram.sendUserMessage({ chat: { id: 731 }, from: { id: 731, username: 'boss' }, text: '/model' });
    await settledAnswer(live, 731, 'the list', (m) => m.length === 1);
    expect(textsOf(live, 731)[0]).toContain('▸ qwen2.5:7b');
  });
});

describe('safety', () => {
  it('refuses chats outside the allowlist politely, without asking the model', async () => {
    const live = await startBot({ telegram: { allowedChats: [740, -100740] } });
    live.telegram.sendUserMessage({ chat: { id: 741 }, text: 'Привіт' });
    live.telegram.sendUserMessage({ chat: { id: -100741, type: 'supergroup' }, text: 'просто розмова' });
    live.telegram.sendUserMessage({ chat: { id: -100741, type: 'supergroup' }, text: `@${live.telegram.bot.username} привіт` });
    live.telegram.sendUserMessage({ chat: { id: 740 }, text: 'Привіт' });
    await settledAnswer(live, 741, 'refusal', (m) => m.length === 1);
    await settledAnswer(live, -100741, 'group refusal', (m) => m.length === 1);
    await settledAnswer(live, 740, 'answer', (m) => m.length === 1);
    expect(textsOf(live, 741)).toEqual([DEFAULT_TEXTS.uk.notAllowed]);
    expect(textsOf(live, -100741)).toEqual([DEFAULT_TEXTS.uk.notAllowed]);
    expect(textsOf(live, 740)).toEqual(['Answer to: Привіт']);
    expect(live.ollama.count('/api/chat')).toBe(1);
  });

  it('limits questions per user', async () => {
    const live = await startBot({ telegram: { rateLimit: { messages: 2, perSeconds: 60 } } });
    for (const text of ['Перше питання', 'Друге питання', 'Третє питання']) live.telegram.sendUserMessage({ chat: { id: 750 }, text });
    await settledAnswer(live, 750, 'two answers and a refusal', (m) => m.length === 3);
    const texts = textsOf(live, 750);
    expect(texts.filter((t) => t.startsWith('Answer to:'))).toHaveLength(2);
    expect(texts.find((t) => !t.startsWith('Answer to:'))).toMatch(/^Забагато запитань поспіль\. Спробуйте ще раз за \d+ с\.$/);
    expect(live.ollama.count('/api/chat')).toBe(2);
    // Another user is not affected.
    live.telegram.sendUserMessage({ chat: { id: 751 }, text: 'Моє питання' });
    await settledAnswer(live, 751, 'answer', (m) => m.length === 1);
    expect(live.ollama.count('/api/chat')).toBe(3);
  });

  it('turns upstream failures into a short message in the user\'s language, details only in the log', async () => {
    const live = await startBot({ ollama: { fault: 'http500' } });
    live.telegram.sendUserMessage({ chat: { id: 760 }, text: 'Скільки коштує навчання?' });
    live.telegram.sendUserMessage({ chat: { id: 761 }, from: { id: 761, language_code: 'uk' }, text: 'How much does it cost to study here?' });
    live.telegram.sendUserMessage({ chat: { id: 762 }, text: 'Сколько стоит обучение?' });
    for (const chat of [760, 761, 762]) await settledAnswer(live, chat, 'an error message', (m) => m.length === 1);
    expect(textsOf(live, 760)).toEqual([DEFAULT_TEXTS.uk.errorUnavailable]);
    expect(textsOf(live, 761)).toEqual([DEFAULT_TEXTS.en.errorUnavailable]);
    expect(textsOf(live, 762)).toEqual([DEFAULT_TEXTS.ru.errorUnavailable]);
    expect(live.logs.some((l) => l.includes('llama runner process has terminated'))).toBe(true);
  });

  it('keeps what was written when the upstream fails mid-answer, then apologises', async () => {
    const live = await startBot({ ollama: { fault: 'error-mid-stream', faultAfterTokens: 3, reply: () => 'Перше слово друге слово третє слово' } });
    live.telegram.sendUserMessage({ chat: { id: 763 }, text: 'Питання' });
    await settledAnswer(live, 763, 'the partial answer and the apology', (m) => m.length === 2);
    expect(textsOf(live, 763)).toEqual(['Перше слово друге', DEFAULT_TEXTS.uk.errorUnavailable]);
  });

  it('never writes the bot token to the log or into errors', async () => {
    const live = await startBot({
      bot: { fault: ({ method, index }) => (method === 'getUpdates' && index < 2 ? 'network' : method === 'sendMessageDraft' ? 'network' : undefined) },
      logLevel: 'debug',
    });
    live.telegram.sendUserMessage({ chat: { id: 770 }, text: 'Привіт, як справи?' });
    await settledAnswer(live, 770, 'the answer', (m) => m.length === 1);
    await live.stop();

    // A Bot API that cannot be reached: the start error names the server, not the token.
    const down = await startBot({ bot: live.telegram, ollama: live.ollama, telegram: { apiRoot: 'http://127.0.0.1:9' }, start: false });
    const failure = await down.kernel.start().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const secret = live.telegram.token.split(':')[1];
    const everything = [...live.logs, ...down.logs, failure!.message, String(failure!.stack), JSON.stringify(failure, Object.getOwnPropertyNames(failure)), String((failure as { cause?: Error }).cause?.message), String(((failure as { cause?: { error?: Error } }).cause?.error)?.message)].join('\n');
    expect(everything).toContain('fetching updates failed');
    expect(everything).toContain('127.0.0.1:9');
    expect(everything).not.toContain(secret);
  });
});
