/**
 * The Fastify server behind the HTTP adapter: hooks in the order a request meets them —
 * request id → CORS → rate limit (per API key, else per IP) → API key → body (size limit,
 * JSON) → route — and one error handler that answers in the shape of the API called.
 * Fastify's own logger stays off; the adapter logs through the kernel's (redacting) logger
 * and never logs bodies or keys.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import cors from '@fastify/cors';
import { KobzaError, type PluginContext } from '../../core/index.js';
import { ApiKeySet, bearerToken } from './api-keys.js';
import { frontDoor } from './front-door.js';
import { jsonTooDeep, MAX_BODY_DEPTH } from './request-fields.js';
import type { HttpConfig } from './config.js';
import { apiFamilyOf, errorBody, internalHosts, publicMessage, statusOf, toKobzaError } from './error-shapes.js';
import type { HttpMetrics } from './metrics.js';
import { registerModelRoutes } from './models.js';
import { registerOllamaRoutes } from './ollama.js';
import { registerResponsesRoutes } from './responses.js';
import { registerOpenAiRoutes } from './openai.js';
import { internalAddresses, probeUpstream } from './upstream.js';
import { registerWebRoutes } from './web.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key (`/healthz`, `/`, and `/metrics` when configured). */
    kobzaPublic?: boolean;
  }
}

/** What the route modules need. */
export interface RouteDeps {
  ctx: PluginContext;
  config: HttpConfig;
  metrics?: HttpMetrics;
  /** The tenant the caller's API key names (`apiKeys: [{ key, tenant }]`), if any. */
  tenantOf?: (request: FastifyRequest) => string | undefined;
}

const CHAT_ROUTES = new Set(['/v1/chat/completions', '/v1/responses', '/api/chat', '/api/generate']);
const EXPOSED_HEADERS = ['x-request-id', 'x-kobza-source', 'x-kobza-sources', 'x-kobza-ranking', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

/**
 * Builds (does not start) the server. Routes are registered inside a plugin so the rate
 * limiter, registered first, sees them.
 * @example
 * const app = buildHttpServer({ ctx, config });
 * const res = await app.inject({ method: 'GET', url: '/healthz' });
 */
export function buildHttpServer(init: RouteDeps): FastifyInstance {
  const { ctx, config, metrics } = init;
  const keys = new ApiKeySet(config.apiKeys);
  const keyIndex = new WeakMap<FastifyRequest, number>();
  const callerKey = (request: FastifyRequest): number => {
    // Without keys there is nothing to remember (a WeakMap entry per request is not free).
    if (!keys.required) return -1;
    let index = keyIndex.get(request);
    if (index === undefined) {
      index = keys.match(bearerToken(request.headers.authorization));
      keyIndex.set(request, index);
    }
    return index;
  };
  const deps: RouteDeps = keys.hasTenants ? { ...init, tenantOf: (request) => keys.tenantOf(callerKey(request)) } : init;
  const door = frontDoor(config);

  const app = Fastify({
    logger: false,
    bodyLimit: config.bodyLimit,
    // Fastify accepts a hop count at run time; its types only list the other forms.
    trustProxy: config.trustProxy as boolean | string,
    // Kobza's ids key in-flight bookkeeping, so they are never taken from the client.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
  });

  // Clients such as `curl -d` or `fetch(url, { body: string })` send JSON labelled as form
  // data or plain text; Ollama parses any body as JSON, and so does Kobza.
  // Every body's nesting is bounded before it is parsed: walks after the parse are recursive.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parseBoundedJson: typeof parseJson = (request, body, done) => {
    if (typeof body === 'string' && jsonTooDeep(body, MAX_BODY_DEPTH)) {
      done(new KobzaError('BAD_REQUEST', `body: expected JSON nested at most ${MAX_BODY_DEPTH} levels deep`, { requestId: request.id, details: { param: 'body' } }), undefined);
      return;
    }
    parseJson(request, body, done);
  };
  app.removeContentTypeParser(['text/plain', 'application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseBoundedJson);
  app.addContentTypeParser('*', { parseAs: 'string' }, parseBoundedJson);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // Origin / Host (front-door.ts): string compares, nothing allocated on the way through.
    const headers = request.headers;
    done(door.check(headers.origin, headers.host, request.id));
  });

  if (config.cors) {
    void app.register(cors, {
      origin: config.cors.origin,
      credentials: config.cors.credentials,
      maxAge: config.cors.maxAge,
      methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
      exposedHeaders: EXPOSED_HEADERS,
    });
  }

  let lastIp: string | undefined;
  let lastIpKey = '';
  if (config.rateLimit) {
    void app.register(rateLimit, {
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.timeWindow,
      // A valid key is its own bucket; anything else (no key, a wrong key) counts per IP,
      // so guessing keys is rate-limited too.
      keyGenerator: (request) => {
        const index = callerKey(request);
        if (index >= 0) return `key#${index}`;
        // The same few clients ask again and again: their bucket name is built once.
        const ip = request.ip;
        if (ip !== lastIp) {
          lastIp = ip;
          lastIpKey = `ip:${ip}`;
        }
        return lastIpKey;
      },
      errorResponseBuilder: (request, context) =>
        new KobzaError('RATE_LIMITED', `rate limit of ${context.max} requests exceeded; retry in ${context.after}`, { requestId: request.id, details: { retryAfterMs: context.ttl } }),
    });
  }

  if (keys.required) {
    // After the rate limiter (a route-level onRequest hook), before the body is read.
    app.addHook('preParsing', (request, _reply, payload, done) => {
      if (request.method === 'OPTIONS' || request.routeOptions.config?.kobzaPublic || request.routeOptions.config?.kobzaAdmin || callerKey(request) >= 0) return done(null, payload);
      done(new KobzaError('UNAUTHORIZED', 'missing or invalid API key: send Authorization: Bearer <key>', { requestId: request.id }));
    });
  }

  app.addHook('onResponse', (request, reply, done) => {
    // Fastify builds a fresh routeOptions object on each read: read only for a consumer.
    const debug = ctx.logger.isLevelEnabled('debug');
    if (metrics || debug) {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics?.observeHttp(request.method, route, reply.statusCode);
      if (debug) ctx.logger.debug({ reqId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'http request');
    }
    done();
  });

  // Known once the plugins are registered (the provider); read at the first error.
  let hidden: ReadonlySet<string> | undefined;
  const hiddenHosts = (): ReadonlySet<string> => (hidden ??= internalHosts(internalAddresses(ctx)));

  app.setErrorHandler(function answerError(err, request, reply) {
    const error = toKobzaError(err, request.id);
    const status = statusOf(error);
    const route = request.routeOptions.url;
    if (error.code === 'INTERNAL') ctx.logger.error({ err: error.cause ?? error, reqId: request.id, route }, 'HTTP request failed');
    // Chat failures were already logged by the kernel; the rest (models, embeddings) here.
    else if (status >= 500 && !(route && CHAT_ROUTES.has(route))) ctx.logger.warn({ code: error.code, reqId: request.id, route }, error.message);
    if (error.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer');
    if (error.code === 'OVERLOADED') reply.header('retry-after', String(Math.max(1, Math.ceil(Number(error.details.retryAfterMs ?? 1000) / 1000))));
    if (reply.raw.headersSent) return;
    return reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send(errorBody(error, apiFamilyOf(request.url), hiddenHosts()));
  });

  app.setNotFoundHandler(function notFound(request) {
    const path = request.url.split('?')[0].slice(0, 200);
    throw new KobzaError('NOT_FOUND', `no route ${request.method} ${path}`, { requestId: request.id });
  });

  void app.register(async function kobzaRoutes(scope) {
    registerHealthRoutes(scope, deps, hiddenHosts);
    registerOpenAiRoutes(scope, deps);
    registerOllamaRoutes(scope, deps);
    registerWebRoutes(scope, deps);
    registerModelRoutes(scope, deps);
    registerResponsesRoutes(scope, deps);
  });

  return app;
}

interface StoreReport {
  status: 'ok' | 'degraded';
  errors: number;
  since?: string;
}

function registerHealthRoutes(app: FastifyInstance, deps: RouteDeps, hiddenHosts: () => ReadonlySet<string>): void {
  const { ctx, config, metrics } = deps;
  const open = { kobzaPublic: true, rateLimit: false as const };

  app.get('/healthz', { config: open }, async function healthz() {
    return { status: 'ok' };
  });

  /**
   * The stores behind the cache and memory (`Health` providers): `degraded` while one fails
   * or times out — answers go on without it, so readiness still follows the upstream.
   */
  const storeHealth = (): { cache?: StoreReport; stores?: Record<string, StoreReport> } => {
    const checks = ctx.resolveAll('Health');
    if (checks.length === 0) return {};
    const stores: Record<string, StoreReport> = {};
    for (const check of checks) {
      const health = check.health();
      stores[check.name] = { status: health.status, errors: health.errors, ...(health.since ? { since: new Date(health.since).toISOString() } : {}) };
    }
    return stores['semantic-cache'] ? { cache: stores['semantic-cache'], stores } : { stores };
  };

  app.get('/readyz', async function readyz(request, reply) {
    const probe = await probeUpstream(ctx, config.readyTimeoutMs);
    if (probe.ok) return { status: 'ready', upstream: publicMessage(probe.detail, hiddenHosts()), ...storeHealth() };
    const reason = publicMessage(probe.detail, hiddenHosts());
    return reply.code(503).send({ status: 'unavailable', reason, error: reason, code: 'UPSTREAM_UNAVAILABLE', ...storeHealth() });
  });

  if (metrics) {
    app.get('/metrics', { config: { kobzaPublic: !config.metrics.requireAuth, rateLimit: false } }, async function prometheus(_request, reply) {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  }
}
