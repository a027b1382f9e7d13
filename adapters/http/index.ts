/**
 * The HTTP front door (`plugins.http`): an OpenAI-compatible and an Ollama-compatible API
 * on one Fastify server, plus `/healthz`, `/readyz` and Prometheus `/metrics`. Any OpenAI or
 * Ollama client pointed at Kobza works unchanged and gets the semantic cache, ranking and
 * streaming of the configured pipeline. Binds 127.0.0.1:8787 by default.
 *
 * The adapter knows the kernel only through its plugin context: requests go in with
 * `ctx.createRequest` + `ctx.handle`, the provider is looked up per request for model
 * lists, embeddings and readiness, and metrics listen to `ctx.events`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { definePlugin, type Adapter, type PluginContext } from '../../core/index.js';
import { httpConfigSchema, type HttpConfig } from './config.js';
import { HttpMetrics } from './metrics.js';
import { buildHttpServer } from './server.js';

export { httpConfigSchema, type HttpConfig } from './config.js';
export { HttpMetrics } from './metrics.js';
export { OLLAMA_API_VERSION } from './ollama.js';

const HTTP_ADAPTER = Symbol.for('kobza.adapter.http');
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** How long stopping waits for a finished answer's last bytes before cutting connections. */
const CLOSE_GRACE_MS = 1000;
/** Set on a socket while it carries a request whose answer is not finished. */
const BUSY = Symbol('kobza.busy');
type TrackedSocket = Socket & { [BUSY]?: boolean };

/** The HTTP adapter, with what tests and embedders need to reach it. */
export interface HttpAdapter extends Adapter {
  readonly [HTTP_ADAPTER]: true;
  /** The Fastify instance (usable with `inject()` before `start()`). */
  readonly app: FastifyInstance;
  /** The bound address once started; with `port: 0`, the port the OS picked. */
  readonly address: AddressInfo | undefined;
  /** `http://host:port` once started. */
  readonly url: string | undefined;
  /** Undefined when `metrics.enabled` is false. */
  readonly metrics: HttpMetrics | undefined;
}

/** True for the adapter this module creates. */
export function isHttpAdapter(adapter: unknown): adapter is HttpAdapter {
  return typeof adapter === 'object' && adapter !== null && (adapter as Partial<HttpAdapter>)[HTTP_ADAPTER] === true;
}

/**
 * The HTTP adapter among a kernel's adapters (e.g. to learn the port picked for `port: 0`).
 * @example
 * await kernel.start();
 * const baseURL = `${findHttpAdapter(kernel)!.url}/v1`;
 */
export function findHttpAdapter(kernel: { resolveAll(slot: 'Adapter'): Adapter[] }): HttpAdapter | undefined {
  return kernel.resolveAll('Adapter').find(isHttpAdapter);
}

/**
 * Creates the adapter. Stopping stops accepting at once and lets in-flight answers finish
 * under the kernel's shutdown timeout; the server is closed by the plugin's close hook.
 * @example
 * ctx.provide('Adapter', createHttpAdapter(ctx, httpConfigSchema.parse({ port: 0 })));
 */
export function createHttpAdapter(ctx: PluginContext, config: HttpConfig): HttpAdapter {
  const metrics = config.metrics.enabled ? new HttpMetrics(ctx.events, { process: config.metrics.process }) : undefined;
  const app = buildHttpServer({ ctx, config, metrics });
  let address: AddressInfo | undefined;
  let closing: Promise<void> | undefined;

  // Node's closeIdleConnections() misses connections that never carried a request (clients
  // open spare ones), so the adapter tracks which sockets are busy and closes the rest.
  // A flag on the socket and one shared `close` listener keep this free of per-request
  // allocations.
  const sockets = new Set<TrackedSocket>();
  app.server.on('connection', (socket: TrackedSocket) => {
    socket[BUSY] = false;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  function onAnswerClosed(this: ServerResponse): void {
    const socket = this.req.socket as TrackedSocket;
    socket[BUSY] = false;
    // While closing, a connection whose answer just ended is not kept alive.
    if (closing) socket.end();
  }
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    (request.socket as TrackedSocket)[BUSY] = true;
    response.on('close', onAnswerClosed);
  });

  const close = () => (closing ??= app.close().then(() => undefined));

  ctx.onClose(async function closeHttpServer() {
    const closed = close();
    for (const socket of sockets) if (!socket[BUSY]) socket.destroy();
    // In-flight answers were drained or aborted by now; cut whatever still lingers.
    const timer = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
      metrics?.close();
    }
  });

  return {
    [HTTP_ADAPTER]: true,
    name: 'http',
    app,
    metrics,
    get address() {
      return address;
    },
    get url() {
      if (!address) return undefined;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    async start() {
      await app.listen({ host: config.host, port: config.port });
      address = app.server.address() as AddressInfo;
      ctx.logger.info({ url: this.url, auth: config.apiKeys.length > 0, rateLimit: config.rateLimit !== false }, 'HTTP API listening');
      if (!LOOPBACK.has(config.host) && config.apiKeys.length === 0) {
        ctx.logger.warn({ host: config.host }, 'the HTTP API is reachable from the network without API keys; set plugins.http.apiKeys');
      }
    },
    async stop() {
      // Not awaited: the server closes once in-flight answers end (see the close hook).
      void close();
    },
  };
}

export default definePlugin({
  name: 'http',
  configSchema: httpConfigSchema,
  register(ctx, config) {
    ctx.provide('Adapter', createHttpAdapter(ctx, config));
  },
});
