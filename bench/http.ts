/**
 * HTTP adapter benchmarks, side by side in one run:
 *
 * 1. Requests/s of the cache-hit path (`POST /v1/chat/completions`, answered by the
 *    semantic cache) ÷ requests/s of a bare Fastify hello-world, both driven by autocannon.
 *    Also shown: an "instant answer" Kobza whose provider answers in-process — the ceiling
 *    of adapter + kernel without any cache work — and bare Fastify answering the same POST
 *    with a same-sized object, the HTTP + JSON floor; the cache hit on the SQLite store
 *    of config/default.yaml; and the cache hit as a user of config/default.yaml gets it:
 *    the shipped file with its whole pipeline (streaming, memory, knowledge — whose FAQ
 *    check and retrieval run before the cache on every request —, semantic-cache on SQLite,
 *    parallel-ranking, http with metrics), only the rate limit's ceiling raised. Goal: cache
 *    hit / hello-world ≥ 0.40 (the `semantic-cache hit` side: ollama + semantic-cache + http).
 * 2. N concurrent streaming clients (default 200; half OpenAI SSE, half Ollama NDJSON) for
 *    a while against the Ollama stand-in: errors (goal 0), TTFT percentiles, and Kobza's
 *    RSS before and after (goal: growth ≤ 10 %).
 *
 * Processes: this one orchestrates; each server (hello-world, bare POST, each Kobza) runs in
 * a process of its own — as a deployment runs one app per process — from
 * `bench/http-server.ts`, compiled with esbuild and forked with plain `node` (as `kobza
 * serve` runs from dist/), so each side's CPU time and RSS are its server's alone, no side
 * carries another's heap, timers or inline caches, and tsx does not inflate them; the load
 * generator and the Ollama stand-in run in one more process, so the client shares neither
 * an event loop nor a CPU account with the servers.
 *
 * Run alone: `npx tsx bench/http.ts`. Environment:
 * - `KOBZA_BENCH_HTTP_SECONDS`   seconds per side of the requests/s comparison (default 10)
 * - `KOBZA_BENCH_HTTP_WARMUP`    unmeasured seconds of the same load per side first (default 3; 0: none)
 * - `KOBZA_BENCH_STREAM_SECONDS` seconds of the streaming load (default 60)
 * - `KOBZA_BENCH_STREAM_CLIENTS` concurrent streaming clients (default 200)
 * - `KOBZA_BENCH_TSX=1`          run the servers under tsx instead (to see what it costs)
 * - `KOBZA_BENCH_HTTP_BASELINE`  a checkout of another version (e.g. `git archive <commit>`
 *   unpacked, with `node_modules` linked): its cache-hit Kobza runs in its own server process
 *   as one more side of the same run, for a before/after of a change
 */
import { ipcCaller } from './ipc.js';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { BUILTIN_PLUGINS } from '../cli/builtins.js';
import { copyDefaultConfig, MODEL, QUESTION, type ServerCommand } from './http-server.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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

// ---- the parent: orchestration ------------------------------------------------------------

interface Driver {
  call<T>(command: DriverCommand): Promise<T>;
  child: ChildProcess;
}

function startDriver(): Driver {
  const child = fork(fileURLToPath(import.meta.url), ['--load-driver'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { child, call: ipcCaller(child, 'id') };
}

interface Servers {
  call<T>(command: ServerCommand): Promise<T>;
  child: ChildProcess;
  /** How the servers run, for the report. */
  runtime: string;
}

const compiling = new Map<string, Promise<string>>();

/** bench/http-server.ts of a checkout bundled once per run (each side forks the bundle). */
function compileOnce(source: string, name: string): Promise<string> {
  let compiled = compiling.get(source);
  if (compiled === undefined) {
    const outfile = path.join(REPO, 'node_modules', '.cache', 'kobza-bench', name);
    compiled = build({ entryPoints: [source], outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', logLevel: 'error' }).then(() => outfile);
    compiling.set(source, compiled);
  }
  return compiled;
}

/** Forks a measured server process: bench/http-server.ts compiled to plain JavaScript. */
async function startServers(root = REPO): Promise<Servers> {
  const source = path.join(root, 'bench', 'http-server.ts');
  let child: ChildProcess;
  let runtime: string;
  if (process.env.KOBZA_BENCH_TSX === '1') {
    child = fork(source, ['--bench-http-server'], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    runtime = 'servers under tsx (KOBZA_BENCH_TSX=1)';
  } else {
    // Bundled beside the other benches' compiled children; packages stay external, so
    // node_modules resolves from there as from dist/.
    const compiled = await compileOnce(source, root === REPO ? 'http-server.mjs' : 'http-server-baseline.mjs');
    child = fork(compiled, ['--bench-http-server'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    runtime = 'servers compiled (esbuild, plain node, as from dist/)';
  }
  return { child, runtime, call: ipcCaller(child) };
}

interface CannonResult {
  rps: number;
  total: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** One measured side: its own server process, the server's URL and id there. */
interface Side {
  name: string;
  on: Servers;
  id: number;
  url: string;
}

async function requestsPerSecond(driver: Driver, spawn: (root?: string) => Promise<Servers>, seconds: number, warmupSeconds: number, baselineRoot?: string): Promise<string[]> {
  const lines: string[] = [];
  const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: QUESTION }] });
  const chat = (url: string) => `${url}/v1/chat/completions`;
  // Every side runs in a server process of its own, as a deployment runs one app per
  // process: sharing one would put each side's heap, timers and inline caches in the CPU
  // time of the others.
  const sides: Side[] = [];
  const side = async (name: string, command: ServerCommand, root?: string, url = chat): Promise<Side> => {
    const on = await spawn(root);
    const started = await on.call<{ id: number; url: string }>(command);
    const made = { name, on, id: started.id, url: url(started.url) };
    sides.push(made);
    return made;
  };
  const hitTwice = async (target: Side): Promise<string | null> => {
    let source: string | null = null;
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await answer.text();
      source = answer.headers.get('x-kobza-source');
    }
    return source;
  };
  const hello = await side('bare Fastify hello-world', { cmd: 'hello' }, undefined, (url) => url);
  await side('bare Fastify POST, same JSON', { cmd: 'bare-post' });
  const instant = await side('Kobza, instant provider', { cmd: 'kobza', plugins: { 'instant-answer': {}, http: { port: 0, rateLimit: NO_RATE_LIMIT } } });

  let cache: Side | undefined;
  let sqliteDir: string | undefined;
  let defaultDir: string | undefined;
  let hasDefault = false;
  if (BUILTIN_PLUGINS['semantic-cache']) {
    const { url: ollamaUrl } = await driver.call<{ url: string }>({ cmd: 'stand-in', options: {} });
    const ollama = { host: ollamaUrl, probeOnStart: false };
    cache = await side('Kobza, semantic-cache hit', { cmd: 'kobza', plugins: { ollama, 'semantic-cache': {}, http: { port: 0, rateLimit: NO_RATE_LIMIT } } });
    const source = await hitTwice(cache);
    if (source !== 'cache') throw new Error(`the repeat was not a cache hit (x-kobza-source: ${source})`);
    // The same on the SQLite store of config/default.yaml (not the goal's side): a repeat hit
    // is served from the answers held in memory, so it should cost what a memory store does.
    sqliteDir = mkdtempSync(path.join(os.tmpdir(), 'kobza-bench-http-'));
    await hitTwice(await side('Kobza, cache hit, SQLite', { cmd: 'kobza', plugins: { ollama, 'semantic-cache': { store: `sqlite://${path.join(sqliteDir, 'cache.sqlite')}` }, http: { port: 0, rateLimit: NO_RATE_LIMIT } } }));
    if (baselineRoot) await hitTwice(await side('baseline: cache hit', { cmd: 'kobza', plugins: { ollama, 'semantic-cache': {}, http: { port: 0, rateLimit: NO_RATE_LIMIT } } }, baselineRoot));
    // config/default.yaml as a user starts it; only the rate limit (600/min per client) would
    // answer this load with 429s, so its ceiling is raised — the limiter still runs.
    const copied = copyDefaultConfig(REPO, 'kobza-bench-http-default-', (yaml) => yaml.replace('    port: ${PORT:-8787}\n', `    port: \${PORT:-8787}\n    rateLimit: { max: ${NO_RATE_LIMIT.max}, timeWindow: ${NO_RATE_LIMIT.timeWindow} }\n`));
    defaultDir = copied.dir;
    const heavy = await side('Kobza, cache hit, default.yaml', { cmd: 'kobza-file', file: copied.file, env: { OLLAMA_HOST: ollamaUrl, PORT: '0', KOBZA_HOST: '127.0.0.1', LOG_LEVEL: 'silent' } });
    const defaultSource = await hitTwice(heavy);
    if (defaultSource !== 'cache') throw new Error(`config/default.yaml: the repeat was not a cache hit (x-kobza-source: ${defaultSource})`);
    hasDefault = true;
  } else {
    lines.push('semantic-cache is not registered in cli/builtins.ts yet: cache-hit side skipped');
  }

  // Every side first takes the same unmeasured load (KOBZA_BENCH_HTTP_WARMUP seconds):
  // measured cold, the first round also counts V8 compiling the side's hot code on its
  // background threads — ~1 µs per request more for a Kobza than for a hello-world.
  // The hello-world answers GET /; every other side the chat POST.
  const load = (measured: Side, duration: number) =>
    driver.call<CannonResult>(measured === hello ? { cmd: 'cannon', url: measured.url, method: 'GET', seconds: duration } : { cmd: 'cannon', url: measured.url, method: 'POST', body, seconds: duration });
  if (warmupSeconds > 0) for (const measured of sides) await load(measured, warmupSeconds);
  // Two rounds, rotating the order. Server CPU per request (each server process holds only
  // its side) is steadier than req/s on a shared machine, so it is reported too.
  const results = new Map<string, (CannonResult & { cpuMicros: number })[]>();
  for (let round = 0; round < 2; round++) {
    const order = round === 0 ? sides : [...sides].reverse();
    for (const measured of order) {
      const before = await measured.on.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const result = await load(measured, seconds);
      const after = await measured.on.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
      const cpuMicros = (after.user - before.user + after.system - before.system) / Math.max(1, result.total);
      results.set(measured.name, [...(results.get(measured.name) ?? []), { ...result, cpuMicros }]);
    }
  }
  const kernelOnly = [`  the kernel alone (no HTTP), CPU per request: instant provider ${(await instant.on.call<number>({ cmd: 'kernel-micros', id: instant.id, requests: 20_000 })).toFixed(1)} µs`];
  if (cache) kernelOnly.push(`, semantic-cache hit ${(await cache.on.call<number>({ cmd: 'kernel-micros', id: cache.id, requests: 20_000 })).toFixed(1)} µs`);
  const upstreamCalls = cache ? await driver.call<number>({ cmd: 'count', path: '/api/chat' }) : 0;

  const mean = (name: string, pick: (r: CannonResult & { cpuMicros: number }) => number) => {
    const list = results.get(name) ?? [];
    return list.reduce((sum, r) => sum + pick(r), 0) / list.length;
  };
  const helloRps = mean(hello.name, (r) => r.rps);
  lines.push(`requests/s: autocannon, ${CONNECTIONS} connections, ${warmupSeconds} s unmeasured warm-up then 2 rounds × ${seconds} s per side, non-streaming POST /v1/chat/completions; ${hello.on.runtime}; each side in a server process of its own`);
  for (const measured of sides) {
    const rps = mean(measured.name, (r) => r.rps);
    const bad = (results.get(measured.name) ?? []).reduce((sum, r) => sum + r.non2xx + r.errors, 0);
    lines.push(`  ${measured.name.padEnd(30)} ${rps.toFixed(0).padStart(7)} req/s   p99 ${mean(measured.name, (r) => r.p99).toFixed(1)} ms   ratio ${(rps / helloRps).toFixed(3)}   server CPU ${mean(measured.name, (r) => r.cpuMicros).toFixed(1)} µs/req   non-2xx/errors ${bad}`);
  }
  lines.push(kernelOnly.join(''));
  if (cache) {
    const ratio = mean(cache.name, (r) => r.rps) / helloRps;
    const cpuRatio = mean(hello.name, (r) => r.cpuMicros) / mean(cache.name, (r) => r.cpuMicros);
    lines.push(`  cache hit ÷ hello-world = ${ratio.toFixed(3)} (goal ≥ 0.40: ${ratio >= 0.4 ? 'met' : 'NOT met'}; by server CPU per request ${cpuRatio.toFixed(3)}); upstream /api/chat calls during the run: ${upstreamCalls} (${2 + (hasDefault ? 1 : 0) + (baselineRoot ? 1 : 0)} = only the priming misses)`);
    if (hasDefault) {
      const name = 'Kobza, cache hit, default.yaml';
      lines.push(`  the same with config/default.yaml's whole pipeline: ${(mean(name, (r) => r.rps) / helloRps).toFixed(3)} by req/s, ${(mean(hello.name, (r) => r.cpuMicros) / mean(name, (r) => r.cpuMicros)).toFixed(3)} by server CPU per request`);
    }
    if (baselineRoot) {
      const before = mean('baseline: cache hit', (r) => r.rps) / helloRps;
      const beforeCpu = mean(hello.name, (r) => r.cpuMicros) / mean('baseline: cache hit', (r) => r.cpuMicros);
      lines.push(`  baseline (${baselineRoot}) cache hit ÷ hello-world = ${before.toFixed(3)} (by server CPU per request ${beforeCpu.toFixed(3)})`);
    }
  }
  for (const measured of sides) {
    await measured.on.call({ cmd: 'exit' }).catch(() => undefined);
    measured.on.child.kill();
  }
  if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  if (defaultDir) rmSync(defaultDir, { recursive: true, force: true });
  return lines;
}

async function streamingLoad(driver: Driver, servers: Servers, clients: number, seconds: number): Promise<string[]> {
  const tokenDelayMs = 40;
  const firstTokenDelayMs = 100;
  const { url: ollamaUrl } = await driver.call<{ url: string }>({ cmd: 'stand-in', options: { tokenDelayMs, firstTokenDelayMs } });
  // No streaming plugin: its chunk coalescing would add to TTFT what is not the adapter's.
  // The load is `clients` generations at once: the default cap (limits.maxInFlight 32, 64
  // queued, beyond that 503 OVERLOADED) is a deployment's GPU policy, not what this measures,
  // so the cap is set to the load here.
  const limits = { maxInFlight: clients, maxQueued: clients };
  const kobza = await servers.call<{ id: number; url: string }>({ cmd: 'kobza', limits, plugins: { ollama: { host: ollamaUrl, probeOnStart: false }, http: { port: 0, rateLimit: NO_RATE_LIMIT } } });
  type StreamResult = Awaited<ReturnType<typeof runStreams>>;
  const memory = () => servers.call<{ rss: number; heap: number }>({ cmd: 'memory' });
  try {
    const atStart = await memory();
    const warmSeconds = Math.max(3, Math.min(10, Math.round(seconds / 6)));
    const warm = await driver.call<StreamResult>({ cmd: 'streams', url: kobza.url, clients, seconds: warmSeconds });
    const before = await memory();
    const cpuBefore = await servers.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
    const load = await driver.call<StreamResult>({ cmd: 'streams', url: kobza.url, clients, seconds });
    const cpuAfter = await servers.call<NodeJS.CpuUsage>({ cmd: 'cpu' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await memory();
    const cpuPerStream = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / Math.max(1, load.completed);
    const growth = (after.rss / before.rss - 1) * 100;
    const f = (n: number) => n.toFixed(1);
    return [
      `streaming: ${clients} concurrent clients (half OpenAI SSE, half Ollama NDJSON) for ${seconds} s after a ${warmSeconds} s warm-up; stand-in first token ${firstTokenDelayMs} ms, ${tokenDelayMs} ms/token; pipeline: ollama + http, limits.maxInFlight = ${clients}; a fresh server process`,
      `  completed streams ${load.completed} (${f(load.completed / seconds)}/s), errors ${load.errors}${load.errorKinds.length ? ` ${JSON.stringify(load.errorKinds)}` : ''}; warm-up ${warm.completed} streams, ${warm.errors} errors`,
      `  TTFT ms: p50 ${f(load.ttft.p50)}   p90 ${f(load.ttft.p90)}   p99 ${f(load.ttft.p99)}   max ${f(load.ttft.max)}; server CPU per stream ${f(cpuPerStream)} µs`,
      `  Kobza RSS after GC: at start ${f(atStart.rss)} MiB, after warm-up ${f(before.rss)} MiB, after the load ${f(after.rss)} MiB → growth ${f(growth)} % (goal ≤ 10 %: ${growth <= 10 ? 'met' : 'NOT met'}); V8 heap used ${f(atStart.heap)} / ${f(before.heap)} / ${f(after.heap)} MiB; errors goal 0: ${load.errors === 0 && warm.errors === 0 ? 'met' : 'NOT met'}`,
    ];
  } finally {
    await servers.call({ cmd: 'stop', id: kobza.id });
  }
}

/** Runs both benchmarks and prints the results. */
export async function run(): Promise<void> {
  const rpsSeconds = Number(process.env.KOBZA_BENCH_HTTP_SECONDS) || 10;
  const warmupSeconds = process.env.KOBZA_BENCH_HTTP_WARMUP === undefined ? 3 : Number(process.env.KOBZA_BENCH_HTTP_WARMUP);
  if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0) throw new Error(`KOBZA_BENCH_HTTP_WARMUP must be a number of seconds ≥ 0, got "${process.env.KOBZA_BENCH_HTTP_WARMUP}"`);
  const streamSeconds = Number(process.env.KOBZA_BENCH_STREAM_SECONDS) || 60;
  const clients = Number(process.env.KOBZA_BENCH_STREAM_CLIENTS) || 200;
  const baselineRoot = process.env.KOBZA_BENCH_HTTP_BASELINE;
  const driver = startDriver();
  const spawned: Servers[] = [];
  const spawn = async (root?: string): Promise<Servers> => {
    const servers = await startServers(root === undefined ? REPO : path.resolve(root));
    spawned.push(servers);
    return servers;
  };
  try {
    process.stdout.write(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
    for (const line of await requestsPerSecond(driver, spawn, rpsSeconds, warmupSeconds, baselineRoot)) process.stdout.write(`${line}\n`);
    // A fresh process, so the memory it reports is the streaming Kobza's alone.
    for (const line of await streamingLoad(driver, await spawn(), clients, streamSeconds)) process.stdout.write(`${line}\n`);
  } finally {
    for (const running of spawned) {
      if (running.child.connected) await running.call({ cmd: 'exit' }).catch(() => undefined);
      running.child.kill();
    }
    await driver.call({ cmd: 'exit' }).catch(() => undefined);
    driver.child.kill();
  }
}

if (process.argv.includes('--load-driver')) await driver();
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
