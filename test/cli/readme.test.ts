/**
 * The docs' commands run as written: every shell block marked `<!-- runs-offline -->`
 * (commands that need no Ollama, Telegram or network), and any command line in a shell
 * block whose comment ends with `(offline)`, in README.md and docs/*.md, is extracted and run
 * line by line from the repository root. `npx kobza` runs this checkout's CLI from source,
 * so the test needs no build.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** A command line without its trailing comment, or '' for a comment or blank line. */
function commandOf(line: string): string {
  const command = line.replace(/\s+#.*$/, '').trim();
  return command.startsWith('#') ? '' : command;
}

/** The commands of every block marked to run offline, and of single lines marked `(offline)`. */
function offlineCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const match of markdown.matchAll(/(<!-- runs-offline -->\s*\n)?```(?:bash|sh)\n([\s\S]*?)```/g)) {
    for (const line of match[2].split('\n')) {
      const command = commandOf(line);
      if (command && (match[1] !== undefined || /#.*\(offline\)\s*$/.test(line))) commands.push(command);
    }
  }
  return commands;
}

/** README.md and every docs/*.md page, with their commands. */
const pages = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const commandsByPage = pages.map((page) => ({ page, commands: offlineCommands(readFileSync(path.join(root, page), 'utf8')) }));
const shim = mkdtempSync(path.join(tmpdir(), 'kobza-readme-'));
writeFileSync(path.join(shim, 'kobza'), `#!/bin/sh\nexec "${process.execPath}" --import tsx "${path.join(root, 'cli/kobza.ts')}" "$@"\n`);
chmodSync(path.join(shim, 'kobza'), 0o755);

function shell(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // `npx kobza` → this checkout's CLI; everything else exactly as the README writes it.
  const line = command.replace(/\bnpx kobza\b/g, 'kobza');
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', line], { cwd: root, timeout: 60_000, env: { ...process.env, PATH: `${shim}:${process.env.PATH}` } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('doc commands marked runs-offline', () => {
  it('finds marked blocks and lines', () => {
    expect(offlineCommands('<!-- runs-offline -->\n```bash\nnpx kobza a   # x\n# note\n```\n```sh\nnpx kobza b   # y (offline)\nnpx kobza c   # z\n```\n')).toEqual(['npx kobza a', 'npx kobza b']);
    const readme = commandsByPage.find((entry) => entry.page === 'README.md')!.commands;
    expect(readme).toContain('npx kobza eval ranking --items examples/eval/ranking.example.jsonl');
    expect(readme).toContain('npx kobza eval cache --pairs examples/eval/cache-pairs.example.jsonl');
    expect(readme).toContain('npx kobza knowledge search "Коли зимова сесія?"');
    for (const page of ['docs/knowledge.md', 'docs/semantic-cache.md', 'docs/ranking.md', 'docs/writing-a-scorer.md']) {
      expect(commandsByPage.find((entry) => entry.page === page)?.commands.length, page).toBeGreaterThan(0);
    }
  });

  const all = commandsByPage.flatMap(({ page, commands }) => commands.map((command) => [page, command] as const));
  it.each(all)('%s: %s', async (_page, command) => {
    const { code, stdout, stderr } = await shell(command);
    expect({ code, stderr: stderr.replace(/^note: .*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim().length).toBeGreaterThan(0);
  });
});
