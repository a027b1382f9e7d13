/**
 * Long-polling mode: @grammyjs/runner fetches updates and handles chats concurrently;
 * `chatOrder` (first in the chain) keeps each chat in order — except /stop, which must
 * reach the answer it stops instead of waiting behind it.
 */
import { Composer, type Bot, type Context } from 'grammy';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import type { Logger } from '../../core/index.js';
import type { TelegramConfig } from './config.js';
import { isStopCommand } from './commands.js';

/**
 * Handles one chat's updates one after another (/stop jumps the line).
 * @example
 * if (config.mode === 'polling') bot.use(chatOrder());
 */
export function chatOrder(): Composer<Context> {
  return new Composer<Context>(sequentialize((c: Context) => (isStopCommand(c) ? undefined : c.chat ? String(c.chat.id) : undefined)));
}

/**
 * Drops any webhook and starts long polling; a runner that dies is logged.
 * @example
 * const runner = await startPolling(bot, config.polling, logger, describeError);
 * await runner.stop();
 */
export async function startPolling(bot: Bot, polling: TelegramConfig['polling'], logger: Logger, describeError: (err: unknown) => string): Promise<RunnerHandle> {
  await bot.api.deleteWebhook().catch((err) => logger.warn({ error: describeError(err) }, 'Telegram: deleteWebhook failed'));
  const runner = run(bot, {
    runner: { fetch: { timeout: polling.timeoutSeconds, allowed_updates: ['message'] }, silent: true, retryInterval: 'exponential' },
    sink: { concurrency: polling.concurrency },
  });
  void runner.task()?.catch((err: unknown) => logger.error({ error: describeError(err) }, 'Telegram: long polling stopped'));
  return runner;
}
