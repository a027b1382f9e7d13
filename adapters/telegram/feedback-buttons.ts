/**
 * 👍/👎 under a final answer (`telegram.feedback: true`): inline buttons whose callback data
 * names the answer's request id, handled as callback queries through the `Feedback` token
 * (the `feedback` plugin) — the same rating as `POST /v1/feedback`. The buttons are removed
 * after a vote, so each answer is rated once.
 */
import { Composer, type Api, type Context } from 'grammy';
import type { Feedback, Logger } from '../../core/index.js';
import type { Language } from './config.js';

/** `fb:up:<request id>` — under Telegram's 64-byte limit for a UUID. */
const DATA = /^fb:(up|down):(.{1,56})$/;

const TEXTS: Record<Language, { thanks: string; expired: string; off: string }> = {
  uk: { thanks: 'Дякуємо за оцінку!', expired: 'Цю відповідь уже не можна оцінити.', off: 'Оцінки вимкнено.' },
  en: { thanks: 'Thank you for the rating!', expired: 'This answer can no longer be rated.', off: 'Ratings are off.' },
  ru: { thanks: 'Спасибо за оценку!', expired: 'Этот ответ уже нельзя оценить.', off: 'Оценки выключены.' },
};

export interface FeedbackButtonsOptions {
  api: Api;
  /** The Feedback service, looked up when needed (undefined: the plugin is off). */
  feedback(): Feedback | undefined;
  language(c: Context): Language;
  logger: Logger;
  describeError(err: unknown): string;
}

/**
 * @example
 * const buttons = feedbackButtons({ api: bot.api, feedback: () => ctx.tryResolve('Feedback'), language, logger, describeError });
 * bot.use(buttons.composer);
 * await buttons.attach(chatId, messageId, request.id);
 */
export function feedbackButtons({ api, feedback, language, logger, describeError }: FeedbackButtonsOptions) {
  const composer = new Composer<Context>();
  composer.callbackQuery(DATA, async function rateAnswer(c) {
    const [, rating, requestId] = c.match as RegExpMatchArray;
    const texts = TEXTS[language(c)];
    const service = feedback();
    let text = texts.thanks;
    let voted = false;
    if (!service) text = texts.off;
    else {
      try {
        await service.rate({ requestId, rating: rating as 'up' | 'down' });
        voted = true;
      } catch (err) {
        if ((err as { code?: string }).code !== 'NOT_FOUND') logger.warn({ error: describeError(err), reqId: requestId }, 'Telegram: storing a rating failed');
        text = texts.expired;
      }
    }
    await c.answerCallbackQuery({ text }).catch((err: unknown) => logger.debug({ error: describeError(err) }, 'Telegram: answerCallbackQuery failed'));
    // Voted (or can never vote): the buttons go.
    if (voted || text !== texts.thanks) {
      await c.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch((err: unknown) => logger.debug({ error: describeError(err) }, 'Telegram: removing the rating buttons failed'));
    }
  });

  return {
    composer,
    /** Puts 👍/👎 under the answer's last message. */
    async attach(chatId: number, messageId: number, requestId: string): Promise<void> {
      try {
        await api.editMessageReplyMarkup(chatId, messageId, {
          reply_markup: { inline_keyboard: [[{ text: '👍', callback_data: `fb:up:${requestId}` }, { text: '👎', callback_data: `fb:down:${requestId}` }]] },
        });
      } catch (err) {
        logger.debug({ error: describeError(err), chatId }, 'Telegram: adding the rating buttons failed');
      }
    },
  };
}
