import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyvStore } from '../../../core/index.js';
import { startTestRedis, type TestRedis } from '../../helpers/redis.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';

const root = path.resolve(import.meta.dirname, '../../..');
const script = path.join(import.meta.dirname, 'fixtures', 'cache-process.ts');

/** One live Kobza process speaking the JSON-lines protocol of fixtures/cache-process.ts. */
interface LiveProcess {
  child: ChildProcessWithoutNullStreams;
  send(command: Record<string, unknown>): Promise<any>;
}

async function startProcess(redisUrl: string, ollamaUrl: string): Promise<LiveProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, redisUrl, ollamaUrl], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines: Interface = createInterface({ input: child.stdout });
  const waiting: ((value: any) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(JSON.parse(line)));
  const next = () =>
    new Promise<any>((resolve, reject) => {
      waiting.push(resolve);
      child.once('exit', (code) => reject(new Error(`cache process exited with ${code}: ${stderr}`)));
    });
  const ready = await next();
  expect(ready).toEqual({ ready: true });
  return {
    child,
    send(command) {
      const answer = next();
      child.stdin.write(`${JSON.stringify(command)}\n`);
      return answer;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redis: TestRedis;
let ollama: OllamaStandIn;
let redisUrl: string;
const processes: LiveProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  // A database of its own, so the shared CI Redis keeps other tests' keys apart.
  redisUrl = `${redis.url.replace(/\/\d*$/, '')}/7`;
  const store = await openKeyvStore(redisUrl, 'semantic-cache');
  await store.clear();
  await store.close?.();
  ollama = await startOllamaStandIn();
});

afterAll(async () => {
  for (const p of processes) {
    if (p.child.exitCode === null) await p.send({ cmd: 'stop' }).catch(() => undefined);
  }
  const store = await openKeyvStore(redisUrl, 'semantic-cache');
  await store.clear();
  await store.close?.();
  await ollama.close();
  await redis.stop();
});

describe('semantic cache on a shared Redis', () => {
  it("two live processes serve each other's entries within a second, and a forget reaches both", async () => {
    const [a, b] = await Promise.all([startProcess(redisUrl, ollama.url), startProcess(redisUrl, ollama.url)]);
    processes.push(a, b);

    const fromA = await a.send({ cmd: 'ask', question: 'Скільки коштує проживання в гуртожитку?' });
    expect(fromA.source).toBe('provider');
    await sleep(1000);
    // A paraphrase, so the exact key cannot find it: B's own index must hold A's entry.
    const fromB = await b.send({ cmd: 'ask', question: 'skilky koshtuie prozhyvannia v hurtozhytku' });
    expect(fromB).toMatchObject({ source: 'cache', text: fromA.text, cachedQuestion: 'Скільки коштує проживання в гуртожитку?' });
    expect(ollama.count('/api/chat')).toBe(1);

    const forgotten = await b.send({ cmd: 'forget', question: 'skilky koshtuie prozhyvannia v hurtozhytku' });
    expect(forgotten).toEqual({ removed: 1 });
    await sleep(1000);
    const again = await a.send({ cmd: 'ask', question: 'Скільки коштує проживання в гуртожитку?' });
    expect(again.source).toBe('provider');
    expect(ollama.count('/api/chat')).toBe(2);
  });
});
