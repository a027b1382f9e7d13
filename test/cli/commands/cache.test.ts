import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collectReply } from '../../../core/index.js';
import { bootKernel } from '../../../cli/boot.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { runKobzaInProcess } from '../../helpers/cli.js';
import { compareQuestions } from '../../../core/text/index.js';

let ollama: OllamaStandIn;
let dir: string;
let configFile: string;

beforeEach(async () => {
  ollama = await startOllamaStandIn();
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-cache-cli-'));
  configFile = path.join(dir, 'kobza.yaml');
  writeFileSync(
    configFile,
    [
      'assistant:',
      '  model: qwen2.5:7b',
      'logging:',
      '  level: silent',
      'plugins:',
      '  ollama:',
      `    host: ${ollama.url}`,
      '    probeOnStart: false',
      '  semantic-cache:',
      '    store: sqlite://data/cache.sqlite',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  process.exitCode = 0;
  vi.restoreAllMocks();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

const kobza = runKobzaInProcess;

/** Asks questions through a kernel booted from the same config, the way `kobza serve` would. */
async function askAll(questions: string[]): Promise<string[]> {
  const kernel = await bootKernel(configFile, { adapters: 'none', logLevel: 'silent' });
  const sources: string[] = [];
  try {
    for (const q of questions) {
      const { meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: q }] })));
      sources.push(meta.source);
    }
  } finally {
    await kernel.stop();
  }
  return sources;
}

describe('kobza cache', () => {
  it('stats, export, clear, import: entries survive a round trip through JSON Lines', async () => {
    await askAll(['Скільки коштує гуртожиток?', 'Де знаходиться бібліотека?']);
    const stats = await kobza('cache', 'stats', '--config', configFile, '--json');
    expect(stats.exitCode).toBe(0);
    expect(JSON.parse(stats.stdout.trim().split('\n').at(-1)!)).toMatchObject({ entries: 2, store: 'sqlite://data/cache.sqlite', namespaces: [{ entries: 2, model: 'qwen2.5:7b' }] });

    const exportFile = path.join(dir, 'export.jsonl');
    expect((await kobza('cache', 'export', exportFile, '--config', configFile)).exitCode).toBe(0);
    const lines = readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.question).sort()).toEqual(['Де знаходиться бібліотека?', 'Скільки коштує гуртожиток?']);
    expect(lines[0]).toMatchObject({ answer: expect.stringMatching(/^Answer to: /), model: 'qwen2.5:7b', facts: { model: 'qwen2.5:7b' } });

    expect((await kobza('cache', 'clear', '--config', configFile)).stdout).toContain('run again with --yes');
    expect((await kobza('cache', 'clear', '--yes', '--config', configFile)).stdout).toContain('removed 2 entries');
    expect(await askAll(['skilky koshtuie hurtozhytok'])).toEqual(['provider']);

    expect((await kobza('cache', 'clear', '--yes', '--config', configFile)).exitCode).toBe(0);
    expect((await kobza('cache', 'import', exportFile, '--config', configFile)).stdout).toContain('imported 2 entries');
    const calls = ollama.count('/api/chat');
    expect(await askAll(['skilky koshtuie hurtozhytok', 'Де знаходиться бібліотека?'])).toEqual(['cache', 'cache']);
    expect(ollama.count('/api/chat')).toBe(calls);
  });

  it('forget removes the wrong answer and that question never hits it again', async () => {
    await askAll(['Скільки коштує гуртожиток?']);
    const forgot = await kobza('cache', 'forget', 'skilky koshtuie hurtozhytok', '--config', configFile);
    expect(forgot.stdout).toContain('removed «Скільки коштує гуртожиток?»');
    // The original question gets its answer again (and it is cached again)…
    expect(await askAll(['Скільки коштує гуртожиток?', 'Скільки коштує гуртожиток?'])).toEqual(['provider', 'cache']);
    // …but the forgotten question never gets it.
    expect(await askAll(['skilky koshtuie hurtozhytok'])).toEqual(['provider']);
    expect((await kobza('cache', 'forget', 'Чи є басейн?', '--config', configFile)).stdout).toContain('no cached answer matches');
  });

  it('alias makes an answer cached for one question serve another, through the shared store', async () => {
    await askAll(['Де знаходиться бібліотека?']);
    // Nothing in the words says so: the verifier alone keeps them apart.
    expect(compareQuestions('Куди йти по книжки?', 'Де знаходиться бібліотека?').same).toBe(false);
    const taught = await kobza('cache', 'alias', 'Куди йти по книжки?', 'Де знаходиться бібліотека?', '--config', configFile);
    expect(taught.stdout).toContain('one answer serves both');
    expect((await kobza('cache', 'alias', 'куди йти по книжки', 'Де знаходиться бібліотека?', '--config', configFile)).stdout).toContain('already the same question');
    const calls = ollama.count('/api/chat');
    expect(await askAll(['Куди йти по книжки?', 'куди йти по книжки'])).toEqual(['cache', 'cache']);
    expect(ollama.count('/api/chat')).toBe(calls);
    expect(await askAll(['Куди йти по їжу?'])).toEqual(['provider']);
    const stats = await kobza('cache', 'stats', '--config', configFile, '--json');
    expect(JSON.parse(stats.stdout.trim().split('\n').at(-1)!)).toMatchObject({ aliases: 1 });
  });

  it('import checks every line first, names file:line, imports nothing from a bad file; stats and export agree', async () => {
    const good = { question: 'Де бібліотека?', answer: 'У корпусі 2.', namespace: 'ns-1', contextKey: '', model: 'qwen2.5:7b', createdAt: Date.now(), expiresAt: 0 };
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify(good),
        JSON.stringify({ ...good, question: 'Коли сесія?', expiresAt: 'never' }),
        JSON.stringify({ ...good, question: '' }),
        JSON.stringify({ ...good, question: 'Хто декан?', answer: '   ' }),
        'not json',
        JSON.stringify({ ...good, question: 'Де їдальня?', expiresAt: null }),
      ].join('\n'),
    );
    const bad = await kobza('cache', 'import', file, '--config', configFile);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`${file}:2: expiresAt: expected a number`);
    expect(bad.stderr).toContain(`${file}:3: question: expected a non-empty string`);
    expect(bad.stderr).toContain(`${file}:4: answer: expected a non-empty string`);
    expect(bad.stderr).toContain(`${file}:5: expected one JSON object per line`);
    expect(bad.stderr).not.toContain(`${file}:1:`);
    expect(bad.stderr).not.toContain(`${file}:6:`);
    const statsOf = async () => JSON.parse((await kobza('cache', 'stats', '--config', configFile, '--json')).stdout.trim().split('\n').at(-1)!);
    expect((await statsOf()).entries).toBe(0);

    // The valid lines alone (null = never expires) import; stats and export count the same.
    const fixed = path.join(dir, 'fixed.jsonl');
    writeFileSync(fixed, [JSON.stringify(good), JSON.stringify({ ...good, question: 'Де їдальня?', expiresAt: null })].join('\n'));
    expect((await kobza('cache', 'import', fixed, '--config', configFile)).stdout).toContain('imported 2 entries');
    const exportFile = path.join(dir, 'after.jsonl');
    expect((await kobza('cache', 'export', exportFile, '--config', configFile)).exitCode).toBe(0);
    const exported = readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect((await statsOf()).entries).toBe(exported.length);
    expect(exported.map((e) => e.expiresAt)).toEqual([0, 0]);
  });

  it('reports a config without the plugin as a coded error and exit code 1', async () => {
    const bare = path.join(dir, 'bare.yaml');
    writeFileSync(bare, `assistant:\n  model: qwen2.5:7b\nlogging:\n  level: silent\nplugins:\n  ollama:\n    host: ${ollama.url}\n    probeOnStart: false\n`);
    expect((await kobza('cache', 'stats', '--config', bare)).exitCode).toBe(1);
  });
});
