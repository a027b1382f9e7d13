/**
 * Loads a YAML config: parse (keeping line numbers), interpolate `${VAR}` and
 * `${VAR:-default}` from the environment, validate the top level, and collect every problem
 * as one line `FILE:LINE: key.path: what was expected, got what`. Nothing starts
 * half-configured: any problem throws CONFIG_INVALID with all of them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { isMap, isPair, isScalar, LineCounter, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { KobzaError } from '../errors.js';
import { RESERVED_PLUGIN_KEYS, topLevelSchema, type KobzaConfig, type PluginBlock } from './schema.js';
import { editDistance } from '../text/edit-distance.js';

type Path = readonly (string | number)[];

/** One problem found in a config. */
export interface ConfigProblem {
  file: string;
  line: number;
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}: ${p.path || '(root)'}: ${p.message}`;
}

/** Throws CONFIG_INVALID carrying every problem, one line each. */
export function throwProblems(problems: ConfigProblem[]): never {
  const lines = [...problems].sort((a, b) => (a.file === b.file ? a.line - b.line : 0)).map(formatProblem);
  throw new KobzaError('CONFIG_INVALID', lines.join('\n'), { details: { problems: lines } });
}

/** The edit distance "did you mean" ranks by: core/text's one (a swapped pair of letters costs 1). */
export { editDistance };

/** The closest known name, if close enough to be a likely typo. */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function render(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Object keys a zod schema accepts at a path (for "did you mean"). */
function shapeKeysAt(schema: z.ZodType, at: Path): string[] {
  let current: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let node = s as { _zod?: { def: Record<string, unknown> } };
    for (let i = 0; i < 10 && node?._zod; i++) {
      const def = node._zod.def;
      if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type as string)) node = def.innerType as typeof node;
      else if (def.type === 'pipe') node = def.in as typeof node;
      else break;
    }
    return node;
  };
  for (const segment of at) {
    const node = unwrap(current) as { _zod?: { def: Record<string, unknown> } };
    const def = node?._zod?.def;
    if (!def) return [];
    if (def.type === 'object') current = (def.shape as Record<string, unknown>)[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return [];
  }
  const node = unwrap(current) as { _zod?: { def: Record<string, unknown> } };
  const def = node?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
}

/** Anything that can tell the line of a key path. */
export interface LineLocator {
  lineOf(at: Path): number;
}

/** Locates nodes of a parsed YAML document by key path. */
export class SourceMap {
  constructor(
    private readonly doc: Document | undefined,
    private readonly counter: LineCounter,
  ) {}

  private line(node: { range?: [number, number, number] | null } | null | undefined): number | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.counter.linePos(offset).line;
  }

  /** Line of the value at `at`, or of its nearest existing ancestor. */
  lineOf(at: Path): number {
    if (!this.doc) return 1;
    for (let n = at.length; n >= 0; n--) {
      const parentPath = at.slice(0, n);
      if (n > 0) {
        // Prefer the key's own line (the value may start on a later line).
        const parent = parentPath.length > 1 ? this.doc.getIn(parentPath.slice(0, -1), true) : this.doc.contents;
        if (isMap(parent)) {
          const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(parentPath[parentPath.length - 1]));
          const line = this.line(pair?.key as Node | undefined);
          if (line !== undefined) return line;
        }
        const node = this.doc.getIn(parentPath, true) as Node | undefined;
        const line = this.line(node);
        if (line !== undefined) return line;
      } else {
        return this.line(this.doc.contents as Node) ?? 1;
      }
    }
    return 1;
  }
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolate(doc: Document, counter: LineCounter, env: NodeJS.ProcessEnv, file: string, problems: ConfigProblem[]): void {
  YAML.visit(doc, {
    Scalar(key, node, visitPath) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const original = node.value;
      let missing = false;
      const replaced = original.replace(PLACEHOLDER, (_all, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        missing = true;
        const keyPath: string[] = [];
        for (const item of visitPath) if (isPair(item) && isScalar(item.key)) keyPath.push(String(item.key.value));
        problems.push({
          file,
          line: node.range ? counter.linePos(node.range[0]).line : 1,
          path: keyPath.join('.'),
          message: `environment variable ${name} is not set (set it, or write \${${name}:-default})`,
        });
        return '';
      });
      if (missing) return;
      const whole = /^\$\{[^}]+\}$/.test(original);
      if (whole && node.type === 'PLAIN') {
        // An unquoted `${PORT:-8787}` becomes a number, as if written in the file.
        const parsed: unknown = YAML.parse(replaced === '' ? '""' : replaced);
        node.value = typeof parsed === 'number' || typeof parsed === 'boolean' || parsed === null ? parsed : replaced;
      } else {
        node.value = replaced;
      }
    },
  });
}

/** Keys whose values are secrets: problems name their type and size, never the value. */
const SECRET_KEY = /token|secret|passw|api[-_]?keys?$|^keys?$|credential|authorization/i;

function renderSafely(value: unknown, at: Path): string {
  if (value === undefined || !at.some((segment) => typeof segment === 'string' && SECRET_KEY.test(segment))) return render(value);
  return typeof value === 'string' ? `a hidden string of ${value.length} characters` : `a hidden ${Array.isArray(value) ? 'list' : typeof value}`;
}

/** Turns one zod issue into a problem line. */
export function issueToProblem(issue: z.core.$ZodIssue, base: Path, schema: z.ZodType, file: string, map: LineLocator): ConfigProblem[] {
  const at = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const dotted = at.join('.');
  const input = (issue as { input?: unknown }).input;
  const render = (value: unknown) => renderSafely(value, at);
  const custom = issue.message.startsWith('expected') ? issue.message : undefined;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = shapeKeysAt(schema, issue.path as Path);
      return issue.keys.map((key) => {
        const suggestion = didYouMean(key, known);
        const expected = known.length ? `; expected one of ${known.join(', ')}` : '';
        return {
          file,
          line: map.lineOf([...at, key]),
          path: [...at, key].join('.'),
          message: suggestion ? `unknown key; did you mean "${suggestion}"?` : `unknown key${expected}`,
        };
      });
    }
    case 'invalid_type':
      if (input === undefined) {
        return [{ file, line: map.lineOf(at), path: dotted, message: `is required (${custom ?? `expected ${issue.expected}`})` }];
      }
      return [{ file, line: map.lineOf(at), path: dotted, message: `${custom ?? `expected ${issue.expected}`}, got ${render(input)}` }];
    case 'invalid_value':
      return [{ file, line: map.lineOf(at), path: dotted, message: `${custom ?? `expected one of ${issue.values.map((v) => render(v)).join(', ')}`}, got ${render(input)}` }];
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `>= ${String(issue.minimum)}` : `<= ${String(issue.maximum)}`;
      const what = issue.origin === 'string' ? `a length ${bound}` : issue.origin === 'array' ? `${bound} items` : `a number ${bound}`;
      return [{ file, line: map.lineOf(at), path: dotted, message: `${custom ?? `expected ${what}`}, got ${render(input)}` }];
    }
    case 'invalid_format':
      return [{ file, line: map.lineOf(at), path: dotted, message: `${custom ?? `expected a valid ${issue.format}`}, got ${render(input)}` }];
    default:
      return [{ file, line: map.lineOf(at), path: dotted, message: input === undefined ? issue.message : `${issue.message}, got ${render(input)}` }];
  }
}

/**
 * Validates `value` against a zod schema; returns the parsed output, or pushes problems and
 * returns undefined.
 */
export function validateAt<S extends z.ZodType>(schema: S, value: unknown, base: Path, file: string, map: LineLocator, problems: ConfigProblem[]): z.output<S> | undefined {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push(...issueToProblem(issue, base, schema, file, map));
  return undefined;
}

export interface ParseOptions {
  /** Shown in messages; also the base for relative paths. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Parses config text. Throws CONFIG_INVALID listing every problem.
 * @example
 * const config = parseConfig('assistant: { model: qwen2.5:7b }\nplugins: { ollama: {} }', { file: 'inline.yaml' });
 */
export function parseConfig(source: string, options: ParseOptions = {}): KobzaConfig {
  const file = options.file ?? '<inline>';
  const env = options.env ?? process.env;
  const counter = new LineCounter();
  const doc = YAML.parseDocument(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  for (const error of doc.errors) {
    const line = error.linePos?.[0]?.line ?? counter.linePos(error.pos[0]).line;
    problems.push({ file, line, path: '', message: `YAML syntax error: ${error.message.split('\n')[0]}` });
  }
  if (problems.length) throwProblems(problems);
  interpolate(doc, counter, env, file, problems);
  const map = new SourceMap(doc, counter);
  if (problems.length) throwProblems(problems);

  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throwProblems([{ file, line: 1, path: '', message: 'expected a map with assistant: and plugins:' }]);
  }
  const top = validateAt(topLevelSchema, raw, [], file, map, problems);

  const plugins: PluginBlock[] = [];
  const rawPlugins = (raw as { plugins?: unknown }).plugins;
  if (rawPlugins && typeof rawPlugins === 'object' && !Array.isArray(rawPlugins)) {
    for (const [name, value] of Object.entries(rawPlugins as Record<string, unknown>)) {
      const at = ['plugins', name];
      const block = value ?? {};
      if (typeof block !== 'object' || Array.isArray(block)) {
        problems.push({ file, line: map.lineOf(at), path: at.join('.'), message: `expected a map of settings (use {} for none), got ${render(value)}` });
        continue;
      }
      const { module: modulePath, enabled, ...settings } = block as Record<string, unknown>;
      if (modulePath !== undefined && (typeof modulePath !== 'string' || modulePath === '')) {
        problems.push({ file, line: map.lineOf([...at, 'module']), path: [...at, 'module'].join('.'), message: `expected a path to a plugin module, got ${render(modulePath)}` });
      }
      if (enabled !== undefined && typeof enabled !== 'boolean') {
        problems.push({ file, line: map.lineOf([...at, 'enabled']), path: [...at, 'enabled'].join('.'), message: `expected true or false, got ${render(enabled)}` });
      }
      plugins.push({
        name,
        module: typeof modulePath === 'string' ? modulePath : undefined,
        enabled: enabled !== false,
        settings,
        line: map.lineOf(at),
      });
    }
  }
  if (problems.length || !top) throwProblems(problems);
  return {
    file,
    dir: file === '<inline>' ? process.cwd() : path.dirname(path.resolve(file)),
    assistant: top.assistant,
    logging: top.logging,
    kernel: top.kernel,
    plugins,
    lineOf: (at) => map.lineOf(at),
  };
}

/**
 * Reads and parses a config file.
 * @example
 * const config = await loadConfigFile('config/default.yaml');
 */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<KobzaConfig> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throwProblems([{ file, line: 1, path: '', message: `cannot read config: ${reason}` }]);
  }
  return parseConfig(source, { file, env });
}

export { RESERVED_PLUGIN_KEYS };
