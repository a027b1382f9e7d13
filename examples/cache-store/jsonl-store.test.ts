import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';
import { collectReply, Kernel, loadConfigFile } from '../../core/index.js';
import { SEMANTIC_CACHE_TOKEN } from '../../plugins/semantic-cache/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../test/servers/ollama.js';
// @ts-expect-error — a plain-JS plugin without type declarations, imported as a user's module would be.
import { JsonlLog, namespaceStore } from './jsonl-store.js';

const CONFIG = path.join(import.meta.dirname, 'kobza.yaml');

let ollama: OllamaStandIn | undefined;
let dir: string | undefined;
const kernels: Kernel[] = [];

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
  await ollama?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  ollama = undefined;
  dir = undefined;
});

async function bootExample(env: Record<string, string>): Promise<Kernel> {
  const config = await loadConfigFile(CONFIG, env);
  const kernel = await Kernel.create(config, { builtins: BUILTIN_PLUGINS, logger: pino({ level: 'silent' }) });
  kernels.push(kernel);
  return kernel;
}

async function ask(kernel: Kernel, question: string) {
  return collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: question }] })));
}

describe('examples/cache-store/jsonl-store.js', () => {
  it('is loaded from the example YAML and backs the semantic cache across a restart', async () => {
    ollama = await startOllamaStandIn();
    dir = mkdtempSync(path.join(tmpdir(), 'kobza-jsonl-'));
    const file = path.join(dir, 'cache.jsonl');
    const env = { OLLAMA_HOST: ollama.url, KOBZA_CACHE_FILE: file };

    const first = await bootExample(env);
    const handle = first.resolve(SEMANTIC_CACHE_TOKEN);
    await handle.ready();
    expect(handle.describeStore()).toBe(`jsonl://${file}`);
    const answer = await ask(first, 'Скільки коштує гуртожиток?');
    await first.stop();
    // The entry is a readable line of the file.
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.ns === 'semantic-cache' && l.value?.question === 'Скільки коштує гуртожиток?' && l.value?.answer === answer.text)).toBe(true);

    const second = await bootExample(env);
    const hit = await ask(second, 'skilky koshtuie hurtozhytok');
    expect(hit.meta.source).toBe('cache');
    expect(hit.text).toBe(answer.text);
    expect(ollama.count('/api/chat')).toBe(1);
  });

  it('keeps namespaces apart, expires keys, deletes with tombstones and compacts the file', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kobza-jsonl-'));
    const file = path.join(dir, 'store.jsonl');
    const log = new JsonlLog(file, 2);
    await log.load();
    const a = namespaceStore(log, 'a');
    const b = namespaceStore(log, 'b');
    await a.set('k', { n: 1 });
    await b.set('k', { n: 2 });
    await a.set('short', 'x', 1);
    await new Promise((r) => setTimeout(r, 5));
    expect(await a.get('k')).toEqual({ n: 1 });
    expect(await b.get('k')).toEqual({ n: 2 });
    expect(await a.get('short')).toBeUndefined();
    expect(await a.delete('k')).toBe(true);
    expect(await a.get('k')).toBeUndefined();
    for (let i = 0; i < 150; i++) await b.set('churn', i);
    await log.flushed();
    // 150 overwrites of one key were compacted away.
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBeLessThan(100);

    const reopened = new JsonlLog(file, 2);
    await reopened.load();
    const b2 = namespaceStore(reopened, 'b');
    expect(await b2.get('churn')).toBe(149);
    expect(await b2.get('k')).toEqual({ n: 2 });
    expect(await namespaceStore(reopened, 'a').get('k')).toBeUndefined();
    const listed = [];
    for await (const entry of b2.entries()) listed.push(entry);
    expect(listed.sort()).toEqual([['churn', 149], ['k', { n: 2 }]]);
    await b2.clear();
    expect(await b2.get('k')).toBeUndefined();
  });
});
