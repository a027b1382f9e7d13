/**
 * Prometheus metrics for one HTTP adapter instance, in its own prom-client Registry (two
 * Kobzas in one process — tests, benches — never share counters). Kernel-level numbers come
 * from the kernel's event bus, so they count every front door's requests; HTTP-level numbers
 * come from Fastify's `onResponse` hook.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventBus } from '../../core/index.js';

const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The metrics and their subscriptions.
 * @example
 * const metrics = new HttpMetrics(ctx.events, { process: true });
 * const text = await metrics.registry.metrics();
 * metrics.close();
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #inFlight = new Set<string>();

  readonly httpRequests = new Counter({
    name: 'kobza_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'kobza_requests_total',
    help: 'Chat requests that entered the kernel, by front door',
    labelNames: ['adapter'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'kobza_request_errors_total',
    help: 'Chat requests that failed, by Kobza error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: 'kobza_cache_hits_total',
    help: 'Semantic cache hits, exact or by similarity',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'kobza_cache_misses_total',
    help: 'Semantic cache misses, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly rankingCandidates = new Counter({
    name: 'kobza_ranking_candidates_total',
    help: 'Candidate answers scored by parallel ranking, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: 'kobza_ttft_seconds',
    help: 'Time to the first chunk of an answer, by source',
    labelNames: ['source'] as const,
    buckets: TTFT_BUCKETS,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'kobza_request_duration_seconds',
    help: 'Time from accepting a chat request to the end of its answer, by source',
    labelNames: ['source'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'kobza_requests_in_flight',
    help: 'Chat requests being answered now',
    registers: [this.registry],
  });

  constructor(events: EventBus, options: { process: boolean }) {
    if (options.process) collectDefaultMetrics({ register: this.registry, prefix: 'kobza_' });
    const settle = (requestId: string) => {
      if (this.#inFlight.delete(requestId)) this.inFlight.set(this.#inFlight.size);
    };
    this.#unsubscribe.push(
      events.on('request:start', (e) => {
        this.requests.inc({ adapter: e.adapter ?? 'unknown' });
        this.#inFlight.add(e.requestId);
        this.inFlight.set(this.#inFlight.size);
      }),
      events.on('request:end', (e) => {
        this.duration.observe({ source: e.meta.source }, e.durationMs / 1000);
        settle(e.requestId);
      }),
      events.on('request:error', (e) => {
        this.errors.inc({ code: e.error.code });
        settle(e.requestId);
      }),
      events.on('reply:first-chunk', (e) => this.ttft.observe({ source: e.source }, e.ttftMs / 1000)),
      events.on('cache:hit', (e) => this.cacheHits.inc({ kind: e.exact ? 'exact' : 'semantic' })),
      events.on('cache:miss', (e) => this.cacheMisses.inc({ reason: e.reason })),
      events.on('ranking:candidate', (e) => this.rankingCandidates.inc({ outcome: e.error ? 'failed' : e.vetoedBy ? 'vetoed' : 'scored' })),
    );
  }

  /** Counts one answered HTTP request. */
  observeHttp(method: string, route: string, status: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
  }

  /** Stops listening to the event bus. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#inFlight.clear();
  }
}
