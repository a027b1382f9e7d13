/**
 * A small HTTP server that stands in for the Telegram Bot API in tests and benchmarks.
 * It behaves like Telegram where a bot can tell the difference: `/bot<token>/<method>`
 * with JSON, form or query parameters; `getMe`; long-poll `getUpdates` (offset confirms,
 * timeout waits, a second poller gets 409, webhook set → 409); `sendMessage` and
 * `editMessageText` returning Message objects; `sendMessageDraft`, `sendChatAction`,
 * `setWebhook`/`deleteWebhook` and webhook delivery with the secret header; users' photos
 * (every size a real file), voice, video, stickers and documents, with `getFile` and
 * downloads at `/file/bot<token>/<file_path>` (400 `file is too big` over the download
 * limit, like Telegram's 20 MB); and real-shaped
 * errors `{ ok:false, error_code, description, parameters }`:
 * - 400 `message is not modified` (same text and entities),
 * - 400 `can't parse entities` (the HTML is really parsed: tag whitelist, attributes,
 *   nesting, balance — the same messages tdlib gives),
 * - 400 `message is too long` (over 4096 UTF-16 units after parsing),
 * - 429 `Too Many Requests: retry after N` with `parameters.retry_after`, from scripted
 *   storms or from per-chat flood control.
 *
 * Every call is logged with its arrival time, and every message keeps its edit history,
 * so tests can check spacing, final texts and frames.
 */
import http from 'node:http';
import { listenOnLoopback, readBody } from './loopback.js';

export type ChatType = 'private' | 'group' | 'supergroup' | 'channel';

export interface StandInUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
  language_code?: string;
}

export interface StandInChat {
  id: number;
  type: ChatType;
  title?: string;
  first_name?: string;
  username?: string;
  is_forum?: boolean;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

/** One version of a message's text (the first send or an edit). */
export interface MessageVersion {
  at: number;
  text: string;
  entities: MessageEntity[];
  /** What the bot sent (HTML when parse_mode was HTML). */
  raw: string;
  parseMode?: string;
}

/** A photo size as Telegram sends it (`PhotoSize`). */
export interface PhotoSizeWire {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size: number;
}

/** Media kinds a user can send besides text and photos. */
export type UserMediaKind = 'voice' | 'audio' | 'video' | 'video_note' | 'animation' | 'sticker' | 'document';

export interface StoredMessage {
  message_id: number;
  chat: StandInChat;
  from: StandInUser;
  date: number;
  /** The text; empty for a photo or other media (see `caption`). */
  text: string;
  entities: MessageEntity[];
  /** A user's photo: every size, smallest first. */
  photo?: PhotoSizeWire[];
  /** Other media a user sent, as the Bot API object under `media.kind`. */
  media?: { kind: UserMediaKind; object: Record<string, unknown> };
  caption?: string;
  caption_entities?: MessageEntity[];
  message_thread_id?: number;
  reply_to_message_id?: number;
  /** The first version and every edit, in order. */
  history: MessageVersion[];
  /** The inline keyboard under a bot message, as last sent (editing the text without one removes it). */
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] };
}

/** A user's press on an inline button. */
export interface ButtonPressInput {
  chatId: number;
  messageId: number;
  data: string;
  from?: Partial<StandInUser>;
}

export interface DraftFrame {
  at: number;
  chatId: number;
  draftId: number;
  text: string;
  raw: string;
  parseMode?: string;
}

/** One HTTP call to the Bot API, as the stand-in saw and answered it. */
export interface BotApiCall {
  method: string;
  params: Record<string, any>;
  /** `Date.now()` when the request arrived. */
  at: number;
  chatId?: number;
  ok: boolean;
  errorCode?: number;
  description?: string;
  retryAfter?: number;
  /** `Date.now()` when the answer was written. */
  answeredAt?: number;
}

/** What a scripted fault does to a call. */
export type BotApiFault =
  | { errorCode: 429; retryAfter: number }
  | { errorCode: 400 | 403 | 404 | 500 | 502; description: string }
  | 'network';

export interface FaultContext {
  method: string;
  params: Record<string, any>;
  chatId?: number;
  /** 0-based index among calls of this method. */
  index: number;
}

export interface TelegramStandInOptions {
  /** The token the stand-in accepts. */
  token?: string;
  /** The bot's own user. */
  bot?: { id?: number; username?: string; first_name?: string };
  /** Whether `sendMessageDraft` exists (false: 404 like an older Bot API). Default true. */
  drafts?: boolean;
  /**
   * Per-chat flood control: message calls (send/edit/draft) to one chat closer together
   * than this get 429 with `retry_after` rounded up to whole seconds, like Telegram.
   */
  floodControlMs?: number;
  /** Scripted faults, consulted for every call after storms. */
  fault?: (call: FaultContext) => BotApiFault | undefined;
  /** Files larger than this get 400 `file is too big` from getFile. Default 20 MB, as Telegram. */
  maxFileBytes?: number;
}

export interface UserMessageInput {
  chat: { id: number; type?: ChatType; title?: string; is_forum?: boolean };
  from?: Partial<StandInUser> & { id: number };
  /** The text (required unless `photo` or `media` is given). */
  text?: string;
  /** A photo: the bytes of each size, smallest first (sizes are 320 px, 800 px, 1280 px, … wide). */
  photo?: Buffer[];
  /** Voice, video, a sticker, …; `bytes` is the file behind it (default a few bytes). */
  media?: { kind: UserMediaKind; bytes?: Buffer };
  /** A photo's or a media's caption. */
  caption?: string;
  /** Message id (in this chat) the user replies to. */
  replyTo?: number;
  /** Forum topic. */
  threadId?: number;
}

export interface StormOptions {
  /** How many matching calls fail. */
  count: number;
  retryAfter?: number;
  /** Methods affected (default: sendMessage, editMessageText, sendMessageDraft). */
  methods?: string[];
  chatId?: number;
}

export interface TelegramStandIn {
  /** `http://127.0.0.1:PORT` — pass as grammY's `apiRoot`. */
  readonly url: string;
  readonly token: string;
  readonly bot: StandInUser;
  readonly calls: BotApiCall[];
  /** Calls of one method (optionally to one chat). */
  callsOf(method: string, chatId?: number): BotApiCall[];
  /** Every message in a chat (users' and the bot's), in order. */
  messages(chatId: number): StoredMessage[];
  /** The bot's messages in a chat, in order. */
  botMessages(chatId: number): StoredMessage[];
  /** Draft frames sent to a chat. */
  drafts(chatId: number): DraftFrame[];
  /** Chat actions (`typing`) sent to a chat. */
  actions(chatId: number): { at: number; action: string }[];
  /** The webhook as the bot set it. */
  readonly webhook: { url: string; secretToken?: string } | undefined;
  /** Status of each webhook delivery, in order. */
  readonly deliveries: { updateId: number; status: number; at: number }[];
  /** File downloads (`/file/bot<token>/<path>`) the bot made, in order. */
  readonly downloads: { path: string; at: number; bytes: number }[];
  /** Injects a user message (an update for getUpdates or the webhook); returns it. */
  sendUserMessage(input: UserMessageInput): StoredMessage;
  /** Injects a callback query: a user pressing an inline button under a bot message; returns its id. */
  pressButton(input: ButtonPressInput): string;
  /** The bot's `answerCallbackQuery` calls, in order. */
  callbackAnswers(): { id: string; text?: string }[];
  /** POSTs an update to the bot's webhook with the given secret header; returns the HTTP status. */
  postToWebhook(update: unknown, secretToken?: string): Promise<{ status: number; body: string }>;
  /** The next `count` matching calls get 429 `retry after N`. */
  storm(options: StormOptions): void;
  set(options: Partial<TelegramStandInOptions>): void;
  /** Polls `check` every 10 ms until it returns truthy; rejects with `what` after `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Bot API method names are case-insensitive; we keep the canonical spelling. */
const METHODS = [
  'getMe',
  'getUpdates',
  'getFile',
  'sendMessage',
  'editMessageText',
  'sendMessageDraft',
  'sendChatAction',
  'setWebhook',
  'deleteWebhook',
  'getWebhookInfo',
  'setMyCommands',
  'deleteMessage',
  'answerCallbackQuery',
  'editMessageReplyMarkup',
  'close',
  'logOut',
];
const MESSAGE_METHODS = ['sendMessage', 'editMessageText', 'sendMessageDraft'];
const CHAT_ACTIONS = ['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note'];

class ApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

// ——— Telegram HTML, parsed the way tdlib does it (the subset bots use) ———

const TAG_ENTITY: Record<string, string> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

/**
 * Parses Telegram HTML into text and entities, or throws ApiError 400 "can't parse
 * entities" with tdlib's wording and UTF-8 byte offsets.
 */
export function parseTelegramHtml(html: string): { text: string; entities: MessageEntity[] } {
  const fail = (what: string): never => {
    throw badRequest(`can't parse entities: ${what}`);
  };
  const byteOffset = (i: number) => Buffer.byteLength(html.slice(0, i), 'utf8');
  let text = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === '&') {
      const entity = /^&(lt|gt|amp|quot|#(\d{1,7})|#x([\da-f]{1,6}));/i.exec(html.slice(i, i + 12));
      if (entity) {
        const name = entity[1].toLowerCase();
        const code = entity[2] ? Number(entity[2]) : entity[3] ? parseInt(entity[3], 16) : -1;
        text += name === 'lt' ? '<' : name === 'gt' ? '>' : name === 'amp' ? '&' : name === 'quot' ? '"' : code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
        i += entity[0].length;
        continue;
      }
      text += '&'; // like tdlib: an '&' that starts no known entity is just text
      i++;
      continue;
    }
    if (c !== '<') {
      text += c;
      i++;
      continue;
    }
    const begin = i;
    if (html[i + 1] === '/') {
      const end = html.indexOf('>', i);
      if (end === -1) fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      const name = html.slice(i + 2, end).trim().toLowerCase();
      const open = stack.pop();
      if (!open) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      if (open!.tag !== name) fail(`Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open!.tag}>", found "</${name}>"`);
      closeEntity(open!, text.length, entities, stack);
      i = end + 1;
      continue;
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(i));
    if (!nameMatch) fail(`Unsupported start tag "" at byte offset ${byteOffset(begin)}`);
    const tag = nameMatch![1].toLowerCase();
    if (!(tag in TAG_ENTITY)) fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(begin)}`);
    i += nameMatch![0].length;
    const attributes: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(html[i] ?? '')) i++;
      if (i >= html.length) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      if (html[i] === '>') {
        i++;
        break;
      }
      const attribute = /^([a-zA-Z-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>'"]+))/.exec(html.slice(i));
      if (!attribute) {
        const bare = /^[a-zA-Z-]+/.exec(html.slice(i));
        if (!bare) fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(begin)}`);
        attributes[bare![0].toLowerCase()] = '';
        i += bare![0].length;
        continue;
      }
      attributes[attribute[1].toLowerCase()] = htmlToText(attribute[3] ?? attribute[4] ?? attribute[5] ?? '');
      i += attribute[0].length;
    }
    if (tag === 'span' && attributes.class !== 'tg-spoiler') fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    if (tag === 'a' && !attributes.href) fail(`Tag "a" must have attribute "href" at byte offset ${byteOffset(begin)}`);
    const inside = stack[stack.length - 1];
    if (inside && (inside.tag === 'code' || (inside.tag === 'pre' && tag !== 'code'))) {
      // Stricter than Telegram (which drops them): our bot must never nest inside code.
      fail(`Entities can't be nested inside "${inside.tag}" at byte offset ${byteOffset(begin)}`);
    }
    stack.push({ tag, start: text.length, attributes });
  }
  if (stack.length) fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"`);
  return { text, entities: entities.sort((a, b) => a.offset - b.offset || b.length - a.length) };
}

type OpenTag = { tag: string; start: number; attributes: Record<string, string> };

function closeEntity(open: OpenTag, end: number, entities: MessageEntity[], stack: OpenTag[]): void {
  const parent = stack[stack.length - 1];
  if (open.tag === 'code' && parent?.tag === 'pre') {
    // <pre><code class="language-x"> is one pre entity with a language.
    const language = /^language-(.+)$/.exec(open.attributes.class ?? '')?.[1];
    if (language) parent.attributes['data-language'] = language;
    return;
  }
  if (end <= open.start) return;
  const type = TAG_ENTITY[open.tag];
  const entity: MessageEntity = { type, offset: open.start, length: end - open.start };
  if (type === 'text_link') entity.url = open.attributes.href;
  if (type === 'pre' && open.attributes['data-language']) entity.language = open.attributes['data-language'];
  entities.push(entity);
}

function htmlToText(value: string): string {
  return value.replace(/&(lt|gt|amp|quot);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"' })[name] ?? '');
}

/** Trims like Telegram does and shifts entities accordingly. */
function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const start = Math.max(0, entity.offset - lead);
    const end = Math.min(trimmed.length, entity.offset - lead + entity.length);
    if (end > start) kept.push({ ...entity, offset: start, length: end - start });
  }
  return { text: trimmed, entities: kept };
}

/** Text and entities of an outgoing text as Telegram would store them. */
function formatOutgoing(raw: unknown, parseMode: unknown, allowEmpty = false): { text: string; entities: MessageEntity[] } {
  if (typeof raw !== 'string') throw badRequest('message text is empty');
  let parsed: { text: string; entities: MessageEntity[] };
  if (parseMode === undefined || parseMode === '') parsed = { text: raw, entities: [] };
  else if (String(parseMode).toLowerCase() === 'html') parsed = parseTelegramHtml(raw);
  else throw badRequest(`unsupported parse_mode`);
  const result = trimFormatted(parsed.text, parsed.entities);
  if (!result.text && !allowEmpty) throw badRequest('message text is empty');
  if (result.text.length > 4096) throw badRequest('message is too long');
  return result;
}

/** Entities Telegram adds to a user's text: a leading bot command and @mentions. */
function userEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  const command = /^\/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?/.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const m of text.matchAll(/(^|[^\w@])(@[a-zA-Z0-9_]{4,32})/g)) {
    const offset = m.index + m[1].length;
    if (command && offset < command[0].length) continue;
    entities.push({ type: 'mention', offset, length: m[2].length });
  }
  return entities;
}


function parseParams(req: http.IncomingMessage, raw: string): Record<string, any> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const params: Record<string, any> = {};
  const coerce = (value: string): unknown => {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  };
  for (const [key, value] of url.searchParams) params[key] = coerce(value);
  const type = String(req.headers['content-type'] ?? '');
  if (!raw) return params;
  if (type.includes('application/json')) {
    try {
      Object.assign(params, JSON.parse(raw));
    } catch {
      throw badRequest('invalid JSON body');
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(raw)) params[key] = coerce(value);
  }
  return params;
}

/**
 * Starts the stand-in on 127.0.0.1, port 0.
 * @example
 * const telegram = await startTelegramStandIn({ floodControlMs: 100 });
 * const bot = new Bot(telegram.token, { client: { apiRoot: telegram.url } });
 * telegram.sendUserMessage({ chat: { id: 42 }, text: 'Привіт' });
 * await telegram.waitFor(() => telegram.botMessages(42)[0], 'an answer');
 */
export async function startTelegramStandIn(initial: TelegramStandInOptions = {}): Promise<TelegramStandIn> {
  let options: TelegramStandInOptions = { drafts: true, ...initial };
  const token = options.token ?? '123456789:AAF-test_stand-in_TOKEN_0123456789abcdef';
  const bot: StandInUser = { id: options.bot?.id ?? Number(token.split(':')[0]), is_bot: true, first_name: options.bot?.first_name ?? 'Kobza', username: options.bot?.username ?? 'kobza_test_bot' };
  const calls: BotApiCall[] = [];
  const perMethod = new Map<string, number>();
  const chats = new Map<number, StandInChat>();
  const messagesByChat = new Map<number, StoredMessage[]>();
  const draftsByChat = new Map<number, DraftFrame[]>();
  const actionsByChat = new Map<number, { at: number; action: string }[]>();
  const lastMessageCall = new Map<number, number>();
  const updates: { update_id: number; [key: string]: unknown }[] = [];
  const deliveries: { updateId: number; status: number; at: number }[] = [];
  const files = new Map<string, { uniqueId: string; path: string; bytes: Buffer }>();
  const downloads: { path: string; at: number; bytes: number }[] = [];
  let fileIds = 0;
  let webhook: { url: string; secretToken?: string } | undefined;
  let nextUpdateId = 100_000;
  let poller: { wake: () => void; cancel: (error: ApiError) => void } | undefined;
  let storms: (StormOptions & { left: number })[] = [];
  let deliveryChain: Promise<void> = Promise.resolve();
  let closed = false;
  let userIds = 1000;

  const chatMessages = (chatId: number) => {
    let list = messagesByChat.get(chatId);
    if (!list) messagesByChat.set(chatId, (list = []));
    return list;
  };
  const knownChat = (chatId: unknown): StandInChat => {
    const chat = chats.get(Number(chatId));
    if (!chat) throw badRequest('chat not found');
    return chat;
  };

  function pendingFrom(offset: number, limit: number): typeof updates {
    // getUpdates with an offset confirms (forgets) every earlier update.
    if (offset > 0) while (updates.length && updates[0].update_id < offset) updates.shift();
    else if (offset < 0) return updates.slice(offset).slice(0, limit);
    return updates.slice(0, limit);
  }

  async function getUpdates(params: Record<string, any>, res: http.ServerResponse): Promise<unknown> {
    if (webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeout = Math.max(0, Number(params.timeout ?? 0));
    const ready = pendingFrom(offset, limit);
    if (ready.length || timeout === 0) return ready;
    poller?.cancel(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(), timeout * 1000);
      const self = {
        wake: () => finish(),
        cancel: (error: ApiError) => {
          cleanup();
          reject(error);
        },
      };
      const cleanup = () => {
        clearTimeout(timer);
        res.off('close', onClose);
        if (poller === self) poller = undefined;
      };
      const finish = () => {
        cleanup();
        resolve(pendingFrom(offset, limit));
      };
      // The poller went away (aborted fetch): end quietly; the answer is never written.
      const onClose = () => finish();
      res.on('close', onClose);
      poller = self;
    });
  }

  function checkFlood(method: string, chatId: number | undefined): void {
    if (chatId === undefined || !MESSAGE_METHODS.includes(method)) return;
    for (const storm of storms) {
      if (storm.left <= 0) continue;
      if (!(storm.methods ?? MESSAGE_METHODS).includes(method)) continue;
      if (storm.chatId !== undefined && storm.chatId !== chatId) continue;
      storm.left--;
      const retryAfter = storm.retryAfter ?? 1;
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    storms = storms.filter((s) => s.left > 0);
    const minimum = options.floodControlMs ?? 0;
    const now = Date.now();
    const last = lastMessageCall.get(chatId);
    if (minimum > 0 && last !== undefined && now - last < minimum) {
      const retryAfter = Math.max(1, Math.ceil((minimum - (now - last)) / 1000));
      throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    lastMessageCall.set(chatId, now);
  }

  /** Stores a file the way Telegram does (a file_id for the bot, a path for downloads). */
  function storeFile(bytes: Buffer, folder: string, extension: string): { file_id: string; file_unique_id: string; file_size: number } {
    const n = ++fileIds;
    const fileId = `AgACAgIAAxkBAAI${String(n).padStart(6, '0')}_stand-in_file`;
    const uniqueId = `AQAD${String(n).padStart(6, '0')}`;
    files.set(fileId, { uniqueId, path: `${folder}/file_${n}.${extension}`, bytes });
    return { file_id: fileId, file_unique_id: uniqueId, file_size: bytes.length };
  }

  function mediaObject(kind: UserMediaKind, bytes: Buffer): Record<string, unknown> {
    const file = storeFile(bytes, kind === 'sticker' ? 'stickers' : kind === 'document' ? 'documents' : kind === 'voice' ? 'voice' : kind === 'audio' ? 'music' : kind === 'video_note' ? 'video_notes' : kind === 'animation' ? 'animations' : 'videos', kind === 'voice' ? 'oga' : kind === 'audio' ? 'mp3' : kind === 'sticker' ? 'webp' : kind === 'document' ? 'pdf' : 'mp4');
    switch (kind) {
      case 'voice':
        return { ...file, duration: 3, mime_type: 'audio/ogg' };
      case 'audio':
        return { ...file, duration: 120, mime_type: 'audio/mpeg' };
      case 'video':
      case 'animation':
        return { ...file, width: 640, height: 360, duration: 5, mime_type: 'video/mp4' };
      case 'video_note':
        return { ...file, length: 240, duration: 5 };
      case 'sticker':
        return { ...file, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false };
      case 'document':
        return { ...file, file_name: 'document.pdf', mime_type: 'application/pdf' };
    }
  }

  function storeBotMessage(chat: StandInChat, params: Record<string, any>, formatted: { text: string; entities: MessageEntity[] }, at: number): StoredMessage {
    const list = chatMessages(chat.id);
    const message: StoredMessage = {
      message_id: list.length + 1,
      chat,
      from: bot,
      date: Math.floor(at / 1000),
      text: formatted.text,
      entities: formatted.entities,
      history: [{ at, text: formatted.text, entities: formatted.entities, raw: params.text, parseMode: params.parse_mode }],
    };
    if (params.message_thread_id !== undefined) message.message_thread_id = Number(params.message_thread_id);
    if (params.reply_markup?.inline_keyboard?.length) message.reply_markup = params.reply_markup;
    const replyTo = params.reply_parameters?.message_id ?? params.reply_to_message_id;
    if (replyTo !== undefined) message.reply_to_message_id = Number(replyTo);
    list.push(message);
    return message;
  }

  function wire(message: StoredMessage, edited = false): Record<string, unknown> {
    const result: Record<string, unknown> = { message_id: message.message_id, from: message.from, chat: message.chat, date: message.date };
    if (message.photo) result.photo = message.photo;
    if (message.media) {
      result[message.media.kind] = message.media.object;
      // Telegram sends an animation as a document too.
      if (message.media.kind === 'animation') result.document = { ...message.media.object, file_name: 'animation.mp4' };
    }
    if (message.photo || message.media) {
      if (message.caption !== undefined) result.caption = message.caption;
      if (message.caption_entities?.length) result.caption_entities = message.caption_entities;
    } else {
      result.text = message.text;
      if (message.entities.length) result.entities = message.entities;
    }
    if (message.message_thread_id !== undefined) result.message_thread_id = message.message_thread_id;
    if (message.reply_to_message_id !== undefined) {
      const original = chatMessages(message.chat.id).find((m) => m.message_id === message.reply_to_message_id);
      if (original) result.reply_to_message = { message_id: original.message_id, from: original.from, chat: original.chat, date: original.date, text: original.text };
    }
    if (message.reply_markup) result.reply_markup = message.reply_markup;
    if (edited) result.edit_date = Math.floor(Date.now() / 1000);
    return result;
  }

  async function callMethod(method: string, params: Record<string, any>, at: number, res: http.ServerResponse): Promise<unknown> {
    const chatId = params.chat_id === undefined ? undefined : Number(params.chat_id);
    switch (method) {
      case 'getMe':
        return { ...bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false };
      case 'getUpdates':
        return getUpdates(params, res);
      case 'setWebhook': {
        if (typeof params.url !== 'string') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        if (params.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(params.secret_token))) throw badRequest('secret token contains unallowed characters');
        webhook = params.url ? { url: params.url, secretToken: params.secret_token } : undefined;
        poller?.cancel(new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"));
        if (webhook) for (const update of updates.splice(0)) deliver(update);
        return true;
      }
      case 'deleteWebhook':
        webhook = undefined;
        if (params.drop_pending_updates) updates.length = 0;
        return true;
      case 'getWebhookInfo':
        return { url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: updates.length };
      case 'setMyCommands':
        return true;
      case 'getFile': {
        const file = files.get(String(params.file_id ?? ''));
        if (!file) throw badRequest('invalid file_id');
        if (file.bytes.length > (options.maxFileBytes ?? 20 * 1024 * 1024)) throw badRequest('file is too big');
        return { file_id: String(params.file_id), file_unique_id: file.uniqueId, file_size: file.bytes.length, file_path: file.path };
      }
      case 'sendChatAction': {
        knownChat(chatId);
        if (!CHAT_ACTIONS.includes(String(params.action))) throw badRequest('wrong parameter action in request');
        let list = actionsByChat.get(chatId!);
        if (!list) actionsByChat.set(chatId!, (list = []));
        list.push({ at, action: String(params.action) });
        return true;
      }
      case 'sendMessage': {
        const chat = knownChat(chatId);
        const formatted = formatOutgoing(params.text, params.parse_mode);
        checkFlood(method, chat.id);
        return wire(storeBotMessage(chat, params, formatted, at));
      }
      case 'editMessageText': {
        const chat = knownChat(chatId);
        const message = chatMessages(chat.id).find((m) => m.message_id === Number(params.message_id));
        if (!message) throw badRequest('message to edit not found');
        if (message.from.id !== bot.id) throw badRequest("message can't be edited");
        const formatted = formatOutgoing(params.text, params.parse_mode);
        if (formatted.text === message.text && JSON.stringify(formatted.entities) === JSON.stringify(message.entities)) {
          throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        checkFlood(method, chat.id);
        message.text = formatted.text;
        message.entities = formatted.entities;
        // As Telegram does: an edit without reply_markup drops the keyboard.
        if (params.reply_markup?.inline_keyboard?.length) message.reply_markup = params.reply_markup;
        else delete message.reply_markup;
        message.history.push({ at, text: formatted.text, entities: formatted.entities, raw: params.text, parseMode: params.parse_mode });
        return wire(message, true);
      }
      case 'sendMessageDraft': {
        if (!options.drafts) throw new ApiError(404, 'Not Found');
        const chat = knownChat(chatId);
        if (chat.type !== 'private') throw badRequest('TEXTDRAFT_PEER_INVALID');
        if (!Number.isInteger(Number(params.draft_id)) || Number(params.draft_id) === 0) throw badRequest('draft_id must be non-zero');
        const formatted = formatOutgoing(params.text ?? '', params.parse_mode, true);
        checkFlood(method, chat.id);
        let list = draftsByChat.get(chat.id);
        if (!list) draftsByChat.set(chat.id, (list = []));
        list.push({ at, chatId: chat.id, draftId: Number(params.draft_id), text: formatted.text, raw: params.text ?? '', parseMode: params.parse_mode });
        return true;
      }
      case 'deleteMessage': {
        const chat = knownChat(chatId);
        const list = chatMessages(chat.id);
        const index = list.findIndex((m) => m.message_id === Number(params.message_id));
        if (index === -1) throw badRequest('message to delete not found');
        list.splice(index, 1);
        return true;
      }
      case 'editMessageReplyMarkup': {
        const chat = knownChat(chatId);
        const message = chatMessages(chat.id).find((m) => m.message_id === Number(params.message_id));
        if (!message) throw badRequest('message to edit not found');
        if (message.from.id !== bot.id) throw badRequest("message can't be edited");
        const next = params.reply_markup?.inline_keyboard?.length ? params.reply_markup : undefined;
        if (JSON.stringify(next) === JSON.stringify(message.reply_markup)) {
          throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        if (next) message.reply_markup = next;
        else delete message.reply_markup;
        return wire(message, true);
      }
      case 'answerCallbackQuery': {
        if (!pressed.has(String(params.callback_query_id))) throw badRequest('query is too old and response timeout expired or query ID is invalid');
        callbackAnswers.push({ id: String(params.callback_query_id), ...(params.text ? { text: String(params.text) } : {}) });
        return true;
      }
      case 'close':
      case 'logOut':
        return true;
      default:
        throw new ApiError(404, 'Not Found');
    }
  }

  function send(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** `GET /file/bot<token>/<file_path>`: the file's bytes (404 for an unknown path, 401 for a wrong token). */
  function download(fileToken: string, path: string, res: http.ServerResponse): void {
    if (fileToken !== token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const file = [...files.values()].find((f) => f.path === path);
    if (!file) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    downloads.push({ path, at: Date.now(), bytes: file.bytes.length });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.bytes.length });
    res.end(file.bytes);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(pathname);
    const raw = await readBody(req);
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(pathname);
    if (fileMatch) return download(fileMatch[1], fileMatch[2], res);
    if (!match) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    if (match[1] !== token) return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const method = METHODS.find((m) => m.toLowerCase() === match[2].toLowerCase()) ?? match[2];
    const call: BotApiCall = { method, params: {}, at, ok: false };
    calls.push(call);
    const index = perMethod.get(method) ?? 0;
    perMethod.set(method, index + 1);
    try {
      call.params = parseParams(req, raw);
      if (call.params.chat_id !== undefined) call.chatId = Number(call.params.chat_id);
      const fault = options.fault?.({ method, params: call.params, chatId: call.chatId, index });
      if (fault === 'network') {
        call.description = 'network fault';
        call.answeredAt = Date.now();
        return void res.socket?.destroy();
      }
      if (fault) throw new ApiError(fault.errorCode, 'retryAfter' in fault ? `Too Many Requests: retry after ${fault.retryAfter}` : fault.description, 'retryAfter' in fault ? { retry_after: fault.retryAfter } : undefined);
      const result = await callMethod(method, call.params, at, res);
      call.ok = true;
      call.answeredAt = Date.now();
      send(res, 200, { ok: true, result });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(500, `Internal Server Error: ${(err as Error).message}`);
      call.errorCode = error.errorCode;
      call.description = error.description;
      call.retryAfter = error.parameters?.retry_after as number | undefined;
      call.answeredAt = Date.now();
      send(res, error.errorCode, { ok: false, error_code: error.errorCode, description: error.description, ...(error.parameters ? { parameters: error.parameters } : {}) });
    }
  }

  async function postToWebhook(update: unknown, secretToken?: string): Promise<{ status: number; body: string }> {
    if (!webhook) throw new Error('telegram stand-in: no webhook is set');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = secretToken;
    const response = await fetch(webhook.url, { method: 'POST', headers, body: JSON.stringify(update) });
    return { status: response.status, body: await response.text() };
  }

  function deliver(update: { update_id: number }): void {
    // Telegram delivers one update at a time per bot and waits for the answer.
    deliveryChain = deliveryChain.then(async () => {
      if (closed || !webhook) return void updates.push(update as (typeof updates)[number]);
      try {
        const { status } = await postToWebhook(update, webhook.secretToken);
        deliveries.push({ updateId: update.update_id, status, at: Date.now() });
      } catch {
        deliveries.push({ updateId: update.update_id, status: 0, at: Date.now() });
      }
    });
  }

  const pressed = new Set<string>();
  const callbackAnswers: { id: string; text?: string }[] = [];

  function push(update: { update_id: number; [key: string]: unknown }): void {
    if (webhook) deliver(update);
    else {
      updates.push(update);
      poller?.wake();
    }
  }

  const loopback = await listenOnLoopback(route);
  const { port } = loopback;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    bot,
    calls,
    callsOf: (method, chatId) => calls.filter((c) => c.method === method && (chatId === undefined || c.chatId === chatId)),
    messages: (chatId) => [...chatMessages(chatId)],
    botMessages: (chatId) => chatMessages(chatId).filter((m) => m.from.id === bot.id),
    drafts: (chatId) => [...(draftsByChat.get(chatId) ?? [])],
    actions: (chatId) => [...(actionsByChat.get(chatId) ?? [])],
    get webhook() {
      return webhook;
    },
    deliveries,
    downloads,
    sendUserMessage(input) {
      const type = input.chat.type ?? (input.chat.id > 0 ? 'private' : 'supergroup');
      const from: StandInUser = { is_bot: false, first_name: 'Test', language_code: 'uk', ...input.from, id: input.from?.id ?? (type === 'private' ? input.chat.id : userIds++) };
      let chat = chats.get(input.chat.id);
      if (!chat) {
        chat = type === 'private' ? { id: input.chat.id, type, first_name: from.first_name, ...(from.username ? { username: from.username } : {}) } : { id: input.chat.id, type, title: input.chat.title ?? 'Test group', ...(input.chat.is_forum ? { is_forum: true } : {}) };
        chats.set(chat.id, chat);
      }
      const list = chatMessages(chat.id);
      const now = Date.now();
      if (input.text === undefined && !input.photo && !input.media) throw new Error('telegram stand-in: a user message needs text, a photo or media');
      const text = input.text ?? '';
      const entities = userEntities(text);
      const message: StoredMessage = { message_id: list.length + 1, chat, from, date: Math.floor(now / 1000), text, entities, history: [{ at: now, text, entities, raw: text }] };
      if (input.photo) {
        message.photo = input.photo.map((bytes, i) => {
          const width = [320, 800, 1280, 2560][i] ?? 2560 * (i - 2);
          return { ...storeFile(bytes, 'photos', 'jpg'), width, height: Math.round((width * 3) / 4) };
        });
      }
      if (input.media) message.media = { kind: input.media.kind, object: mediaObject(input.media.kind, input.media.bytes ?? Buffer.from('stand-in media')) };
      if (input.caption !== undefined) {
        message.caption = input.caption;
        message.caption_entities = userEntities(input.caption).filter((e) => e.type !== 'bot_command');
      }
      if (input.threadId !== undefined) message.message_thread_id = input.threadId;
      if (input.replyTo !== undefined) message.reply_to_message_id = input.replyTo;
      list.push(message);
      const wired = wire(message);
      if (input.threadId !== undefined) wired.is_topic_message = true;
      const update = { update_id: nextUpdateId++, message: wired };
      if (webhook) deliver(update);
      else {
        updates.push(update);
        poller?.wake();
      }
      return message;
    },
    pressButton(input) {
      const chat = chats.get(input.chatId);
      const message = chatMessages(input.chatId).find((m) => m.message_id === input.messageId);
      if (!chat || !message) throw new Error(`telegram stand-in: no message ${input.messageId} in chat ${input.chatId}`);
      const from: StandInUser = { is_bot: false, first_name: 'Test', language_code: 'uk', ...input.from, id: input.from?.id ?? (chat.type === 'private' ? chat.id : userIds++) };
      const id = String(nextUpdateId * 1000 + 7);
      pressed.add(id);
      push({ update_id: nextUpdateId++, callback_query: { id, from, message: wire(message), chat_instance: `ci${chat.id}`, data: input.data } });
      return id;
    },
    callbackAnswers: () => [...callbackAnswers],
    postToWebhook,
    storm(storm) {
      storms.push({ ...storm, left: storm.count });
    },
    set(next) {
      options = { ...options, ...next };
    },
    async waitFor(check, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = check();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`telegram stand-in: timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      poller?.cancel(new ApiError(502, 'Bad Gateway'));
      await loopback.close();
      await deliveryChain.catch(() => undefined);
    },
  };
}
