/**
 * Overhead, two comparisons, each side by side in one run, alternating which side goes
 * first, every request a new question (nothing is ever a cache hit). Goal for both: median
 * ratios of time to first token and of total time ≤ 1.02.
 *
 * 1. **kernel**: requests through the kernel (Kernel + `ollama` plugin, no other plugins)
 *    against the bare `ollama` client; stand-in first token after 20 ms, 4 ms per token.
 * 2. **pipeline**: requests through the HTTP API (`POST /api/chat`, streamed, with the
 *    `ollama` client pointed at Kobza) of a Kobza started from `config/default.yaml` itself —
 *    ollama, streaming, memory, semantic-cache (SQLite), parallel-ranking (`when: hard`, not
 *    triggered by these questions), http — against the same client pointed at the stand-in;
 *    stand-in first token after 50 ms, 5 ms per token. Only the environment differs from a
 *    real start: `OLLAMA_HOST` (the stand-in), `PORT=0`, and the SQLite files in a temp folder.
 *
 * Run alone: `npx tsx bench/overhead.ts [requests]` (default 200 per side and comparison);
 * `npx tsx bench/overhead.ts 100 pipeline` runs one comparison.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ollama } from 'ollama';
import { pino } from 'pino';
import { findHttpAdapter } from '../adapters/http/index.js';
import { BUILTIN_PLUGINS } from '../cli/builtins.js';
import { Kernel, loadConfigFile, parseConfig } from '../core/index.js';
import { startOllamaStandIn } from '../test/servers/ollama.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WARM_UP = 10;
const MODEL = 'qwen2.5:7b';

/** The stand-in's pace per comparison. */
const PACE = {
  kernel: { firstTokenDelayMs: 20, tokenDelayMs: 4 },
  pipeline: { firstTokenDelayMs: 50, tokenDelayMs: 5 },
} as const;

interface Sample {
  ttftMs: number;
  totalMs: number;
  chars: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A question whose stand-in answer is ~24 tokens. Unique per request, so the semantic cache
 * always misses; one question, no comparison, under 280 characters: ranking's `when: hard`
 * leaves it alone.
 */
function question(i: number): string {
  return `Question ${i}: when does the admission campaign start and which documents are needed for the bachelor programme in computer science`;
}

function bareChat(client: Ollama, i: number): Promise<Sample> {
  return timeStream(async () => {
    const stream = await client.chat({ model: MODEL, messages: [{ role: 'user', content: question(i) }], stream: true });
    return (async function* chunks() {
      for await (const part of stream) yield part.message.content;
    })();
  });
}

interface Comparison {
  name: string;
  /** What the stand-in was set to, for the report. */
  pace: { firstTokenDelayMs: number; tokenDelayMs: number };
  baseline: { label: string; ask(i: number): Promise<Sample> };
  measured: { label: string; ask(i: number): Promise<Sample> };
}

/** Runs both sides of a comparison, alternating, and prints medians and ratios. */
async function compare({ name, pace, baseline, measured }: Comparison, requests: number, offset: number): Promise<{ ttft: number; total: number }> {
  for (let i = 0; i < WARM_UP; i++) {
    await measured.ask(offset + i);
    await baseline.ask(offset + i);
  }
  const measuredSamples: Sample[] = [];
  const baselineSamples: Sample[] = [];
  for (let n = 0; n < requests; n++) {
    const i = offset + WARM_UP + n;
    // Alternate the order so neither side always runs on a warmer process.
    if (n % 2 === 0) {
      measuredSamples.push(await measured.ask(i));
      baselineSamples.push(await baseline.ask(i));
    } else {
      baselineSamples.push(await baseline.ask(i));
      measuredSamples.push(await measured.ask(i));
    }
  }
  if (measuredSamples.some((s, i) => s.chars !== baselineSamples[i].chars)) throw new Error(`${name}: the two sides received different answers`);

  const width = Math.max(baseline.label.length, measured.label.length);
  const row = (label: string, samples: Sample[]) => {
    const ttft = samples.map((s) => s.ttftMs);
    const total = samples.map((s) => s.totalMs);
    return `${label.padEnd(width)}  ttft median ${median(ttft).toFixed(2)} ms (p90 ${percentile(ttft, 90).toFixed(2)})   total median ${median(total).toFixed(2)} ms (p90 ${percentile(total, 90).toFixed(2)})`;
  };
  const ttft = median(measuredSamples.map((s) => s.ttftMs)) / median(baselineSamples.map((s) => s.ttftMs));
  const total = median(measuredSamples.map((s) => s.totalMs)) / median(baselineSamples.map((s) => s.totalMs));
  process.stdout.write(
    [
      `${name}: ${requests} requests each, alternating; stand-in first token ${pace.firstTokenDelayMs} ms, ${pace.tokenDelayMs} ms/token, ${measuredSamples[0].chars} chars/answer`,
      row(baseline.label, baselineSamples),
      row(measured.label, measuredSamples),
      `ratio ${measured.label}/${baseline.label}: ttft ${ttft.toFixed(3)}  total ${total.toFixed(3)}  (goal ≤ 1.02 both: ${ttft <= 1.02 && total <= 1.02 ? 'met' : 'NOT met'})`,
      '',
    ].join('\n'),
  );
  return { ttft, total };
}

/** Kernel + `ollama` plugin only, called in-process, against the bare client. */
async function kernelComparison(requests: number): Promise<void> {
  const ollama = await startOllamaStandIn(PACE.kernel);
  const config = parseConfig(`assistant:\n  model: ${MODEL}\nplugins:\n  ollama:\n    host: ${ollama.url}\n`, { file: 'bench-overhead.yaml', env: {} });
  const kernel = await Kernel.create(config, {
    builtins: { ollama: () => import('../plugins/ollama/index.js') },
    logger: pino({ level: 'silent' }),
  });
  const bare = new Ollama({ host: ollama.url });
  try {
    await compare(
      {
        name: 'kernel',
        pace: PACE.kernel,
        baseline: { label: 'bare', ask: (i) => bareChat(bare, i) },
        measured: { label: 'kernel', ask: (i) => timeStream(async () => (await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: question(i) }] }))).chunks) },
      },
      requests,
      0,
    );
  } finally {
    await kernel.stop();
    bare.abort();
    await ollama.close();
  }
}

/** A Kobza from config/default.yaml, through its HTTP API, against the bare client. */
async function pipelineComparison(requests: number): Promise<void> {
  const ollama = await startOllamaStandIn(PACE.pipeline);
  // The shipped file itself, copied so its relative SQLite paths land in a temp folder.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kobza-bench-overhead-'));
  mkdirSync(path.join(dir, 'config'));
  mkdirSync(path.join(dir, 'data'));
  const file = path.join(dir, 'config', 'default.yaml');
  copyFileSync(path.join(REPO, 'config', 'default.yaml'), file);
  const loaded = await loadConfigFile(file, { OLLAMA_HOST: ollama.url, PORT: '0', KOBZA_HOST: '127.0.0.1' });
  // KOBZA_BENCH_WITHOUT=semantic-cache,memory switches plugins off, to see what each costs.
  const without = (process.env.KOBZA_BENCH_WITHOUT ?? '').split(',').filter(Boolean);
  const config = { ...loaded, plugins: loaded.plugins.map((p) => (without.includes(p.name) ? { ...p, enabled: false } : p)) };
  const kernel = await Kernel.create(config, { builtins: BUILTIN_PLUGINS, logger: pino({ level: 'silent' }) });
  await kernel.start();
  const kobza = new Ollama({ host: findHttpAdapter(kernel)!.url! });
  const bare = new Ollama({ host: ollama.url });
  try {
    process.stdout.write(`pipeline plugins (config/default.yaml): ${config.plugins.filter((p) => p.enabled).map((p) => p.name).join(', ')}\n`);
    await compare(
      {
        name: 'pipeline',
        pace: PACE.pipeline,
        baseline: { label: 'bare', ask: (i) => bareChat(bare, i) },
        measured: { label: 'kobza-http', ask: (i) => bareChat(kobza, i) },
      },
      requests,
      1_000_000,
    );
    const upstreamCalls = ollama.count('/api/chat');
    // Every Kobza request reached the upstream once: no cache hit, no ranking drafts.
    if (upstreamCalls !== 2 * (requests + WARM_UP)) throw new Error(`pipeline: expected ${2 * (requests + WARM_UP)} upstream calls, saw ${upstreamCalls} (a cache hit or ranking?)`);
  } finally {
    await kernel.stop();
    kobza.abort();
    bare.abort();
    await ollama.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeStream(start: () => Promise<AsyncIterable<string>>): Promise<Sample> {
  const t0 = performance.now();
  let ttft = -1;
  let chars = 0;
  for await (const chunk of await start()) {
    if (ttft < 0 && chunk.length > 0) ttft = performance.now() - t0;
    chars += chunk.length;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0, chars };
}

/** Runs the comparisons (both by default) and prints medians and ratios. */
export async function run(requests = 200, only?: 'kernel' | 'pipeline'): Promise<void> {
  process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}\n`);
  if (only !== 'pipeline') await kernelComparison(requests);
  if (only !== 'kernel') await pipelineComparison(requests);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv[3];
  if (only !== undefined && only !== 'kernel' && only !== 'pipeline') throw new Error('usage: npx tsx bench/overhead.ts [requests] [kernel|pipeline]');
  await run(Number(process.argv[2]) || 200, only);
}
