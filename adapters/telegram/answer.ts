/**
 * One answer: a Kobza request for the question (in the chat's conversation, with the
 * chat's model), streamed into the chat; a failure becomes a short friendly text in the
 * user's language, with the details only in the log. A question with images (a photo)
 * goes to `visionModel` when one is set, and bypasses the semantic cache and ranking.
 */
import type { Context } from 'grammy';
import type { ErrorCode, Logger, PluginContext, Reply } from '../../core/index.js';
import type { BotTexts } from './config.js';
import type { ConversationQueue } from './conversation-queue.js';
import { conversationOf, type Replies } from './replies.js';
import { sourcesFooter } from './sources.js';

/** Error code → which friendly text the user gets. */
const FRIENDLY: Partial<Record<ErrorCode, keyof BotTexts>> = {
  UPSTREAM_UNAVAILABLE: 'errorUnavailable',
  UPSTREAM_TIMEOUT: 'errorUnavailable',
  UPSTREAM_BAD_RESPONSE: 'errorUnavailable',
  MODEL_NOT_FOUND: 'errorModel',
  RATE_LIMITED: 'errorBusy',
  OVERLOADED: 'errorBusy',
};

/** The answer's text, then a short «Джерела:» footer when it was grounded in documents. */
async function* chunksOf(reply: Promise<Reply>, language?: string): AsyncGenerator<string> {
  const answer = await reply;
  yield* answer.chunks;
  const footer = sourcesFooter(answer.meta, language);
  if (footer) yield footer;
}

export interface AnswerOptions {
  kernel: Pick<PluginContext, 'createRequest' | 'handle'>;
  queue: ConversationQueue;
  replies: Replies;
  /** Per-conversation models chosen with /model. */
  chatModels: ReadonlyMap<string, string>;
  /** `plugins.telegram.model`; undefined leaves the choice to the kernel. */
  model: string | undefined;
  /** `plugins.telegram.visionModel`: the model for questions with images; undefined: the chat's model. */
  visionModel?: string | undefined;
  logger: Logger;
  describeError(err: unknown): string;
  /** Called after a complete answer with its last message (puts 👍/👎 under it when ratings are on). */
  onAnswered?(chatId: number, messageId: number, requestId: string): Promise<void>;
}

/**
 * Builds the function that answers one question in a chat.
 * @example
 * const answer = createAnswer({ kernel: ctx, queue, replies, chatModels, model: config.model, logger, describeError });
 * await answer(c, 'Коли вступна кампанія?');
 */
export function createAnswer({ kernel, queue, replies, chatModels, model, visionModel, logger, describeError, onAnswered }: AnswerOptions) {
  return async function answer(c: Context, question: string, images?: string[]): Promise<void> {
    const key = conversationOf(c);
    const running = queue.begin(key);
    const texts = replies.texts(c, question);
    const withImages = images !== undefined && images.length > 0;
    const telegram = { chatId: c.chat!.id, userId: c.from?.id, chatType: c.chat!.type };
    const request = kernel.createRequest({
      messages: [withImages ? { role: 'user', content: question, images } : { role: 'user', content: question }],
      conversationId: key,
      model: (withImages ? visionModel : undefined) ?? chatModels.get(key) ?? model,
      stream: true,
      signal: running.signal,
      // An answer about a picture is about that picture: never served from or to the cache, never ranked.
      metadata: withImages ? { adapter: 'telegram', useMemory: true, cache: 'off', ranking: 'off', telegram } : { adapter: 'telegram', useMemory: true, telegram },
    });
    try {
      const reply = kernel.handle(request);
      reply.catch(() => undefined); // surfaced through the stream below
      const result = await replies.deliver(c, chunksOf(reply, replies.language(c, question)));
      const error = result.error;
      if (error && error.code !== 'ABORTED') {
        logger.warn({ reqId: request.id, chatId: c.chat!.id, code: error.code, error: describeError(error) }, 'Telegram: the answer failed');
        await replies.say(c, texts[FRIENDLY[error.code] ?? 'errorGeneric']);
      } else if (!error && !result.text.trim()) {
        logger.warn({ reqId: request.id, chatId: c.chat!.id }, 'Telegram: the model gave an empty answer');
        await replies.say(c, texts.errorGeneric);
      } else {
        logger.debug({ reqId: request.id, chatId: c.chat!.id, chars: result.text.length, messages: result.messageIds.length, frames: result.frames }, 'Telegram: answered');
        const last = result.messageIds.at(-1);
        if (onAnswered && last !== undefined && !error) await onAnswered(c.chat!.id, last, request.id);
      }
    } finally {
      running.end();
    }
  };
}
