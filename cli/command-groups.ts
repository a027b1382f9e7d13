/**
 * Command groups shared by several command modules (`kobza eval cache`, `kobza eval ranking`).
 */
import type { Command } from 'commander';

/**
 * Returns the group command `name`, creating it once.
 * @example
 * commandGroup(program, 'eval', 'Measure plugins on labelled datasets').command('cache')…
 */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}
