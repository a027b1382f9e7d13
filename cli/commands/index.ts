/**
 * Every CLI command module. Each exports `register(program)`.
 */
import type { Command } from 'commander';

export const COMMANDS: { register(program: Command): void }[] = [];
