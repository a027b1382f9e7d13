/**
 * Who the bot listens to. Two composers: `allowlist` refuses chats outside
 * `allowedChats` (politely, and only when spoken to, so a group is not spammed), and
 * `addressedQuestions` lets through only questions meant for the bot — every private
 * message, and in groups a mention of the bot or a reply to it: text that is not a
 * command, and photos (the caption is the question).
 */
import { Composer, type Context, type Filter } from 'grammy';
import type { Logger } from '../../core/index.js';
import type { Replies } from './replies.js';

/**
 * Whether a user or chat is on a list of ids and @usernames.
 * @example
 * matches([900, '@boss'], c.from?.id, c.from?.username);
 */
export function matches(list: readonly (string | number)[], id: number | undefined, username: string | undefined): boolean {
  return list.some((entry) => (typeof entry === 'number' ? entry === id : username !== undefined && entry.replace(/^@/, '').toLowerCase() === username.toLowerCase()));
}

/**
 * Whether a message is meant for the bot: any in a private chat; in groups a reply to
 * the bot, an @mention of it or a text mention of it (in the text or a media caption).
 * @example
 * if (!isAddressed(c)) return;
 */
export function isAddressed(c: Context): boolean {
  if (c.chat?.type === 'private') return true;
  const message = c.message;
  if (!message) return false;
  if (message.reply_to_message?.from?.id === c.me.id) return true;
  const username = c.me.username.toLowerCase();
  const text = message.text ?? message.caption ?? '';
  return (message.entities ?? message.caption_entities ?? []).some(
    (e) => (e.type === 'mention' && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === username) || (e.type === 'text_mention' && e.user.id === c.me.id),
  );
}

/**
 * The question in a message (its text, or a photo's caption), with mentions of the bot taken out.
 * @example
 * questionOf(c); // '@kobza_bot Коли вступ?' → 'Коли вступ?'
 */
export function questionOf(c: Context): string {
  return (c.message?.text ?? c.message?.caption ?? '').replace(new RegExp(`@${c.me.username}\\b`, 'gi'), '').trim();
}

function startsWithCommand(c: Context): boolean {
  return (c.message?.entities ?? []).some((e) => e.type === 'bot_command' && e.offset === 0);
}

export interface AllowlistOptions {
  /** Chat ids and @usernames; empty lets everyone in. */
  allowedChats: readonly (string | number)[];
  replies: Replies;
  logger: Logger;
}

/**
 * Stops messages (text, photos, anything) from chats outside the allowlist; says "not
 * allowed" when spoken to.
 * @example
 * bot.use(allowlist({ allowedChats: config.allowedChats, replies, logger }));
 */
export function allowlist({ allowedChats, replies, logger }: AllowlistOptions): Composer<Context> {
  const composer = new Composer<Context>();
  if (allowedChats.length === 0) return composer;
  const allowed = (c: Filter<Context, 'message'>) => matches(allowedChats, c.chat.id, 'username' in c.chat ? c.chat.username : undefined);
  // An allowed chat goes on; any other stops here (nothing of it is passed on: no text, no photo).
  composer.on('message').drop(allowed, async function refuseOtherChats(c) {
    if (c.chat.type === 'private' || startsWithCommand(c) || isAddressed(c)) {
      logger.info({ chatId: c.chat.id }, 'Telegram: refused a chat that is not allowed');
      await replies.say(c, replies.texts(c).notAllowed);
    }
  });
  return composer;
}

/**
 * Passes on only questions for the bot: text that is not a command (handled or not),
 * is addressed to the bot, and says something besides the mention; and photos addressed
 * to the bot (a caption is optional).
 * @example
 * bot.use(commands(...), addressedQuestions(), rateLimit(...), conversations(...));
 */
export function addressedQuestions(): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('message:text', function questionsOnly(c, next) {
    if (c.message.text.startsWith('/') || !isAddressed(c) || !questionOf(c)) return; // someone else's or an unknown command; talk between people
    return next();
  });
  composer.on('message:photo', function photosForTheBot(c, next) {
    if (!isAddressed(c)) return; // a photo shared between people in a group
    return next();
  });
  return composer;
}
