/**
 * Question verification bench (core/text): how often `compareQuestions` serves a wrong
 * answer (wrong-hit rate on `same:false` pairs) and how many true paraphrases it accepts
 * (recall), beside the reference bot's old rule — keyword Jaccard (stop-words out, words of
 * ≥ 4 letters, Jaccard ≥ 0.70) — on the same files in the same run. Also the time per
 * comparison, cold (nothing memoised) and warm (the cached question already analysed).
 *
 *   npx tsx bench/text-verify.ts [--pairs FILE.jsonl] [--qqp FILE.json] [--verbose]
 *
 * Defaults: cache-pairs.dev.jsonl and qqp_labeled_sample_5k.json in $KOBZA_DATASETS (default
 * ../shared/datasets beside the repo). Datasets are read by path only, never copied.
 */

import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { datasetPath, missingDataset } from './datasets.js';
import { analyzeQuestion, compareQuestions, compileTextModel, type TextModel } from '../core/text/index.js';

interface LabelledPair {
  id: string;
  a: string;
  b: string;
  same: boolean;
  kind: string;
  lang: string;
}

interface Counts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

const DEFAULT_PAIRS = datasetPath('cache-pairs.dev.jsonl');
const DEFAULT_QQP = datasetPath('qqp_labeled_sample_5k.json');

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function readPairs(file: string): LabelledPair[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const o = JSON.parse(line) as { id: string; cached: string; query: string; same: boolean; kind: string; lang: string };
      return { id: o.id, a: o.cached, b: o.query, same: o.same, kind: o.kind, lang: o.lang };
    });
}

function readQqp(file: string): LabelledPair[] {
  const rows = JSON.parse(readFileSync(file, 'utf8')) as { text_a: string; text_b: string; label: number | string }[];
  return rows.map((r, i) => ({
    id: `qqp-${i}`, a: r.text_a, b: r.text_b, same: Number(r.label) === 1, kind: Number(r.label) === 1 ? 'duplicate' : 'different', lang: 'en',
  }));
}

/**
 * The old rule of the reference bot: keyword sets compared with Jaccard ≥ 0.70. Its own fixed
 * stop-word list (the frequent uk/ru/en function words of four letters or more), so that
 * changes to core/text's lexicon never move the baseline.
 */
const OLD_STOP = new Set([
  'можна', 'можно', 'треба', 'потрібно', 'потрібні', 'потрібна', 'нужно', 'надо', 'скільки', 'сколько', 'коли', 'когда',
  'який', 'яка', 'яке', 'які', 'якого', 'якої', 'яких', 'какой', 'какая', 'какие', 'цього', 'этого', 'мені', 'тому',
  'буде', 'будет', 'бути', 'быть', 'якщо', 'если', 'після', 'после', 'через', 'щоб', 'чтобы', 'also', 'what', 'when',
  'where', 'which', 'with', 'from', 'have', 'does', 'that', 'this', 'there', 'about', 'would', 'could', 'should',
  'your', 'will', 'into', 'then', 'than', 'they', 'them', 'were', 'been', 'being', 'some', 'much', 'many',
  'підкажіть', 'скажіть', 'подскажите', 'скажите', 'please', 'будь', 'ласка', 'пожалуйста',
]);
function oldKeywords(text: string): Set<string> {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}'’ʼ]+/u).filter((w) => w.length >= 4 && !OLD_STOP.has(w));
  return new Set(words);
}
function oldJaccardSame(a: string, b: string): boolean {
  const ka = oldKeywords(a);
  const kb = oldKeywords(b);
  if (ka.size === 0 && kb.size === 0) return a.trim().toLowerCase() === b.trim().toLowerCase();
  let inter = 0;
  for (const w of ka) if (kb.has(w)) inter++;
  const union = ka.size + kb.size - inter;
  return union > 0 && inter / union >= 0.7;
}

function tally(pairs: LabelledPair[], judge: (p: LabelledPair) => boolean) {
  const overall: Counts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  const byKind = new Map<string, Counts>();
  const byLang = new Map<string, Counts>();
  const wrongHits: LabelledPair[] = [];
  const misses: LabelledPair[] = [];
  for (const p of pairs) {
    const hit = judge(p);
    const key = p.same ? (hit ? 'tp' : 'fn') : hit ? 'fp' : 'tn';
    for (const c of [overall, get(byKind, p.kind), get(byLang, p.lang)]) c[key]++;
    if (key === 'fp') wrongHits.push(p);
    if (key === 'fn') misses.push(p);
  }
  return { overall, byKind, byLang, wrongHits, misses };
}
function get(map: Map<string, Counts>, key: string): Counts {
  let c = map.get(key);
  if (!c) map.set(key, (c = { tp: 0, fp: 0, tn: 0, fn: 0 }));
  return c;
}

function metrics(c: Counts) {
  const negatives = c.fp + c.tn;
  const positives = c.tp + c.fn;
  return {
    precision: c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp),
    recall: positives === 0 ? NaN : c.tp / positives,
    wrongHitRate: negatives === 0 ? NaN : c.fp / negatives,
  };
}
const fmt = (x: number) => (Number.isNaN(x) ? '   –  ' : x.toFixed(3).padStart(6));

function printComparison(title: string, pairs: LabelledPair[], verbose: boolean, showKinds: boolean) {
  const ours = tally(pairs, (p) => compareQuestions(p.a, p.b).same);
  const old = tally(pairs, (p) => oldJaccardSame(p.a, p.b));
  const mo = metrics(ours.overall);
  const mj = metrics(old.overall);
  process.stdout.write(`\n${title}: ${pairs.length} pairs (${ours.overall.tp + ours.overall.fn} same, ${ours.overall.fp + ours.overall.tn} different)\n`);
  process.stdout.write(`  rule                       precision  recall  wrongHitRate   tp   fp   tn   fn\n`);
  const row = (name: string, m: ReturnType<typeof metrics>, c: Counts) =>
    `  ${name.padEnd(26)} ${fmt(m.precision)}   ${fmt(m.recall)}  ${fmt(m.wrongHitRate)}    ${String(c.tp).padStart(4)} ${String(c.fp).padStart(4)} ${String(c.tn).padStart(4)} ${String(c.fn).padStart(4)}\n`;
  process.stdout.write(row('compareQuestions', mo, ours.overall));
  process.stdout.write(row('old keyword Jaccard ≥ 0.70', mj, old.overall));
  if (showKinds) {
    process.stdout.write(`  by kind (same:true → recall; same:false → wrongHitRate)   compareQuestions   old Jaccard\n`);
    const kinds = [...ours.byKind.keys()].sort();
    for (const kind of kinds) {
      const c = ours.byKind.get(kind)!;
      const j = old.byKind.get(kind)!;
      const positive = c.tp + c.fn > 0;
      const v = positive ? metrics(c).recall : metrics(c).wrongHitRate;
      const w = positive ? metrics(j).recall : metrics(j).wrongHitRate;
      const n = c.tp + c.fn + c.fp + c.tn;
      process.stdout.write(`    ${kind.padEnd(26)} n=${String(n).padStart(3)}  ${positive ? 'recall      ' : 'wrongHitRate'} ${fmt(v)}   ${fmt(w)}\n`);
    }
    process.stdout.write(`  by lang\n`);
    for (const lang of [...ours.byLang.keys()].sort()) {
      const m = metrics(ours.byLang.get(lang)!);
      const mjl = metrics(old.byLang.get(lang)!);
      process.stdout.write(`    ${lang.padEnd(8)} recall ${fmt(m.recall)} wrongHitRate ${fmt(m.wrongHitRate)}   (old: recall ${fmt(mjl.recall)} wrongHitRate ${fmt(mjl.wrongHitRate)})\n`);
    }
  }
  if (verbose) {
    for (const p of ours.wrongHits) process.stdout.write(`  WRONG HIT ${p.id} [${p.kind}] ${p.a}  ⇄  ${p.b}\n`);
    for (const p of ours.misses.slice(0, 80)) {
      const r = compareQuestions(p.a, p.b);
      process.stdout.write(`  miss ${p.id} [${p.kind}] ${r.vetoedBy}: ${r.reason} | ${p.a}  ⇄  ${p.b}\n`);
    }
  }
  return { ours: { ...mo, ...ours.overall }, old: { ...mj, ...old.overall } };
}

/**
 * Time per comparison. `first` = the very first pass (word memos and analyses all empty);
 * `fresh` = a fresh model per round, so every question is analysed again but word-level
 * memos (spelling keys, transliterations) are warm, as in a running process; `warm` =
 * compareQuestions with both analyses memoised (a cached question compared again).
 */
function timeComparisons(pairs: LabelledPair[]) {
  const sample = pairs.slice(0, 2000);
  const analyseAll = (model: TextModel) => {
    const t0 = performance.now();
    for (const p of sample) {
      analyzeQuestion(p.a, model);
      analyzeQuestion(p.b, model);
    }
    return performance.now() - t0;
  };
  const firstMs = analyseAll(compileTextModel());
  let freshMs = Infinity;
  for (let r = 0; r < 3; r++) freshMs = Math.min(freshMs, analyseAll(compileTextModel()));
  for (const p of sample) compareQuestions(p.a, p.b);
  let warmMs = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (const p of sample) compareQuestions(p.a, p.b);
    warmMs = Math.min(warmMs, performance.now() - t0);
  }
  const t0 = performance.now();
  compileTextModel();
  const compileMs = performance.now() - t0;
  return { pairs: sample.length, firstMs: firstMs / sample.length, freshMs: freshMs / sample.length, warmMs: warmMs / sample.length, compileMs };
}

/** Entry point for `npm run bench` and for running this file alone. */
export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const pairsFile = argValue(argv, '--pairs') ?? DEFAULT_PAIRS;
  const qqpFile = argValue(argv, '--qqp') ?? DEFAULT_QQP;
  const verbose = argv.includes('--verbose');
  process.stdout.write(`Question verification (core/text) — node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
  const all: LabelledPair[] = [];
  if (existsSync(pairsFile)) {
    const pairs = readPairs(pairsFile);
    all.push(...pairs);
    printComparison(`dev pairs ${pairsFile}`, pairs, verbose, true);
  } else process.stdout.write(`(${pairsFile === DEFAULT_PAIRS ? missingDataset(pairsFile) : `no pairs file at ${pairsFile}`})\n`);
  if (existsSync(qqpFile)) {
    const qqp = readQqp(qqpFile);
    all.push(...qqp);
    printComparison(`QQP ${qqpFile}`, qqp, verbose && argv.includes('--qqp-verbose'), false);
  } else process.stdout.write(`(${qqpFile === DEFAULT_QQP ? missingDataset(qqpFile) : `no QQP file at ${qqpFile}`})\n`);
  if (all.length) {
    const t = timeComparisons(all);
    process.stdout.write(
      `\ntiming over ${t.pairs} pairs (µs per pair): analyse both questions first pass ${(t.firstMs * 1000).toFixed(1)}, ` +
        `analyse both fresh ${(t.freshMs * 1000).toFixed(1)}, compareQuestions memoised ${(t.warmMs * 1000).toFixed(1)}; ` +
        `lexicon compile ${t.compileMs.toFixed(1)} ms\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await run();
}
