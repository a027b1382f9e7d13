/**
 * The Telegram front door (`plugins.telegram`, grammY). The bot is a chain of small
 * composers, each in its own module:
 *
 *   chatOrder (polling: each chat in order) → allowlist → commands → addressedQuestions
 *   (groups: only on a mention or a reply) → unsupportedMedia (voice, video, stickers,
 *   files: "I understand text and photos") → rateLimit → conversations (one answer at a
 *   time per chat; `answer.ts` streams it back, `media.ts` fetches photos first)
 *
 * Answers stream within Telegram's limits (`stream.ts` for pacing and drafts,
 * `outbound.ts` for 429s and the global cap, `format.ts` for HTML and splitting).
 * Long polling runs through @grammyjs/runner (`polling.ts`); webhook mode serves the
 * webhook and answers each call at once (`webhook.ts`).
 */
import { Bot } from 'grammy';
import type { RunnerHandle } from '@grammyjs/runner';
import { definePlugin, type Adapter, type PluginContext } from '../../core/index.js';
import { telegramConfigSchema, type Language, type TelegramConfig } from './config.js';
import { addressedQuestions, allowlist } from './addressing.js';
import { createAnswer } from './answer.js';
import { feedbackButtons } from './feedback-buttons.js';
import { commands, registerCommands } from './commands.js';
import { ConversationQueue, conversations } from './conversation-queue.js';
import { identify } from './identity.js';
import { createPhotoAnswer, unsupportedMedia } from './media.js';
import { createOutbound, describeError } from './outbound.js';
import { chatOrder, startPolling } from './polling.js';
import { rateLimit } from './rate-limit.js';
import { createReplies } from './replies.js';
import { startWebhookServer, type WebhookServer } from './webhook.js';

export { telegramConfigSchema, DEFAULT_TEXTS, type TelegramConfig, type BotTexts } from './config.js';
export { renderTelegramHtml, splitForTelegram, htmlToPlainText, escapeHtml } from './format.js';

declare module '../../core/types.js' {
  interface RequestMetadata {
    /** Where a Telegram request came from. */
    telegram?: { chatId: number; userId?: number; chatType: string };
  }
}

/** The running Telegram adapter. */
export interface TelegramAdapter extends Adapter {
  /** The grammY bot (its `api` goes through the outbound rules). */
  readonly bot: Bot;
  /** `http://host:port` of the local webhook server once started in webhook mode. */
  readonly webhookAddress: string | undefined;
  /** Answers being generated right now. */
  readonly activeAnswers: number;
}

/**
 * Builds the Telegram adapter.
 * @example
 * ctx.provide('Adapter', createTelegramAdapter(ctx, config));
 */
export function createTelegramAdapter(ctx: PluginContext, config: TelegramConfig): TelegramAdapter {
  const logger = ctx.logger;
  const describe = (err: unknown) => describeError(err, config.token);
  const bot = new Bot(config.token, { client: { apiRoot: config.apiRoot } });
  const { token, messagesPerSecond, finalRetries, maxRetryAfterSeconds } = config;
  bot.api.config.use(createOutbound({ token, messagesPerSecond, finalRetries, maxRetryAfterSeconds, logger }).transformer);

  const defaultLanguage: Language = config.language ?? ctx.config.assistant.language;
  const replies = createReplies({ api: bot.api, config, defaultLanguage, logger });
  const queue = new ConversationQueue((err) => logger.error({ error: describe(err) }, 'Telegram: a job failed'));
  const chatModels = new Map<string, string>();
  const buttons = config.feedback
    ? feedbackButtons({ api: bot.api, feedback: () => ctx.tryResolve('Feedback'), language: (c) => replies.language(c), logger, describeError: describe })
    : undefined;
  const answer = createAnswer({ kernel: ctx, queue, replies, chatModels, model: config.model, visionModel: config.visionModel, logger, describeError: describe, onAnswered: buttons?.attach });
  const answerPhoto = createPhotoAnswer({ config, replies, answer, logger, describeError: describe });

  if (config.mode === 'polling') bot.use(chatOrder());
  // Before the allowlist and the question composers: a vote is not a question.
  if (buttons) bot.use(buttons.composer);
  bot.use(
    allowlist({ allowedChats: config.allowedChats, replies, logger }),
    commands({ kernel: ctx, queue, replies, chatModels, config, logger, describeError: describe }),
    addressedQuestions(),
    unsupportedMedia(replies),
    rateLimit(config.rateLimit, replies),
    conversations({ queue, answer, answerPhoto, waitForAnswer: config.mode === 'polling' }),
  );
  bot.catch((err) => {
    logger.error({ error: describe(err.error), updateId: err.ctx?.update?.update_id }, 'Telegram: handling an update failed');
  });

  let runner: RunnerHandle | undefined;
  let webhook: WebhookServer | undefined;
  let webhookAddress: string | undefined;
  let accepting = false;
  return {
    name: 'telegram',
    bot,
    get webhookAddress() {
      return webhookAddress;
    },
    get activeAnswers() {
      return queue.activeAnswers;
    },
    async start() {
      await identify(bot, { token: config.token, apiRoot: config.apiRoot, logger, describeError: describe });
      accepting = true;
      if (config.registerCommands) await registerCommands(bot.api, config, defaultLanguage, logger, describe);
      if (config.mode === 'webhook') {
        webhook = await startWebhookServer(bot, { settings: config.webhook!, accepting: () => accepting, logger, describeError: describe });
        webhookAddress = webhook.address;
      } else {
        runner = await startPolling(bot, config.polling, logger, describe);
      }
      logger.info({ bot: `@${bot.botInfo.username}`, mode: config.mode, streaming: config.streaming }, 'Telegram bot is running');
    },
    async stop() {
      accepting = false;
      if (runner?.isRunning()) await runner.stop().catch(() => undefined);
      // Answers in progress finish (their final text is delivered); the rest are aborted.
      await queue.drain(ctx.config.kernel.shutdownTimeoutMs);
      await webhook?.close();
      webhook = undefined;
    },
  };
}

export default definePlugin({
  name: 'telegram',
  configSchema: telegramConfigSchema,
  dependsOn: ['LlmProvider'],
  register(ctx, config) {
    ctx.provide('Adapter', createTelegramAdapter(ctx, config));
  },
});
