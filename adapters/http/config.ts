/**
 * The `plugins.http` block: where to listen, who may call, how much, and what to expose.
 * Defaults are safe for a laptop: loopback only, no CORS, rate-limited.
 */
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds from a number or a phrase such as `10s`, `1 minute`, `2 hours`.
 * @example
 * durationMs('1 minute') // 60000
 */
export function durationMs(value: number | string): number | undefined {
  if (typeof value === 'number') return value;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const unit = match[2].toLowerCase();
  const key = unit.startsWith('ms') || unit.startsWith('milli') ? 'ms' : unit[0];
  return Math.round(Number(match[1]) * UNIT_MS[key]);
}

const duration = z
  .union([z.number().int().min(1), z.string()], { error: 'expected milliseconds or a duration such as "1 minute"' })
  .refine((value) => durationMs(value) !== undefined && durationMs(value)! > 0, { error: 'expected milliseconds or a duration such as "1 minute"' })
  .transform((value) => durationMs(value)!);

export const rateLimitSchema = z.strictObject({
  /** Requests each API key (or client IP, without a key) may make per window. */
  max: z.number().int().min(1).default(600),
  /** The window: milliseconds or a phrase (`"1 minute"`, `"10s"`). */
  timeWindow: duration.default(60_000),
});

const ORIGINS_EXPECTED = 'expected true, an origin such as https://chat.example.org, or a list of origins';
const originsField = z.union([z.literal(true), z.string().min(1), z.array(z.string().min(1)).min(1)], { error: ORIGINS_EXPECTED });

export const corsSchema = z
  .strictObject({
    /**
     * Origins whose browser pages may call Kobza: `true` (any, reflected), one origin, or a
     * list. A request with any other `Origin` header is refused with 403.
     */
    origins: originsField.optional(),
    /** The same as `origins` (the older spelling). */
    origin: originsField.optional(),
    /** Allow cookies / Authorization from the browser. */
    credentials: z.boolean().default(false),
    /** How long browsers may cache a preflight answer, in seconds. */
    maxAge: z.number().int().min(0).optional(),
  })
  .refine((cors) => cors.origins !== undefined || cors.origin !== undefined, { error: `origins: ${ORIGINS_EXPECTED}`, path: ['origins'] })
  .transform(({ origins, origin, ...rest }) => ({ ...rest, origin: (origins ?? origin)! }));

/** An API key, or an API key that names the tenant its requests belong to. */
export const apiKeySchema = z.union([z.string().min(8), z.strictObject({ key: z.string().min(8), tenant: z.string().min(1).max(100) })], {
  error: 'expected a key of at least 8 characters, or { key, tenant }',
});
export type ApiKeyEntry = z.output<typeof apiKeySchema>;

export const metricsSchema = z.strictObject({
  /** Serve `GET /metrics` in Prometheus text format. */
  enabled: z.boolean().default(true),
  /** Ask for an API key on `/metrics` too (only when `apiKeys` is set). */
  requireAuth: z.boolean().default(true),
  /** Also export Node process metrics (memory, CPU, event-loop lag, GC). */
  process: z.boolean().default(true),
});

export const httpConfigSchema = z.strictObject({
  /** Interface to bind. `0.0.0.0` exposes Kobza to the network: set `apiKeys` then. */
  host: z.string().min(1).default('127.0.0.1'),
  /** TCP port; 0 picks a free one (tests). */
  port: z.number().int().min(0).max(65535).default(8787),
  /**
   * Accepted `Authorization: Bearer <key>` values; empty = no authentication. A
   * `{ key, tenant }` entry puts its requests in that tenant (`metadata.tenant`): tenants
   * never share cache entries or conversations.
   */
  apiKeys: z.array(apiKeySchema).default([]),
  /**
   * Extra `Host` names accepted while bound to a loopback address (DNS-rebinding guard):
   * `kobza.internal`, or with a port, `kobza.internal:8787`. Loopback names always pass.
   */
  allowedHosts: z.array(z.string().min(1)).default([]),
  /**
   * Operator keys (`Authorization: Bearer <key>`) for the console (`/admin`) and its JSON
   * routes, and for the routes that change the upstream (`/api/pull`, `/api/create`,
   * `/api/delete`, `/api/copy`). Separate from `apiKeys`: a chat client's key is not an
   * operator's. Empty: the console is off, and the model routes are served only to a Kobza
   * bound to loopback that has no `apiKeys` either.
   */
  adminKeys: z.array(z.string().min(16, { error: 'expected an admin key of 16 characters or more' })).default([]),
  /** Serve the chat page at `/` (answers through `/v1/chat/completions`, honouring `apiKeys`). */
  webChat: z.boolean().default(true),
  /** Largest request body in bytes (images in messages count). */
  bodyLimit: z.number().int().min(1024).default(4 * 1024 * 1024),
  /** Per API key (or per IP) request limit; `false` turns it off. */
  rateLimit: z.union([z.literal(false), rateLimitSchema], { error: 'expected false or { max, timeWindow }' }).default({ max: 600, timeWindow: 60_000 }),
  /** Cross-origin access for browser apps; off by default (any request with an `Origin` header is refused). */
  cors: z.union([z.literal(false), corsSchema], { error: 'expected false or { origins, credentials, maxAge }' }).default(false),
  metrics: metricsSchema.default({ enabled: true, requireAuth: true, process: true }),
  /** Trust `X-Forwarded-For` from a reverse proxy (true, a hop count, or proxy addresses). */
  trustProxy: z.union([z.boolean(), z.number().int().min(1), z.string().min(1)], { error: 'expected true, false, a hop count or proxy addresses' }).default(false),
  /** How long `/readyz` waits for the upstream probe. */
  readyTimeoutMs: z.number().int().min(100).default(3000),
});

export type HttpConfig = z.output<typeof httpConfigSchema>;
