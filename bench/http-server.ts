/**
 * The measured process of `bench/http.ts`: the bare Fastify hello-world and the Kobzas
 * under test, nothing else (its CPU time and RSS are the servers'). `bench/http.ts` compiles
 * this file to plain JavaScript with esbuild and forks it with plain `node`, so the servers
 * run as `kobza serve` runs them from dist/: under tsx every function created per request
 * gets a `__name(fn, "…")` wrapper (keepNames), which made the kernel path ~30 % slower.
 * Driven over IPC; not meant to be run by hand.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import YAML from 'yaml';
import { findHttpAdapter } from '../adapters/http/index.js';
import { BUILTIN_PLUGINS } from '../cli/builtins.js';
import { createReplyMeta, definePlugin, Kernel, loadConfigFile, parseConfig, replayText, type LlmProvider } from '../core/index.js';

export const MODEL = 'qwen2.5:7b';
export const QUESTION = 'Коли починається вступна кампанія і які документи потрібні для вступу на бакалаврат?';
const ANSWER = 'Вступна кампанія починається 1 липня. Потрібні паспорт, ідентифікаційний код, документ про освіту і сертифікат НМТ.';

export type ServerCommand =
  | { cmd: 'hello' }
  | { cmd: 'bare-post' }
  | { cmd: 'kobza'; plugins: Record<string, unknown>; limits?: Record<string, number> }
  /** A Kobza from a config file as `kobza serve` loads it (bench/overhead.ts: config/default.yaml). */
  | { cmd: 'kobza-file'; file: string; env: Record<string, string>; without?: string[] }
  /** The floor of any proxy: node:http forwarding each request to `target` and piping the answer back. */
  | { cmd: 'pipe-proxy'; target: string }
  | { cmd: 'cpu' }
  | { cmd: 'kernel-micros'; id: number; requests: number }
  | { cmd: 'memory' }
  | { cmd: 'stop'; id: number }
  | { cmd: 'exit' };

/**
 * config/default.yaml as shipped, in a temp folder laid out like the repository (config/,
 * data/ for its SQLite files, knowledge/ for its sample documents), so its relative paths
 * resolve as in a real start. `edit` changes the YAML text (it must change something).
 */
export function copyDefaultConfig(repo: string, prefix: string, edit?: (yaml: string) => string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(path.join(dir, 'config'));
  mkdirSync(path.join(dir, 'data'));
  cpSync(path.join(repo, 'knowledge'), path.join(dir, 'knowledge'), { recursive: true });
  const file = path.join(dir, 'config', 'default.yaml');
  const shipped = readFileSync(path.join(repo, 'config', 'default.yaml'), 'utf8');
  const yaml = edit ? edit(shipped) : shipped;
  if (edit && yaml === shipped) throw new Error('copyDefaultConfig: the edit changed nothing (config/default.yaml changed?)');
  writeFileSync(file, yaml);
  return { dir, file };
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

interface Running {
  kernel?: Kernel;
  hello?: FastifyInstance;
  proxy?: http.Server;
}

const running = new Map<number, Running>();
let nextId = 1;

async function bootKobza(plugins: Record<string, unknown>, limits?: Record<string, number>): Promise<{ id: number; url: string }> {
  const yaml = YAML.stringify(limits ? { assistant: { model: MODEL }, limits, plugins } : { assistant: { model: MODEL }, plugins });
  const kernel = await Kernel.create(parseConfig(yaml, { file: 'bench-http.yaml', env: {} }), {
    builtins: { ...BUILTIN_PLUGINS, 'instant-answer': async () => instantAnswer },
    logger: pino({ level: 'silent' }),
  });
  await kernel.start();
  const id = nextId++;
  running.set(id, { kernel });
  return { id, url: findHttpAdapter(kernel)!.url! };
}

/** Boots a config file with the given environment; `without` switches plugins off (to see what each costs). */
async function bootKobzaFile(file: string, env: Record<string, string>, without: string[] = []): Promise<{ id: number; url: string; plugins: string[] }> {
  const loaded = await loadConfigFile(file, env);
  const config = { ...loaded, plugins: loaded.plugins.map((p) => (without.includes(p.name) ? { ...p, enabled: false } : p)) };
  const kernel = await Kernel.create(config, { builtins: BUILTIN_PLUGINS, logger: pino({ level: 'silent' }) });
  await kernel.start();
  const id = nextId++;
  running.set(id, { kernel });
  return { id, url: findHttpAdapter(kernel)!.url!, plugins: config.plugins.filter((p) => p.enabled).map((p) => p.name) };
}

async function startPipeProxy(target: string): Promise<{ id: number; url: string }> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const id = nextId++;
  running.set(id, { proxy: server });
  return { id, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

async function startHello(): Promise<{ id: number; url: string }> {
  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));
  await hello.listen({ host: '127.0.0.1', port: 0 });
  const id = nextId++;
  running.set(id, { hello });
  return { id, url: `http://127.0.0.1:${(hello.server.address() as { port: number }).port}/` };
}

/**
 * A reference, not the goal's baseline: bare Fastify doing the HTTP part of the Kobza side
 * — parse the same JSON body, answer with a completion object of the same size — so the
 * report shows how much of the gap to the hello-world a POST with JSON costs by itself.
 */
async function startBarePost(): Promise<{ id: number; url: string }> {
  const app = Fastify({ logger: false });
  app.post('/v1/chat/completions', async (request) => {
    const body = request.body as { model: string };
    return {
      id: 'chatcmpl-00000000-0000-4000-8000-000000000000',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      system_fingerprint: 'kobza',
      choices: [{ index: 0, message: { role: 'assistant', content: ANSWER, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 22, completion_tokens: 30, total_tokens: 52 },
    };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const id = nextId++;
  running.set(id, { hello: app });
  return { id, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

/** CPU time per request of `kernel.handle` + collecting the answer, in this process. */
async function kernelMicros(kernel: Kernel, requests: number): Promise<number> {
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

/** RSS and V8 heap in MiB after full collections (forked with --expose-gc). */
async function memoryAfterGc(): Promise<{ rss: number; heap: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss / 1024 / 1024, heap: usage.heapUsed / 1024 / 1024 };
}

async function serve(command: ServerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'hello':
      return startHello();
    case 'bare-post':
      return startBarePost();
    case 'kobza':
      return bootKobza(command.plugins, command.limits);
    case 'kobza-file':
      return bootKobzaFile(command.file, command.env, command.without);
    case 'pipe-proxy':
      return startPipeProxy(command.target);
    case 'cpu':
      return process.cpuUsage();
    case 'kernel-micros':
      return kernelMicros(running.get(command.id)!.kernel!, command.requests);
    case 'memory':
      return memoryAfterGc();
    case 'stop': {
      const target = running.get(command.id);
      running.delete(command.id);
      await target?.hello?.close();
      target?.proxy?.closeAllConnections();
      await new Promise((resolve) => (target?.proxy ? target.proxy.close(resolve) : resolve(undefined)));
      await target?.kernel?.stop();
      return null;
    }
    case 'exit':
      for (const id of [...running.keys()]) await serve({ cmd: 'stop', id });
      return null;
  }
}

if (process.argv.includes('--bench-http-server')) {
  process.on('message', (message: ServerCommand & { id?: number; seq: number }) => {
    serve(message).then(
      (value) => {
        process.send!({ seq: message.seq, value });
        if (message.cmd === 'exit') process.disconnect();
      },
      (err: unknown) => process.send!({ seq: message.seq, error: (err as Error).stack ?? String(err) }),
    );
  });
}
