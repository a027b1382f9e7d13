/**
 * Ranking: quality and cost of the `parallel-ranking` plugin, measured side by side in one run.
 *
 * 1. Quality — top-1 accuracy on the labelled dev set (`ranking.dev.jsonl` in `$KOBZA_DATASETS`,
 *    default `../shared/datasets` beside the repo, or `RANKING_ITEMS=path`) of Kobza's scorers (built-in defaults) against the reference
 *    bot's old four-heuristic rule (length 100–500 chars, question keywords present, list
 *    formatting, no forbidden words; one point each, ties to the first), and against the
 *    naive "first" and "longest" pickers.
 * 2. Cost — against the Ollama stand-in with 4 parallel slots and a fixed per-token delay:
 *    wall time of a ranked answer (N=3 drafts) ÷ one plain answer, alternating which goes
 *    first. Goal ≤ 1.15.
 * 3. Deadline — with 1 slot (drafts queue), how far past `deadlineMs` the ranked reply
 *    arrives. Goal ≤ 50 ms.
 *
 * Run alone: `npx tsx bench/ranking.ts [rounds]` (default 12).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { evaluateRanking, parseRankingItems, rankingKernel, scorerJudge, type RankingItem, type RankingJudge, type RankingReport } from '../cli/commands/eval-ranking.js';
import { collectReply, Kernel, parseConfig } from '../core/index.js';
import { weightScorers } from '../plugins/parallel-ranking/index.js';
import { startOllamaStandIn } from '../test/servers/ollama.js';
import { datasetPath, missingDataset } from './datasets.js';

const ITEMS = process.env.RANKING_ITEMS ?? datasetPath('ranking.dev.jsonl');
const TOKEN_DELAY_MS = 8;
const MODEL = 'qwen2.5:7b';
/** 60 words ≈ 60 stand-in tokens ≈ 0.5 s per answer at 8 ms a token. */
const ANSWER = `${'Прийом заяв і документів на бакалаврат триває до 18:00 23 липня, після чого оприлюднюють рейтингові списки. '.repeat(4)}`.trim();

// ── the old rule ────────────────────────────────────────────────────────────────────────

const OLD_FORBIDDEN = ['як модель', 'як штучний інтелект', 'as an ai', 'language model', 'как ии', 'не можу', 'не могу', 'i cannot', "i can't"];

/**
 * The reference bot's four heuristics, one point each: length 100–500 characters; at least
 * half of the question's keywords (words of 4+ letters) present; list formatting; none of
 * the forbidden words. The highest total wins; ties go to the first candidate.
 */
export function oldFourHeuristics(item: RankingItem): number {
  const keywords = (item.question.toLowerCase().match(/[\p{L}\p{N}'’]{4,}/gu) ?? []).map((w) => w.slice(0, Math.max(4, w.length - 2)));
  const points = item.candidates.map((text) => {
    const lower = text.toLowerCase();
    let total = 0;
    if (text.length >= 100 && text.length <= 500) total++;
    if (keywords.length > 0 && keywords.filter((k) => lower.includes(k)).length >= keywords.length / 2) total++;
    if (/^\s*(?:[-*•]|\d+[.)])\s/mu.test(text)) total++;
    if (!OLD_FORBIDDEN.some((w) => lower.includes(w))) total++;
    return total;
  });
  return points.indexOf(Math.max(...points));
}

const asJudge = (pick: (item: RankingItem) => number): RankingJudge => (item) => ({ picked: pick(item), scores: item.candidates.map(() => 0), vetoed: item.candidates.map(() => []) });

// ── helpers ─────────────────────────────────────────────────────────────────────────────

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function bootAgainstStandIn(ollamaUrl: string, ranking: string): Promise<Kernel> {
  const yaml = `assistant: { model: "${MODEL}" }\nplugins:\n  ollama: { host: "${ollamaUrl}", probeOnStart: false }\n  parallel-ranking: ${ranking}\n`;
  return Kernel.create(parseConfig(yaml, { file: 'bench-ranking.yaml', env: {} }), {
    builtins: {
      ollama: () => import('../plugins/ollama/index.js'),
      'parallel-ranking': () => import('../plugins/parallel-ranking/index.js'),
    },
    logger: pino({ level: 'silent' }),
  });
}

async function timeRequest(kernel: Kernel, ranking: 'on' | 'off', i: number): Promise<{ ms: number; source: string; deadlineHit?: boolean }> {
  const started = performance.now();
  const { meta } = await collectReply(
    await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: `Коли закінчується прийом документів? (${i})` }], metadata: { ranking } })),
  );
  return { ms: performance.now() - started, source: meta.source, deadlineHit: (meta.ranking as { deadlineHit?: boolean } | undefined)?.deadlineHit };
}

function qualityRow(name: string, report: RankingReport): string {
  const lang = (k: string) => (report.byLang[k] ? report.byLang[k].top1.toFixed(3) : '—');
  const byN = (k: string) => (report.byCandidates[k] ? report.byCandidates[k].top1.toFixed(3) : '—');
  return `| ${name} | **${report.top1.toFixed(3)}** (${report.correct}/${report.items}) | ${lang('uk')} | ${lang('en')} | ${byN('3')} | ${byN('4')} | ${byN('5')} |`;
}

/** A small deterministic generator, so that the joint perturbation is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Is the top-1 a property of the rules or of the exact weights? Each scorer's weight ×0.8 and
 * ×1.2 alone, then every weight jittered at once (uniform ±20 %, 50 seeded draws), plus the
 * lead of each correctly ranked item's winner over the best rival that is not vetoed.
 */
async function sensitivity(items: readonly RankingItem[]): Promise<void> {
  const { kernel, config } = await rankingKernel();
  const scorers = kernel.resolveAll('Scorer');
  const base = weightScorers(scorers, config.weights);
  const top1 = async (weights: Record<string, number>) => (await evaluateRanking(items, scorerJudge(kernel, weightScorers(scorers, weights), config.scorerTimeoutMs))).correct;
  const baseWeights = Object.fromEntries(base.map((s) => [s.scorer.name, s.weight]));
  const baseline = await top1(baseWeights);
  process.stdout.write(`weight sensitivity (top-1 correct of ${items.length}; baseline ${baseline}):\n\n| scorer (weight) | ×0.8 | ×1.2 |\n| --- | --- | --- |\n`);
  let lowest = baseline;
  let highest = baseline;
  for (const { scorer, weight } of base) {
    const down = await top1({ ...baseWeights, [scorer.name]: weight * 0.8 });
    const up = await top1({ ...baseWeights, [scorer.name]: weight * 1.2 });
    lowest = Math.min(lowest, down, up);
    highest = Math.max(highest, down, up);
    process.stdout.write(`| ${scorer.name} (${weight}) | ${down} | ${up} |\n`);
  }
  const random = seeded(20261125);
  const joint = new Map<number, number>();
  for (let draw = 0; draw < 50; draw++) {
    const jittered = Object.fromEntries(base.map((s) => [s.scorer.name, s.weight * (0.8 + 0.4 * random())]));
    const correct = await top1(jittered);
    joint.set(correct, (joint.get(correct) ?? 0) + 1);
  }
  const jointText = [...joint].sort((a, b) => a[0] - b[0]).map(([correct, n]) => `${correct}/${items.length} in ${n}`).join(', ');
  process.stdout.write(`\nsingle weights ×0.8/×1.2: top-1 between ${lowest} and ${highest} of ${items.length}; all weights jittered ±20 % (50 draws): ${jointText}\n`);
  // Leads: how far ahead the winner of each correctly ranked item is (weighted mean, 0..1).
  const judge = scorerJudge(kernel, base, config.scorerTimeoutMs);
  const leads: number[] = [];
  for (const item of items) {
    const judged = await judge(item);
    if (judged.picked !== item.best) continue;
    const rivals = judged.scores.filter((_, i) => i !== item.best && judged.vetoed[i].length === 0);
    leads.push(rivals.length ? judged.scores[item.best] - Math.max(...rivals) : 1);
  }
  leads.sort((a, b) => a - b);
  process.stdout.write(`winner's lead over the best unvetoed rival, correct items: smallest ${leads.slice(0, 3).map((l) => l.toFixed(3)).join(', ')}; median ${median(leads).toFixed(3)}; under 0.02: ${leads.filter((l) => l < 0.02).length}\n\n`);
  await kernel.stop();
}

// ── the benchmark ───────────────────────────────────────────────────────────────────────

/** Runs the three measurements and prints markdown tables. */
export async function run(rounds = 12): Promise<void> {
  process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n\n`);

  // 1. Quality.
  if (!existsSync(ITEMS)) {
    process.stdout.write(`quality: skipped, ${process.env.RANKING_ITEMS ? `${ITEMS} not found (RANKING_ITEMS)` : missingDataset(ITEMS)}, or set RANKING_ITEMS to the file\n`);
  } else {
    const items = parseRankingItems(readFileSync(ITEMS, 'utf8'), ITEMS);
    const { kernel, config } = await rankingKernel();
    const kobza = await evaluateRanking(items, scorerJudge(kernel, weightScorers(kernel.resolveAll('Scorer'), config.weights), config.scorerTimeoutMs));
    await kernel.stop();
    const old = await evaluateRanking(items, asJudge(oldFourHeuristics));
    const first = await evaluateRanking(items, asJudge(() => 0));
    const longest = await evaluateRanking(items, asJudge((item) => item.candidates.reduce((best, c, i, all) => (c.length > all[best].length ? i : best), 0)));
    process.stdout.write(`quality on ${path.basename(ITEMS)} (${items.length} items), top-1:\n\n`);
    process.stdout.write('| ranker | top-1 | uk | en | 3 cand. | 4 cand. | 5 cand. |\n| --- | --- | --- | --- | --- | --- | --- |\n');
    for (const [name, report] of [['Kobza scorers (defaults)', kobza], ['old four-heuristic rule', old], ['first candidate', first], ['longest candidate', longest]] as const) {
      process.stdout.write(`${qualityRow(name, report)}\n`);
    }
    process.stdout.write(`\nKobza misses: ${kobza.misses.map((m) => `${m.id} (picked #${m.picked}, best #${m.best})`).join(', ') || 'none'}\n\n`);
    await sensitivity(items);
  }

  // 2. Cost of ranking with 4 upstream slots.
  {
    const ollama = await startOllamaStandIn({ parallel: 4, tokenDelayMs: TOKEN_DELAY_MS, reply: () => ANSWER });
    const kernel = await bootAgainstStandIn(ollama.url, '{ when: always, candidates: 3, deadlineMs: 0 }');
    const plain: number[] = [];
    const ranked: number[] = [];
    for (let i = 0; i < 2; i++) {
      await timeRequest(kernel, 'off', i);
      await timeRequest(kernel, 'on', i);
    }
    for (let i = 0; i < rounds; i++) {
      const order: ('on' | 'off')[] = i % 2 ? ['on', 'off'] : ['off', 'on'];
      for (const mode of order) {
        const sample = await timeRequest(kernel, mode, i);
        (mode === 'on' ? ranked : plain).push(sample.ms);
      }
    }
    await kernel.stop();
    await ollama.close();
    const ratio = median(ranked) / median(plain);
    process.stdout.write(`cost with parallel: 4, ${TOKEN_DELAY_MS} ms/token, ${ANSWER.split(/\s+/).length}-word answers, ${rounds} rounds alternating:\n\n`);
    process.stdout.write('| | median wall time |\n| --- | --- |\n');
    process.stdout.write(`| one plain answer | ${median(plain).toFixed(1)} ms |\n| ranked answer, N=3 | ${median(ranked).toFixed(1)} ms |\n`);
    process.stdout.write(`| **ratio ranked / plain** | **${ratio.toFixed(3)}** (goal ≤ 1.15: ${ratio <= 1.15 ? 'met' : 'NOT met'}) |\n\n`);
  }

  // 3. Deadline precision with 1 upstream slot.
  {
    const deadlineMs = 700;
    const ollama = await startOllamaStandIn({ parallel: 1, tokenDelayMs: TOKEN_DELAY_MS, reply: () => ANSWER });
    const kernel = await bootAgainstStandIn(ollama.url, `{ when: always, candidates: 3, deadlineMs: ${deadlineMs} }`);
    const late: number[] = [];
    let hits = 0;
    for (let i = 0; i < Math.max(4, Math.round(rounds / 2)); i++) {
      const sample = await timeRequest(kernel, 'on', i);
      late.push(sample.ms - deadlineMs);
      if (sample.deadlineHit) hits++;
      await ollama.idle(5000);
    }
    await kernel.stop();
    await ollama.close();
    const worst = Math.max(...late);
    process.stdout.write(`deadline with parallel: 1 (drafts queue; one answer ≈ ${(ANSWER.split(/\s+/).length * TOKEN_DELAY_MS).toFixed(0)} ms), deadlineMs ${deadlineMs}, ${late.length} requests:\n\n`);
    process.stdout.write('| | past the deadline |\n| --- | --- |\n');
    process.stdout.write(`| median | ${median(late).toFixed(1)} ms |\n| worst | ${worst.toFixed(1)} ms |\n`);
    process.stdout.write(`| deadline hit | ${hits}/${late.length} requests |\n`);
    process.stdout.write(`| **goal ≤ 50 ms** | **${worst <= 50 ? 'met' : 'NOT met'}** |\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run(Number(process.argv[2]) || 12);
