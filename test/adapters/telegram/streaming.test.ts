/**
 * Streaming answers into Telegram against the Bot API stand-in, with the Ollama
 * stand-in upstream: drafts in private chats, edits in groups, pacing, 429 storms,
 * long answers, hostile formatting, and the fallbacks for refused frames.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseTelegramHtml } from '../../servers/telegram.js';
import { gaps, messageCallTimes, settledAnswer, startBot, stopAll, TEST_TELEGRAM } from './helpers.js';

afterEach(stopAll);

/** A deterministic answer of several sentences, long enough for many frames. */
const sentences = (question: string, count = 12) => Array.from({ length: count }, (_, i) => `Речення ${i + 1} про «${question}».`).join(' ');

describe('private chat, drafts', () => {
  it('streams drafts with one non-zero draft id, then delivers the full answer as a message', async () => {
    const live = await startBot({ ollama: { tokenDelayMs: 8, reply: (r) => sentences(r.body.messages.at(-1).content) } });
    const question = 'Які документи потрібні для вступу?';
    live.telegram.sendUserMessage({ chat: { id: 501 }, text: question });
    const [message] = await settledAnswer(live, 501, 'the final message', (m) => m.length === 1);

    expect(message.text).toBe(sentences(question));
    expect(live.telegram.botMessages(501)).toHaveLength(1);
    const drafts = live.telegram.drafts(501);
    expect(drafts.length).toBeGreaterThan(2);
    expect(new Set(drafts.map((d) => d.draftId)).size).toBe(1);
    expect(drafts[0].draftId).not.toBe(0);
    // Each draft is a prefix of the answer that grew by at least minGrowthChars.
    for (const [i, draft] of drafts.entries()) {
      expect(message.text.startsWith(draft.text)).toBe(true);
      if (i > 0) expect(draft.text.length - drafts[i - 1].text.length).toBeGreaterThanOrEqual(TEST_TELEGRAM.minGrowthChars);
    }
    // Typing was shown before the first frame.
    expect(live.telegram.actions(501)[0]).toMatchObject({ action: 'typing' });
    expect(live.telegram.actions(501)[0].at).toBeLessThanOrEqual(drafts[0].at);
    // The request asked the memory middleware for history and named the conversation.
    const chat = live.ollama.calls.find((c) => c.path === '/api/chat');
    expect(chat?.body.messages.at(-1)).toEqual({ role: 'user', content: question });
  });

  it('keeps every frame and message to a chat at least the configured interval apart', async () => {
    const live = await startBot({ ollama: { tokenDelayMs: 4, reply: (r) => sentences(r.body.messages.at(-1).content, 30) } });
    live.telegram.sendUserMessage({ chat: { id: 502 }, text: 'Перше' });
    await settledAnswer(live, 502, 'the first answer', (m) => m.length === 1);
    live.telegram.sendUserMessage({ chat: { id: 502 }, text: 'Друге' });
    await settledAnswer(live, 502, 'the second answer', (m) => m.length === 2);

    const times = messageCallTimes(live.telegram, 502);
    expect(times.length).toBeGreaterThan(6);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(TEST_TELEGRAM.intervals.privateMs);
    expect(live.telegram.calls.filter((c) => c.errorCode === 429)).toEqual([]);
  });

  it('falls back to sendMessage + edits when the Bot API has no drafts, and stops trying drafts', async () => {
    const live = await startBot({ bot: { drafts: false }, ollama: { tokenDelayMs: 6, reply: (r) => sentences(r.body.messages.at(-1).content) } });
    live.telegram.sendUserMessage({ chat: { id: 503 }, text: 'Без чернеток' });
    const [message] = await settledAnswer(live, 503, 'the answer by edits', (m) => m.length === 1);
    expect(message.text).toBe(sentences('Без чернеток'));
    expect(message.history.length).toBeGreaterThan(2);
    live.telegram.sendUserMessage({ chat: { id: 503 }, text: 'Ще раз' });
    await settledAnswer(live, 503, 'the second answer', (m) => m.length === 2);
    expect(live.telegram.callsOf('sendMessageDraft')).toHaveLength(1);
  });
});

describe('groups, edits', () => {
  it('answers only when mentioned or replied to, by one message edited as it grows', async () => {
    const live = await startBot({ ollama: { tokenDelayMs: 6, reply: (r) => sentences(r.body.messages.at(-1).content) } });
    const group = { id: -100501, type: 'supergroup' as const };
    live.telegram.sendUserMessage({ chat: group, text: 'розмова між людьми' });
    const asked = live.telegram.sendUserMessage({ chat: group, text: `@${live.telegram.bot.username} Коли вступна кампанія?` });
    const [answer] = await settledAnswer(live, group.id, 'the group answer', (m) => m.length === 1);

    expect(live.ollama.count('/api/chat')).toBe(1);
    expect(answer.text).toBe(sentences('Коли вступна кампанія?'));
    expect(answer.reply_to_message_id).toBe(asked.message_id);
    expect(live.telegram.drafts(group.id)).toEqual([]);
    const versions = answer.history.map((h) => h.text);
    expect(versions.length).toBeGreaterThan(2);
    for (let i = 1; i < versions.length; i++) {
      expect(versions[i]).not.toBe(versions[i - 1]);
      expect(versions[i].startsWith(versions[i - 1])).toBe(true);
    }
    for (const gap of gaps(answer.history.map((h) => h.at))) expect(gap).toBeGreaterThanOrEqual(TEST_TELEGRAM.intervals.groupMs);

    // A reply to the bot's message is addressed to it too.
    live.telegram.sendUserMessage({ chat: group, text: 'А документи?', replyTo: answer.message_id });
    await settledAnswer(live, group.id, 'the answer to a reply', (m) => m.length === 2);
    expect(live.ollama.count('/api/chat')).toBe(2);
  });

  it('answers in the forum topic it was asked in, keeping a conversation per topic', async () => {
    const live = await startBot({ plugins: { memory: {} }, ollama: { tokenDelayMs: 2 } });
    const forum = { id: -100520, type: 'supergroup' as const, is_forum: true };
    live.telegram.sendUserMessage({ chat: forum, threadId: 7, text: `@${live.telegram.bot.username} Тема сім` });
    await settledAnswer(live, forum.id, 'the topic answer', (m) => m.length === 1);
    live.telegram.sendUserMessage({ chat: forum, threadId: 9, text: `@${live.telegram.bot.username} Тема дев'ять` });
    const [seven, nine] = await settledAnswer(live, forum.id, 'the second topic answer', (m) => m.length === 2);
    expect([seven.message_thread_id, nine.message_thread_id]).toEqual([7, 9]);
    expect(nine.text).toBe("Answer to: Тема дев'ять");
    // The second topic did not get the first topic's history.
    expect(live.ollama.calls.filter((c) => c.path === '/api/chat')[1].body.messages).toEqual([{ role: 'user', content: "Тема дев'ять" }]);
  });

  it('catches "message is not modified" and still delivers the final text', async () => {
    const live = await startBot({
      telegram: { streaming: 'edits' },
      bot: { fault: ({ method, index }) => (method === 'editMessageText' && index === 0 ? { errorCode: 400, description: 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message' } : undefined) },
      ollama: { tokenDelayMs: 6, reply: (r) => sentences(r.body.messages.at(-1).content) },
    });
    live.telegram.sendUserMessage({ chat: { id: 504 }, text: 'Питання' });
    const [message] = await settledAnswer(live, 504, 'the answer', (m) => m.length === 1 && m[0].text === sentences('Питання'));
    expect(message.text).toBe(sentences('Питання'));
    expect(live.telegram.callsOf('editMessageText').some((c) => /not modified/.test(c.description ?? ''))).toBe(true);
  });
});

describe('rate limits', () => {
  it('rides out a 429 storm: honours retry_after, skips frames, ends with the full answer', async () => {
    const live = await startBot({ telegram: { streaming: 'edits' }, ollama: { tokenDelayMs: 10, reply: (r) => sentences(r.body.messages.at(-1).content, 20) } });
    live.telegram.storm({ count: 2, retryAfter: 1, chatId: 505 });
    live.telegram.sendUserMessage({ chat: { id: 505 }, text: 'Шторм' });
    const [message] = await settledAnswer(live, 505, 'the answer after the storm', (m) => m.length === 1 && m[0].text === sentences('Шторм', 20), 20_000);
    expect(message.text).toBe(sentences('Шторм', 20));

    const calls = live.telegram.calls.filter((c) => c.chatId === 505 && c.method !== 'sendChatAction');
    const limited = calls.filter((c) => c.errorCode === 429);
    expect(limited).toHaveLength(2);
    // After each 429, nothing reached the chat until retry_after had passed.
    for (const hit of limited) {
      const next = calls.find((c) => c.at > hit.at);
      if (next) expect(next.at - hit.at).toBeGreaterThanOrEqual(hit.retryAfter! * 1000);
    }
  });

  it('retries the final message a bounded number of times through a storm', async () => {
    const live = await startBot({ telegram: { streaming: 'off', finalRetries: 3 }, ollama: { tokenDelayMs: 1 } });
    live.telegram.storm({ count: 2, retryAfter: 1, chatId: 506, methods: ['sendMessage'] });
    live.telegram.sendUserMessage({ chat: { id: 506 }, text: 'Фінал' });
    const [message] = await settledAnswer(live, 506, 'the final message', (m) => m.length === 1, 20_000);
    expect(message.text).toBe('Answer to: Фінал');
    expect(live.telegram.callsOf('sendMessage', 506).map((c) => c.errorCode ?? 200)).toEqual([429, 429, 200]);
  });

  it('gives up on a final message after the bounded retries, and says so in the log', async () => {
    const live = await startBot({ telegram: { streaming: 'off', finalRetries: 1 }, ollama: { tokenDelayMs: 1 } });
    live.telegram.storm({ count: 10, retryAfter: 1, chatId: 507, methods: ['sendMessage'] });
    live.telegram.sendUserMessage({ chat: { id: 507 }, text: 'Безнадійно' });
    await live.telegram.waitFor(() => live.logs.some((l) => l.includes('could not deliver the final text')), 'the give-up log line', 15_000);
    expect(live.telegram.callsOf('sendMessage', 507).length).toBe(2);
  });

  it('keeps under the global messages-per-second cap across chats', async () => {
    const live = await startBot({ telegram: { streaming: 'off', messagesPerSecond: 5 }, ollama: { tokenDelayMs: 0 } });
    for (let chat = 1; chat <= 8; chat++) live.telegram.sendUserMessage({ chat: { id: 600 + chat }, text: `Питання ${chat}` });
    await live.telegram.waitFor(() => live.telegram.callsOf('sendMessage').length === 8 && live.adapter.activeAnswers === 0, '8 answers', 15_000);
    const times = live.telegram.calls.filter((c) => /^(send|edit)/.test(c.method)).map((c) => c.at);
    for (const start of times) expect(times.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(5);
  });
});

describe('long and hostile answers', () => {
  it('splits a 10,000-character answer into messages under 4096 at paragraph ends', async () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `Абзац ${i + 1}. ${'Умови вступу описано тут докладно. '.repeat(7).trim()}`);
    const long = paragraphs.join('\n\n');
    expect(long.length).toBeGreaterThan(10_000);
    const live = await startBot({ ollama: { tokenDelayMs: 0, reply: () => long } });
    live.telegram.sendUserMessage({ chat: { id: 508 }, text: 'Розкажіть усе' });
    const messages = await settledAnswer(live, 508, 'all parts', (m) => m.length >= 3 && live.telegram.calls.at(-1)?.method === 'sendMessage', 20_000);

    for (const message of messages) {
      expect(message.text.length).toBeLessThanOrEqual(4096);
      expect(message.text).toMatch(/\.$/);
    }
    expect(messages.map((m) => m.text).join('\n\n')).toBe(long);
  });

  it('streams a long answer in parts, each delivered once and for good', async () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `Абзац ${i + 1}. ${'Речення для перевірки. '.repeat(9).trim()}`);
    const long = paragraphs.join('\n\n');
    const live = await startBot({ telegram: { streaming: 'edits', maxMessageChars: 1500 }, ollama: { tokenDelayMs: 1, reply: () => long } });
    live.telegram.sendUserMessage({ chat: { id: 509 }, text: 'Довго' });
    const messages = await settledAnswer(live, 509, 'all parts', (m) => m.length >= 4 && m.map((x) => x.text).join('\n\n') === long, 20_000);
    for (const message of messages) expect(message.text.length).toBeLessThanOrEqual(1500);
    expect(messages.map((m) => m.text).join('\n\n')).toBe(long);
  });

  it('never sends a frame Telegram cannot parse, whatever the model writes', async () => {
    const hostile = [
      '**Увага** <script>alert(1)</script> & <b>жирний <i>курсив</b> хвіст</i>',
      '```html\n<div class="x">&nbsp;</div>\n```',
      '[посилання](https://ksu.ks.ua/?a=1&b=2) [погане](javascript:alert(1)) <a href="x">a</a>',
      '`code <b>` || спойлер || ~~старе~~ <tg-spoiler>прихований',
      '# Заголовок\n- пункт **один\n- пункт два** <pre>неза',
    ].join('\n\n');
    const live = await startBot({ ollama: { tokenDelayMs: 3, reply: () => hostile } });
    live.telegram.sendUserMessage({ chat: { id: 510 }, text: 'Зламай' });
    live.telegram.sendUserMessage({ chat: { id: -100510, type: 'supergroup' }, text: `@${live.telegram.bot.username} Зламай` });
    const [message] = await settledAnswer(live, 510, 'the answer', (m) => m.length === 1);
    await settledAnswer(live, -100510, 'the group answer', (m) => m.length === 1);

    const framed = live.telegram.calls.filter((c) => ['sendMessage', 'editMessageText', 'sendMessageDraft'].includes(c.method));
    expect(framed.length).toBeGreaterThan(4);
    expect(framed.filter((c) => /parse entities/.test(c.description ?? ''))).toEqual([]);
    for (const call of framed) expect(call.params.parse_mode).toBe('HTML');
    expect(message.text).toContain('<script>alert(1)</script>');
    expect(message.entities.some((e) => e.type === 'bold')).toBe(true);
    expect(message.entities.some((e) => e.type === 'text_link' && e.url === 'https://ksu.ks.ua/?a=1&b=2')).toBe(true);
    expect(message.entities.some((e) => e.type === 'text_link' && /javascript/.test(e.url ?? ''))).toBe(false);
  });

  it('resends a frame as plain text when Telegram refuses its HTML', async () => {
    const live = await startBot({
      telegram: { streaming: 'off' },
      bot: { fault: ({ method, params }) => (method === 'sendMessage' && params.parse_mode === 'HTML' ? { errorCode: 400, description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0' } : undefined) },
      ollama: { tokenDelayMs: 0, reply: () => '**Жирний** текст & ще' },
    });
    live.telegram.sendUserMessage({ chat: { id: 511 }, text: 'Формат' });
    const [message] = await settledAnswer(live, 511, 'the plain answer', (m) => m.length === 1);
    expect(message.text).toBe('Жирний текст & ще');
    expect(message.entities).toEqual([]);
    expect(live.telegram.callsOf('sendMessage', 511).map((c) => c.errorCode ?? 200)).toEqual([400, 200]);
  });

  it('splits again when Telegram still finds a final message too long', async () => {
    const live = await startBot({
      telegram: { streaming: 'off' },
      bot: { fault: ({ method, index }) => (method === 'sendMessage' && index === 0 ? { errorCode: 400, description: 'Bad Request: message is too long' } : undefined) },
      ollama: { tokenDelayMs: 0, reply: () => 'Перше речення тут. Друге речення там. Третє речення всюди. Четверте речення ніде.'.repeat(4) },
    });
    live.telegram.sendUserMessage({ chat: { id: 512 }, text: 'Довге' });
    const messages = await settledAnswer(live, 512, 'the halves', (m) => m.length >= 2);
    expect(messages.map((m) => m.text).join(' ')).toBe('Перше речення тут. Друге речення там. Третє речення всюди. Четверте речення ніде.'.repeat(4));
  });

  it('the HTML of every frame really parses (checked independently of the stand-in answer)', async () => {
    const live = await startBot({ telegram: { streaming: 'edits' }, ollama: { tokenDelayMs: 2, reply: () => '<b>a <i>b</b> c</i> **d** `e<f` ```\ng<h' } });
    live.telegram.sendUserMessage({ chat: { id: 513 }, text: 'x' });
    await settledAnswer(live, 513, 'the answer', (m) => m.length === 1);
    for (const call of live.telegram.calls.filter((c) => c.params.parse_mode === 'HTML')) expect(() => parseTelegramHtml(call.params.text)).not.toThrow();
  });
});
