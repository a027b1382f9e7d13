/**
 * Loads `plugins.knowledge.sources`: expands files and globs relative to the config file,
 * reads Markdown / plain-text pages and FAQ files, and turns them into passages. Every
 * problem — a missing file, a glob that matches nothing, a malformed FAQ entry — becomes
 * one line `FILE:LINE: plugins.knowledge.sources[i]: …`, and all of them together stop
 * start-up (and `kobza check`) with CONFIG_INVALID.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem, KobzaError, type ConfigProblem } from '../../core/index.js';
import { parseFaq, type FaqEntry } from './faq.js';
import { parseHtmlPage } from './html.js';
import { parsePage, plainInline, splitLongText } from './markdown.js';

/** A piece of a document the retriever can return. */
export interface Passage {
  /** Stable id: `file#heading-slug` for pages, the entry's id for FAQ answers. */
  id: string;
  /** Heading path of a page section, or the FAQ question. */
  title: string;
  text: string;
  url?: string;
  /** The file, as shown to operators. */
  file: string;
  /** 1-based line in the file. */
  line: number;
  kind: 'page' | 'faq';
  /** For FAQ passages: the entry. */
  faq?: FaqEntry;
}

/** Everything the sources hold, and the version that names this content. */
export interface KnowledgeBase {
  passages: Passage[];
  faq: (FaqEntry & { file: string })[];
  files: { file: string; hash: string }[];
  /** Absolute paths of the files read (what `watch` watches). */
  paths: string[];
  /** A short hash of every file's path and content: changes whenever a document does. */
  version: string;
}

export interface LoadOptions {
  /** The config file, for problems about a pattern itself. */
  configFile: string;
  /** Patterns are resolved against this folder. */
  configDir: string;
  /** Line of a key path in the config file. */
  lineOf(at: readonly (string | number)[]): number;
  /** The plugin's key in `plugins:` (normally `knowledge`). */
  pluginName?: string;
  maxPassageChars?: number;
}

const PAGE_EXTENSIONS = new Set(['.md', '.markdown', '.txt', '.html', '.htm']);
const HTML_EXTENSIONS = new Set(['.html', '.htm']);
const FAQ_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const GLOB_CHARS = /[*?[{]/;

/** A glob pattern (`*`, `**`, `?`, `{a,b}`, `[abc]`) as a regular expression over `/`-separated paths. */
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) out += '\\{';
      else {
        out += `(?:${pattern.slice(i + 1, end).split(',').map((p) => p.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

async function walk(dir: string, deep: boolean, found: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (deep) await walk(full, deep, found);
    } else if (entry.isFile()) found.push(full);
  }
}

/**
 * Files matching a pattern (sorted), resolved against `baseDir`. A pattern without glob
 * characters names one file, returned whether it exists or not.
 * @example
 * await expandPattern('../knowledge/*.md', '/srv/kobza/config') // ['/srv/kobza/knowledge/admissions.md', …]
 */
export async function expandPattern(pattern: string, baseDir: string): Promise<string[]> {
  const absolute = path.resolve(baseDir, pattern).split(path.sep).join('/');
  if (!GLOB_CHARS.test(absolute)) return [path.resolve(absolute)];
  const segments = absolute.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const root = segments.slice(0, firstGlob).join('/') || '/';
  const rest = segments.slice(firstGlob);
  const deep = rest.length > 1 || rest.some((s) => s.includes('**'));
  const found: string[] = [];
  await walk(root, deep, found);
  const matcher = globToRegExp(rest.join('/'));
  return found.filter((file) => matcher.test(path.relative(root, file).split(path.sep).join('/'))).sort();
}

/** A URL-and-reader-friendly slug of a heading. */
export function slugOf(text: string): string {
  return (
    text
      .toLowerCase()
      .normalize('NFC')
      .replace(/['’ʼ`]/g, '')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'section'
  );
}

/** How a file is shown in problems and ids: relative to the working folder when inside it. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

/** The deepest folder holding every file (ids are paths relative to it). */
function commonFolder(files: string[]): string {
  if (files.length === 0) return process.cwd();
  let common = path.dirname(files[0]);
  for (const file of files) {
    while (!(file.startsWith(common + path.sep) || path.dirname(file) === common)) {
      const parent = path.dirname(common);
      if (parent === common) return common;
      common = parent;
    }
  }
  return common;
}

function pagePassages(source: string, file: string, idBase: string, maxChars: number): Passage[] {
  const page = HTML_EXTENSIONS.has(path.extname(file).toLowerCase()) ? parseHtmlPage(source) : parsePage(source);
  const fallbackTitle = page.title ?? path.basename(file).replace(/\.[^.]+$/, '');
  const passages: Passage[] = [];
  const used = new Map<string, number>();
  for (const section of page.sections) {
    const headings = page.title && section.headings[0] !== page.title ? [page.title, ...section.headings] : section.headings;
    const title = headings.length ? headings.join(' › ') : fallbackTitle;
    const parts = splitLongText(plainInline(section.text), maxChars);
    parts.forEach((text, part) => {
      let id = `${idBase}#${slugOf(section.headings[section.headings.length - 1] ?? fallbackTitle)}`;
      const count = used.get(id) ?? 0;
      used.set(id, count + 1);
      if (count > 0) id = `${id}-${count + 1}`;
      passages.push({ id, title: parts.length > 1 ? `${title} (${part + 1}/${parts.length})` : title, text, url: page.url, file: displayPath(file), line: section.line, kind: 'page' });
    });
  }
  return passages;
}

/**
 * Loads every source. Throws CONFIG_INVALID listing every problem, one line each.
 * @example
 * const base = await loadSources(['../knowledge/faq.yaml', '../knowledge/*.md'], { configFile, configDir, lineOf: config.lineOf });
 */
export async function loadSources(patterns: readonly string[], options: LoadOptions): Promise<KnowledgeBase> {
  const plugin = options.pluginName ?? 'knowledge';
  const maxChars = options.maxPassageChars ?? 1200;
  const problems: ConfigProblem[] = [];
  const files: { file: string; index: number; faq: boolean }[] = [];
  const seen = new Set<string>();
  const keyOf = (i: number) => `plugins.${plugin}.sources[${i}]`;
  const configProblem = (i: number, message: string) => problems.push({ file: options.configFile, line: options.lineOf(['plugins', plugin, 'sources', i]), path: keyOf(i), message });

  for (let i = 0; i < patterns.length; i++) {
    const pattern = patterns[i];
    const matched = await expandPattern(pattern, options.configDir);
    const isGlob = GLOB_CHARS.test(pattern);
    if (!isGlob) {
      const file = matched[0];
      const info = await stat(file).catch(() => undefined);
      if (!info) {
        configProblem(i, `file not found: ${displayPath(file)}`);
        continue;
      }
      if (!info.isFile()) {
        configProblem(i, `expected a file, got a folder: ${displayPath(file)} (use a glob such as ${pattern.replace(/\/$/, '')}/*.md)`);
        continue;
      }
    }
    const usable = matched.filter((file) => PAGE_EXTENSIONS.has(path.extname(file).toLowerCase()) || FAQ_EXTENSIONS.has(path.extname(file).toLowerCase()));
    if (!isGlob && usable.length === 0) {
      configProblem(i, `unsupported file type "${path.extname(matched[0])}" (expected .md, .markdown, .txt, .html, .htm for pages; .yaml, .yml, .json for FAQ)`);
      continue;
    }
    if (usable.length === 0) {
      configProblem(i, matched.length ? `the glob ${JSON.stringify(pattern)} matches no .md, .markdown, .txt, .html, .htm, .yaml, .yml or .json file` : `the glob ${JSON.stringify(pattern)} matches no file`);
      continue;
    }
    for (const file of usable) {
      if (seen.has(file)) continue;
      seen.add(file);
      files.push({ file, index: i, faq: FAQ_EXTENSIONS.has(path.extname(file).toLowerCase()) });
    }
  }

  const base = commonFolder(files.map((f) => f.file));
  const passages: Passage[] = [];
  const faq: KnowledgeBase['faq'] = [];
  const hashes: KnowledgeBase['files'] = [];
  const faqIds = new Map<string, string>();
  for (const { file, index, faq: isFaq } of files) {
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (err) {
      configProblem(index, `cannot read ${displayPath(file)}: ${(err as Error).message}`);
      continue;
    }
    const idBase = path.relative(base, file).split(path.sep).join('/');
    hashes.push({ file: idBase, hash: createHash('sha256').update(source).digest('hex').slice(0, 16) });
    if (!isFaq) {
      const found = pagePassages(source, file, idBase, maxChars);
      if (found.length === 0) problems.push({ file: displayPath(file), line: 1, path: keyOf(index), message: 'the page has no text' });
      passages.push(...found);
      continue;
    }
    const parsed = parseFaq(source, path.extname(file).toLowerCase() === '.json', (n) => `${idBase}#${n}`);
    for (const problem of parsed.problems) problems.push({ file: displayPath(file), line: problem.line, path: keyOf(index), message: problem.message });
    for (const entry of parsed.entries) {
      const earlier = faqIds.get(entry.id);
      if (earlier) {
        problems.push({ file: displayPath(file), line: entry.line, path: keyOf(index), message: `FAQ id "${entry.id}" is already used in ${earlier}` });
        continue;
      }
      faqIds.set(entry.id, `${displayPath(file)}:${entry.line}`);
      faq.push({ ...entry, file: displayPath(file) });
      passages.push({ id: entry.id, title: entry.questions[0], text: entry.answer, url: entry.url, file: displayPath(file), line: entry.line, kind: 'faq', faq: entry });
    }
  }
  if (problems.length) {
    // One file's problems in line order; files in the order they were named.
    const fileOrder = [...new Set(problems.map((p) => p.file))];
    const lines = [...problems].sort((a, b) => fileOrder.indexOf(a.file) - fileOrder.indexOf(b.file) || a.line - b.line).map(formatProblem);
    throw new KobzaError('CONFIG_INVALID', lines.join('\n'), { details: { problems: lines } });
  }
  const version = createHash('sha256')
    .update(JSON.stringify({ maxChars, files: hashes }))
    .digest('hex')
    .slice(0, 12);
  return { passages, faq, files: hashes, paths: files.map((f) => f.file), version };
}
