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
import { editDistance } from '../text/edit-distance.js';
import { configErrorMap } from './error-map.js';
import { DEFAULT_LIMITS, RESERVED_PLUGIN_KEYS, topLevelSchema, type ConfigProblem, type KobzaConfig, type PluginBlock } from './schema.js';

export type { ConfigProblem };

type Path = readonly (string | number)[];


export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}: ${p.path || '(root)'}: ${p.message}`;
}

const MISSING_VARIABLE = 'environment variable ';

/**
 * Throws CONFIG_INVALID carrying every problem, one line each. A missing environment variable
 * explains whatever is wrong with the empty value under it, so those later lines are dropped.
 */
export function throwProblems(problems: readonly ConfigProblem[]): never {
  const missing = problems.filter((p) => p.message.startsWith(MISSING_VARIABLE)).map((p) => p.path);
  const explained = (p: ConfigProblem) => !p.message.startsWith(MISSING_VARIABLE) && missing.some((m) => p.path === m || p.path.startsWith(`${m}.`));
  const lines = problems.filter((p) => !explained(p)).sort((a, b) => (a.file === b.file ? a.line - b.line : 0)).map(formatProblem);
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

type SchemaNode = { _zod?: { def: Record<string, unknown> } } | undefined;

function unwrapSchema(schema: unknown): SchemaNode {
  let node = schema as SchemaNode;
  for (let i = 0; i < 10 && node?._zod; i++) {
    const def = node._zod.def;
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type as string)) node = def.innerType as SchemaNode;
    else if (def.type === 'pipe') node = def.in as SchemaNode;
    else break;
  }
  return node;
}

/** Object keys a zod schema accepts at a path (for "did you mean"); unions try each branch. */
function shapeKeysAt(schema: unknown, at: Path): string[] {
  const def = unwrapSchema(schema)?._zod?.def;
  if (!def) return [];
  if (def.type === 'union') {
    for (const option of def.options as unknown[]) {
      const keys = shapeKeysAt(option, at);
      if (keys.length) return keys;
    }
    return [];
  }
  if (at.length === 0) return def.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
  const [segment, ...rest] = at;
  if (def.type === 'object') return shapeKeysAt((def.shape as Record<string, unknown>)[String(segment)], rest);
  if (def.type === 'array') return shapeKeysAt(def.element, rest);
  if (def.type === 'record') return shapeKeysAt(def.valueType, rest);
  return [];
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
          message: `${MISSING_VARIABLE}${name} is not set (set it, or write \${${name}:-default})`,
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

/** Turns one zod issue into problem lines (messages come from `configErrorMap` or the schema). */
export function issueToProblem(issue: z.core.$ZodIssue, base: Path, schema: z.ZodType, file: string, map: LineLocator): ConfigProblem[] {
  const at = [...base, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const dotted = at.join('.');
  let input = (issue as { input?: unknown }).input;
  const render = (value: unknown) => renderSafely(value, at);
  const problem = (message: string): ConfigProblem[] => [{ file, line: map.lineOf(at), path: dotted, message }];
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
      return problem(input === undefined ? `is required (${issue.message})` : `${issue.message}, got ${render(input)}`);
    case 'invalid_union': {
      if (issue.discriminator !== undefined && input && typeof input === 'object') {
        // The issue sits on the discriminator key but carries the whole object: show the key's value.
        input = (input as Record<string, unknown>)[issue.discriminator];
        if (input === undefined) return problem(`is required (${issue.message})`);
        return problem(`${issue.message}, got ${render(input)}`);
      }
      // A value of the right shape for exactly one branch: report that branch's own problems.
      const deeper = issue.errors.filter((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
      if (deeper.length === 1) return deeper[0].flatMap((inner) => issueToProblem({ ...inner, path: [...issue.path, ...inner.path] }, base, schema, file, map));
      return problem(input === undefined ? `is required (${issue.message})` : `${issue.message}, got ${render(input)}`);
    }
    default:
      return problem(input === undefined ? issue.message : `${issue.message}, got ${render(input)}`);
  }
}

/**
 * Validates `value` against a zod schema with `configErrorMap`; returns the parsed output, or
 * pushes problems and returns undefined.
 */
export function validateAt<S extends z.ZodType>(schema: S, value: unknown, base: Path, file: string, map: LineLocator, problems: ConfigProblem[]): z.output<S> | undefined {
  const result = schema.safeParse(value, { reportInput: true, error: configErrorMap });
  if (result.success) return result.data;
  for (const issue of result.error.issues) problems.push(...issueToProblem(issue, base, schema, file, map));
  return undefined;
}

export interface ParseOptions {
  /** Shown in messages; also the base for relative paths. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Return the config with its problems in `config.problems` instead of throwing, so
   * `Kernel.create` reports them together with the plugin blocks' own (one pass through the
   * file). YAML syntax errors still throw at once.
   */
  deferProblems?: boolean;
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
  if (problems.length && !options.deferProblems) throwProblems(problems);
  return {
    file,
    dir: file === '<inline>' ? process.cwd() : path.dirname(path.resolve(file)),
    // Only reached without `top` when problems are deferred: Kernel.create throws before use.
    assistant: top?.assistant ?? { model: '', language: 'uk' },
    logging: top?.logging ?? { level: 'info', pretty: 'auto' },
    kernel: top?.kernel ?? { shutdownTimeoutMs: 10_000 },
    limits: top?.limits ?? { ...DEFAULT_LIMITS },
    plugins,
    lineOf: (at) => map.lineOf(at),
    ...(problems.length ? { problems } : {}),
  };
}

/**
 * Reads and parses a config file.
 * @example
 * const config = await loadConfigFile('config/default.yaml');
 */
export async function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env, options: Pick<ParseOptions, 'deferProblems'> = {}): Promise<KobzaConfig> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throwProblems([{ file, line: 1, path: '', message: `cannot read config: ${reason}` }]);
  }
  return parseConfig(source, { file, env, ...options });
}

export { RESERVED_PLUGIN_KEYS };
