/**
 * The package as a plugin author gets it: `npm pack`, the tarball installed into a new
 * project made by `kobza init`, a plugin type-checked against the shipped declarations, and
 * the project run through `kobza check` and `kobza eval ranking` with the installed binary.
 *
 * Offline-friendly install: the tarball is unpacked into node_modules/kobza (what npm does
 * with it) and its dependencies are linked from this checkout's node_modules instead of being
 * fetched (a registry install of the same tarball took 2 min 17 s here; this takes seconds).
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'kobza-package-'));
const project = path.join(work, 'bot');
let tarball = '';
let shipped: string[] = [];

async function sh(command: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...extraEnv } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Unpacks the tarball as node_modules/kobza and links its dependencies from this checkout. */
async function installTarball(into: string): Promise<void> {
  const modules = path.join(into, 'node_modules');
  const kobza = path.join(modules, 'kobza');
  mkdirSync(kobza, { recursive: true });
  const untar = await sh('tar', ['-xzf', tarball, '-C', kobza, '--strip-components=1'], into);
  expect(untar.stderr).toBe('');
  for (const entry of readdirSync(path.join(root, 'node_modules'))) {
    if (entry === '.bin' || entry === 'kobza' || entry.startsWith('.')) continue;
    symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  mkdirSync(path.join(modules, '.bin'));
  chmodSync(path.join(kobza, 'dist/cli/kobza.js'), 0o755);
  symlinkSync('../kobza/dist/cli/kobza.js', path.join(modules, '.bin', 'kobza'));
  symlinkSync(realpathSync(path.join(root, 'node_modules/.bin/tsc')), path.join(modules, '.bin', 'tsc'));
}

beforeAll(async () => {
  const packed = await sh('npm', ['pack', '--pack-destination', work, '--json', '--silent'], root, { npm_config_loglevel: 'error' });
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = path.join(work, info.filename);
  shipped = info.files.map((f) => f.path);
  const init = await sh(process.execPath, ['--import', 'tsx', path.join(root, 'cli/kobza.ts'), 'init', project, '--kobza', `file:${tarball}`], root);
  expect(init.code, init.stderr).toBe(0);
  await installTarball(project);
}, 120_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('ships dist with declarations, docs, README, LICENSE and config examples, and no tests', () => {
    for (const file of ['dist/core/index.js', 'dist/core/index.d.ts', 'dist/cli/kobza.js', 'LICENSE', 'README.md', 'docs/writing-plugins.md', 'config/default.yaml', 'config/telegram.example.yaml', 'examples/eval/ranking.example.jsonl', 'package.json']) {
      expect(shipped, file).toContain(file);
    }
    expect(shipped.filter((file) => file.startsWith('test/') || file.endsWith('.test.ts') || file.endsWith('.map'))).toEqual([]);
  });
});

describe('a project on the installed tarball', () => {
  it('type-checks its plugins against the shipped declarations, and catches a wrong one', async () => {
    writeFileSync(
      path.join(project, 'plugins/typed.ts'),
      [
        "import { definePlugin, z, type Scorer } from 'kobza';",
        "const scorer: Scorer = { name: 'typed', score: (candidate) => (candidate.text.length > 0 ? 1 : 0) };",
        "export default definePlugin({ name: 'typed', configSchema: z.strictObject({ on: z.boolean().default(true) }), register(ctx, config) { const on: boolean = config.on; if (on) ctx.provide('Scorer', scorer); } });",
        '',
      ].join('\n'),
    );
    const good = await sh('npx', ['--offline', 'tsc', '--noEmit'], project);
    expect(good.stdout + good.stderr).toBe('');
    expect(good.code).toBe(0);

    writeFileSync(path.join(project, 'plugins/wrong.js'), "// @ts-check\nimport { definePlugin } from 'kobza';\nexport default definePlugin({ name: 'wrong', register(ctx) { ctx.provide('Scorer', { name: 'wrong', score: () => 'high' }); } });\n");
    const bad = await sh('npx', ['--offline', 'tsc', '--noEmit'], project);
    rmSync(path.join(project, 'plugins/wrong.js'));
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toMatch(/plugins\/wrong\.js\(3,/);
  });

  it('passes kobza check with the installed binary', async () => {
    const { code, stdout, stderr } = await sh('npx', ['--offline', 'kobza', 'check', '--config', 'kobza.yaml', '--no-probe'], project);
    expect(stderr).toBe('');
    expect(stdout).toContain('kobza.yaml: config OK (plugins: ollama, http, semantic-cache, parallel-ranking, plain-answer, map-store)');
    expect(code).toBe(0);
  });

  it('shows the scaffold’s scorer in kobza eval ranking', async () => {
    const { code, stdout } = await sh('npx', ['--offline', 'kobza', 'eval', 'ranking', '--items', 'ranking.jsonl', '--config', 'kobza.yaml', '--json'], project);
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { items: number; top1: number; scorers: { name: string; weight: number }[] };
    expect(report.scorers).toContainEqual({ name: 'plain-answer', weight: 2 });
    expect(report.items).toBe(2);
    expect(report.top1).toBe(1);
  });

  it('ships the labelled examples the docs use', () => {
    expect(existsSync(path.join(project, 'node_modules/kobza/examples/eval/cache-pairs.example.jsonl'))).toBe(true);
  });
});
