#!/usr/bin/env node
/**
 * The `kobza` command line: serve, chat, check, eval, cache.
 */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { COMMANDS } from './commands/index.js';

const require = createRequire(import.meta.url);
const { version } = require('../../package.json') as { version: string };

/** Builds the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('kobza')
    .description('Kobza — a microkernel for chatbots that answer with a local LLM served by Ollama')
    .version(version)
    .showHelpAfterError('(run with --help for usage)');
  for (const command of COMMANDS) command.register(program);
  return program;
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/kobza') || process.argv[1]?.endsWith('kobza.js');
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
