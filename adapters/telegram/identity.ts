/**
 * Who the bot is (getMe), asked once at start. Not `bot.init()`: it retries network
 * errors forever, and a start must end — here a few tries, then a coded error that
 * names the Bot API server and never the token.
 */
import { GrammyError, HttpError, type Bot } from 'grammy';
import { KobzaError, type Logger } from '../../core/index.js';
import { redactError } from './outbound.js';

const ATTEMPTS = 3;
const RETRY_STEP_MS = 300;

/**
 * Sets `bot.botInfo` from getMe, or throws UNAUTHORIZED (token rejected) / UPSTREAM_UNAVAILABLE.
 * @example
 * await identify(bot, { token: config.token, apiRoot: config.apiRoot, logger, describeError });
 */
export async function identify(bot: Bot, options: { token: string; apiRoot: string; logger: Logger; describeError(err: unknown): string }): Promise<void> {
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        bot.botInfo = await bot.api.getMe();
        return;
      } catch (err) {
        if (!(err instanceof HttpError) || attempt >= ATTEMPTS) throw err;
        options.logger.warn({ attempt, error: options.describeError(err) }, 'Telegram: getMe failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_STEP_MS * attempt));
      }
    }
  } catch (err) {
    const unauthorized = err instanceof GrammyError && err.error_code === 401;
    const message = unauthorized ? 'the bot token was rejected (401); check TELEGRAM_BOT_TOKEN' : `cannot reach the Bot API at ${options.apiRoot}: ${options.describeError(err)}`;
    throw new KobzaError(unauthorized ? 'UNAUTHORIZED' : 'UPSTREAM_UNAVAILABLE', `Telegram: ${message}`, { cause: redactError(err, options.token) });
  }
}
