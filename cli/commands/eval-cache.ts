/**
 * `kobza eval cache --pairs FILE [--config FILE] [--json] [--calibrate] [--format qqp]`:
 * measures the real semantic-cache plugin on labelled question pairs. For every pair a
 * Kernel request asks the `cached` question (a miss: a small in-process provider answers
 * and the plugin stores the answer), then asks `query`; a reply with `meta.source ===
 * 'cache'` is a hit. Hits on `same: false` pairs are wrong answers served.
 *
 * Each pair runs in its own namespace (its own tenant), so pairs never see each
 * other's entries. Without `--config` the plugin runs with its defaults; with it, the
 * config's `semantic-cache` block is used, on a memory store (the real store is never
 * touched). `--calibrate` runs with the prefilter off, then picks the threshold with the
 * best recall at a wrong-hit rate ≤ `--target` (highest such threshold) and prints it.
 *
 * `--embedder ollama:MODEL[@URL]` measures another embedder (`--word-match C`: the strong-embedder
 * mode, unaligned words paired at word similarity ≥ C).
 *
 * `--split tune|holdout|both` evaluates the tuning part, the held-out part, or both side by
 * side (a stable hash of each pair's text decides; `--holdout-ratio`, default 0.5).
 *
 * Formats: JSON Lines `{"id","lang","cached","query","same","kind"}` (default), or
 * GPTCache/QQP JSON `[{"text_a","text_b","label"}]` (`--format qqp`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import YAML from 'yaml';
import {
  collectReply,
  definePlugin,
  Kernel,
  KobzaError,
  loadConfigFile,
  parseConfig,
  replayText,
  createReplyMeta,
  lastUserText,
  type LlmProvider,
  type PluginDefinition,
} from '../../core/index.js';
import semanticCachePlugin, { SEMANTIC_CACHE_TOKEN } from '../../plugins/semantic-cache/index.js';
import { reportFatal } from '../boot.js';
import { BUILTIN_PLUGINS } from '../builtins.js';
import { commandGroup } from '../command-groups.js';
import { splitPairs, type PairSplit } from './eval-split.js';

/** One labelled pair. */
export interface CachePair {
  id: string;
  lang?: string;
  cached: string;
  query: string;
  same: boolean;
  kind: string;
}

/** The outcome of one pair. */
export interface PairOutcome {
  pair: CachePair;
  hit: boolean;
  exact: boolean;
  /** Similarity of the hit, or the best candidate's similarity on a miss. */
  similarity?: number;
  vetoedBy?: string;
  reason?: string;
}

export interface KindReport {
  pairs: number;
  same: boolean;
  hits: number;
  /** Recall for `same: true` kinds, wrong-hit rate for `same: false` kinds. */
  hitRate: number;
}

export interface CacheEvalReport {
  pairs: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  /** fp / negatives. */
  wrongHitRate: number;
  byKind: Record<string, KindReport>;
  byLang: Record<string, { pairs: number; tp: number; fp: number; tn: number; fn: number }>;
  threshold: number;
  embedder: string;
  /** Set by `--calibrate`. */
  calibration?: { threshold: number; targetWrongHitRate: number; recall: number; wrongHitRate: number };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/**
 * Reads pairs: JSON Lines (dev format) or a QQP/GPTCache JSON array.
 * @example
 * const pairs = parseCachePairs(await readFile('pairs.jsonl', 'utf8'), 'pairs.jsonl', 'jsonl');
 */
export function parseCachePairs(text: string, file: string, format: 'jsonl' | 'qqp'): CachePair[] {
  const problems: string[] = [];
  const pairs: CachePair[] = [];
  if (format === 'qqp') {
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (err) {
      throw new KobzaError('BAD_REQUEST', `${file}: expected a JSON array of {text_a, text_b, label} (${(err as Error).message})`);
    }
    if (!Array.isArray(rows)) throw new KobzaError('BAD_REQUEST', `${file}: expected a JSON array of {text_a, text_b, label}`);
    rows.forEach((row: { text_a?: unknown; text_b?: unknown; label?: unknown }, i) => {
      if (typeof row?.text_a !== 'string' || typeof row.text_b !== 'string' || (row.label !== 0 && row.label !== 1 && row.label !== '0' && row.label !== '1')) {
        problems.push(`${file}: item ${i}: expected {text_a: string, text_b: string, label: 0 or 1}`);
        return;
      }
      const same = Number(row.label) === 1;
      pairs.push({ id: `qqp-${i}`, lang: 'en', cached: row.text_a, query: row.text_b, same, kind: same ? 'duplicate' : 'not_duplicate' });
    });
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const at = `${file}:${i + 1}`;
      let value: Partial<CachePair>;
      try {
        value = JSON.parse(line) as Partial<CachePair>;
      } catch {
        problems.push(`${at}: expected one JSON object per line`);
        return;
      }
      if (typeof value?.cached !== 'string' || typeof value.query !== 'string') return void problems.push(`${at}: expected "cached" and "query" strings`);
      if (typeof value.same !== 'boolean') return void problems.push(`${at}: same: expected true or false`);
      pairs.push({ id: value.id ?? `line-${i + 1}`, lang: value.lang, cached: value.cached, query: value.query, same: value.same, kind: value.kind ?? (value.same ? 'same' : 'different') });
    });
  }
  if (problems.length) throw new KobzaError('BAD_REQUEST', problems.slice(0, 20).join('\n'), { details: { problems } });
  if (pairs.length === 0) throw new KobzaError('BAD_REQUEST', `${file}: expected at least one pair`);
  return pairs;
}

/** A deterministic provider for the evaluation: the answer names the question it answers. */
const evalAnswers: PluginDefinition = definePlugin({
  name: 'eval-answers',
  provides: ['LlmProvider'],
  register(ctx) {
    const provider: LlmProvider = {
      id: 'eval-answers',
      async chat(request) {
        const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
        meta.doneReason = 'stop';
        return replayText(`Answer to: ${lastUserText(request)}`, meta, { signal: request.signal });
      },
    };
    ctx.provide('LlmProvider', provider);
  },
});

export interface CacheEvalOptions {
  /** The `semantic-cache` block to evaluate (defaults when omitted). */
  settings?: Record<string, unknown>;
  /** Override the prefilter threshold (calibration uses -1: every candidate is verified). */
  threshold?: number;
  /** Called after each pair. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the real plugin over pairs and returns each pair's outcome.
 * @example
 * const { outcomes } = await runCachePairs(pairs, {});
 */
export async function runCachePairs(pairs: CachePair[], options: CacheEvalOptions = {}): Promise<{ outcomes: PairOutcome[]; threshold: number; embedder: string }> {
  const settings: Record<string, unknown> = {
    ...(options.settings ?? {}),
    store: 'memory',
    ttlMs: 0,
    maxEntries: 0,
    sync: { intervalMs: 0 },
  };
  const index = (settings.index ?? {}) as Record<string, unknown>;
  delete index.path;
  settings.index = index;
  if (options.threshold !== undefined) settings.threshold = options.threshold;
  const config = parseConfig(YAML.stringify({ assistant: { model: 'eval' }, logging: { level: 'silent' }, plugins: { 'eval-answers': {}, 'semantic-cache': settings } }), { file: '<eval cache>', env: {} });
  const kernel = await Kernel.create(config, {
    builtins: { ...BUILTIN_PLUGINS, 'eval-answers': async () => evalAnswers, 'semantic-cache': async () => semanticCachePlugin },
    logger: pino({ level: 'silent' }),
    adapters: 'none',
  });
  const misses = new Map<string, { reason: string; bestSimilarity?: number; vetoedBy?: string }>();
  kernel.events.on('cache:miss', (e) => misses.set(e.requestId, e));
  const outcomes: PairOutcome[] = [];
  try {
    const handle = kernel.resolve(SEMANTIC_CACHE_TOKEN);
    const cache = await handle.ready();
    for (const [i, pair] of pairs.entries()) {
      // A namespace per pair: its own tenant (a client system prompt would keep each answer
      // in its own conversation, never shared).
      const tenant = `eval pair ${i}`;
      const ask = async (question: string) => {
        const request = kernel.createRequest({ messages: [{ role: 'user', content: question }], metadata: { tenant }, stream: true });
        const { text, meta } = await collectReply(await kernel.handle(request));
        return { text, meta, miss: misses.get(request.id) };
      };
      await ask(pair.cached);
      // The answer is stored behind the reply, and a lookup waits only for a write of its own
      // question: let the store finish, as it has long before a real user asks again.
      await handle.flush();
      const answer = await ask(pair.query);
      const hit = answer.meta.source === 'cache';
      if (hit && answer.text !== `Answer to: ${pair.cached}`) throw new KobzaError('INTERNAL', `pair ${pair.id}: the cache served an answer that was never stored for this pair`);
      outcomes.push({
        pair,
        hit,
        exact: answer.meta.cache?.exact ?? false,
        similarity: hit ? answer.meta.cache?.similarity : answer.miss?.bestSimilarity,
        vetoedBy: answer.miss?.vetoedBy,
        reason: hit ? undefined : answer.miss?.reason,
      });
      options.onProgress?.(i + 1, pairs.length);
    }
    return { outcomes, threshold: cache.options.threshold, embedder: cache.options.embedder.id };
  } finally {
    await kernel.stop();
  }
}

/**
 * Counts outcomes; `threshold` applies a stricter prefilter afterwards (for calibration).
 * @example
 * const report = summarize(outcomes, 0.3, 'builtin-hash:d256:…');
 */
export function summarize(outcomes: PairOutcome[], threshold: number, embedder: string, applyThreshold = false): CacheEvalReport {
  const report: CacheEvalReport = { pairs: outcomes.length, tp: 0, fp: 0, tn: 0, fn: 0, precision: 0, recall: 0, wrongHitRate: 0, byKind: {}, byLang: {}, threshold, embedder };
  for (const outcome of outcomes) {
    const hit = outcome.hit && (!applyThreshold || outcome.exact || (outcome.similarity ?? -1) >= threshold);
    const { same, kind } = outcome.pair;
    if (hit && same) report.tp++;
    else if (hit) report.fp++;
    else if (same) report.fn++;
    else report.tn++;
    const k = (report.byKind[kind] ??= { pairs: 0, same, hits: 0, hitRate: 0 });
    k.pairs++;
    if (hit) k.hits++;
    const lang = outcome.pair.lang ?? 'unknown';
    const l = (report.byLang[lang] ??= { pairs: 0, tp: 0, fp: 0, tn: 0, fn: 0 });
    l.pairs++;
    if (hit && same) l.tp++;
    else if (hit) l.fp++;
    else if (same) l.fn++;
    else l.tn++;
  }
  for (const k of Object.values(report.byKind)) k.hitRate = ratio(k.hits, k.pairs);
  report.precision = ratio(report.tp, report.tp + report.fp);
  report.recall = ratio(report.tp, report.tp + report.fn);
  report.wrongHitRate = ratio(report.fp, report.fp + report.tn);
  return report;
}

/**
 * Picks the prefilter threshold: the best recall at a wrong-hit rate ≤ `target`, and among
 * equal recalls the highest threshold (fewest comparisons). Outcomes must come from a run
 * with the prefilter off.
 */
export function calibrate(outcomes: PairOutcome[], embedder: string, target: number): CacheEvalReport {
  const candidates = [...new Set(outcomes.filter((o) => o.hit && !o.exact && o.similarity !== undefined).map((o) => Math.floor(o.similarity! * 1000) / 1000))].sort((a, b) => a - b);
  let best: CacheEvalReport | undefined;
  for (const threshold of [-1, ...candidates, 1.001]) {
    const report = summarize(outcomes, threshold, embedder, true);
    if (report.wrongHitRate > target) continue;
    if (!best || report.recall > best.recall || (report.recall === best.recall && threshold > best.threshold)) best = report;
  }
  const chosen = best ?? summarize(outcomes, 1.001, embedder, true);
  chosen.calibration = { threshold: chosen.threshold, targetWrongHitRate: target, recall: chosen.recall, wrongHitRate: chosen.wrongHitRate };
  return chosen;
}

function printReport(report: CacheEvalReport, outcomes: PairOutcome[], verbose: boolean): void {
  const out = process.stdout;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  out.write(`embedder ${report.embedder}, threshold ${report.threshold}\n`);
  out.write(`pairs ${report.pairs}  tp ${report.tp}  fp ${report.fp}  tn ${report.tn}  fn ${report.fn}\n`);
  out.write(`precision ${report.precision.toFixed(4)}  recall ${report.recall.toFixed(4)}  wrongHitRate ${report.wrongHitRate.toFixed(4)}\n`);
  out.write('by kind:\n');
  for (const [kind, k] of Object.entries(report.byKind).sort((a, b) => Number(b[1].same) - Number(a[1].same) || a[0].localeCompare(b[0]))) {
    out.write(`  ${kind.padEnd(26)} ${String(k.pairs).padStart(5)} pairs  ${k.same ? 'recall' : 'wrong hits'} ${pct(k.hitRate)} (${k.hits})\n`);
  }
  if (report.calibration) out.write(`calibrated threshold ${report.calibration.threshold} (best recall at wrong-hit rate ≤ ${report.calibration.targetWrongHitRate})\n`);
  if (verbose) {
    for (const o of outcomes) {
      const hit = report.calibration ? o.hit && (o.exact || (o.similarity ?? -1) >= report.threshold) : o.hit;
      if (hit === o.pair.same) continue;
      out.write(`${hit ? 'WRONG HIT' : 'MISS     '} ${o.pair.id} [${o.pair.kind}] sim=${o.similarity?.toFixed(3) ?? '-'} ${o.vetoedBy ? `vetoed by ${o.vetoedBy} ` : ''}${o.reason ?? ''}\n   cached: ${o.pair.cached}\n   query:  ${o.pair.query}\n`);
    }
  }
}

interface EvalCacheFlags {
  pairs: string;
  config?: string;
  json?: boolean;
  calibrate?: boolean;
  target: string;
  format?: string;
  limit?: string;
  verbose?: boolean;
  split?: string;
  holdoutRatio: string;
  embedder?: string;
  wordMatch?: string;
}

/**
 * `--embedder builtin` or `ollama:MODEL[@URL]` (and `--word-match`) as a semantic-cache
 * `embedder` block.
 */
function embedderBlock(spec: string, wordMatch: string | undefined): Record<string, unknown> {
  if (spec === 'builtin') {
    if (wordMatch !== undefined) throw new KobzaError('BAD_REQUEST', '--word-match: needs --embedder ollama:MODEL (a semantic embedding model)');
    return { type: 'builtin' };
  }
  const match = /^ollama:([^@]+)(?:@(.+))?$/.exec(spec);
  if (!match) throw new KobzaError('BAD_REQUEST', `--embedder: expected builtin or ollama:MODEL[@URL], got ${spec}`);
  const block: Record<string, unknown> = { type: 'ollama', model: match[1], url: match[2] ?? 'http://127.0.0.1:11434' };
  if (wordMatch !== undefined) {
    const min = Number(wordMatch);
    if (!(min >= 0 && min <= 1)) throw new KobzaError('BAD_REQUEST', `--word-match: expected a cosine between 0 and 1, got ${wordMatch}`);
    block.wordMatch = min;
  }
  return block;
}

/** The parts of `pairs` that `--split` names, by name. */
function selectParts(pairs: CachePair[], split: PairSplit, holdoutRatio: number): [string, CachePair[]][] {
  if (split === 'all') return [['all', pairs]];
  const { tune, holdout } = splitPairs(pairs, holdoutRatio);
  if (split === 'tune') return [['tune', tune]];
  if (split === 'holdout') return [['holdout', holdout]];
  return [['tune', tune], ['holdout', holdout]];
}

export function register(program: Command): void {
  commandGroup(program, 'eval', 'Measure plugins on labelled datasets')
    .command('cache')
    .description('Measure the semantic cache on labelled question pairs (hits on different questions are wrong answers)')
    .requiredOption('--pairs <file>', 'pairs: JSON Lines {cached, query, same, kind} or, with --format qqp, a JSON array {text_a, text_b, label}')
    .option('-c, --config <file>', "config whose semantic-cache block to evaluate (run on a memory store); default: the plugin's defaults")
    .option('--json', 'print one JSON object with every figure on the last line')
    .option('--calibrate', 'pick the prefilter threshold for a target wrong-hit rate and print it')
    .option('--target <rate>', 'wrong-hit rate allowed by --calibrate', '0.01')
    .option('--format <format>', 'jsonl (default) or qqp')
    .option('--limit <n>', 'only the first n pairs')
    .option('--verbose', 'list every wrong hit and every miss')
    .option('--split <part>', 'tune, holdout or both (side by side): the parts fixed by a hash of each pair; default: every pair')
    .option('--holdout-ratio <ratio>', 'share of the pairs held out by --split', '0.5')
    .option('--embedder <spec>', 'builtin, or ollama:MODEL[@URL] (e.g. ollama:bge-m3); overrides the config')
    .option('--word-match <cosine>', 'strong-embedder mode with an ollama embedder: pair unaligned words at this word similarity')
    .action(async (flags: EvalCacheFlags) => {
      try {
        const text = await readFile(flags.pairs, 'utf8');
        const format = flags.format === 'qqp' || (!flags.format && text.trimStart().startsWith('[')) ? 'qqp' : 'jsonl';
        if (flags.format && !['qqp', 'jsonl'].includes(flags.format)) throw new KobzaError('BAD_REQUEST', `--format: expected jsonl or qqp, got ${flags.format}`);
        let pairs = parseCachePairs(text, flags.pairs, format);
        if (flags.limit) pairs = pairs.slice(0, Number(flags.limit));
        let settings: Record<string, unknown> | undefined;
        if (flags.config) {
          const config = await loadConfigFile(flags.config);
          const block = config.plugins.find((p) => p.name === 'semantic-cache');
          if (!block) throw new KobzaError('CONFIG_INVALID', `${config.file}: expected a plugins.semantic-cache block to evaluate`);
          settings = structuredClone(block.settings);
          // The evaluation's own config lives nowhere: a vocabulary file stays relative to the real one.
          if (typeof settings.vocabulary === 'string') settings.vocabulary = path.resolve(config.dir, settings.vocabulary);
        }
        if (flags.embedder) settings = { ...(settings ?? {}), embedder: embedderBlock(flags.embedder, flags.wordMatch) };
        else if (flags.wordMatch !== undefined) throw new KobzaError('BAD_REQUEST', '--word-match: needs --embedder ollama:MODEL (a semantic embedding model)');
        const target = Number(flags.target);
        if (!(target >= 0 && target <= 1)) throw new KobzaError('BAD_REQUEST', `--target: expected a rate between 0 and 1, got ${flags.target}`);
        const split = (flags.split ?? 'all') as PairSplit;
        if (!['all', 'tune', 'holdout', 'both'].includes(split)) throw new KobzaError('BAD_REQUEST', `--split: expected tune, holdout or both, got ${flags.split}`);
        const holdoutRatio = Number(flags.holdoutRatio);
        if (!(holdoutRatio > 0 && holdoutRatio < 1)) throw new KobzaError('BAD_REQUEST', `--holdout-ratio: expected a ratio between 0 and 1, got ${flags.holdoutRatio}`);
        const reports: Record<string, CacheEvalReport> = {};
        for (const [part, partPairs] of selectParts(pairs, split, holdoutRatio)) {
          if (partPairs.length === 0) throw new KobzaError('BAD_REQUEST', `--split ${part}: no pairs fall in this part`);
          const run = await runCachePairs(partPairs, { settings, threshold: flags.calibrate ? -1 : undefined });
          const report = flags.calibrate ? calibrate(run.outcomes, run.embedder, target) : summarize(run.outcomes, run.threshold, run.embedder);
          if (split !== 'all') process.stdout.write(`── ${part} (${partPairs.length} pairs) ──\n`);
          printReport(report, run.outcomes, Boolean(flags.verbose));
          reports[part] = report;
        }
        if (flags.json) process.stdout.write(`${JSON.stringify(split === 'all' ? reports.all : split === 'both' ? reports : reports[split])}\n`);
        process.exitCode = 0;
      } catch (err) {
        process.exitCode = reportFatal(err);
      }
    });
}
