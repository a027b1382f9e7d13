import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { buildProgram } from '../../cli/kobza.js';

const root = path.resolve(import.meta.dirname, '../..');

/** Parses argv in-process; returns the CommanderError it ended with, what went to stderr, and which action ran. */
async function parse(args: string[]): Promise<{ error?: CommanderError; stderr: string; ran?: string }> {
  const program = buildProgram();
  let stderr = '';
  let ran: string | undefined;
  for (const command of [program, ...program.commands]) {
    command.exitOverride();
    command.configureOutput({ writeErr: (text) => void (stderr += text), writeOut: () => {} });
  }
  // Replace the actions so a command that would start something only records its name.
  for (const command of program.commands) command.action(() => void (ran = command.name()));
  try {
    await program.parseAsync(['node', 'kobza', ...args]);
    return { stderr, ran };
  } catch (err) {
    if (err instanceof CommanderError) return { error: err, stderr, ran };
    throw err;
  }
}

describe('kobza command names', () => {
  it('an unknown command is an error that lists the commands, not an argument to serve', async () => {
    const { error, stderr, ran } = await parse(['int', 'x']);
    expect(ran).toBeUndefined();
    expect(error?.code).toBe('commander.unknownCommand');
    expect(error?.exitCode).toBe(1);
    expect(stderr).toContain("unknown command 'int'; the commands are: serve, chat, check, eval, cache, knowledge, init");
    expect(stderr).not.toContain('too many arguments');
  });

  it('known commands dispatch; no command never falls through to serve', async () => {
    expect((await parse(['check', '--config', 'x.yaml'])).ran).toBe('check');
    expect((await parse(['serve'])).ran).toBe('serve');
    expect((await parse(['init', 'x'])).ran).toBe('init');
    expect((await parse([])).ran).toBeUndefined();
  });

  it('exits 1 from the real binary', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', path.join(root, 'cli/kobza.ts'), 'int', 'x'], { cwd: root, timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown command 'int'");
  });
});
