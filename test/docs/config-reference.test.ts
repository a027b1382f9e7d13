/**
 * The config reference cannot drift from the code: every key of the top-level schema and of
 * every built-in plugin's schema (nested objects, the object side of unions, the items of
 * lists of objects) is named in the README's section for it or in the plugin's own page
 * under docs/ (the one the README's plugin table links to).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';
import { topLevelSchema } from '../../core/config/schema.js';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

type Schema = z.core.$ZodType;

/** The schema under optional/default/prefault/nullable/pipe wrappers. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: Schema; in?: Schema };
    if (def.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional'].includes(def.type)) current = def.innerType;
    else if (def.type === 'pipe' && def.in) current = def.in;
    else return current;
  }
}

/** Every key path of an object schema, parents before children. */
export function keyPaths(schema: Schema, prefix: readonly string[] = []): string[][] {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, Schema>; options?: Schema[]; element?: Schema };
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([key, value]) => [[...prefix, key], ...keyPaths(value, [...prefix, key])]);
  }
  if (def.type === 'union' && def.options) {
    const seen = new Set<string>();
    return def.options.flatMap((option) => keyPaths(option, prefix)).filter((keys) => !seen.has(keys.join('.')) && seen.add(keys.join('.')) !== undefined);
  }
  if (def.type === 'array' && def.element) return keyPaths(def.element, prefix);
  return [];
}

/** The text from a heading line to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return '';
  const level = heading.match(/^#+/)![0].length;
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && line.match(/^#+/)![0].length <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** A key is named when it is written as a YAML key (`key:`), in backticks, or in a dotted path. */
function names(text: string, key: string): boolean {
  const escaped = key.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(?<![\\w-])${escaped}\\s*:|\`[\\w.-]*(?<![\\w-])${escaped}(?![\\w-])|[\\w-]\\.${escaped}(?![\\w-])`).test(text);
}

/** The README plugin table: key → the docs pages its reference column links. */
function pluginTable(): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const match of section(readme, '### Plugins').matchAll(/^\| `([\w-]+)` \|.*\|([^|]*)\|\s*$/gm)) {
    table.set(match[1], [...match[2].matchAll(/\]\((docs\/[\w-]+\.md)\)/g)].map((link) => link[1]));
  }
  return table;
}

function missingKeys(schema: Schema, text: string): string[] {
  return keyPaths(schema)
    .filter((keys) => keys.some((key) => !names(text, key)))
    .map((keys) => keys.join('.'));
}

describe('config reference', () => {
  it('walks nested objects, unions and lists of objects', () => {
    const schema = z.strictObject({
      a: z.number().default(1),
      b: z.strictObject({ c: z.string().optional() }).prefault({}),
      d: z.union([z.literal(false), z.strictObject({ e: z.number() })]),
      f: z.array(z.union([z.string(), z.strictObject({ g: z.string() })])).default([]),
    });
    expect(keyPaths(schema).map((keys) => keys.join('.'))).toEqual(['a', 'b', 'b.c', 'd', 'd.e', 'f', 'f.g']);
    expect(names('b: { c: 1 }', 'c')).toBe(true);
    expect(names('the `b.c` key', 'c')).toBe(true);
    expect(names('a c without a colon', 'c')).toBe(false);
  });

  it('names every top-level key in the README configuration section', () => {
    expect(missingKeys(topLevelSchema, section(readme, '## Configuration'))).toEqual([]);
  });

  it('lists every built-in plugin in the README plugin table', () => {
    expect([...pluginTable().keys()].sort()).toEqual(Object.keys(BUILTIN_PLUGINS).sort());
  });

  it.each(Object.keys(BUILTIN_PLUGINS))('names every key of the %s plugin', async (name) => {
    const plugin = ((await BUILTIN_PLUGINS[name]()) as { default: { configSchema: Schema } }).default;
    const pages = (pluginTable().get(name) ?? []).map((page) => readFileSync(path.join(root, page), 'utf8'));
    const block = section(readme, `#### \`${name}\``);
    expect(block, `README has no "#### \`${name}\`" section`).toContain('```yaml');
    const text = [block, ...pages].join('\n');
    expect(missingKeys(plugin.configSchema, text)).toEqual([]);
  });
});
