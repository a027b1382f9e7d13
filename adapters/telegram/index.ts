/**
 * The Telegram front door (`plugins.telegram`, grammY). Turns chat messages into Kobza
 * requests and streams the answers back within Telegram's limits (see `stream.ts` for
 * pacing and drafts, `outbound.ts` for 429s and the global cap, `format.ts` for HTML
 * and splitting).
 *
 * Long polling runs chats concurrently (@grammyjs/runner) and each chat in order
 * (`sequentialize`); webhook mode checks Telegram's secret header, answers the webhook
 * at once and streams in the background, one answer at a time per chat. Commands:
 * /start, /help, /reset (forget this chat), /stop (abort the running answer), and for
 * admins /model. In groups the bot speaks only when mentioned or replied to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, HttpError, webhookCallback, type Context } from 'grammy';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { definePlugin, KobzaError, wrapError, type Adapter, type ErrorCode, type PluginContext, type Reply } from '../../core/index.js';
import { detectLanguage } from '../../core/text/index.js';
import { fillText, LANGUAGES, telegramConfigSchema, textsFor, type BotTexts, type Language, type TelegramConfig } from './config.js';
import { createOutbound, redactError, redactToken } from './outbound.js';
import { deliverReply, type ChatPacer, type DeliveryResult, type DeliveryTarget, type DraftSupport } from './stream.js';
import { sourcesFooter } from './sources.js';

export { telegramConfigSchema, DEFAULT_TEXTS, type TelegramConfig, type BotTexts } from './config.js';
export { renderTelegramHtml, splitForTelegram, htmlToPlainText, escapeHtml } from './format.js';

/** The running Telegram adapter. */
export interface TelegramAdapter extends Adapter {
  /** The grammY bot (its `api` goes through the outbound rules). */
  readonly bot: Bot;
  /** `http://host:port` of the local webhook server once started in webhook mode. */
  readonly webhookAddress: string | undefined;
  /** Answers being generated right now. */
  readonly activeAnswers: number;
}

interface RunningAnswer {
  controller: AbortController;
  finished: Promise<void>;
}

/** Error code → which friendly text the user gets. */
const FRIENDLY: Partial<Record<ErrorCode, keyof BotTexts>> = {
  UPSTREAM_UNAVAILABLE: 'errorUnavailable',
  UPSTREAM_TIMEOUT: 'errorUnavailable',
  UPSTREAM_BAD_RESPONSE: 'errorUnavailable',
  MODEL_NOT_FOUND: 'errorModel',
  RATE_LIMITED: 'errorBusy',
};

async function* chunksOf(reply: Promise<Reply>, language?: string): AsyncGenerator<string> {
  const answer = await reply;
  yield* answer.chunks;
  const footer = sourcesFooter(answer.meta, language);
  if (footer) yield footer;
}

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

function matches(list: readonly (string | number)[], id: number | undefined, username: string | undefined): boolean {
  return list.some((entry) => (typeof entry === 'number' ? entry === id : username !== undefined && entry.replace(/^@/, '').toLowerCase() === username.toLowerCase()));
}

/**
 * Builds the Telegram adapter.
 * @example
 * ctx.addAdapter(createTelegramAdapter(ctx, config));
 */
export function createTelegramAdapter(ctx: PluginContext, config: TelegramConfig): TelegramAdapter {
  const logger = ctx.logger;
  const outbound = createOutbound({
    token: config.token,
    messagesPerSecond: config.messagesPerSecond,
    finalRetries: config.finalRetries,
    maxRetryAfterSeconds: config.maxRetryAfterSeconds,
    logger,
  });
  const bot = new Bot(config.token, { client: { apiRoot: config.apiRoot } });
  bot.api.config.use(outbound.transformer);

  const defaultLanguage: Language = config.language ?? ctx.config.assistant.language;
  const pacers = new Map<number, ChatPacer>();
  const queues = new Map<string, Promise<void>>();
  const running = new Map<string, RunningAnswer>();
  const chatModels = new Map<string, string>();
  const recentQuestions = new Map<number, number[]>();
  const jobs = new Set<Promise<void>>();
  let draftIds = 0;
  const drafts: DraftSupport = { available: true, nextId: () => (draftIds = (draftIds % 2_000_000_000) + 1) };
  let runner: RunnerHandle | undefined;
  let server: http.Server | undefined;
  let webhookAddress: string | undefined;
  let accepting = false;

  const pacerFor = (chatId: number): ChatPacer => {
    let pacer = pacers.get(chatId);
    if (!pacer) pacers.set(chatId, (pacer = { nextAt: 0 }));
    return pacer;
  };
  const conversationOf = (c: Context): string => {
    const message = c.message;
    const topic = message?.is_topic_message && message.message_thread_id !== undefined ? `:${message.message_thread_id}` : '';
    return `tg:${c.chat!.id}${topic}`;
  };
  const languageOf = (c: Context, text?: string): Language => {
    if (text) {
      const detected = detectLanguage(text);
      if (detected !== 'unknown') return detected;
    }
    const code = c.from?.language_code?.slice(0, 2).toLowerCase();
    return (LANGUAGES as readonly string[]).includes(code ?? '') ? (code as Language) : defaultLanguage;
  };
  const textsOf = (c: Context, text?: string) => textsFor(config, languageOf(c, text));
  const targetOf = (c: Context): DeliveryTarget => {
    const message = c.message!;
    const isPrivate = c.chat!.type === 'private';
    return {
      chatId: c.chat!.id,
      threadId: message.is_topic_message ? message.message_thread_id : undefined,
      isPrivate,
      replyTo: isPrivate ? undefined : message.message_id,
    };
  };
  const intervalOf = (c: Context) => (c.chat!.type === 'private' ? config.intervals.privateMs : config.intervals.groupMs);

  /** Sends a short text of the bot's own, paced like answers. */
  /** Delivery settings for one chat: its target, interval and pacer, in the given mode. */
  const deliveryFor = (c: Context, mode: typeof config.streaming) => ({
    api: bot.api,
    target: targetOf(c),
    mode,
    intervalMs: intervalOf(c),
    minGrowthChars: config.minGrowthChars,
    maxMessageChars: config.maxMessageChars,
    typingMs: config.intervals.typingMs,
    pacer: pacerFor(c.chat!.id),
    drafts,
    logger,
  });

  const say = (c: Context, text: string): Promise<DeliveryResult> =>
    deliverReply(once(text), { ...deliveryFor(c, 'off'), showTyping: false });

  /** Runs jobs of one conversation one after another (webhook mode has no sequentialize). */
  const enqueue = (key: string, job: () => Promise<void>): Promise<void> => {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(job).catch((err) => logger.error({ error: describeError(err) }, 'Telegram: a job failed'));
    queues.set(key, next);
    jobs.add(next);
    void next.finally(() => {
      jobs.delete(next);
      if (queues.get(key) === next) queues.delete(key);
    });
    return next;
  };

  const describeError = (err: unknown): string => {
    redactError(err, config.token);
    if (err instanceof GrammyError) return `${err.method}: ${err.error_code} ${err.description}`;
    if (err instanceof HttpError) return redactToken(`${err.message}: ${(err.error as Error)?.message ?? ''}`, config.token);
    return redactToken(err instanceof Error ? err.message : String(err), config.token);
  };

  const isAddressed = (c: Context): boolean => {
    if (c.chat?.type === 'private') return true;
    const message = c.message;
    if (!message) return false;
    if (message.reply_to_message?.from?.id === bot.botInfo.id) return true;
    const username = bot.botInfo.username.toLowerCase();
    const text = message.text ?? '';
    return (message.entities ?? []).some(
      (e) => (e.type === 'mention' && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === username) || (e.type === 'text_mention' && e.user.id === bot.botInfo.id),
    );
  };

  /** Seconds to wait when the user is over the limit, else 0 (and the question is counted). */
  const rateLimited = (userId: number): number => {
    const now = Date.now();
    const windowMs = config.rateLimit.perSeconds * 1000;
    const recent = (recentQuestions.get(userId) ?? []).filter((at) => now - at < windowMs);
    if (recent.length >= config.rateLimit.messages) {
      recentQuestions.set(userId, recent);
      return Math.max(1, Math.ceil((windowMs - (now - recent[0])) / 1000));
    }
    recent.push(now);
    recentQuestions.set(userId, recent);
    if (recentQuestions.size > 10_000) {
      // Forget users with nothing left in the window, so the map stays small.
      for (const [id, times] of recentQuestions) if (now - times[times.length - 1] >= windowMs) recentQuestions.delete(id);
    }
    return 0;
  };

  async function answer(c: Context, question: string): Promise<void> {
    const key = conversationOf(c);
    const controller = new AbortController();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    running.set(key, { controller, finished });
    const texts = textsOf(c, question);
    const request = ctx.createRequest({
      messages: [{ role: 'user', content: question }],
      conversationId: key,
      model: chatModels.get(key) ?? config.model,
      stream: true,
      signal: controller.signal,
      metadata: { adapter: 'telegram', useMemory: true, telegram: { chatId: c.chat!.id, userId: c.from?.id, chatType: c.chat!.type } },
    });
    try {
      const reply = ctx.handle(request);
      reply.catch(() => undefined); // surfaced through the stream below
      const result = await deliverReply(chunksOf(reply, ctx.config.assistant.language), deliveryFor(c, config.streaming));
      const error = result.error;
      if (error && error.code !== 'ABORTED') {
        logger.warn({ reqId: request.id, chatId: c.chat!.id, code: error.code, error: describeError(error) }, 'Telegram: the answer failed');
        await say(c, texts[FRIENDLY[error.code] ?? 'errorGeneric']);
      } else if (!error && !result.text.trim()) {
        logger.warn({ reqId: request.id, chatId: c.chat!.id }, 'Telegram: the model gave an empty answer');
        await say(c, texts.errorGeneric);
      } else {
        logger.debug({ reqId: request.id, chatId: c.chat!.id, chars: result.text.length, messages: result.messageIds.length, frames: result.frames }, 'Telegram: answered');
      }
    } finally {
      if (running.get(key)?.controller === controller) running.delete(key);
      finish();
    }
  }

  // ——— updates ———
  if (config.mode === 'polling') {
    // Every chat in order, except /stop, which must reach the answer it stops.
    bot.use(sequentialize((c: Context) => (isStopCommand(c) ? undefined : c.chat ? String(c.chat.id) : undefined)));
  }
  const messages = bot.on('message:text');

  messages.use(async (c, next) => {
    if (config.allowedChats.length === 0 || matches(config.allowedChats, c.chat.id, 'username' in c.chat ? c.chat.username : undefined)) return next();
    const command = (c.message.entities ?? []).some((e) => e.type === 'bot_command' && e.offset === 0);
    if (c.chat.type === 'private' || command || isAddressed(c)) {
      logger.info({ chatId: c.chat.id }, 'Telegram: refused a chat that is not allowed');
      await say(c, textsOf(c).notAllowed);
    }
  });

  messages.command('start', async (c) => {
    await say(c, textsOf(c).greeting);
  });
  messages.command('help', async (c) => {
    await say(c, textsOf(c).help);
  });
  messages.command('reset', async (c) => {
    const key = conversationOf(c);
    await enqueue(key, async () => {
      await ctx.tryResolve('ConversationMemory')?.reset(key);
      await say(c, textsOf(c).reset);
    });
  });
  messages.command('stop', async (c) => {
    const current = running.get(conversationOf(c));
    if (!current) return void (await say(c, textsOf(c).nothingToStop));
    current.controller.abort(new KobzaError('ABORTED', 'stopped by the user'));
    await current.finished; // the partial answer is delivered first
    await say(c, textsOf(c).stopped);
  });
  messages.command('model', async (c) => {
    const texts = textsOf(c);
    if (!matches(config.admins, c.from?.id, c.from?.username)) return void (await say(c, texts.adminOnly));
    const key = conversationOf(c);
    const current = chatModels.get(key) ?? config.model ?? ctx.config.assistant.model;
    const provider = ctx.tryResolve('LlmProvider');
    let names: string[] | undefined;
    try {
      names = provider?.listModels ? (await provider.listModels()).map((m) => m.name) : undefined;
    } catch (err) {
      logger.warn({ error: describeError(err) }, 'Telegram /model: could not list models');
      return void (await say(c, texts.errorUnavailable));
    }
    const wanted = c.match.trim();
    if (!wanted) {
      const list = (names ?? [current]).map((name) => `${name === current ? '▸' : '•'} ${name}`).join('\n');
      return void (await say(c, `${fillText(texts.modelList, { current })}\n${list}\n\n/model <name>`));
    }
    const known = names?.find((n) => n === wanted || n === `${wanted}:latest`);
    if (names && !known) return void (await say(c, fillText(texts.modelUnknown, { model: wanted })));
    chatModels.set(key, known ?? wanted);
    await say(c, fillText(texts.modelSwitched, { model: known ?? wanted }));
  });

  messages.on('message:text', async (c) => {
    const text = c.message.text;
    if (text.startsWith('/')) return; // someone else's or an unknown command
    if (!isAddressed(c)) return;
    const question = text.replace(new RegExp(`@${bot.botInfo.username}\\b`, 'gi'), '').trim();
    if (!question) return;
    if (c.from) {
      const wait = rateLimited(c.from.id);
      if (wait > 0) return void (await say(c, fillText(textsOf(c, question).rateLimited, { seconds: wait })));
    }
    const job = enqueue(conversationOf(c), () => answer(c, question));
    // Polling: the runner keeps this chat's order by waiting. Webhook: answer the call now.
    if (config.mode === 'polling') await job;
  });

  bot.catch((err) => {
    logger.error({ error: describeError(err.error), updateId: err.ctx?.update?.update_id }, 'Telegram: handling an update failed');
  });

  async function startWebhook(): Promise<void> {
    const settings = config.webhook!;
    const path = new URL(settings.url).pathname || '/';
    const callback = webhookCallback(bot, 'http', { secretToken: settings.secretToken, onTimeout: 'return', timeoutMilliseconds: 9000 });
    server = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method !== 'POST' || pathname !== path || !accepting) {
        res.writeHead(accepting ? 404 : 503).end();
        return;
      }
      callback(req, res).catch((err: unknown) => {
        logger.warn({ error: describeError(err) }, 'Telegram webhook: bad update');
        if (!res.headersSent) res.writeHead(400).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(settings.port, settings.host, () => {
        server!.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    webhookAddress = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    if (settings.register) {
      await bot.api.setWebhook(settings.url, { secret_token: settings.secretToken, allowed_updates: ['message'] });
    }
    logger.info({ listen: webhookAddress, path }, 'Telegram: webhook server listening');
  }

  return {
    name: 'telegram',
    bot,
    get webhookAddress() {
      return webhookAddress;
    },
    get activeAnswers() {
      return running.size;
    },
    async start() {
      try {
        // Not bot.init(): it retries network errors forever, and a start must end.
        for (let attempt = 1; ; attempt++) {
          try {
            bot.botInfo = await bot.api.getMe();
            break;
          } catch (err) {
            if (!(err instanceof HttpError) || attempt >= 3) throw err;
            logger.warn({ attempt, error: describeError(err) }, 'Telegram: getMe failed; retrying');
            await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
          }
        }
      } catch (err) {
        const unauthorized = err instanceof GrammyError && err.error_code === 401;
        throw new KobzaError(unauthorized ? 'UNAUTHORIZED' : 'UPSTREAM_UNAVAILABLE', `Telegram: ${unauthorized ? 'the bot token was rejected (401); check TELEGRAM_BOT_TOKEN' : `cannot reach the Bot API at ${config.apiRoot}: ${describeError(err)}`}`, { cause: redactError(err, config.token) });
      }
      accepting = true;
      if (config.registerCommands) {
        for (const language of LANGUAGES) {
          const texts = textsFor(config, language);
          const commands = [
            { command: 'help', description: texts.help.split('\n')[0].slice(0, 256) },
            { command: 'reset', description: (texts.help.split('\n').find((l) => l.startsWith('/reset')) ?? '/reset').replace(/^\/reset\s*—?\s*/, '') || 'reset' },
            { command: 'stop', description: (texts.help.split('\n').find((l) => l.startsWith('/stop')) ?? '/stop').replace(/^\/stop\s*—?\s*/, '') || 'stop' },
          ];
          await bot.api.setMyCommands(commands, language === defaultLanguage ? {} : { language_code: language }).catch((err) => logger.warn({ error: describeError(err) }, 'Telegram: setMyCommands failed'));
        }
      }
      if (config.mode === 'webhook') {
        await startWebhook();
      } else {
        await bot.api.deleteWebhook().catch((err) => logger.warn({ error: describeError(err) }, 'Telegram: deleteWebhook failed'));
        runner = run(bot, {
          runner: { fetch: { timeout: config.polling.timeoutSeconds, allowed_updates: ['message'] }, silent: true, retryInterval: 'exponential' },
          sink: { concurrency: config.polling.concurrency },
        });
        void runner.task()?.catch((err: unknown) => logger.error({ error: describeError(err) }, 'Telegram: long polling stopped'));
      }
      logger.info({ bot: `@${bot.botInfo.username}`, mode: config.mode, streaming: config.streaming }, 'Telegram bot is running');
    },
    async stop() {
      accepting = false;
      if (runner?.isRunning()) await runner.stop().catch(() => undefined);
      // Let answers in progress finish (their final text is delivered), then abort the rest.
      const pending = [...jobs];
      if (pending.length) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ctx.config.kernel.shutdownTimeoutMs)));
        await Promise.race([Promise.allSettled(pending), timeout]);
        clearTimeout(timer);
        for (const answer of running.values()) answer.controller.abort(new KobzaError('ABORTED', 'Kobza is shutting down'));
        await Promise.race([Promise.allSettled([...jobs]), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      }
      if (server) {
        const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeAllConnections();
        await closing;
        server = undefined;
      }
    },
  };
}

function isStopCommand(c: Context): boolean {
  return /^\/stop(?:@\w+)?(?:\s|$)/i.test(c.message?.text ?? '');
}

export default definePlugin({
  name: 'telegram',
  configSchema: telegramConfigSchema,
  dependsOn: ['LlmProvider'],
  register(ctx, config) {
    ctx.addAdapter(createTelegramAdapter(ctx, config));
  },
});
