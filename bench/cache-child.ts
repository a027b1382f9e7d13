/**
 * The serving side of bench/cache.ts: opens a SemanticCache over a SQLite file with the
 * bench's settings and times decisions and lookups. Run as a child (`--child DIR QUERIES`),
 * compiled to plain JavaScript by bench/cache.ts, it loads a saved 100k cache in a fresh
 * process that holds only the core and the plugin, and reports load time and RSS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import sqlite3 from 'sqlite3';
import { openKeyvStore } from '../core/index.js';
import { CALIBRATED_THRESHOLDS, createHashingEmbedder, DEFAULT_VECTOR_INDEX_OPTIONS, namespaceOf, SemanticCache, type CacheScope } from '../plugins/semantic-cache/index.js';

export const FACTS = { model: 'bench', system: '', options: {} };
export const SCOPE: CacheScope = { namespace: namespaceOf(FACTS), contextKey: '', facts: FACTS };

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** SQLite in WAL mode (kept in the file): one write is ~0.2 ms instead of ~0.8 ms. */
export async function prepareSqlite(file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const db = new sqlite3.Database(file, (err) => {
      if (err) return reject(err);
      db.exec('PRAGMA journal_mode=WAL;', (e) => db.close(() => (e ? reject(e) : resolve())));
    });
  });
}

/** The cache as the bench runs it: SQLite file, built-in embedder, defaults of the plugin. */
export function openBenchCache(dir: string): Promise<SemanticCache> {
  return openKeyvStore(`sqlite://${path.join(dir, 'cache.sqlite')}`, 'semantic-cache').then((store) =>
    SemanticCache.open({
      store,
      embedder: createHashingEmbedder({}),
      threshold: CALIBRATED_THRESHOLDS.builtin,
      topK: 5,
      candidateMargin: 0.15,
      ttlMs: 0,
      maxEntries: 0,
      text: {},
      index: DEFAULT_VECTOR_INDEX_OPTIONS,
      indexFile: path.join(dir, 'cache.sqlite.semantic-cache'),
      syncIntervalMs: 0,
      saveDelayMs: 3_600_000,
    }),
  );
}

export interface LookupTiming {
  p50: number;
  p99: number;
  hits: number;
  lookups: number;
}

/** Decision (embed + index + verification, from memory) and whole lookups (plus the SQLite read of a hit), on two query sets of the same make-up. */
export interface Timings {
  decision: LookupTiming;
  lookup: LookupTiming;
}

async function timeOne(queries: string[], ask: (q: string) => Promise<{ hit: boolean }>): Promise<LookupTiming> {
  const times: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const started = performance.now();
    const result = await ask(q);
    times.push(performance.now() - started);
    if (result.hit) hits++;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), hits, lookups: queries.length };
}

export async function timeLookups(cache: SemanticCache, sets: { decision: string[]; lookup: string[]; warmUp: string[] }): Promise<Timings> {
  // Warm-up (JIT, the first usearch search, core/text's lexicon memo) on other questions.
  for (const q of sets.warmUp) await cache.lookup(q, SCOPE);
  const decision = await timeOne(sets.decision, (q) => cache.match(q, SCOPE));
  const lookup = await timeOne(sets.lookup, (q) => cache.lookup(q, SCOPE));
  return { decision, lookup };
}

// ── the child: load the saved 100k cache in a fresh process, serve lookups, report RSS ─────

export async function child(dir: string, queriesFile: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const cache = await openBenchCache(dir);
  const loadMs = performance.now() - started;
  gc?.();
  const rssLoaded = process.memoryUsage().rss;
  const sets = JSON.parse(readFileSync(queriesFile, 'utf8')) as { decision: string[]; lookup: string[]; warmUp: string[] };
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const timing = await timeLookups(cache, sets);
  observer.disconnect();
  gc?.();
  const memory = process.memoryUsage();
  process.send!({ loadMs, entries: cache.size, timing, rss: memory.rss, rssBefore, rssLoaded, heapUsed: memory.heapUsed, gcPauses: pauses.length, gcMaxMs: Math.max(0, ...pauses), gcTotalMs: pauses.reduce((a, b) => a + b, 0) });
  await cache.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const at = process.argv.indexOf('--child');
  if (at >= 0) await child(process.argv[at + 1], process.argv[at + 2]);
}
