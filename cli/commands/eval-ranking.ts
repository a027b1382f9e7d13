/**
 * `kobza eval ranking --items FILE.jsonl [--config FILE] [--json]`: scores each item's
 * candidate answers with the configured scorers (the `parallel-ranking` block and any
 * scorer plugins of the config; built-in defaults without `--config`) and reports top-1
 * accuracy, broken down by language and by number of candidates, plus every miss.
 * With `--json` the last line of output is one JSON object.
 *
 * Item format (JSON Lines): `{"id", "lang"?, "question", "candidates": [..], "best": i}`.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createLogger, createReplyMeta, Kernel, KobzaError, parseConfig, type Candidate } from '../../core/index.js';
import { rankCandidates, rankingConfigSchema, weightScorers, type RankingConfig, type WeightedScorer } from '../../plugins/parallel-ranking/index.js';
import { bootKernel, reportFatal } from '../boot.js';
import { BUILTIN_PLUGINS } from '../builtins.js';
import { commandGroup } from '../command-groups.js';

/** One labelled ranking item. */
export interface RankingItem {
  id: string;
  lang?: string;
  question: string;
  candidates: string[];
  best: number;
}

/** What a judge says about one item: the chosen index, and the per-candidate totals. */
export interface JudgedItem {
  picked: number;
  scores: number[];
  vetoed: string[][];
  reason?: string;
}

export type RankingJudge = (item: RankingItem) => Promise<JudgedItem> | JudgedItem;

export interface RankingMiss {
  id: string;
  lang?: string;
  best: number;
  picked: number;
  reason?: string;
  scores: number[];
  vetoed: string[][];
}

export interface RankingReport {
  items: number;
  correct: number;
  top1: number;
  byLang: Record<string, { items: number; correct: number; top1: number }>;
  byCandidates: Record<string, { items: number; correct: number; top1: number }>;
  misses: RankingMiss[];
}

/**
 * Parses a JSON Lines ranking file, with `FILE:LINE: expected …` errors.
 * @example
 * const items = parseRankingItems(await readFile(file, 'utf8'), file);
 */
export function parseRankingItems(text: string, file: string): RankingItem[] {
  const items: RankingItem[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`${at}: expected one JSON object per line`);
      return;
    }
    const item = value as Partial<RankingItem>;
    if (typeof item?.question !== 'string') return void problems.push(`${at}: question: expected a string`);
    if (!Array.isArray(item.candidates) || item.candidates.length === 0 || !item.candidates.every((c) => typeof c === 'string')) {
      return void problems.push(`${at}: candidates: expected a non-empty list of strings`);
    }
    if (!Number.isInteger(item.best) || (item.best as number) < 0 || (item.best as number) >= item.candidates.length) {
      return void problems.push(`${at}: best: expected an index between 0 and ${item.candidates.length - 1}, got ${JSON.stringify(item.best)}`);
    }
    items.push({ id: typeof item.id === 'string' ? item.id : `line-${i + 1}`, lang: typeof item.lang === 'string' ? item.lang : undefined, question: item.question, candidates: item.candidates, best: item.best as number });
  });
  if (problems.length) throw new KobzaError('BAD_REQUEST', problems.join('\n'), { details: { problems } });
  if (items.length === 0) throw new KobzaError('BAD_REQUEST', `${file}: expected at least one item`);
  return items;
}

/**
 * Runs a judge over items and tallies top-1 accuracy.
 * @example
 * const report = await evaluateRanking(items, judge);
 * report.top1 // 0.9
 */
export async function evaluateRanking(items: readonly RankingItem[], judge: RankingJudge): Promise<RankingReport> {
  const byLang: RankingReport['byLang'] = {};
  const byCandidates: RankingReport['byCandidates'] = {};
  const misses: RankingMiss[] = [];
  let correct = 0;
  const tally = (bucket: RankingReport['byLang'], key: string, ok: boolean) => {
    const entry = (bucket[key] ??= { items: 0, correct: 0, top1: 0 });
    entry.items++;
    if (ok) entry.correct++;
    entry.top1 = Math.round((entry.correct / entry.items) * 1000) / 1000;
  };
  for (const item of items) {
    const judged = await judge(item);
    const ok = judged.picked === item.best;
    if (ok) correct++;
    else misses.push({ id: item.id, lang: item.lang, best: item.best, picked: judged.picked, reason: judged.reason, scores: judged.scores, vetoed: judged.vetoed });
    tally(byLang, item.lang ?? 'unknown', ok);
    tally(byCandidates, String(item.candidates.length), ok);
  }
  return { items: items.length, correct, top1: Math.round((correct / items.length) * 1000) / 1000, byLang, byCandidates, misses };
}

/**
 * A judge that ranks an item's candidates exactly as the ranking plugin would.
 * @example
 * const judge = scorerJudge(kernel, weightScorers(kernel.resolveAll('Scorer'), config.weights));
 */
export function scorerJudge(kernel: Kernel, scorers: readonly WeightedScorer[], scorerTimeoutMs = 2000): RankingJudge {
  return async (item) => {
    const request = kernel.createRequest({ messages: [{ role: 'user', content: item.question }], metadata: { adapter: 'eval' } });
    const candidates: Candidate[] = item.candidates.map((text, index) => {
      const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
      meta.complete = true;
      meta.doneReason = 'stop';
      return { index, text, meta, options: {}, siblings: item.candidates };
    });
    const verdict = await rankCandidates(candidates, request, scorers, { scorerTimeoutMs });
    const byIndex = new Map(verdict.ranked.map((v) => [v.index, v]));
    return {
      picked: candidates[verdict.winner].index,
      reason: verdict.reason,
      scores: candidates.map((c) => Math.round((byIndex.get(c.index)?.score ?? 0) * 1000) / 1000),
      vetoed: candidates.map((c) => byIndex.get(c.index)?.vetoedBy ?? []),
    };
  };
}

/**
 * Builds a kernel that holds the ranking plugin and the scorer plugins of a config (or the
 * built-in defaults), without needing an LLM upstream.
 * @example
 * const { kernel, config } = await rankingKernel('config/default.yaml');
 */
export async function rankingKernel(configPath?: string): Promise<{ kernel: Kernel; config: RankingConfig }> {
  const options = { requireProvider: false, adapters: 'none' as const, ensurePlugins: { 'parallel-ranking': {} } };
  const kernel = configPath
    ? await bootKernel(configPath, { ...options, logToStderr: true, logLevel: 'error' })
    : await Kernel.create(parseConfig('assistant: { model: eval }\nplugins:\n  parallel-ranking: {}\n', { file: '<built-in defaults>' }), {
        ...options,
        builtins: BUILTIN_PLUGINS,
        logger: createLogger({ level: 'error', pretty: false }, { fd: 2 }),
      });
  const block = kernel.plugins.find((p) => p.definition.name === 'parallel-ranking');
  const config = (block?.settings as RankingConfig | undefined) ?? rankingConfigSchema.parse({});
  return { kernel, config };
}

function formatReport(report: RankingReport, items: readonly RankingItem[]): string {
  const pct = (n: number) => n.toFixed(3);
  const lines = [`items ${report.items}, top1 ${pct(report.top1)} (${report.correct}/${report.items})`];
  lines.push(`by lang: ${Object.entries(report.byLang).map(([k, v]) => `${k} ${pct(v.top1)} (${v.correct}/${v.items})`).join(', ')}`);
  lines.push(`by candidates: ${Object.entries(report.byCandidates).map(([k, v]) => `${k} ${pct(v.top1)} (${v.correct}/${v.items})`).join(', ')}`);
  if (report.misses.length) {
    lines.push('misses:');
    const byId = new Map(items.map((item) => [item.id, item]));
    for (const miss of report.misses) {
      const item = byId.get(miss.id);
      const preview = (i: number) => JSON.stringify((item?.candidates[i] ?? '').slice(0, 60));
      lines.push(`  ${miss.id}: picked #${miss.picked} (${pct(miss.scores[miss.picked])}) ${preview(miss.picked)}; best #${miss.best} (${pct(miss.scores[miss.best])}${miss.vetoed[miss.best]?.length ? `, vetoed by ${miss.vetoed[miss.best].join(', ')}` : ''}) ${preview(miss.best)}`);
      if (miss.reason) lines.push(`    why: ${miss.reason}`);
    }
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  commandGroup(program, 'eval', 'Measure plugins on labelled datasets')
    .command('ranking')
    .description('Score each item’s candidate answers with the configured scorers; print items, top1 and the misses')
    .requiredOption('--items <file>', 'JSON Lines file of {id, lang, question, candidates, best}')
    .option('-c, --config <file>', 'config whose parallel-ranking block and scorer plugins are used (default: built-in defaults)')
    .option('--json', 'print one JSON object on the last line')
    .action(async (options: { items: string; config?: string; json?: boolean }) => {
      let code = 0;
      let kernel: Kernel | undefined;
      try {
        let text: string;
        try {
          text = await readFile(options.items, 'utf8');
        } catch (err) {
          throw new KobzaError('BAD_REQUEST', `${options.items}: cannot read items: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message}`);
        }
        const items = parseRankingItems(text, options.items);
        const built = await rankingKernel(options.config);
        kernel = built.kernel;
        const scorers = weightScorers(kernel.resolveAll('Scorer'), built.config.weights);
        const report = await evaluateRanking(items, scorerJudge(kernel, scorers, built.config.scorerTimeoutMs));
        process.stdout.write(`${formatReport(report, items)}\n`);
        if (options.json) process.stdout.write(`${JSON.stringify({ ...report, scorers: scorers.map((s) => ({ name: s.scorer.name, weight: s.weight })) })}\n`);
      } catch (err) {
        code = reportFatal(err);
      } finally {
        await kernel?.stop().catch(() => undefined);
      }
      process.exitCode = code;
    });
}
