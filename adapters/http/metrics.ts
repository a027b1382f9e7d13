/**
 * Prometheus metrics for one HTTP adapter instance, in its own prom-client Registry (two
 * Kobzas in one process — tests, benches — never share counters). Kernel-level numbers come
 * from the kernel's event bus, so they count every front door's requests; HTTP-level numbers
 * come from Fastify's `onResponse` hook.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { EventBus } from '../../core/index.js';

const TTFT_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Counts kept in plain maps on the request path and added to a prom-client Counter when it
 * is read (a scrape): a Counter's own inc() hashes its labels and validates them on every
 * call, several of which happen per request.
 */
class PendingCounts<L extends string> {
  readonly #pending = new Map<string, { labels: Record<L, string>; count: number }>();

  add(key: string, labels: () => Record<L, string>): void {
    const entry = this.#pending.get(key);
    if (entry) entry.count++;
    else this.#pending.set(key, { labels: labels(), count: 1 });
  }

  flushInto(counter: Counter<L>): void {
    for (const entry of this.#pending.values()) {
      if (entry.count === 0) continue;
      counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

interface HistogramValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/**
 * A histogram with one label, observed on the request path with a few array writes and
 * exported through the prom-client registry in the text prom-client writes for its own
 * histograms (cumulative `_bucket` series with `le`, then `_sum` and `_count`).
 * prom-client's Histogram.observe() validates and hashes the label object on every call;
 * two happen per request.
 */
export class OneLabelHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #label: L;
  readonly #bounds: readonly number[];
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();

  constructor(options: { name: string; help: string; labelName: L; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.#label = options.labelName;
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
    options.registry.registerMetric(this as unknown as Metric<L>);
  }

  /** Counts one observation of `value` for the label value `labelValue`. */
  observe(labelValue: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let series = this.#series.get(labelValue);
    if (series === undefined) {
      series = { counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.#series.set(labelValue, series);
    }
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    series.counts[i]++;
    series.sum += value;
    series.count++;
  }

  /** What the registry reads (prom-client's text format is written from it). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: HistogramValue[] }> {
    const values: HistogramValue[] = [];
    for (const [labelValue, series] of this.#series) {
      let cumulative = 0;
      this.#bounds.forEach((bound, i) => {
        cumulative += series.counts[i];
        values.push({ metricName: `${this.name}_bucket`, labels: { le: bound, [this.#label]: labelValue }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', [this.#label]: labelValue }, value: series.count });
      values.push({ metricName: `${this.name}_sum`, labels: { [this.#label]: labelValue }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { [this.#label]: labelValue }, value: series.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#series.clear();
  }
}

/** A prom-client Counter fed from `pending` when the registry is read (a scrape). */
function pendingCounter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[], pending: PendingCounts<L>): Counter<L> {
  return new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      pending.flushInto(this);
    },
  });
}

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
  /** Chat requests started and not yet ended or failed. */
  #inFlight = 0;
  readonly #pending = {
    http: new PendingCounts<'method' | 'route' | 'status'>(),
    requests: new PendingCounts<'adapter'>(),
    errors: new PendingCounts<'code'>(),
    cacheHits: new PendingCounts<'kind'>(),
    cacheMisses: new PendingCounts<'reason'>(),
    ranking: new PendingCounts<'outcome'>(),
    storeErrors: new PendingCounts<'owner' | 'kind'>(),
  };

  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly requests: Counter<'adapter'>;
  readonly errors: Counter<'code'>;
  readonly cacheHits: Counter<'kind'>;
  readonly cacheMisses: Counter<'reason'>;
  readonly rankingCandidates: Counter<'outcome'>;
  readonly storeErrors: Counter<'owner' | 'kind'>;
  readonly ttft: OneLabelHistogram<'source'>;
  readonly duration: OneLabelHistogram<'source'>;
  readonly inFlight: Gauge;

  constructor(events: EventBus, options: { process: boolean }) {
    const pending = this.#pending;
    this.httpRequests = pendingCounter(this.registry, 'kobza_http_requests_total', 'HTTP requests answered, by method, route and status', ['method', 'route', 'status'] as const, pending.http);
    this.requests = pendingCounter(this.registry, 'kobza_requests_total', 'Chat requests that entered the kernel, by front door', ['adapter'] as const, pending.requests);
    this.errors = pendingCounter(this.registry, 'kobza_request_errors_total', 'Chat requests that failed, by Kobza error code', ['code'] as const, pending.errors);
    this.cacheHits = pendingCounter(this.registry, 'kobza_cache_hits_total', 'Semantic cache hits, exact or by similarity', ['kind'] as const, pending.cacheHits);
    this.cacheMisses = pendingCounter(this.registry, 'kobza_cache_misses_total', 'Semantic cache misses, by reason', ['reason'] as const, pending.cacheMisses);
    this.rankingCandidates = pendingCounter(this.registry, 'kobza_ranking_candidates_total', 'Candidate answers scored by parallel ranking, by outcome', ['outcome'] as const, pending.ranking);
    this.storeErrors = pendingCounter(
      this.registry,
      'kobza_store_errors_total',
      'Store calls of the cache and memory that failed or timed out (answers went on without the store), by owner and kind',
      ['owner', 'kind'] as const,
      pending.storeErrors,
    );
    this.ttft = new OneLabelHistogram({
      name: 'kobza_ttft_seconds',
      help: 'Time to the first chunk of an answer, by source',
      labelName: 'source',
      buckets: TTFT_BUCKETS,
      registry: this.registry,
    });
    this.duration = new OneLabelHistogram({
      name: 'kobza_request_duration_seconds',
      help: 'Time from accepting a chat request to the end of its answer, by source',
      labelName: 'source',
      buckets: DURATION_BUCKETS,
      registry: this.registry,
    });
    const metrics = this;
    this.inFlight = new Gauge({
      name: 'kobza_requests_in_flight',
      help: 'Chat requests being answered now',
      registers: [this.registry],
      // Read when scraped rather than set twice per request.
      collect() {
        this.set(metrics.#inFlight);
      },
    });
    if (options.process) collectDefaultMetrics({ register: this.registry, prefix: 'kobza_' });
    this.#unsubscribe.push(
      events.on('request:start', (e) => {
        const adapter = e.adapter ?? 'unknown';
        pending.requests.add(adapter, () => ({ adapter }));
        this.#inFlight++;
      }),
      events.on('request:end', (e) => {
        this.duration.observe(e.meta.source, e.durationMs / 1000);
        this.#inFlight--;
      }),
      events.on('request:error', (e) => {
        const code = e.error.code;
        pending.errors.add(code, () => ({ code }));
        this.#inFlight--;
      }),
      events.on('reply:first-chunk', (e) => this.ttft.observe(e.source, e.ttftMs / 1000)),
      events.on('cache:hit', (e) => {
        const kind = e.exact ? 'exact' : 'semantic';
        pending.cacheHits.add(kind, () => ({ kind }));
      }),
      events.on('cache:miss', (e) => {
        const reason = e.reason;
        pending.cacheMisses.add(reason, () => ({ reason }));
      }),
      events.on('store:error', (e) => {
        const owner = e.owner;
        const kind = e.timedOut ? 'timeout' : 'error';
        pending.storeErrors.add(`${owner} ${kind}`, () => ({ owner, kind }));
      }),
      events.on('ranking:candidate', (e) => {
        const outcome = e.error ? 'failed' : e.vetoedBy ? 'vetoed' : 'scored';
        pending.ranking.add(outcome, () => ({ outcome }));
      }),
    );
  }

  /** Counts one answered HTTP request. */
  observeHttp(method: string, route: string, status: number): void {
    this.#pending.http.add(`${method} ${route} ${status}`, () => ({ method, route, status: String(status) }));
  }

  /** Stops listening to the event bus. */
  close(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#inFlight = 0;
  }
}
