import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';

const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'kobza-cli-'));
const cli = [process.execPath, '--import', 'tsx', path.join(root, 'cli/kobza.ts')] as const;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kobza …` as a user would, optionally with piped stdin. */
function kobza(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(cli[0], [...cli.slice(1), ...args], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

let ollama: OllamaStandIn;
beforeAll(async () => {
  ollama = await startOllamaStandIn();
});
afterAll(async () => {
  await ollama.close();
});

describe('kobza --help', () => {
  it('describes every command and its options', async () => {
    const { code, stdout } = await kobza(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'chat', 'check', 'eval', 'cache']) expect(stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    const chat = await kobza(['chat', '--help']);
    expect(chat.stdout).toContain('--config <file>');
    expect(chat.stdout).toContain('--model <name>');
  });
});

describe('kobza check', () => {
  it('creates no data files: SQLite stores and the knowledge index are not written while validating', async () => {
    const project = mkdtempSync(path.join(dir, 'no-writes-'));
    mkdirSync(path.join(project, 'docs'));
    writeFileSync(path.join(project, 'docs/faq.yaml'), '- q: Коли сесія?\n  a: У січні.\n');
    const file = path.join(project, 'kobza.yaml');
    const store = 'sqlite://data/kobza.sqlite';
    writeFileSync(file, `assistant: { model: qwen2.5:7b }\nplugins:\n  ollama: { host: ${ollama.url} }\n  memory: { store: ${store} }\n  knowledge: { sources: [docs/faq.yaml] }\n  semantic-cache: { store: ${store} }\n  feedback: { store: ${store} }\n`);
    for (const args of [['--no-probe'], []]) {
      const { code, stdout } = await kobza(['check', '--config', file, ...args]);
      expect(stdout).toContain('config OK');
      expect(code).toBe(0);
    }
    expect(existsSync(path.join(project, 'data'))).toBe(false);
    expect(readdirSync(project).sort()).toEqual(['docs', 'kobza.yaml']);
  });

  it('exits 0 for a valid config with a reachable upstream', async () => {
    const file = writeConfig('ok.yaml', `assistant: { model: qwen2.5:7b }\nplugins:\n  ollama:\n    host: ${ollama.url}\n`);
    const { code, stdout } = await kobza(['check', '--config', file]);
    expect(stdout).toContain('config OK');
    expect(stdout).toMatch(/upstream \(ollama\): OK/);
    expect(code).toBe(0);
  });

  it('prints one line per problem with file, line, key and what was expected, and exits 1', async () => {
    const file = writeConfig('bad.yaml', ['assistant:', '  model: qwen2.5:7b', 'plugins:', '  ollama:', '    host: 42', '    timeouts: { idelMs: 5 }', '  semantik-cache: {}'].join('\n'));
    const { code, stderr } = await kobza(['check', '--config', file]);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toContain(`${file}:7: plugins.semantik-cache: unknown plugin; did you mean "semantic-cache"?`);
    expect(lines.some((l) => l.startsWith(`${file}:5: plugins.ollama.host: `) && l.endsWith('got 42'))).toBe(true);
    expect(lines).toContain(`${file}:6: plugins.ollama.timeouts.idelMs: unknown key; did you mean "idleMs"?`);
  });

  it('exits 2 with advice when the upstream is down', async () => {
    const file = writeConfig('down.yaml', 'assistant: { model: qwen2.5:7b }\nplugins:\n  ollama:\n    host: http://127.0.0.1:1\n');
    const { code, stdout } = await kobza(['check', '--config', file]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/NOT OK.*ollama serve/);
  });
});

describe('kobza chat', () => {
  it('answers piped lines in turn, keeps the conversation until /reset, then exits', async () => {
    const store = path.join(dir, 'chat.sqlite');
    const file = writeConfig('chat.yaml', `assistant: { model: qwen2.5:7b }\nplugins:\n  ollama:\n    host: ${ollama.url}\n  memory:\n    store: sqlite://${store}\n`);
    const before = ollama.count('/api/chat');
    // A follow-up gets the history (a self-contained question would be answered without it).
    const { code, stdout, stderr } = await kobza(['chat', '--config', file], 'Привіт\nА скільки це коштує?\n/reset\nА гуртожиток?\n');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Answer to: Привіт\n');
    expect(stdout).toContain('Answer to: А скільки це коштує?\n');
    expect(stdout).toContain('(conversation cleared)');
    const calls = ollama.calls.filter((c) => c.path === '/api/chat').slice(before);
    expect(calls).toHaveLength(3);
    const users = (i: number) => (calls[i].body.messages as { role: string; content: string }[]).filter((m) => m.role !== 'system').map((m) => m.content);
    expect(users(1)).toEqual(['Привіт', 'Answer to: Привіт', 'А скільки це коштує?']);
    expect(users(2)).toEqual(['А гуртожиток?']);
  });

  it('prints a coded error instead of crashing when the upstream is down', async () => {
    const file = writeConfig('chat-down.yaml', 'assistant: { model: qwen2.5:7b }\nplugins:\n  ollama:\n    host: http://127.0.0.1:1\n    probeOnStart: false\n');
    const { code, stderr } = await kobza(['chat', '--config', file], 'Привіт\n');
    expect(code).toBe(0);
    expect(stderr).toMatch(/error \[UPSTREAM_UNAVAILABLE\]/);
  });
});

describe('kobza serve', () => {
  it('serves the configured front doors, then drains and exits 0 on SIGTERM', async () => {
    const file = writeConfig('serve.yaml', `assistant: { model: qwen2.5:7b }\nlogging: { pretty: false }\nplugins:\n  ollama:\n    host: ${ollama.url}\n  http:\n    port: 0\n`);
    const child = spawn(cli[0], [...cli.slice(1), 'serve', '--config', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listen line in: ${log}`)), 30_000);
        child.stdout.on('data', () => {
          const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log);
          if (match && log.includes('Kobza is running')) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const response = await fetch(`${url}/api/chat`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5:7b', stream: false, messages: [{ role: 'user', content: 'Привіт' }] }) });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { message: { content: string } }).message.content).toBe('Answer to: Привіт');
    } finally {
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    }
    expect(log).toContain('"msg":"stopped"');
  });
});
