/**
 * How the bot talks back in one chat: which conversation an update belongs to, the
 * user's language and texts, and where and at what pace an answer goes (a forum topic,
 * a reply in groups, the chat's interval). Every composer speaks through this.
 */
import type { Api, Context } from 'grammy';
import { detectLanguage } from '../../core/text/index.js';
import type { Logger } from '../../core/index.js';
import { LANGUAGES, textsFor, type BotTexts, type Language, type TelegramConfig } from './config.js';
import { deliverReply, type ChatPacer, type DeliveryOptions, type DeliveryResult, type DraftSupport } from './stream.js';

/** The bot's voice in a chat. */
export interface Replies {
  /** The bot's texts in the user's language (told from `text` when given, else from the profile). */
  texts(c: Context, text?: string): BotTexts;
  /** The user's language (told from `text` when given, else from the profile). */
  language(c: Context, text?: string): Language;
  /** Streams an answer into the chat in the configured mode. */
  deliver(c: Context, chunks: AsyncIterable<string>): Promise<DeliveryResult>;
  /** Sends a short text of the bot's own, paced like answers. */
  say(c: Context, text: string): Promise<DeliveryResult>;
}

export interface RepliesOptions {
  api: Api;
  config: TelegramConfig;
  /** The language when neither the text nor the user's profile tells. */
  defaultLanguage: Language;
  logger: Logger;
}

/**
 * The conversation an update belongs to: the chat, or a forum topic in it.
 * @example
 * conversationOf(c); // 'tg:42' or 'tg:-100123:7'
 */
export function conversationOf(c: Context): string {
  const message = c.message;
  const topic = message?.is_topic_message && message.message_thread_id !== undefined ? `:${message.message_thread_id}` : '';
  return `tg:${c.chat!.id}${topic}`;
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/**
 * Builds the bot's voice; pacers and draft ids live here, shared by all answers.
 * @example
 * const replies = createReplies({ api: bot.api, config, defaultLanguage: 'uk', logger });
 * await replies.say(c, replies.texts(c).greeting);
 */
export function createReplies({ api, config, defaultLanguage, logger }: RepliesOptions): Replies {
  const pacers = new Map<number, ChatPacer>();
  let draftIds = 0;
  const drafts: DraftSupport = { available: true, nextId: () => (draftIds = (draftIds % 2_000_000_000) + 1) };

  const pacerFor = (chatId: number): ChatPacer => {
    let pacer = pacers.get(chatId);
    if (!pacer) pacers.set(chatId, (pacer = { nextAt: 0 }));
    return pacer;
  };
  const languageOf = (c: Context, text?: string): Language => {
    if (text) {
      const detected = detectLanguage(text);
      if (detected !== 'unknown') return detected;
    }
    const code = c.from?.language_code?.slice(0, 2).toLowerCase();
    return (LANGUAGES as readonly string[]).includes(code ?? '') ? (code as Language) : defaultLanguage;
  };
  const deliveryFor = (c: Context, mode: DeliveryOptions['mode']): DeliveryOptions => {
    const message = c.message!;
    const isPrivate = c.chat!.type === 'private';
    return {
      api,
      target: {
        chatId: c.chat!.id,
        threadId: message.is_topic_message ? message.message_thread_id : undefined,
        isPrivate,
        replyTo: isPrivate ? undefined : message.message_id,
      },
      mode,
      intervalMs: isPrivate ? config.intervals.privateMs : config.intervals.groupMs,
      minGrowthChars: config.minGrowthChars,
      maxMessageChars: config.maxMessageChars,
      typingMs: config.intervals.typingMs,
      pacer: pacerFor(c.chat!.id),
      drafts,
      logger,
    };
  };

  return {
    texts: (c, text) => textsFor(config, languageOf(c, text)),
    language: languageOf,
    deliver: (c, chunks) => deliverReply(chunks, deliveryFor(c, config.streaming)),
    say: (c, text) => deliverReply(once(text), { ...deliveryFor(c, 'off'), showTyping: false }),
  };
}
