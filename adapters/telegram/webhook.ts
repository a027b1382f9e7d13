/**
 * Webhook mode's local server: serves the path of `webhook.url`, checks Telegram's
 * secret header (grammY's `webhookCallback`), answers each call at once (the answer
 * streams in the background) and refuses calls with 503 while the adapter is stopping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookCallback, type Bot } from 'grammy';
import type { Logger } from '../../core/index.js';
import type { TelegramConfig } from './config.js';

/** grammY answers Telegram by then even when a handler still runs (Telegram waits about 10 s). */
const WEBHOOK_TIMEOUT_MS = 9000;

export interface WebhookServer {
  /** `http://host:port` it listens on. */
  readonly address: string;
  close(): Promise<void>;
}

export interface WebhookOptions {
  settings: NonNullable<TelegramConfig['webhook']>;
  /** False while stopping: calls get 503 so Telegram delivers them again later. */
  accepting(): boolean;
  logger: Logger;
  describeError(err: unknown): string;
}

/**
 * Starts the webhook server and, unless `register: false`, tells Telegram about it.
 * @example
 * const server = await startWebhookServer(bot, { settings: config.webhook!, accepting: () => true, logger, describeError });
 */
export async function startWebhookServer(bot: Bot, { settings, accepting, logger, describeError }: WebhookOptions): Promise<WebhookServer> {
  const path = new URL(settings.url).pathname || '/';
  const callback = webhookCallback(bot, 'http', { secretToken: settings.secretToken, onTimeout: 'return', timeoutMilliseconds: WEBHOOK_TIMEOUT_MS });
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || pathname !== path || !accepting()) {
      res.writeHead(accepting() ? 404 : 503).end();
      return;
    }
    callback(req, res).catch((err: unknown) => {
      logger.warn({ error: describeError(err) }, 'Telegram webhook: bad update');
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const address = `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  if (settings.register) {
    await bot.api.setWebhook(settings.url, { secret_token: settings.secretToken, allowed_updates: ['message'] });
  }
  logger.info({ listen: address, path }, 'Telegram: webhook server listening');
  return {
    address,
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    },
  };
}
