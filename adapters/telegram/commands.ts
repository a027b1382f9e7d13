/**
 * The bot's commands as one composer: /start, /help, /reset (forget this chat, after
 * the answer in progress), /stop (abort the running answer; what was written stays),
 * and for admins /model (list or switch this chat's model). Also their registration
 * with Telegram (setMyCommands), per language.
 */
import { Composer, type Api, type Context } from 'grammy';
import { KobzaError, type Logger, type PluginContext } from '../../core/index.js';
import { fillText, LANGUAGES, textsFor, type Language, type TelegramConfig } from './config.js';
import { matches } from './addressing.js';
import type { ConversationQueue } from './conversation-queue.js';
import { conversationOf, type Replies } from './replies.js';

export interface CommandsOptions {
  /** The kernel's services (ConversationMemory, LlmProvider) and the assistant's default model. */
  kernel: Pick<PluginContext, 'tryResolve' | 'config'>;
  queue: ConversationQueue;
  replies: Replies;
  /** Per-conversation models; /model writes here. */
  chatModels: Map<string, string>;
  config: Pick<TelegramConfig, 'admins' | 'model'>;
  logger: Logger;
  describeError(err: unknown): string;
}

/**
 * Whether an update is /stop (it must not wait behind the answer it stops).
 * @example
 * sequentialize((c) => (isStopCommand(c) ? undefined : String(c.chat?.id)));
 */
export function isStopCommand(c: Context): boolean {
  return /^\/stop(?:@\w+)?(?:\s|$)/i.test(c.message?.text ?? '');
}

/**
 * Handles the bot's commands; other text goes on to `next`.
 * @example
 * bot.use(commands({ kernel: ctx, queue, replies, chatModels, config, logger, describeError }));
 */
export function commands({ kernel, queue, replies, chatModels, config, logger, describeError }: CommandsOptions): Composer<Context> {
  const composer = new Composer<Context>();
  const messages = composer.on('message:text');

  messages.command('start', async function start(c) {
    await replies.say(c, replies.texts(c).greeting);
  });
  messages.command('help', async function help(c) {
    await replies.say(c, replies.texts(c).help);
  });
  messages.command('reset', async function reset(c) {
    const key = conversationOf(c);
    await queue.enqueue(key, async () => {
      await kernel.tryResolve('ConversationMemory')?.reset(key);
      await replies.say(c, replies.texts(c).reset);
    });
  });
  messages.command('stop', async function stop(c) {
    const current = queue.running(conversationOf(c));
    if (!current) return void (await replies.say(c, replies.texts(c).nothingToStop));
    current.controller.abort(new KobzaError('ABORTED', 'stopped by the user'));
    await current.finished; // the partial answer is delivered first
    await replies.say(c, replies.texts(c).stopped);
  });
  messages.command('model', async function model(c) {
    const texts = replies.texts(c);
    if (!matches(config.admins, c.from?.id, c.from?.username)) return void (await replies.say(c, texts.adminOnly));
    const key = conversationOf(c);
    const current = chatModels.get(key) ?? config.model ?? kernel.config.assistant.model;
    const provider = kernel.tryResolve('LlmProvider');
    let names: string[] | undefined;
    try {
      names = provider?.listModels ? (await provider.listModels()).map((m) => m.name) : undefined;
    } catch (err) {
      logger.warn({ error: describeError(err) }, 'Telegram /model: could not list models');
      return void (await replies.say(c, texts.errorUnavailable));
    }
    const wanted = c.match.trim();
    if (!wanted) {
      const list = (names ?? [current]).map((name) => `${name === current ? '▸' : '•'} ${name}`).join('\n');
      return void (await replies.say(c, `${fillText(texts.modelList, { current })}\n${list}\n\n/model <name>`));
    }
    const known = names?.find((n) => n === wanted || n === `${wanted}:latest`);
    if (names && !known) return void (await replies.say(c, fillText(texts.modelUnknown, { model: wanted })));
    chatModels.set(key, known ?? wanted);
    await replies.say(c, fillText(texts.modelSwitched, { model: known ?? wanted }));
  });
  return composer;
}

/**
 * Registers /help /reset /stop with Telegram in every language (the default one without
 * a language code); a failure is logged, not fatal.
 * @example
 * await registerCommands(bot.api, config, 'uk', logger, describeError);
 */
export async function registerCommands(api: Api, config: Pick<TelegramConfig, 'texts'>, defaultLanguage: Language, logger: Logger, describeError: (err: unknown) => string): Promise<void> {
  const describe = (help: string, command: string) => (help.split('\n').find((l) => l.startsWith(`/${command}`)) ?? `/${command}`).replace(new RegExp(`^/${command}\\s*—?\\s*`), '') || command;
  for (const language of LANGUAGES) {
    const texts = textsFor(config, language);
    const list = [
      { command: 'help', description: texts.help.split('\n')[0].slice(0, 256) },
      { command: 'reset', description: describe(texts.help, 'reset') },
      { command: 'stop', description: describe(texts.help, 'stop') },
    ];
    await api.setMyCommands(list, language === defaultLanguage ? {} : { language_code: language }).catch((err) => logger.warn({ error: describeError(err) }, 'Telegram: setMyCommands failed'));
  }
}
