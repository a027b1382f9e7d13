/**
 * The kobza.yaml that `kobza init` writes names every built-in plugin a project may want —
 * enabled, or commented out to uncomment — and each commented block is valid as written
 * once uncommented.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';
import { scaffoldFiles } from '../../cli/scaffold/files.js';
import { parseConfig } from '../../core/index.js';

const yaml = scaffoldFiles({ name: 'bot', kobzaSpec: '^0.1.0', typescript: '^7.0.2', typesNode: '^20.19.0' })['kobza.yaml'];

/** Loaded as Kobza loads it (`${VAR:-default}` interpolated), with a token of the right shape. */
const env = { TELEGRAM_BOT_TOKEN: '123456789:AAEabcdefghijklmnopqrstuvwxyz012345' };
const settingsOf = (text: string) => new Map(parseConfig(text, { file: 'kobza.yaml', env }).plugins.map((block) => [block.name, block.settings]));

/** Each commented-out plugin block (`  # name:` and its `  #   …` lines), uncommented. */
function commentedBlocks(text: string): Map<string, unknown> {
  const blocks: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^ {2}# [\w-]+:/.test(lines[i])) continue;
    blocks.push(lines[i].replace(/^ {2}# /, '  '));
    while (i + 1 < lines.length && /^ {2}# {3}/.test(lines[i + 1])) blocks.push(lines[++i].replace(/^ {2}# /, '  '));
  }
  return settingsOf(`assistant: { model: x }\nplugins:\n${blocks.join('\n')}\n`);
}

describe('scaffolded kobza.yaml', () => {
  const enabled = [...settingsOf(yaml).keys()];
  const commented = commentedBlocks(yaml);

  it('names every built-in plugin but the console (added by `kobza chat`)', () => {
    const named = new Set([...enabled, ...commented.keys()]);
    const missing = Object.keys(BUILTIN_PLUGINS).filter((name) => name !== 'console' && !named.has(name));
    expect(missing).toEqual([]);
    expect([...commented.keys()]).toEqual(expect.arrayContaining(['openai-compatible', 'knowledge', 'feedback']));
  });

  it.each([...commented.keys()])('the commented %s block is valid once uncommented', async (name) => {
    const plugin = ((await BUILTIN_PLUGINS[name]()) as { default: { configSchema: z.ZodType } }).default;
    const parsed = plugin.configSchema.safeParse(commented.get(name) ?? {});
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });
});
