/**
 * Delivers one streamed answer into a Telegram chat within Telegram's limits.
 *
 * One loop per answer sends at most one request at a time, builds each frame from the
 * newest text when it sends (so skipped frames are simply never built), keeps frames at
 * least `intervalMs` apart per chat (measured from the end of the previous request, so
 * Telegram sees the spacing too), sends a frame only when the visible text grew by
 * `minGrowthChars` and never the same text twice. In private chats frames are drafts
 * (`sendMessageDraft`, a stable non-zero draft id per message, then a final
 * `sendMessage` because drafts vanish); in groups, or when drafts fail, the first frame
 * is a message that later frames edit. Parts of a long answer are delivered for good as
 * soon as they can no longer change. The final text is always delivered: it waits out
 * rate limits, falls back to plain text if Telegram refuses the HTML, and splits again
 * if Telegram still finds it too long.
 */
import { GrammyError, type Api } from 'grammy';
import { wrapError, type KobzaError, type Logger } from '../../core/index.js';
import { htmlToPlainText, renderTelegramHtml, splitForTelegram, visibleLength } from './format.js';
import { intermediate, sleep } from './outbound.js';

/** Per-chat pacing, shared by consecutive answers in one chat. */
export interface ChatPacer {
  /** `Date.now()` before which the next frame or message must not start. */
  nextAt: number;
}

/** Drafts support, shared across chats: one 404 means the Bot API server has no drafts. */
export interface DraftSupport {
  available: boolean;
  /** A fresh non-zero draft id. */
  nextId(): number;
}

export interface DeliveryTarget {
  chatId: number;
  /** Forum topic. */
  threadId?: number;
  isPrivate: boolean;
  /** The user's message the answer replies to (groups). */
  replyTo?: number;
}

export interface DeliveryOptions {
  api: Api;
  target: DeliveryTarget;
  mode: 'drafts' | 'edits' | 'off';
  intervalMs: number;
  minGrowthChars: number;
  maxMessageChars: number;
  typingMs: number;
  /** Show "typing…" until the first frame (default true). */
  showTyping?: boolean;
  pacer: ChatPacer;
  drafts: DraftSupport;
  logger: Logger;
}

export interface DeliveryResult {
  /** The answer as the model wrote it (as far as it got). */
  text: string;
  /** Ids of the messages that hold the answer, in order. */
  messageIds: number[];
  /** Why the stream ended early (upstream error, `ABORTED`). */
  error?: KobzaError;
  /** Intermediate frames that reached Telegram. */
  frames: number;
}

type SendResult = { ok: true; result: unknown } | { ok: false; error: unknown };

const describe = (error: unknown): string => (error instanceof GrammyError ? error.description : error instanceof Error ? error.message : String(error));
const isParseError = (error: unknown) => error instanceof GrammyError && /can't parse entities/i.test(error.description);
const isNotModified = (error: unknown) => error instanceof GrammyError && /message is not modified/i.test(error.description);
const isTooLong = (error: unknown) => error instanceof GrammyError && /message is too long|text is too long/i.test(error.description);
const isMissingMessage = (error: unknown) => error instanceof GrammyError && /message to edit not found|message can't be edited/i.test(error.description);
const retryAfterOf = (error: unknown) => (error instanceof GrammyError && error.error_code === 429 ? (error.parameters.retry_after ?? 1) : undefined);

/** Waits until `Date.now() >= at` (timers may fire a millisecond early; spacing is a promise we keep). */
async function until(at: number): Promise<void> {
  for (let wait = at - Date.now(); wait > 0; wait = at - Date.now()) await sleep(wait);
}

class ReplyDelivery {
  readonly #o: DeliveryOptions;
  #text = '';
  #done = false;
  #error?: KobzaError;
  #dirty = false;
  #wake?: () => void;
  /** Parts of the answer delivered for good. */
  #committed = 0;
  /** Edits mode: the message showing the current part. */
  #live?: { messageId: number; html: string };
  #draftId = 0;
  #useDrafts: boolean;
  #lastFrame?: { html: string; visible: number };
  #framesSent = 0;
  #typingStopped = false;
  #typingTimer?: NodeJS.Timeout;
  readonly #messageIds: number[] = [];

  constructor(options: DeliveryOptions) {
    this.#o = options;
    this.#useDrafts = options.mode === 'drafts' && options.target.isPrivate && options.drafts.available;
    this.#draftId = options.drafts.nextId();
  }

  async run(chunks: AsyncIterable<string>): Promise<DeliveryResult> {
    if (this.#o.showTyping !== false) this.#startTyping();
    const reading = (async () => {
      try {
        for await (const chunk of chunks) {
          if (!chunk) continue;
          this.#text += chunk;
          this.#signal();
        }
      } catch (err) {
        this.#error = wrapError(err);
      } finally {
        this.#done = true;
        this.#signal();
      }
    })();
    try {
      while (!this.#done) {
        await this.#changed();
        this.#dirty = false;
        if (this.#done || this.#o.mode === 'off') continue;
        await this.#paced();
        if (this.#done) break;
        await this.#commitStableParts();
        await this.#sendFrame();
      }
      await reading;
      this.#stopTyping();
      await this.#finish();
    } finally {
      this.#stopTyping();
    }
    return { text: this.#text, messageIds: [...this.#messageIds], error: this.#error, frames: this.#framesSent };
  }

  #signal(): void {
    this.#dirty = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #changed(): Promise<void> {
    if (this.#dirty || this.#done) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Waits for the chat's pacer, returning early when the stream ends (the final waits itself). */
  async #paced(): Promise<void> {
    while (!this.#done) {
      const wait = this.#o.pacer.nextAt - Date.now();
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        const previous = this.#wake;
        this.#wake = done;
        function done() {
          clearTimeout(timer);
          previous?.();
          resolve();
        }
      });
    }
  }

  #startTyping(): void {
    const send = () => {
      if (this.#typingStopped) return;
      const payload: Record<string, unknown> = { chat_id: this.#o.target.chatId, action: 'typing' };
      if (this.#o.target.threadId !== undefined) payload.message_thread_id = this.#o.target.threadId;
      this.#o.api.raw.sendChatAction(intermediate(payload) as never).catch((err: unknown) => this.#o.logger.debug({ error: describe(err) }, 'typing indicator failed'));
    };
    send();
    this.#typingTimer = setInterval(send, this.#o.typingMs);
  }

  #stopTyping(): void {
    this.#typingStopped = true;
    clearInterval(this.#typingTimer);
  }

  /** One Bot API call; keeps the chat's pacing whatever the outcome. */
  async #call(method: 'sendMessage' | 'editMessageText' | 'sendMessageDraft', payload: Record<string, unknown>, isIntermediate: boolean): Promise<SendResult> {
    if (!isIntermediate) await until(this.#o.pacer.nextAt);
    this.#o.pacer.nextAt = Number.POSITIVE_INFINITY; // one request in flight per chat
    try {
      const body = isIntermediate ? intermediate(payload) : payload;
      const result = await (this.#o.api.raw[method] as (p: unknown) => Promise<unknown>)(body);
      return { ok: true, result };
    } catch (error) {
      return { ok: false, error };
    } finally {
      this.#o.pacer.nextAt = Date.now() + this.#o.intervalMs;
    }
  }

  #basePayload(): Record<string, unknown> {
    const payload: Record<string, unknown> = { chat_id: this.#o.target.chatId };
    if (this.#o.target.threadId !== undefined) payload.message_thread_id = this.#o.target.threadId;
    return payload;
  }

  #newMessagePayload(text: string, html: boolean): Record<string, unknown> {
    const payload = { ...this.#basePayload(), text, ...(html ? { parse_mode: 'HTML' } : {}), link_preview_options: { is_disabled: true } };
    if (this.#o.target.replyTo !== undefined && this.#messageIds.length === 0 && !this.#live) {
      (payload as Record<string, unknown>).reply_parameters = { message_id: this.#o.target.replyTo, allow_sending_without_reply: true };
    }
    return payload;
  }

  async #commitStableParts(): Promise<void> {
    const parts = splitForTelegram(this.#text, this.#o.maxMessageChars);
    while (this.#committed < parts.length - 1 && parts[this.#committed].stable) {
      await this.#deliverPart(parts[this.#committed].text);
      this.#committed++;
    }
  }

  /** An intermediate frame showing the current part as it grows. */
  async #sendFrame(): Promise<void> {
    const parts = splitForTelegram(this.#text, this.#o.maxMessageChars);
    const part = parts[Math.min(this.#committed, parts.length - 1)];
    const html = renderTelegramHtml(part.text);
    const visible = visibleLength(html);
    if (visible === 0) return;
    const last = this.#lastFrame;
    if (last && (html === last.html || visible - last.visible < this.#o.minGrowthChars)) return;

    let outcome: SendResult;
    if (this.#useDrafts) {
      outcome = await this.#call('sendMessageDraft', { ...this.#basePayload(), draft_id: this.#draftId, text: html, parse_mode: 'HTML' }, true);
      if (!outcome.ok && isParseError(outcome.error)) {
        outcome = await this.#call('sendMessageDraft', { ...this.#basePayload(), draft_id: this.#draftId, text: htmlToPlainText(html) }, true);
      }
      if (!outcome.ok && outcome.error instanceof GrammyError && retryAfterOf(outcome.error) === undefined && !isParseError(outcome.error)) {
        // Drafts do not work here: stream by editing a message instead, from the next frame on.
        const gone = outcome.error instanceof GrammyError && outcome.error.error_code === 404;
        if (gone) this.#o.drafts.available = false;
        this.#useDrafts = false;
        this.#o.logger.info({ chatId: this.#o.target.chatId, reason: describe(outcome.error) }, 'Telegram drafts failed; streaming by edits');
        return;
      }
    } else if (this.#live) {
      outcome = await this.#call('editMessageText', { ...this.#basePayload(), message_id: this.#live.messageId, text: html, parse_mode: 'HTML', link_preview_options: { is_disabled: true } }, true);
      if (!outcome.ok && isParseError(outcome.error)) {
        outcome = await this.#call('editMessageText', { ...this.#basePayload(), message_id: this.#live.messageId, text: htmlToPlainText(html), link_preview_options: { is_disabled: true } }, true);
      }
      if (!outcome.ok && isNotModified(outcome.error)) outcome = { ok: true, result: true };
      if (!outcome.ok && isMissingMessage(outcome.error)) this.#live = undefined;
      if (outcome.ok) this.#live = this.#live && { ...this.#live, html };
    } else {
      outcome = await this.#call('sendMessage', this.#newMessagePayload(html, true), true);
      if (!outcome.ok && isParseError(outcome.error)) outcome = await this.#call('sendMessage', this.#newMessagePayload(htmlToPlainText(html), false), true);
      if (outcome.ok) this.#live = { messageId: (outcome.result as { message_id: number }).message_id, html };
    }

    if (outcome.ok) {
      this.#lastFrame = { html, visible };
      this.#framesSent++;
      this.#stopTyping();
      return;
    }
    const retryAfter = retryAfterOf(outcome.error);
    if (retryAfter !== undefined) {
      // Skip, don't queue: the next frame carries the newer text anyway.
      this.#o.pacer.nextAt = Math.max(this.#o.pacer.nextAt, Date.now() + retryAfter * 1000);
      return;
    }
    this.#o.logger.debug({ chatId: this.#o.target.chatId, error: describe(outcome.error) }, 'Telegram frame failed; skipped');
  }

  /** Delivers one part of the answer for good. */
  async #deliverPart(source: string): Promise<void> {
    const html = renderTelegramHtml(source);
    if (visibleLength(html) > 0) {
      const live = this.#live;
      if (live) {
        if (live.html !== html) await this.#finalEdit(live.messageId, html);
        this.#messageIds.push(live.messageId);
      } else {
        await this.#finalSend(html, true);
      }
    }
    this.#live = undefined;
    this.#lastFrame = undefined;
    this.#draftId = this.#o.drafts.nextId();
  }

  async #finalEdit(messageId: number, html: string): Promise<void> {
    let outcome = await this.#call('editMessageText', { ...this.#basePayload(), message_id: messageId, text: html, parse_mode: 'HTML', link_preview_options: { is_disabled: true } }, false);
    if (!outcome.ok && isParseError(outcome.error)) {
      outcome = await this.#call('editMessageText', { ...this.#basePayload(), message_id: messageId, text: htmlToPlainText(html), link_preview_options: { is_disabled: true } }, false);
    }
    if (outcome.ok || isNotModified(outcome.error)) return;
    if (isMissingMessage(outcome.error) || isTooLong(outcome.error)) {
      // The message is gone or cannot hold it: send the part as new message(s) instead.
      this.#messageIds.push(...(await this.#sendNew(html, true)));
      return;
    }
    this.#o.logger.error({ chatId: this.#o.target.chatId, error: describe(outcome.error) }, 'Telegram: could not deliver the final text');
  }

  async #finalSend(html: string, asHtml: boolean): Promise<void> {
    this.#messageIds.push(...(await this.#sendNew(html, asHtml)));
  }

  /** Sends a new message; on "too long" splits the plain text in two and sends both halves. */
  async #sendNew(html: string, asHtml: boolean, depth = 0): Promise<number[]> {
    const text = asHtml ? html : htmlToPlainText(html);
    let outcome = await this.#call('sendMessage', this.#newMessagePayload(text, asHtml), false);
    if (!outcome.ok && asHtml && isParseError(outcome.error)) {
      this.#o.logger.warn({ chatId: this.#o.target.chatId, error: describe(outcome.error) }, 'Telegram refused the HTML; sending plain text');
      return this.#sendNew(html, false, depth);
    }
    if (outcome.ok) return [(outcome.result as { message_id: number }).message_id];
    if (isTooLong(outcome.error) && depth < 3) {
      const plain = htmlToPlainText(html);
      const halves = splitForTelegram(plain, Math.max(100, Math.ceil(plain.length / 2)));
      const ids: number[] = [];
      // Plain text from here on: half of a rendered part has no tags of its own.
      for (const half of halves) ids.push(...(await this.#sendNew(escapeForHtml(half.text), false, depth + 1)));
      return ids;
    }
    this.#o.logger.error({ chatId: this.#o.target.chatId, error: describe(outcome.error) }, 'Telegram: could not deliver the final text');
    return [];
  }

  async #finish(): Promise<void> {
    const parts = splitForTelegram(this.#text, this.#o.maxMessageChars);
    for (let i = this.#committed; i < parts.length; i++) {
      if (!parts[i].text.trim() && i > 0) continue;
      await this.#deliverPart(parts[i].text);
      this.#committed = i + 1;
    }
  }
}

function escapeForHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * Streams a reply's chunks into a chat and returns when the final text is delivered.
 * @example
 * const result = await deliverReply(reply.chunks, { api: bot.api, target: { chatId, isPrivate: true }, mode: 'drafts', … });
 */
export function deliverReply(chunks: AsyncIterable<string>, options: DeliveryOptions): Promise<DeliveryResult> {
  return new ReplyDelivery(options).run(chunks);
}
