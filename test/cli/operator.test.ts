/**
 * Issue 14, as an operator meets it: one pass through a broken config, `serve` without a
 * front door, unknown commands, `kobza init`, commands that must not touch the model upstream,
 * and output piped into a reader that stops early.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../core/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'kobza-operator-'));
const cli = [process.execPath, '--import', 'tsx', path.join(root, 'cli/kobza.ts')] as const;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kobza(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(cli[0], [...cli.slice(1), ...args], { cwd: root, timeout: 60_000, env: options.env ?? process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(options.input);
  });
}

function writeConfig(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('port', 'port')).toBe(0);
    expect(editDistance('abc', 'xyz')).toBe(3);
    expect(didYouMean('prot', ['host', 'port', 'keys'])).toBe('port');
    expect(didYouMean('zzzz', ['host', 'port'])).toBeUndefined();
  });
});

describe('kobza check: one pass', () => {
  it('prints the missing variable, the misspelt top-level key and the bad plugin value in one run', async () => {
    const file = writeConfig('three.yaml', [
      'assistant:',
      '  model: ${KOBZA_TEST_MODEL_NOT_SET}',
      'loging: { level: info }',
      'plugins:',
      '  ollama: { host: "http://127.0.0.1:9" }',
      '  http:',
      '    prot: 8080',
      '  semantic-cache:',
      '    embedder: { type: ollma }',
      '    ttlMs: -5',
    ]);
    const env = { ...process.env };
    delete env.KOBZA_TEST_MODEL_NOT_SET;
    const { code, stdout, stderr } = await kobza(['check', '--config', file, '--no-probe'], { env });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      `${file}:2: assistant.model: environment variable KOBZA_TEST_MODEL_NOT_SET is not set (set it, or write \${KOBZA_TEST_MODEL_NOT_SET:-default})`,
      `${file}:3: loging: unknown key; did you mean "logging"?`,
      `${file}:7: plugins.http.prot: unknown key; did you mean "port"?`,
      `${file}:9: plugins.semantic-cache.embedder.type: expected builtin, ollama or provided, got "ollma"`,
      `${file}:10: plugins.semantic-cache.ttlMs: expected a number 0 or more, got -5`,
    ]);
  });
});

describe('kobza serve', () => {
  it('refuses a config without a front door and names the plugins that give one', async () => {
    const file = writeConfig('no-door.yaml', ['assistant: { model: m }', 'plugins:', '  ollama: { host: "http://127.0.0.1:9", probeOnStart: false }']);
    const { code, stderr } = await kobza(['serve', '--config', file]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${file}: no front door is enabled`);
    expect(stderr).toContain('plugins.http (the HTTP API) or plugins.telegram (a Telegram bot)');
  });
});

describe('unknown commands', () => {
  it('is an error that lists the commands, never serve', async () => {
    const { code, stderr } = await kobza(['int', 'x']);
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'int'; the commands are: serve, chat, check, eval, cache, knowledge, init");
    expect(stderr).not.toContain('too many arguments');
  });
});

describe('kobza init', () => {
  it('scaffolds a project and refuses a non-empty folder unless --force', async () => {
    const target = path.join(dir, 'bot');
    const first = await kobza(['init', target, '--kobza', 'file:../kobza.tgz']);
    expect(first.code).toBe(0);
    for (const file of ['package.json', 'tsconfig.json', 'kobza.yaml', 'plugins/plain-answer.js', 'plugins/map-store.js', 'README.md', 'ranking.jsonl']) {
      expect(existsSync(path.join(target, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as { type: string; dependencies: Record<string, string> };
    expect(manifest).toMatchObject({ type: 'module', dependencies: { kobza: 'file:../kobza.tgz' } });
    expect(readFileSync(path.join(target, 'kobza.yaml'), 'utf8')).toMatch(/^ {2}# telegram:/m);
    expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toContain('npx kobza serve --config kobza.yaml');

    const again = await kobza(['init', target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty');
    expect((await kobza(['init', target, '--force', '--kobza', '^9.9.9'])).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')).dependencies.kobza).toBe('^9.9.9');
  });

  it('depends on this checkout by default', async () => {
    const target = path.join(dir, 'from-checkout');
    expect((await kobza(['init', target])).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')).dependencies.kobza).toBe(`file:${root}`);
  });
});

describe('operator polish', () => {
  const storeDir = path.join(dir, 'store');
  mkdirSync(storeDir, { recursive: true });
  const config = writeConfig('cache.yaml', [
    'assistant: { model: m1 }',
    'plugins:',
    '  ollama: { host: "http://127.0.0.1:9" }',
    `  semantic-cache: { store: "sqlite://${path.join(storeDir, 'cache.sqlite')}" }`,
  ]);

  it('cache commands never probe the model upstream', async () => {
    const { code, stdout, stderr } = await kobza(['cache', 'stats', '--config', config]);
    expect(code).toBe(0);
    expect(stdout).toContain('entries     0');
    expect(stderr).not.toMatch(/Ollama/);
  });

  it('cache export into a reader that stops early ends quietly', async () => {
    const now = Date.now();
    const entries = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ question: `питання ${i} про вступ`, answer: `відповідь ${'так '.repeat(40)}${i}`, namespace: 'shared', contextKey: '', model: 'm1', createdAt: now, expiresAt: 0 }));
    const file = path.join(dir, 'entries.jsonl');
    writeFileSync(file, `${entries.join('\n')}\n`);
    expect((await kobza(['cache', 'import', file, '--config', config])).code).toBe(0);

    const child = spawn(cli[0], [...cli.slice(1), 'cache', 'export', '--config', config], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const firstLine = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().split('\n')[0])));
    child.stdout.destroy(); // what `| head -1` does after its line
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(JSON.parse(firstLine)).toMatchObject({ namespace: 'shared' });
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('chat -m checks the model it will use', async () => {
    const { stderr } = await kobza(['chat', '--config', config, '-m', 'standin:latest'], { input: '' });
    expect(stderr).toContain('"model":"standin:latest"');
    expect(stderr).not.toContain('"model":"m1"');
  });
});
