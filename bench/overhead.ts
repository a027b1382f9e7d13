/**
 * Kernel overhead: time-to-first-token and total time of requests through the kernel
 * (Kernel + `ollama` plugin, no other plugins) against the bare `ollama` client, both
 * talking to the Ollama stand-in with a fixed per-token delay, in the same run,
 * alternating which goes first. Goal: both median ratios ≤ 1.02.
 *
 * Run alone: `npx tsx bench/overhead.ts [requests]` (default 200).
 */
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { Ollama } from 'ollama';
import { pino } from 'pino';
import { Kernel, parseConfig } from '../core/index.js';
import { startOllamaStandIn } from '../test/servers/ollama.js';

const TOKEN_DELAY_MS = 4;
const FIRST_TOKEN_DELAY_MS = 20;
const WARM_UP = 10;
const MODEL = 'qwen2.5:7b';

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

/** A question whose stand-in answer is ~24 tokens. */
function question(i: number): string {
  return `Question ${i}: when does the admission campaign start and which documents are needed for the bachelor programme in computer science`;
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

/** Runs the benchmark and prints medians and ratios. */
export async function run(requests = 200): Promise<void> {
  const ollama = await startOllamaStandIn({ tokenDelayMs: TOKEN_DELAY_MS, firstTokenDelayMs: FIRST_TOKEN_DELAY_MS });
  const config = parseConfig(`assistant:\n  model: ${MODEL}\nplugins:\n  ollama:\n    host: ${ollama.url}\n`, { file: 'bench-overhead.yaml', env: {} });
  const kernel = await Kernel.create(config, {
    builtins: { ollama: () => import('../plugins/ollama/index.js') },
    logger: pino({ level: 'silent' }),
  });
  const bare = new Ollama({ host: ollama.url });

  const viaKernel = (i: number) =>
    timeStream(async () => (await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: question(i) }] }))).chunks);
  const viaBare = (i: number) =>
    timeStream(async () => {
      const stream = await bare.chat({ model: MODEL, messages: [{ role: 'user', content: question(i) }], stream: true });
      return (async function* chunks() {
        for await (const part of stream) yield part.message.content;
      })();
    });

  try {
    for (let i = 0; i < WARM_UP; i++) {
      await viaKernel(i);
      await viaBare(i);
    }
    const kernelSamples: Sample[] = [];
    const bareSamples: Sample[] = [];
    for (let i = 0; i < requests; i++) {
      // Alternate the order so neither side always runs on a warmer process.
      if (i % 2 === 0) {
        kernelSamples.push(await viaKernel(i));
        bareSamples.push(await viaBare(i));
      } else {
        bareSamples.push(await viaBare(i));
        kernelSamples.push(await viaKernel(i));
      }
    }
    if (kernelSamples.some((s, i) => s.chars !== bareSamples[i].chars)) throw new Error('kernel and bare client received different answers');

    const row = (name: string, samples: Sample[]) => {
      const ttft = samples.map((s) => s.ttftMs);
      const total = samples.map((s) => s.totalMs);
      return `${name.padEnd(8)} ttft median ${median(ttft).toFixed(2)} ms (p90 ${percentile(ttft, 90).toFixed(2)})   total median ${median(total).toFixed(2)} ms (p90 ${percentile(total, 90).toFixed(2)})`;
    };
    const ttftRatio = median(kernelSamples.map((s) => s.ttftMs)) / median(bareSamples.map((s) => s.ttftMs));
    const totalRatio = median(kernelSamples.map((s) => s.totalMs)) / median(bareSamples.map((s) => s.totalMs));
    process.stdout.write(
      [
        `kernel overhead: ${requests} requests each, alternating; stand-in first token ${FIRST_TOKEN_DELAY_MS} ms, ${TOKEN_DELAY_MS} ms/token, ${kernelSamples[0].chars} chars/answer`,
        `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}`,
        row('bare', bareSamples),
        row('kernel', kernelSamples),
        `ratio kernel/bare: ttft ${ttftRatio.toFixed(3)}  total ${totalRatio.toFixed(3)}  (goal ≤ 1.02 both: ${ttftRatio <= 1.02 && totalRatio <= 1.02 ? 'met' : 'NOT met'})`,
        '',
      ].join('\n'),
    );
  } finally {
    await kernel.stop();
    bare.abort();
    await ollama.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run(Number(process.argv[2]) || 200);
