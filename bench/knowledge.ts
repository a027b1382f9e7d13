/**
 * Knowledge retrieval at scale: index time and RSS for 10k synthetic passages (~600
 * characters of uk/en university vocabulary each), then retrieval p50/p99 over 1,000
 * questions — the vector side as an exact scan and as a usearch graph, side by side —
 * with CPU time per question beside wall time, and a restart from the saved index file.
 * Goal (issue 12): p99 ≤ 5 ms on 2 cores.
 * Run alone: `npx tsx bench/knowledge.ts [--passages 10000] [--queries 1000]`.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path, { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AnalysisStore, contentHash } from '../plugins/knowledge/index-file.js';
import { documentAnalyzer, HybridIndex, type IndexedText } from '../plugins/knowledge/retrieval.js';

const WORDS = (
  'гуртожиток стипендія бібліотека басейн вступ контракт магістратура бакалаврат сесія іспит деканат факультет кафедра ' +
  'розклад заняття лекція практика диплом сертифікат заява документи оплата вартість знижка пільга поселення кімната ' +
  'спорткомплекс їдальня мережа пошта корпус аудиторія викладач студент аспірантура мобільність обмін партнер конкурс ' +
  'рейтинг зарахування бюджет канікули відпустка довідка паспорт фото dormitory scholarship library tuition visa ' +
  'admission exam semester campus faculty programme deadline application transcript certificate office invitation'
).split(' ');

/** A deterministic pseudo-random generator (mulberry32), so every run indexes the same text. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function passages(count: number): IndexedText[] {
  const next = random(12);
  const word = () => WORDS[Math.floor(next() * WORDS.length)];
  return Array.from({ length: count }, (_, i) => {
    const sentences: string[] = [];
    while (sentences.join(' ').length < 560) sentences.push(`${word()} ${word()} ${word()} ${Math.floor(next() * 1000)} ${word()} ${word()} ${word()} ${word()}.`);
    return { title: `Розділ ${i} › ${word()} ${word()}`, text: sentences.join(' ') };
  });
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Anything with the index's search (the bench compares implementations side by side). */
export interface Searchable {
  search(question: string, k: number, minScore?: number): unknown[];
}

/** Wall-clock and CPU time per question (CPU: this process's user+system time, so time lost to other processes on a shared machine is not in it). */
export function timeQueries(index: Searchable, questions: string[]): { p50: number; p99: number; cpuP50: number; cpuP99: number } {
  for (const q of questions.slice(0, 50)) index.search(q, 4, 0.4); // warm-up
  const times: number[] = [];
  const cpu: number[] = [];
  for (const q of questions) {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    index.search(q, 4, 0.4);
    times.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), cpuP50: percentile(cpu, 50), cpuP99: percentile(cpu, 99) };
}

/** Entry point for `npm run bench` and for running this file alone. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const count = Number(argv[argv.indexOf('--passages') + 1]) || 10_000;
  const queries = Number(argv[argv.indexOf('--queries') + 1]) || 1000;
  process.stdout.write(`Knowledge retrieval — node ${process.version}, ${new Date().toISOString().slice(0, 10)}, ${count} passages, ${queries} questions\n`);
  const docs = passages(count);
  const next = random(99);
  const word = () => WORDS[Math.floor(next() * WORDS.length)];
  const questions = Array.from({ length: queries }, () => `Скільки ${word()} ${word()} для ${word()}?`);

  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let started = performance.now();
  const ann = new HybridIndex(docs, { annAbove: 2000 });
  const indexMs = performance.now() - started;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;
  // A restart with the index file: every passage's analysis read back, none recomputed.
  const analyzer = documentAnalyzer();
  const store = new AnalysisStore(analyzer.key, 256);
  const hashes = docs.map(contentHash);
  started = performance.now();
  const exact = new HybridIndex(docs, { annAbove: Number.MAX_SAFE_INTEGER, analyzer, onAnalyzed: (doc, features) => store.set(hashes[doc], features) });
  const exactIndexMs = performance.now() - started;
  const folder = await mkdtemp(path.join(os.tmpdir(), 'kobza-bench-knowledge-'));
  const file = path.join(folder, 'index.knowledge');
  started = performance.now();
  await store.save(file);
  const saveMs = performance.now() - started;
  started = performance.now();
  const loaded = await AnalysisStore.load(file, analyzer.key, 256);
  new HybridIndex(docs, { annAbove: 2000, analyzer, analyzed: (doc) => loaded.get(hashes[doc]) });
  const reopenMs = performance.now() - started;
  const fileBytes = (await stat(file)).size;
  await rm(folder, { recursive: true, force: true });

  const annTimes = timeQueries(ann, questions);
  const exactTimes = timeQueries(exact, questions);
  let sameTop = 0;
  for (const q of questions) if (ann.search(q, 1)[0]?.doc === exact.search(q, 1)[0]?.doc) sameTop++;
  process.stdout.write(`index: ${(indexMs / 1000).toFixed(1)} s with the usearch graph, ${(exactIndexMs / 1000).toFixed(1)} s without (${((indexMs / count) * 1000).toFixed(0)} µs per passage); RSS +${Math.round((rssAfter - rssBefore) / 1048576)} MB (total ${Math.round(rssAfter / 1048576)} MB)\n`);
  process.stdout.write(`index file: ${Math.round(fileBytes / 1048576)} MB, written in ${(saveMs / 1000).toFixed(1)} s; restart from it (read + graph, nothing analysed): ${(reopenMs / 1000).toFixed(1)} s\n`);
  const line = (t: ReturnType<typeof timeQueries>) => `p50 ${t.p50.toFixed(2)} ms, p99 ${t.p99.toFixed(2)} ms (CPU p50 ${t.cpuP50.toFixed(2)} ms, p99 ${t.cpuP99.toFixed(2)} ms)`;
  process.stdout.write(`retrieval (top 4): usearch graph ${line(annTimes)}; exact scan ${line(exactTimes)}; same top-1 ${((sameTop / questions.length) * 100).toFixed(1)} %\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
