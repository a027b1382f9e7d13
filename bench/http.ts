/**
 * HTTP adapter benchmarks, side by side in one run:
 *
 * 1. Requests/s of the cache-hit path (`POST /v1/chat/completions`, answered by the
 *    semantic cache) ÷ requests/s of a bare Fastify hello-world, both driven by autocannon.
 *    Also shown: an "instant answer" Kobza whose provider answers in-process — the ceiling
 *    of adapter + kernel without any cache work. Goal: cache hit / hello-world ≥ 0.40.
 * 2. N concurrent streaming clients (default 200; half OpenAI SSE, half Ollama NDJSON) for
 *    a while against the Ollama stand-in: errors (goal 0), TTFT percentiles, and Kobza's
 *    RSS before and after (goal: growth ≤ 10 %).
 *
 * The load generator and the Ollama stand-in run in a child process, so Kobza's process
 * holds only Kobza (its RSS is Kobza's) and the client does not share its event loop.
 *
 * Run alone: `npx tsx bench/http.ts`. Environment:
 * - `KOBZA_BENCH_HTTP_SECONDS`   seconds per side of the requests/s comparison (default 10)
 * - `KOBZA_BENCH_STREAM_SECONDS` seconds of the streaming load (default 60)
 * - `KOBZA_BENCH_STREAM_CLIENTS` concurrent streaming clients (default 200)
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { pino } from 'pino';
import YAML from 'yaml';
import { createReplyMeta, definePlugin, Kernel, parseConfig, replayText, type LlmProvider } from '../core/index.js';
import { BUILTIN_PLUGINS } from '../cli/builtins.js';
import { findHttpAdapter } from '../adapters/http/index.js';

const MODEL = 'qwen2.5:7b';
const QUESTION = 'Коли починається вступна кампанія і які документи потрібні для вступу на бакалаврат?';
const ANSWER = 'Вступна кампанія починається 1 липня. Потрібні паспорт, ідентифікаційний код, документ про освіту і сертифікат НМТ.';
const CONNECTIONS = 32;
const NO_RATE_LIMIT = { max: 1_000_000_000, timeWindow: 60_000 };

// ---- the child process: load generator and Ollama stand-in ------------------------------

type DriverCommand =
  | { cmd: 'stand-in'; options: Record<string, unknown> }
  | { cmd: 'count'; path: string }
  | { cmd: 'cannon'; url: string; method: 'GET' | 'POST'; body?: string; seconds: number }
  | { cmd: 'streams'; url: string; clients: number; seconds: number }
  | { cmd: 'exit' };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function streamOnce(agent: http.Agent, base: string, api: 'openai' | 'ollama', question: string): Promise<number> {
  const body = JSON.stringify({ model: MODEL, stream: true, messages: [{ role: 'user', content: question }] });
  const path = api === 'openai' ? '/v1/chat/completions' : '/api/chat';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = http.request(`${base}${path}`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return reject(new Error(`HTTP ${response.statusCode}`));
      }
      let ttft = -1;
      let tail = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (ttft < 0) ttft = performance.now() - started;
        tail = (tail + chunk).slice(-400);
      });
      response.on('end', () => {
        const lastLine = tail.trim().split('\n').at(-1) ?? '';
        const ok = api === 'openai' ? tail.endsWith('data: [DONE]\n\n') : lastLine.includes('"done":true');
        if (ok) resolve(ttft);
        else reject(new Error(`stream ended without its final frame: ${lastLine.slice(0, 80)}`));
      });
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('response aborted')));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function runStreams(base: string, clients: number, seconds: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const until = Date.now() + seconds * 1000;
  const ttfts: number[] = [];
  const errorKinds = new Map<string, number>();
  let errors = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; Date.now() < until; i++) {
        const api = (client + i) % 2 === 0 ? 'openai' : 'ollama';
        try {
          ttfts.push(await streamOnce(agent, base, api, `Питання ${client}-${i}: коли закінчується прийом документів на магістратуру з комп'ютерних наук?`));
        } catch (err) {
          errors++;
          const kind = (err as Error).message;
          errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
        }
      }
    }),
  );
  agent.destroy();
  ttfts.sort((a, b) => a - b);
  return {
    completed: ttfts.length,
    errors,
    errorKinds: [...errorKinds].slice(0, 5),
    ttft: { p50: percentile(ttfts, 50), p90: percentile(ttfts, 90), p99: percentile(ttfts, 99), max: ttfts.at(-1) ?? NaN },
  };
}

async function driver(): Promise<void> {
  const { startOllamaStandIn } = await import('../test/servers/ollama.js');
  let standIn: Awaited<ReturnType<typeof startOllamaStandIn>> | undefined;
  process.on('message', async (message: DriverCommand & { id: number }) => {
    const reply = (value: unknown) => process.send!({ id: message.id, value });
    try {
      switch (message.cmd) {
        case 'stand-in':
          await standIn?.close();
          standIn = await startOllamaStandIn(message.options);
          return reply({ url: standIn.url });
        case 'count':
          return reply(standIn?.count(message.path) ?? 0);
        case 'cannon': {
          const result = await autocannon({
            url: message.url,
            method: message.method,
            body: message.body,
            headers: message.body ? { 'content-type': 'application/json' } : {},
            connections: CONNECTIONS,
            duration: message.seconds,
          });
          return reply({ rps: result.requests.average, total: result.requests.total, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors });
        }
        case 'streams':
          return reply(await runStreams(message.url, message.clients, message.seconds));
        case 'exit':
          await standIn?.close();
          reply(null);
          process.disconnect();
          return;
      }
    } catch (err) {
      process.send!({ id: message.id, error: (err as Error).message });
    }
  });
}

// ---- the parent: Kobza and the hello-world -----------------------------------------------

interface Driver {
  call<T>(command: DriverCommand): Promise<T>;
  child: ChildProcess;
}

function startDriver(): Driver {
  const child = fork(fileURLToPath(import.meta.url), ['--load-driver'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (message: { id: number; value?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(message.error));
    else waiter?.resolve(message.value);
  });
  return {
    child,
    call<T>(command: DriverCommand): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ ...command, id });
      });
    },
  };
}

const instantAnswer = definePlugin({
  name: 'instant-answer',
  provides: ['LlmProvider'],
  register(ctx) {
    const provider: LlmProvider = {
      id: 'instant-answer',
      async chat(request) {
        const meta = createReplyMeta({ requestId: request.id, source: 'provider', model: request.model });
        meta.doneReason = 'stop';
        return replayText(ANSWER, meta);
      },
    };
    ctx.provide('LlmProvider', provider);
  },
});

async function bootKobza(plugins: Record<string, unknown>): Promise<{ kernel: Kernel; url: string }> {
  const yaml = YAML.stringify({ assistant: { model: MODEL }, plugins });
  const kernel = await Kernel.create(parseConfig(yaml, { file: 'bench-http.yaml', env: {} }), {
    builtins: { ...BUILTIN_PLUGINS, 'instant-answer': async () => instantAnswer },
    logger: pino({ level: 'silent' }),
  });
  await kernel.start();
  return { kernel, url: findHttpAdapter(kernel)!.url! };
}

const collectGarbage = (() => {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
})();

function rssMiB(): number {
  collectGarbage();
  return process.memoryUsage().rss / 1024 / 1024;
}

interface CannonResult {
  rps: number;
  total: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** CPU time per request of `kernel.handle` + collecting the answer, in this process. */
async function kernelMicros(kernel: Kernel, requests = 20_000): Promise<number> {
  const ask = async () => {
    const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }], stream: false }));
    for await (const _chunk of reply.chunks);
  };
  for (let i = 0; i < 2000; i++) await ask();
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) await ask();
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / requests;
}

async function requestsPerSecond(driver: Driver, seconds: number): Promise<string[]> {
  const lines: string[] = [];
  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));
  await hello.listen({ host: '127.0.0.1', port: 0 });
  const helloUrl = `http://127.0.0.1:${(hello.server.address() as { port: number }).port}/`;

  const instant = await bootKobza({ 'instant-answer': {}, http: { port: 0, rateLimit: NO_RATE_LIMIT } });
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: QUESTION }] });

  const sides: { name: string; run: () => Promise<CannonResult> }[] = [
    { name: 'bare Fastify hello-world', run: () => driver.call({ cmd: 'cannon', url: helloUrl, method: 'GET', seconds }) },
    { name: 'Kobza, instant provider', run: () => driver.call({ cmd: 'cannon', url: `${instant.url}/v1/chat/completions`, method: 'POST', body, seconds }) },
  ];

  let cache: { kernel: Kernel; url: string } | undefined;
  if (BUILTIN_PLUGINS['semantic-cache']) {
    const { url: ollamaUrl } = await driver.call<{ url: string }>({ cmd: 'stand-in', options: {} });
    cache = await bootKobza({ ollama: { host: ollamaUrl, probeOnStart: false }, 'semantic-cache': {}, http: { port: 0, rateLimit: NO_RATE_LIMIT } });
    const first = await fetch(`${cache.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await first.text();
    const second = await fetch(`${cache.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await second.text();
    if (second.headers.get('x-kobza-source') !== 'cache') throw new Error(`the repeat was not a cache hit (x-kobza-source: ${second.headers.get('x-kobza-source')})`);
    sides.push({ name: 'Kobza, semantic-cache hit', run: () => driver.call({ cmd: 'cannon', url: `${cache!.url}/v1/chat/completions`, method: 'POST', body, seconds }) });
  } else {
    lines.push('semantic-cache is not registered in cli/builtins.ts yet: cache-hit side skipped');
  }

  // Two rounds, rotating the order. Server CPU per request (this process holds only the
  // servers) is steadier than req/s on a shared machine, so it is reported too.
  const results = new Map<string, (CannonResult & { cpuMicros: number })[]>();
  for (let round = 0; round < 2; round++) {
    const order = round === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const before = process.cpuUsage();
      const result = await side.run();
      const cpu = process.cpuUsage(before);
      results.set(side.name, [...(results.get(side.name) ?? []), { ...result, cpuMicros: (cpu.user + cpu.system) / Math.max(1, result.total) }]);
    }
  }
  const kernelOnly = [`  the kernel alone (no HTTP), CPU per request: instant provider ${(await kernelMicros(instant.kernel)).toFixed(1)} µs`];
  if (cache) kernelOnly.push(`, semantic-cache hit ${(await kernelMicros(cache.kernel)).toFixed(1)} µs`);
  const upstreamCalls = cache ? await driver.call<number>({ cmd: 'count', path: '/api/chat' }) : 0;

  const mean = (name: string, pick: (r: CannonResult & { cpuMicros: number }) => number) => {
    const list = results.get(name) ?? [];
    return list.reduce((sum, r) => sum + pick(r), 0) / list.length;
  };
  const helloRps = mean(sides[0].name, (r) => r.rps);
  lines.push(`requests/s: autocannon, ${CONNECTIONS} connections, 2 rounds × ${seconds} s per side, non-streaming POST /v1/chat/completions`);
  for (const side of sides) {
    const rps = mean(side.name, (r) => r.rps);
    const bad = (results.get(side.name) ?? []).reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    lines.push(`  ${side.name.padEnd(28)} ${rps.toFixed(0).padStart(7)} req/s   p99 ${mean(side.name, (r) => r.p99).toFixed(1)} ms   ratio ${(rps / helloRps).toFixed(3)}   server CPU ${mean(side.name, (r) => r.cpuMicros).toFixed(1)} µs/req   non-2xx/errors ${bad}`);
  }
  lines.push(kernelOnly.join(''));
  if (cache) {
    const ratio = mean('Kobza, semantic-cache hit', (r) => r.rps) / helloRps;
    lines.push(`  cache hit ÷ hello-world = ${ratio.toFixed(3)} (goal ≥ 0.40: ${ratio >= 0.4 ? 'met' : 'NOT met'}); upstream /api/chat calls during the run: ${upstreamCalls} (1 = only the priming miss)`);
  }
  await hello.close();
  await instant.kernel.stop();
  await cache?.kernel.stop();
  return lines;
}

async function streamingLoad(driver: Driver, clients: number, seconds: number): Promise<string[]> {
  const tokenDelayMs = 40;
  const firstTokenDelayMs = 100;
  const { url: ollamaUrl } = await driver.call<{ url: string }>({ cmd: 'stand-in', options: { tokenDelayMs, firstTokenDelayMs } });
  // No streaming plugin: its chunk coalescing would add to TTFT what is not the adapter's.
  const kobza = await bootKobza({ ollama: { host: ollamaUrl, probeOnStart: false }, http: { port: 0, rateLimit: NO_RATE_LIMIT } });
  type StreamResult = Awaited<ReturnType<typeof runStreams>>;
  try {
    const rssStart = rssMiB();
    const warmSeconds = Math.max(3, Math.min(10, Math.round(seconds / 6)));
    const warm = await driver.call<StreamResult>({ cmd: 'streams', url: kobza.url, clients, seconds: warmSeconds });
    const rssBefore = rssMiB();
    const load = await driver.call<StreamResult>({ cmd: 'streams', url: kobza.url, clients, seconds });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rssAfter = rssMiB();
    const growth = (rssAfter / rssBefore - 1) * 100;
    const f = (n: number) => n.toFixed(1);
    return [
      `streaming: ${clients} concurrent clients (half OpenAI SSE, half Ollama NDJSON) for ${seconds} s after a ${warmSeconds} s warm-up; stand-in first token ${firstTokenDelayMs} ms, ${tokenDelayMs} ms/token; pipeline: ollama + http`,
      `  completed streams ${load.completed} (${f(load.completed / seconds)}/s), errors ${load.errors}${load.errorKinds.length ? ` ${JSON.stringify(load.errorKinds)}` : ''}; warm-up ${warm.completed} streams, ${warm.errors} errors`,
      `  TTFT ms: p50 ${f(load.ttft.p50)}   p90 ${f(load.ttft.p90)}   p99 ${f(load.ttft.p99)}   max ${f(load.ttft.max)}`,
      `  Kobza RSS after GC: at start ${f(rssStart)} MiB, after warm-up ${f(rssBefore)} MiB, after the load ${f(rssAfter)} MiB → growth ${f(growth)} % (goal ≤ 10 %: ${growth <= 10 ? 'met' : 'NOT met'}); errors goal 0: ${load.errors === 0 && warm.errors === 0 ? 'met' : 'NOT met'}`,
    ];
  } finally {
    await kobza.kernel.stop();
  }
}

/** Runs both benchmarks and prints the results. */
export async function run(): Promise<void> {
  const rpsSeconds = Number(process.env.KOBZA_BENCH_HTTP_SECONDS) || 10;
  const streamSeconds = Number(process.env.KOBZA_BENCH_STREAM_SECONDS) || 60;
  const clients = Number(process.env.KOBZA_BENCH_STREAM_CLIENTS) || 200;
  const driver = startDriver();
  try {
    process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
    for (const line of await requestsPerSecond(driver, rpsSeconds)) process.stdout.write(`${line}\n`);
    for (const line of await streamingLoad(driver, clients, streamSeconds)) process.stdout.write(`${line}\n`);
  } finally {
    await driver.call({ cmd: 'exit' }).catch(() => undefined);
    driver.child.kill();
  }
}

if (process.argv.includes('--load-driver')) await driver();
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
