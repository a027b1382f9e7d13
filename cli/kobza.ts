#!/usr/bin/env node
/**
 * The `kobza` command line: serve, chat, check, eval, cache, init.
 */
import { Command } from 'commander';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './commands/index.js';

/** Kobza's version, from the nearest package.json (works from source and from dist/). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/** Builds the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('kobza')
    .description('Kobza — a microkernel for chatbots that answer with a local LLM served by Ollama')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)');
  for (const command of COMMANDS) command.register(program);
  // An unknown command is an error that names the commands, never a fall-through to serve.
  program.on('command:*', (operands: string[]) => {
    const names = program.commands.map((c) => c.name());
    program.error(`error: unknown command '${operands[0]}'; the commands are: ${names.join(', ')} (kobza --help for more)`, { code: 'commander.unknownCommand' });
  });
  return program;
}

function invokedDirectly(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/**
 * Output piped into a reader that stops early (`kobza cache export | head`) is not an error:
 * stop quietly, the way Unix tools do, instead of printing `write EPIPE`.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const isMain = invokedDirectly();
if (isMain) {
  endQuietlyOnClosedPipe();
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
