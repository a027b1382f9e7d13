/**
 * The pages a person sees: the chat page at `/` (`webChat: false` turns it off), the
 * operator console at `/admin`, and the routes behind them — `POST /v1/feedback` (ratings,
 * through the `Feedback` token) and `/admin/api/*` (cache entries through the
 * `CacheModeration` token, the knowledge base through `KnowledgeSearch`, live counters from
 * the metrics registry). The pages are plain
 * HTML files next to this module with inline script and style: nothing is loaded from
 * elsewhere, so they work offline.
 *
 * The HTML is public (it holds no secret); the chat page asks `/v1/chat/completions` with the
 * API key the user typed, and every admin route wants an `adminKeys` key.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KobzaError } from '../../core/index.js';
import { ApiKeySet, bearerToken } from './api-keys.js';
import { parseBody } from './error-shapes.js';
import type { RouteDeps } from './server.js';

const pages = new Map<string, string>();

/** A page from `./web/`, read once. */
function page(name: 'chat.html' | 'admin.html'): string {
  let html = pages.get(name);
  if (html === undefined) {
    html = readFileSync(new URL(`./web/${name}`, import.meta.url), 'utf8');
    pages.set(name, html);
  }
  return html;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // Inline script and style only; nothing from other origins, no framing.
  'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const feedbackSchema = z.strictObject({
  requestId: z.string().min(1).max(200),
  rating: z.enum(['up', 'down']),
  comment: z.string().max(10_000).optional(),
});

const aliasSchema = z.strictObject({ question: z.string().trim().min(1).max(2000) });

const ENTRY_ACTIONS = new Set(['restore', 'quarantine', 'forget', 'alias']);

/**
 * Who rates, for counting 👎 once per voter: a valid API key's identity, else the client
 * address (any other token is anyone's to make up) — hashed, so neither is stored.
 */
function voterOf(request: FastifyRequest, keys: ApiKeySet): string {
  const token = bearerToken(request.headers.authorization);
  const [kind, value] = token && keys.match(token) >= 0 ? ['key', token] : ['ip', request.ip];
  return `${kind}:${createHash('sha256').update(value).digest('base64url').slice(0, 16)}`;
}

/** Registers `/`, `/admin`, `/v1/feedback` and `/admin/api/*` (entries, knowledge, feedback, stats). */
export function registerWebRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { ctx, config, metrics } = deps;
  const open = { kobzaPublic: true, rateLimit: false as const };

  app.get('/', { config: open }, async function root(request, reply) {
    // Ollama clients and health probes read the plain line; browsers ask for HTML.
    if (!config.webChat || !request.headers.accept?.includes('text/html')) return reply.type('text/plain; charset=utf-8').send('Kobza is running');
    return reply.headers(HTML_HEADERS).send(page('chat.html').replace('__KOBZA_MODEL__', escapeAttribute(ctx.config.assistant.model)));
  });

  const callers = new ApiKeySet(config.apiKeys);
  app.post('/v1/feedback', async function feedback(request) {
    const body = parseBody(feedbackSchema, request.body, request.id);
    const service = ctx.tryResolve('Feedback');
    if (!service) throw new KobzaError('NOT_FOUND', 'ratings are off: add plugins.feedback to the config', { requestId: request.id });
    try {
      const outcome = await service.rate({ ...body, voter: voterOf(request, callers) });
      return { requestId: body.requestId, rating: body.rating, stored: true, ...(outcome.entry ? { cacheEntry: { key: outcome.record.cacheEntry, ...outcome.entry } } : {}) };
    } catch (err) {
      if (err instanceof KobzaError) err.requestId = request.id;
      throw err;
    }
  });

  const admins = new ApiKeySet(config.adminKeys);
  // Admin routes skip the chat API-key check (an operator's key is another key) and make their own.
  const admin = { config: { kobzaPublic: true }, preHandler: requireAdmin };
  function requireAdmin(request: FastifyRequest, _reply: unknown, done: (err?: Error) => void): void {
    if (!admins.required) return done(new KobzaError('NOT_FOUND', 'the operator console is off: set plugins.http.adminKeys', { requestId: request.id }));
    if (admins.match(bearerToken(request.headers.authorization)) < 0) return done(new KobzaError('UNAUTHORIZED', 'missing or invalid admin key: send Authorization: Bearer <admin key>', { requestId: request.id }));
    done();
  }

  app.get('/admin', { config: open }, async function console(request, reply) {
    if (!admins.required) throw new KobzaError('NOT_FOUND', 'the operator console is off: set plugins.http.adminKeys', { requestId: request.id });
    return reply.headers(HTML_HEADERS).send(page('admin.html'));
  });

  app.get<{ Querystring: { q?: string; quarantined?: string; limit?: string } }>('/admin/api/entries', admin, async function entries(request) {
    const moderation = ctx.tryResolve('CacheModeration');
    if (!moderation) return { cache: false, alias: false, entries: [] };
    const limit = Math.min(Math.max(Number(request.query.limit) || 200, 1), 1000);
    const list = await moderation.list({ query: request.query.q?.slice(0, 200) || undefined, limit, quarantinedOnly: request.query.quarantined === '1' });
    return { cache: true, alias: typeof moderation.alias === 'function', entries: list };
  });

  app.post<{ Params: { key: string; action: string } }>('/admin/api/entries/:key/:action', admin, async function entryAction(request) {
    const { key, action } = request.params;
    const moderation = ctx.tryResolve('CacheModeration');
    if (!ENTRY_ACTIONS.has(action) || !moderation) throw new KobzaError('NOT_FOUND', `no admin action ${JSON.stringify(action.slice(0, 40))}`, { requestId: request.id });
    let done: boolean;
    if (action === 'alias') {
      if (!moderation.alias) throw new KobzaError('NOT_FOUND', 'this cache cannot alias questions', { requestId: request.id });
      done = await moderation.alias(key, parseBody(aliasSchema, request.body, request.id).question);
    } else done = await moderation[action as 'restore' | 'quarantine' | 'forget'](key);
    if (!done) throw new KobzaError('NOT_FOUND', `no cache entry ${JSON.stringify(key.slice(0, 80))}`, { requestId: request.id });
    return { key, action, done };
  });

  app.get<{ Querystring: { q?: string; limit?: string } }>('/admin/api/knowledge', admin, async function knowledge(request) {
    const service = ctx.tryResolve('KnowledgeSearch');
    if (!service) return { knowledge: false, results: [] };
    const question = request.query.q?.trim().slice(0, 500);
    const limit = Math.min(Math.max(Number(request.query.limit) || 10, 1), 50);
    return { knowledge: true, results: question ? service.search(question, limit) : [] };
  });

  app.get('/admin/api/feedback', admin, async function ratings() {
    const service = ctx.tryResolve('Feedback');
    return { feedback: service ? await service.latest(200) : [] };
  });

  app.get('/admin/api/stats', admin, async function stats() {
    const totals = { at: Date.now(), requests: 0, cacheHits: 0, cacheMisses: 0, errors: 0, ttftSumSeconds: 0, ttftCount: 0 };
    if (!metrics) return totals;
    for (const metric of await metrics.registry.getMetricsAsJSON()) {
      for (const value of metric.values as { value: number; metricName?: string }[]) {
        const name = value.metricName ?? metric.name;
        if (name === 'kobza_requests_total') totals.requests += value.value;
        else if (name === 'kobza_cache_hits_total') totals.cacheHits += value.value;
        else if (name === 'kobza_cache_misses_total') totals.cacheMisses += value.value;
        else if (name === 'kobza_request_errors_total') totals.errors += value.value;
        else if (name === 'kobza_ttft_seconds_sum') totals.ttftSumSeconds += value.value;
        else if (name === 'kobza_ttft_seconds_count') totals.ttftCount += value.value;
      }
    }
    return totals;
  });
}
