/**
 * The adapter's seams on their own: the addressing composer (which group messages
 * reach the model), the per-user question window, and the per-conversation queue.
 * Composers run on real grammY contexts built from updates; nothing calls the Bot API.
 */
import { Api, Composer, Context } from 'grammy';
import type { MessageEntity, Update, UserFromGetMe } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { addressedQuestions, questionOf } from '../../../adapters/telegram/addressing.js';
import { ConversationQueue } from '../../../adapters/telegram/conversation-queue.js';
import { QuestionWindow } from '../../../adapters/telegram/rate-limit.js';

const ME: UserFromGetMe = {
  id: 4242,
  is_bot: true,
  first_name: 'Kobza',
  username: 'kobza_test_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

let updateId = 0;

/** A text message update with the entities Telegram would add (@mentions, a leading /command). */
function textUpdate(text: string, chat: { id: number; type: 'private' | 'group' | 'supergroup' }, replyToBot = false): Update {
  const entities: MessageEntity[] = [];
  for (const m of text.matchAll(/(^\/\w+(?:@\w+)?)|@\w+/g)) entities.push({ type: m[1] ? 'bot_command' : 'mention', offset: m.index, length: m[0].length });
  const from = { id: 7, is_bot: false, first_name: 'Олена' };
  const chatObject = chat.type === 'private' ? { id: chat.id, type: 'private' as const, first_name: 'Олена' } : { id: chat.id, type: chat.type, title: 'Вступники' };
  return {
    update_id: ++updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: chatObject,
      from,
      text,
      ...(entities.length ? { entities } : {}),
      ...(replyToBot ? { reply_to_message: { message_id: 1, date: 0, chat: chatObject, from: ME, text: 'Відповідь бота' } } : {}),
    },
  } as Update;
}

/** Runs `addressedQuestions()` on an update and returns the question that reached the next composer, if any. */
async function passedQuestion(update: Update): Promise<string | undefined> {
  let reached: string | undefined;
  const chain = new Composer<Context>(addressedQuestions(), (c) => void (reached = questionOf(c)));
  await chain.middleware()(new Context(update, new Api('1:test'), ME), async () => undefined);
  return reached;
}

const group = { id: -100501, type: 'supergroup' as const };

describe('addressedQuestions', () => {
  it('ignores a group message without a mention or a reply to the bot', async () => {
    expect(await passedQuestion(textUpdate('розмова між людьми', group))).toBeUndefined();
    expect(await passedQuestion(textUpdate('@someone_else привіт', group))).toBeUndefined();
  });

  it('passes a group message that mentions the bot, without the mention', async () => {
    expect(await passedQuestion(textUpdate('@kobza_test_bot Коли вступна кампанія?', group))).toBe('Коли вступна кампанія?');
    expect(await passedQuestion(textUpdate('Скажи, @Kobza_Test_Bot, скільки коштує?', group))).toBe('Скажи, , скільки коштує?');
  });

  it('passes a reply to the bot in a group and any private message', async () => {
    expect(await passedQuestion(textUpdate('А документи?', group, true))).toBe('А документи?');
    expect(await passedQuestion(textUpdate('Привіт', { id: 7, type: 'private' }))).toBe('Привіт');
  });

  it('drops commands (handled or unknown) and a bare mention', async () => {
    expect(await passedQuestion(textUpdate('/unknown', { id: 7, type: 'private' }))).toBeUndefined();
    expect(await passedQuestion(textUpdate('/start@kobza_test_bot', group))).toBeUndefined();
    expect(await passedQuestion(textUpdate('@kobza_test_bot', group))).toBeUndefined();
  });
});

describe('QuestionWindow', () => {
  it('counts questions per user and says how long to wait once over the limit', () => {
    const window = new QuestionWindow({ messages: 2, perSeconds: 60 });
    expect(window.take(1, 1_000)).toBe(0);
    expect(window.take(1, 2_000)).toBe(0);
    expect(window.take(1, 3_000)).toBe(58); // the first question leaves the window at 61 s
    expect(window.take(2, 3_000)).toBe(0); // another user is not affected
    expect(window.take(1, 61_000)).toBe(0); // the window slid past the first question
    expect(window.take(1, 61_500)).toBe(1);
  });
});

describe('ConversationQueue', () => {
  it('runs one conversation in order, others alongside, and survives a failing job', async () => {
    const failures: unknown[] = [];
    const queue = new ConversationQueue((err) => failures.push(err));
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = queue.enqueue('a', async () => {
      await gate;
      log.push('a1');
    });
    const failing = queue.enqueue('a', async () => {
      throw new Error('boom');
    });
    const third = queue.enqueue('a', async () => void log.push('a3'));
    await queue.enqueue('b', async () => void log.push('b1'));
    expect(log).toEqual(['b1']); // b did not wait behind a
    release();
    await Promise.all([first, failing, third]);
    expect(log).toEqual(['b1', 'a1', 'a3']);
    expect(failures).toEqual([new Error('boom')]);
  });

  it('tracks running answers and aborts them at shutdown once the wait is over', async () => {
    const queue = new ConversationQueue(() => undefined);
    let seen: AbortSignal | undefined;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    void queue.enqueue('a', async () => {
      const running = queue.begin('a');
      seen = running.signal;
      started();
      await new Promise<void>((resolve) => running.signal.addEventListener('abort', () => resolve()));
      running.end();
    });
    await running;
    expect(queue.activeAnswers).toBe(1);
    expect(queue.running('a')?.controller.signal).toBe(seen);
    await queue.drain(10);
    expect(seen?.aborted).toBe(true);
    expect((seen?.reason as { code?: string }).code).toBe('ABORTED');
    expect(queue.activeAnswers).toBe(0);
    expect(queue.running('a')).toBeUndefined();
  });
});
