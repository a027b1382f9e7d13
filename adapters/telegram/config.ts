/**
 * The `plugins.telegram` block: schema with defaults, and the user-facing texts in
 * Ukrainian (default), English and Russian, each overridable from the config.
 */
import { z } from 'zod';

export const LANGUAGES = ['uk', 'en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Every text the bot says by itself (not the model's answers). */
export interface BotTexts {
  /** `/start`. */
  greeting: string;
  /** `/help`. */
  help: string;
  /** `/reset` done. */
  reset: string;
  /** `/stop` stopped an answer. */
  stopped: string;
  /** `/stop` with nothing running. */
  nothingToStop: string;
  /** The chat is not in `allowedChats`. */
  notAllowed: string;
  /** The user hit the rate limit; `{seconds}` is replaced. */
  rateLimited: string;
  /** `/model` from a non-admin. */
  adminOnly: string;
  /** `/model` list header; `{current}` is replaced. */
  modelList: string;
  /** `/model <name>` done; `{model}` is replaced. */
  modelSwitched: string;
  /** `/model <name>` for a model the upstream does not have; `{model}` is replaced. */
  modelUnknown: string;
  /** The upstream is down or timed out. */
  errorUnavailable: string;
  /** The model is missing upstream. */
  errorModel: string;
  /** Too many requests upstream / in Kobza. */
  errorBusy: string;
  /** Anything else. */
  errorGeneric: string;
}

export const DEFAULT_TEXTS: Record<Language, BotTexts> = {
  uk: {
    greeting: 'Вітаю! Я — асистент. Поставте запитання, і я відповім. /help — довідка.',
    help: 'Просто напишіть запитання.\n/reset — почати розмову спочатку\n/stop — зупинити відповідь\n/help — ця довідка',
    reset: 'Добре, починаємо розмову спочатку.',
    stopped: 'Зупинено.',
    nothingToStop: 'Зараз нічого не генерується.',
    notAllowed: 'Вибачте, цей бот доступний лише для дозволених чатів.',
    rateLimited: 'Забагато запитань поспіль. Спробуйте ще раз за {seconds} с.',
    adminOnly: 'Ця команда доступна лише адміністраторам.',
    modelList: 'Доступні моделі (поточна: {current}):',
    modelSwitched: 'Модель цього чату: {model}.',
    modelUnknown: 'Моделі {model} немає на сервері.',
    errorUnavailable: 'Вибачте, модель зараз недоступна. Спробуйте трохи пізніше.',
    errorModel: 'Вибачте, потрібна модель зараз недоступна.',
    errorBusy: 'Зараз забагато запитів. Спробуйте за хвилину.',
    errorGeneric: 'Вибачте, сталася помилка. Спробуйте ще раз.',
  },
  en: {
    greeting: "Hello! I'm an assistant. Ask a question and I'll answer. /help for help.",
    help: 'Just type your question.\n/reset — start the conversation over\n/stop — stop the answer\n/help — this help',
    reset: "OK, let's start over.",
    stopped: 'Stopped.',
    nothingToStop: 'Nothing is being generated right now.',
    notAllowed: 'Sorry, this bot is only available in approved chats.',
    rateLimited: 'Too many questions in a row. Please try again in {seconds} s.',
    adminOnly: 'This command is for administrators only.',
    modelList: 'Available models (current: {current}):',
    modelSwitched: 'Model for this chat: {model}.',
    modelUnknown: 'The server has no model {model}.',
    errorUnavailable: 'Sorry, the model is unavailable right now. Please try again a bit later.',
    errorModel: 'Sorry, the model needed is unavailable right now.',
    errorBusy: 'Too many requests right now. Please try again in a minute.',
    errorGeneric: 'Sorry, something went wrong. Please try again.',
  },
  ru: {
    greeting: 'Здравствуйте! Я — ассистент. Задайте вопрос, и я отвечу. /help — справка.',
    help: 'Просто напишите вопрос.\n/reset — начать разговор заново\n/stop — остановить ответ\n/help — эта справка',
    reset: 'Хорошо, начинаем разговор заново.',
    stopped: 'Остановлено.',
    nothingToStop: 'Сейчас ничего не генерируется.',
    notAllowed: 'Извините, этот бот доступен только в разрешённых чатах.',
    rateLimited: 'Слишком много вопросов подряд. Попробуйте снова через {seconds} с.',
    adminOnly: 'Эта команда доступна только администраторам.',
    modelList: 'Доступные модели (текущая: {current}):',
    modelSwitched: 'Модель этого чата: {model}.',
    modelUnknown: 'Модели {model} нет на сервере.',
    errorUnavailable: 'Извините, модель сейчас недоступна. Попробуйте чуть позже.',
    errorModel: 'Извините, нужная модель сейчас недоступна.',
    errorBusy: 'Сейчас слишком много запросов. Попробуйте через минуту.',
    errorGeneric: 'Извините, произошла ошибка. Попробуйте ещё раз.',
  },
};

const textsSchema = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_TEXTS.uk).map((key) => [key, z.string().min(1).optional()])) as Record<keyof BotTexts, z.ZodOptional<z.ZodString>>,
);

const milliseconds = (_what: string) => z.number().int();

const chatOrUser = z.union([z.number().int(), z.string().regex(/^@?[A-Za-z0-9_]{3,32}$/)], { error: 'expected a numeric id or an @username' });

export const telegramConfigSchema = z
  .strictObject({
    /** Bot token from @BotFather; write `${TELEGRAM_BOT_TOKEN}` rather than the token itself. */
    token: z.string().transform((token) => token.trim()),
    /** Bot API server; tests and a local Bot API server point it elsewhere. */
    apiRoot: z.url({ error: 'expected a URL such as https://api.telegram.org' }).default('https://api.telegram.org').transform((url) => url.replace(/\/+$/, '')),
    /** `polling` (long polling, no public URL needed) or `webhook`. */
    mode: z.enum(['polling', 'webhook']).default('polling'),
    polling: z
      .strictObject({
        /** Long-poll timeout in seconds. */
        timeoutSeconds: z.number().int().min(0).max(50).default(30),
        /** Updates handled at once across chats (each chat stays in order). */
        concurrency: z.number().int().min(1).default(100),
      })
      .default({ timeoutSeconds: 30, concurrency: 100 }),
    webhook: z
      .strictObject({
        /** Public HTTPS URL Telegram posts updates to; its path is served locally. */
        url: z.url({ error: 'expected the public webhook URL, e.g. https://bot.example.org/telegram' }),
        /** Sent by Telegram in X-Telegram-Bot-Api-Secret-Token; requests without it get 401. */
        secretToken: z.string(),
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8443),
        /** Register the webhook with Telegram at start (off when something else does it). */
        register: z.boolean().default(true),
      })
      .optional(),
    /** `drafts` (sendMessageDraft in private chats, edits elsewhere), `edits`, or `off`. */
    streaming: z.enum(['drafts', 'edits', 'off']).default('drafts'),
    /** Chats allowed to use the bot (ids or @usernames); empty = everyone. */
    allowedChats: z.array(chatOrUser).default([]),
    /** Users who may use /model (ids or @usernames). */
    admins: z.array(chatOrUser).default([]),
    /** Language of the bot's own texts when the user's cannot be told. */
    language: z.enum(LANGUAGES).optional(),
    /** Overrides of the bot's own texts, per language. */
    texts: z.strictObject({ uk: textsSchema.optional(), en: textsSchema.optional(), ru: textsSchema.optional() }).default({}),
    /** Per-user limit on questions. */
    rateLimit: z
      .strictObject({
        messages: z.number().int().min(1).default(20),
        perSeconds: z.number().int().min(1).default(60),
      })
      .default({ messages: 20, perSeconds: 60 }),
    /** Spacing of streamed frames in one chat. Telegram allows about 1/s in private chats and 20/min in groups. */
    intervals: z
      .strictObject({
        privateMs: milliseconds('an interval').min(10).default(1000),
        groupMs: milliseconds('an interval').min(10).default(3000),
        /** How often the typing indicator is renewed while waiting for the first token. */
        typingMs: milliseconds('an interval').min(100).default(4500),
      })
      .default({ privateMs: 1000, groupMs: 3000, typingMs: 4500 }),
    /** A frame is sent only when the visible text grew at least this much. */
    minGrowthChars: z.number().int().min(1).default(40),
    /** Longest message; longer answers are split. */
    maxMessageChars: z.number().int().min(200).max(4096).default(4096),
    /** Global outbound cap (Telegram: about 30 messages per second). */
    messagesPerSecond: z.number().positive().default(30),
    /** Final messages are retried on 429/5xx/network errors at most this many times. */
    finalRetries: z.number().int().min(0).default(5),
    /** A 429 asking to wait longer than this fails the final send instead. */
    maxRetryAfterSeconds: z.number().int().min(1).default(60),
    /** Per-chat model (set with /model); default: the assistant's. */
    model: z.string().min(1).optional(),
    /** Register /start /help /reset /stop with Telegram (setMyCommands) at start. */
    registerCommands: z.boolean().default(true),
  })
  .superRefine((config, issues) => {
    // Secrets are checked here, where the loader cannot echo the value into the message.
    if (!/^\d+:[\w-]{20,}$/.test(config.token)) {
      issues.addIssue({ code: 'custom', path: ['token'], message: 'expected a bot token like 123456789:AA… (the value is not shown)', input: undefined });
    }
    if (config.webhook && !/^[A-Za-z0-9_-]{1,256}$/.test(config.webhook.secretToken)) {
      issues.addIssue({ code: 'custom', path: ['webhook', 'secretToken'], message: 'expected a secret of 1-256 characters A-Z a-z 0-9 _ - (the value is not shown)', input: undefined });
    }
    if (config.mode === 'webhook' && !config.webhook) {
      issues.addIssue({ code: 'custom', path: ['webhook'], message: 'expected webhook: { url, secretToken } when mode is webhook', input: undefined });
    }
  });

export type TelegramConfig = z.output<typeof telegramConfigSchema>;

/** The texts for a language with the config's overrides applied. */
export function textsFor(config: Pick<TelegramConfig, 'texts'>, language: Language): BotTexts {
  return { ...DEFAULT_TEXTS[language], ...(config.texts[language] ?? {}) } as BotTexts;
}

/** Replaces `{name}` placeholders. */
export function fillText(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
