/**
 * Semantic cache benchmark, side by side in one run:
 *
 * 1. Quality — the real plugin (`kobza eval cache` machinery: a Kernel, the plugin on a
 *    memory store, one namespace per pair) beside the reference bot's old rule (keyword
 *    Jaccard: stop-words out, words of ≥ 4 letters, Jaccard ≥ 0.70, reimplemented here) on
 *    the dev pairs and the QQP 5k sample. Goals: dev wrong-hit rate ≤ 1 %, recall ≥ 0.65;
 *    QQP precision ≥ 0.95.
 * 2. Scale — a SemanticCache on a SQLite file (the default store) filled with QQP
 *    sentences from the full GPTCache tar.gz (extracted to a temp dir at run time) to 1k,
 *    10k and 100k entries: build time; decision p50/p99 (exact key, embedding, index
 *    search and `compareQuestions` verification, from memory: `match`) and whole lookups
 *    (plus the SQLite read of a hit's answer: `lookup`), half paraphrases of cached
 *    questions and half unseen ones. Then a fresh child process (this file compiled to
 *    plain JavaScript with esbuild, as `kobza serve` runs from dist/) loads the 100k cache
 *    from its saved index (load time), serves lookups and reports its RSS; and the ANN
 *    recall@1 against exact search on the same vectors. Goals at 100k: p99 ≤ 2 ms,
 *    recall@1 ≥ 0.99, RSS ≤ 300 MB.
 *
 * Run alone: `npx tsx bench/cache.ts`. Environment:
 * - `KOBZA_BENCH_CACHE_SIZES`   entry counts (default 1000,10000,100000)
 * - `KOBZA_BENCH_CACHE_LOOKUPS` lookups per size (default 2000)
 * - `KOBZA_BENCH_CACHE_CHILD_FLAGS` Node flags for the fresh serving process (default none)
 * - `KOBZA_BENCH_CACHE_KEEP`    keep the temp folder (the 100k cache) for inspection
 * - `KOBZA_DATASETS`            the datasets folder (default ../shared/datasets beside the repo)
 * Datasets are read by path only, never copied into the repo.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import usearch from 'usearch';
import { normalize } from '../core/text/index.js';
import { parseCachePairs, runCachePairs, summarize, type CacheEvalReport, type CachePair } from '../cli/commands/eval-cache.js';
import { createHashingEmbedder, DEFAULT_VECTOR_INDEX_OPTIONS, VectorIndex, type ExportedEntry } from '../plugins/semantic-cache/index.js';
import { requireDataset } from './datasets.js';
import { FACTS, openBenchCache, prepareSqlite, SCOPE, timeLookups, type Timings } from './cache-child.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = (process.env.KOBZA_BENCH_CACHE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const LOOKUPS = Number(process.env.KOBZA_BENCH_CACHE_LOOKUPS ?? 2000);
/** Extra Node flags for the fresh serving process (e.g. `--max-semi-space-size=32`). */
const CHILD_FLAGS = (process.env.KOBZA_BENCH_CACHE_CHILD_FLAGS ?? '').split(' ').filter(Boolean);

// ── the old rule ───────────────────────────────────────────────────────────────────────────

/** The reference bot's stop-words (uk/ru/en function words of four letters or more). */
const OLD_STOP_WORDS = new Set([
  'можна', 'можно', 'треба', 'потрібно', 'потрібні', 'потрібна', 'нужно', 'надо', 'скільки', 'сколько', 'коли', 'когда',
  'який', 'яка', 'яке', 'які', 'якого', 'якої', 'яких', 'какой', 'какая', 'какие', 'цього', 'этого', 'мені', 'тому',
  'буде', 'будет', 'бути', 'быть', 'якщо', 'если', 'після', 'после', 'через', 'щоб', 'чтобы', 'будь', 'ласка',
  'підкажіть', 'скажіть', 'подскажите', 'скажите', 'пожалуйста', 'what', 'when', 'where', 'which', 'with', 'from',
  'have', 'does', 'that', 'this', 'there', 'about', 'would', 'could', 'should', 'your', 'will', 'into', 'then', 'than',
  'they', 'them', 'were', 'been', 'being', 'some', 'much', 'many', 'please', 'also',
]);

function keywords(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^\p{L}\p{N}'’ʼ]+/u).filter((w) => w.length >= 4 && !OLD_STOP_WORDS.has(w)));
}

/** Old rule: the same question when the keyword sets overlap with Jaccard ≥ 0.70. */
export function keywordJaccardSame(a: string, b: string): boolean {
  const ka = keywords(a);
  const kb = keywords(b);
  if (ka.size === 0 && kb.size === 0) return a.trim().toLowerCase() === b.trim().toLowerCase();
  let shared = 0;
  for (const w of ka) if (kb.has(w)) shared++;
  return shared / (ka.size + kb.size - shared) >= 0.7;
}

function jaccardReport(pairs: CachePair[]): CacheEvalReport {
  return summarize(
    pairs.map((pair) => ({ pair, hit: keywordJaccardSame(pair.cached, pair.query), exact: false })),
    0.7,
    'keyword-jaccard',
  );
}

// ── helpers ────────────────────────────────────────────────────────────────────────────────

function fmt(x: number, digits = 3): string {
  return x.toFixed(digits);
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

// ── the scale run ──────────────────────────────────────────────────────────────────────────

interface Corpus {
  /** Sentences to cache, in order (a prefix of N is the N-entry cache). */
  entries: string[];
  /** For each cached sentence index, a QQP duplicate of it (when there is one). */
  paraphraseOf: Map<number, string>;
  /** Sentences never cached. */
  unseen: string[];
}

function loadCorpus(tmp: string, max: number): Corpus {
  const archive = requireDataset('gptcache_similiar_qqp_full.tar.gz');
  execFileSync('tar', ['xzf', archive, '-C', tmp]);
  const rows = JSON.parse(readFileSync(path.join(tmp, 'examples/benchmark/similiar_qqp_full.json'), 'utf8')) as { text_a: string; text_b: string; label: number | string }[];
  const seen = new Set<string>();
  const entries: string[] = [];
  const paraphraseOf = new Map<number, string>();
  const reserved: string[] = [];
  for (const row of rows) {
    const a = String(row.text_a).trim();
    const b = String(row.text_b).trim();
    if (!a || !b) continue;
    const keyA = normalize(a);
    if (entries.length < max && !seen.has(keyA)) {
      seen.add(keyA);
      entries.push(a);
      // The duplicate of a cached question is kept out of the cache: it is a query.
      if (Number(row.label) === 1 && normalize(b) !== keyA) paraphraseOf.set(entries.length - 1, b);
    }
    const keyB = normalize(b);
    if (Number(row.label) !== 1 && entries.length < max && !seen.has(keyB)) {
      seen.add(keyB);
      entries.push(b);
    } else if (!seen.has(keyB)) reserved.push(b);
  }
  const cachedParaphrases = new Set([...paraphraseOf.values()].map(normalize));
  const unseen = reserved.filter((s) => !seen.has(normalize(s)) && !cachedParaphrases.has(normalize(s)));
  return { entries, paraphraseOf, unseen };
}

/** Half paraphrases of cached questions (spread over the prefix), half unseen; `set` 0 and 1 never share a query. */
function queriesFor(corpus: Corpus, size: number, count: number, set: 0 | 1 = 0): string[] {
  const paraphrases = [...corpus.paraphraseOf.entries()].filter(([i]) => i < size).map(([, q]) => q);
  const half = Math.floor(count / 2);
  const picked: string[] = [];
  const step = paraphrases.length / (2 * half);
  for (let i = 0; i < half && paraphrases.length; i++) picked.push(paraphrases[Math.floor((2 * i + set) * step)]);
  for (let i = 0; i < count - half; i++) picked.push(corpus.unseen[(2 * i + set) % corpus.unseen.length]);
  return picked;
}

function querySets(corpus: Corpus, size: number) {
  return { decision: queriesFor(corpus, size, LOOKUPS, 0), lookup: queriesFor(corpus, size, LOOKUPS, 1), warmUp: corpus.unseen.slice(-1000) };
}

async function scaleRun(): Promise<string[]> {
  const lines: string[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kobza-bench-cache-'));
  try {
    const max = Math.max(...SIZES);
    let started = performance.now();
    const corpus = loadCorpus(path.join(tmp), max);
    lines.push(`corpus: ${corpus.entries.length} unique QQP sentences to cache, ${corpus.paraphraseOf.size} with a duplicate held out as a query, ${corpus.unseen.length} unseen (${fmt((performance.now() - started) / 1000, 1)} s to extract and parse)`);
    const cacheDir = path.join(tmp, 'cache');
    execFileSync('mkdir', ['-p', cacheDir]);
    await prepareSqlite(path.join(cacheDir, 'cache.sqlite'));
    const cache = await openBenchCache(cacheDir);
    lines.push('');
    lines.push('| entries | build (s, cumulative; SQLite WAL) | decision p50 / p99 (ms) | lookup with SQLite read p50 / p99 (ms) | hits / lookups | index |');
    lines.push('| ---: | ---: | ---: | ---: | ---: | --- |');
    let built = 0;
    let buildMs = 0;
    for (const size of SIZES) {
      started = performance.now();
      const slice = corpus.entries.slice(built, size).map(
        (question): ExportedEntry => ({ question, answer: `Answer to: ${question}`, namespace: SCOPE.namespace, contextKey: '', model: 'bench', createdAt: Date.now(), expiresAt: 0, facts: FACTS }),
      );
      await cache.import(slice);
      buildMs += performance.now() - started;
      built = size;
      const timing = await timeLookups(cache, querySets(corpus, size));
      const stats = await cache.stats();
      lines.push(`| ${size} | ${fmt(buildMs / 1000, 1)} | ${fmt(timing.decision.p50)} / ${fmt(timing.decision.p99)} | ${fmt(timing.lookup.p50)} / ${fmt(timing.lookup.p99)} | ${timing.lookup.hits} / ${timing.lookup.lookups} | ${stats.namespaces[0]?.index} |`);
      process.stdout.write(`  … ${size} entries done\n`);
    }
    started = performance.now();
    await cache.close();
    const saveMs = performance.now() - started;

    // A fresh process loads the largest cache from its saved index.
    const queriesFile = path.join(tmp, 'queries.json');
    writeFileSync(queriesFile, JSON.stringify(querySets(corpus, max)));
    // The serving process runs compiled JavaScript, as `kobza serve` does from dist/ (under
    // tsx a Node process starts at ~105 MB instead of ~45 MB).
    const compiled = path.join(REPO, 'node_modules', '.cache', 'kobza-bench', 'cache-child.mjs');
    await build({ entryPoints: [path.join(REPO, 'bench', 'cache-child.ts')], outfile: compiled, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'error' });
    const report = await new Promise<{ loadMs: number; entries: number; timing: Timings; rss: number; rssBefore: number; rssLoaded: number; heapUsed: number; gcPauses: number; gcMaxMs: number; gcTotalMs: number }>((resolve, reject) => {
      const worker = fork(compiled, ['--child', cacheDir, queriesFile], { execArgv: ['--expose-gc', ...CHILD_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      worker.once('message', (m) => resolve(m as never));
      worker.once('exit', (code) => (code ? reject(new Error(`bench child exited with ${code}`)) : undefined));
    });
    lines.push('');
    lines.push(`fresh process${CHILD_FLAGS.length ? ` (node ${CHILD_FLAGS.join(' ')})` : ''}, ${report.entries} entries: load from the saved index ${fmt(report.loadMs / 1000, 2)} s (save took ${fmt(saveMs / 1000, 2)} s); after 1000 warm-up lookups on other questions: decision p50 ${fmt(report.timing.decision.p50)} ms, p99 ${fmt(report.timing.decision.p99)} ms; lookup with SQLite read p50 ${fmt(report.timing.lookup.p50)} ms, p99 ${fmt(report.timing.lookup.p99)} ms (${report.timing.lookup.hits} / ${report.timing.lookup.lookups} hits); RSS ${mb(report.rss)} (heap ${mb(report.heapUsed)}; ${mb(report.rssBefore)} before opening the cache, ${mb(report.rssLoaded)} once loaded); GC during the timed lookups: ${report.gcPauses} pauses, ${fmt(report.gcTotalMs, 1)} ms in all, longest ${fmt(report.gcMaxMs, 1)} ms`);
    lines.push(`load average during the run: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} (2 cores shared with other work: p99 includes scheduling and GC pauses)`);

    // ANN recall@1 against exact search on the same vectors.
    const embedder = createHashingEmbedder({});
    started = performance.now();
    const vectors = corpus.entries.slice(0, max).map((q) => embedder.embedOne(q));
    const embedMs = performance.now() - started;
    const dims = embedder.dimensions;
    started = performance.now();
    const ann = new VectorIndex({ ...DEFAULT_VECTOR_INDEX_OPTIONS, dimensions: dims });
    ann.addMany(vectors.map((_, i) => i + 1), vectors);
    const annBuildMs = performance.now() - started;
    const queries = queriesFor(corpus, max, 1000).map((q) => embedder.embedOne(q));
    const flat = new Float32Array(vectors.length * dims);
    vectors.forEach((v, i) => flat.set(v, i * dims));
    const exact = usearch.exactSearch(flat, queries, dims, 1, usearch.MetricKind.Cos) as InstanceType<typeof usearch.BatchMatches>;
    let agree = 0;
    let tiesOnly = 0;
    queries.forEach((q, i) => {
      const found = ann.search(q, 1)[0];
      const truth = Number(exact.get(i).keys[0]) + 1;
      if (found?.label === truth) agree++;
      // A different entry with the same similarity (duplicate vectors) is as good a neighbour.
      else if (found && Math.abs(found.similarity - (1 - exact.get(i).distances[0])) < 1e-3) tiesOnly++;
    });
    lines.push(
      `ANN (usearch HNSW, ${DEFAULT_VECTOR_INDEX_OPTIONS.quantization}, M=${DEFAULT_VECTOR_INDEX_OPTIONS.connectivity}, ef=${DEFAULT_VECTOR_INDEX_OPTIONS.expansionSearch}) recall@1 vs exact search at ${vectors.length} entries, ${queries.length} queries: ${fmt((agree + tiesOnly) / queries.length)} (top-1 is a true nearest neighbour: the exact top-1 or an entry with the same similarity — QQP holds many questions whose vectors coincide); ${fmt(agree / queries.length)} counting only the very entry exact search returned first. Embedding ${vectors.length} questions ${fmt(embedMs / 1000, 1)} s, index build alone ${fmt(annBuildMs / 1000, 1)} s`,
    );
  } finally {
    if (process.env.KOBZA_BENCH_CACHE_KEEP) process.stdout.write(`kept ${tmp} (KOBZA_BENCH_CACHE_KEEP)\n`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  return lines;
}

// ── quality ────────────────────────────────────────────────────────────────────────────────

function qualityRow(name: string, file: string, ours: CacheEvalReport, old: CacheEvalReport): string {
  const cell = (r: CacheEvalReport) => `${fmt(r.wrongHitRate)} / ${fmt(r.recall)} / ${fmt(r.precision)}`;
  return `| ${name} (${file}, ${ours.pairs} pairs) | ${cell(ours)} | ${cell(old)} |`;
}

async function qualityRun(): Promise<string[]> {
  const lines = ['| pairs | semantic cache: wrong-hit rate / recall / precision | old keyword Jaccard ≥ 0.70 |', '| --- | --- | --- |'];
  const sets: [string, string, 'jsonl' | 'qqp'][] = [
    ['dev', 'cache-pairs.dev.jsonl', 'jsonl'],
    ['QQP 5k', 'qqp_labeled_sample_5k.json', 'qqp'],
  ];
  const kinds: string[] = [];
  for (const [name, file, format] of sets) {
    const pairs = parseCachePairs(readFileSync(requireDataset(file), 'utf8'), file, format);
    const started = performance.now();
    const run = await runCachePairs(pairs);
    const ours = summarize(run.outcomes, run.threshold, run.embedder);
    const old = jaccardReport(pairs);
    lines.push(qualityRow(name, file, ours, old));
    kinds.push(`${name}: ${pairs.length} pairs through the plugin in ${fmt((performance.now() - started) / 1000, 1)} s (embedder ${run.embedder}, threshold ${run.threshold})`);
    if (format === 'jsonl') {
      kinds.push('  by kind (same → recall, different → wrong-hit rate): semantic cache | old Jaccard');
      for (const [kind, k] of Object.entries(ours.byKind).sort((a, b) => Number(b[1].same) - Number(a[1].same) || a[0].localeCompare(b[0]))) {
        kinds.push(`    ${kind.padEnd(26)} ${fmt(k.hitRate, 2)} | ${fmt(old.byKind[kind]?.hitRate ?? 0, 2)}  (${k.pairs} pairs)`);
      }
    }
  }
  return [...lines, '', ...kinds];
}

/** Runs both parts and prints the tables (markdown) for docs/benchmarks.md. */
export async function run(): Promise<void> {
  process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n\n`);
  for (const line of await qualityRun()) process.stdout.write(`${line}\n`);
  process.stdout.write('\n');
  for (const line of await scaleRun()) process.stdout.write(`${line}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
