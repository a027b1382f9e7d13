/**
 * The README's commands run as written: every shell block marked `<!-- runs-offline -->`
 * (commands that need no Ollama, Telegram or network) is extracted and run line by line
 * from the repository root. `npx kobza` runs this checkout's CLI from source, so the test
 * needs no build.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The commands of every block marked to run offline, comments and blank lines dropped. */
function offlineCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const match of markdown.matchAll(/<!-- runs-offline -->\s*\n```(?:bash|sh)\n([\s\S]*?)```/g)) {
    for (const line of match[1].split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) commands.push(command);
    }
  }
  return commands;
}

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

describe('README commands marked runs-offline', () => {
  const commands = offlineCommands(readFileSync(path.join(root, 'README.md'), 'utf8'));

  it('finds the marked blocks', () => {
    expect(commands).toContain('npx kobza eval ranking --items examples/eval/ranking.example.jsonl');
    expect(commands).toContain('npx kobza eval cache --pairs examples/eval/cache-pairs.example.jsonl');
    expect(commands.length).toBeGreaterThanOrEqual(3);
  });

  it.each(commands)('%s', async (command) => {
    const { code, stdout, stderr } = await shell(command);
    expect({ code, stderr: stderr.replace(/^note: .*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(stdout.trim().length).toBeGreaterThan(0);
  });
});
