/**
 * Logging with pino: JSON by default, pretty in a TTY. Secrets (tokens, keys,
 * authorization headers) are redacted wherever they appear in a log object.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import type { LoggingSettings } from './config/schema.js';

export type { Logger };

export const REDACT_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'apiKeys',
  '*.apiKeys',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'secretToken',
  '*.secretToken',
  '*.*.token',
];

export interface LoggerOptions {
  /** File descriptor: 1 = stdout (servers), 2 = stderr (interactive chat). */
  fd?: 1 | 2;
  /** A stream to write to instead (tests). */
  stream?: DestinationStream;
}

/**
 * Creates the root logger.
 * @example
 * const logger = createLogger({ level: 'info', pretty: 'auto' });
 */
export function createLogger(settings: LoggingSettings, options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 1;
  const base = { level: settings.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'kobza' } };
  if (options.stream) return pino(base, options.stream);
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  const pretty = settings.pretty === 'auto' ? Boolean(tty) : settings.pretty;
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: fd, colorize: Boolean(tty), ignore: 'pid,hostname,app' } } });
  }
  return pino(base, pino.destination({ fd, sync: false }));
}
