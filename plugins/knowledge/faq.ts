/**
 * FAQ files (.yaml, .yml, .json): a list of entries `{ q: string | string[], a: string,
 * id?: string, url?: string }` — `q` the question and its variants, `a` the curated answer.
 * Every malformed entry is reported with its own line.
 */
import YAML, { isMap, isSeq, LineCounter, type Node } from 'yaml';
import { webUrl } from './web-url.js';

/** A curated question-and-answer pair. */
export interface FaqEntry {
  id: string;
  /** The question and its variants (any language). */
  questions: string[];
  answer: string;
  url?: string;
  /** 1-based line of the entry in its file. */
  line: number;
}

/** A problem inside a source file, at a line of that file. */
export interface FileProblem {
  line: number;
  message: string;
}

const ENTRY_KEYS = ['q', 'a', 'id', 'url'];

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Line of a JSON syntax error, from the position V8 reports. */
function jsonErrorLine(source: string, err: Error): number {
  const at = /position (\d+)/.exec(err.message);
  if (!at) return 1;
  return source.slice(0, Number(at[1])).split('\n').length;
}

/**
 * Parses a FAQ file. `defaultId(n)` names entries without an `id` (n is 1-based).
 * @example
 * parseFaq('- q: [Де гуртожиток?, Where is the dorm?]\n  a: Вул. Садова, 3.', false, (n) => `faq#${n}`)
 * // { entries: [{ id: 'faq#1', questions: ['Де гуртожиток?', 'Where is the dorm?'], answer: 'Вул. Садова, 3.', line: 1 }], problems: [] }
 */
export function parseFaq(source: string, json: boolean, defaultId: (n: number) => string): { entries: FaqEntry[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  if (json) {
    try {
      JSON.parse(source);
    } catch (err) {
      return { entries: [], problems: [{ line: jsonErrorLine(source, err as Error), message: `invalid JSON: ${(err as Error).message.split('\n')[0]}` }] };
    }
  }
  // JSON is YAML 1.2: one parser gives both formats their line numbers.
  const counter = new LineCounter();
  const doc = YAML.parseDocument(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const error = doc.errors[0];
    return { entries: [], problems: [{ line: error.linePos?.[0]?.line ?? counter.linePos(error.pos[0]).line, message: `YAML syntax error: ${error.message.split('\n')[0]}` }] };
  }
  const lineOf = (node: Node | null | undefined, fallback = 1) => (node?.range ? counter.linePos(node.range[0]).line : fallback);
  const root = doc.contents;
  if (!isSeq(root)) return { entries: [], problems: [{ line: lineOf(root as Node), message: `expected a list of FAQ entries { q, a }, got ${describe(doc.toJS())}` }] };
  if (root.items.length === 0) return { entries: [], problems: [{ line: lineOf(root), message: 'expected at least one FAQ entry { q, a }, got an empty list' }] };

  const entries: FaqEntry[] = [];
  const seen = new Map<string, number>();
  root.items.forEach((item, index) => {
    const n = index + 1;
    const line = lineOf(item as Node, lineOf(root));
    const where = `entry ${n}`;
    if (!isMap(item)) {
      problems.push({ line, message: `${where}: expected a map { q, a }, got ${describe((item as Node | null)?.toJSON?.() ?? item)}` });
      return;
    }
    const value = item.toJSON() as Record<string, unknown>;
    const keyLine = (key: string) => {
      const pair = item.items.find((p) => String((p.key as { value?: unknown } | null)?.value) === key);
      return lineOf(pair?.key as Node | undefined, line);
    };
    let ok = true;
    for (const key of Object.keys(value)) {
      if (!ENTRY_KEYS.includes(key)) {
        problems.push({ line: keyLine(key), message: `${where}: unknown key "${key}"; expected q, a, id, url` });
        ok = false;
      }
    }
    const q = value.q;
    let questions: string[] = [];
    if (typeof q === 'string' && q.trim()) questions = [q.trim()];
    else if (Array.isArray(q) && q.length > 0 && q.every((v) => typeof v === 'string' && v.trim())) questions = q.map((v: string) => v.trim());
    else {
      problems.push({ line: q === undefined ? line : keyLine('q'), message: `${where}: q ${q === undefined ? 'is required' : 'is invalid'} (expected a question or a list of questions), got ${describe(q)}` });
      ok = false;
    }
    const a = value.a;
    if (typeof a !== 'string' || !a.trim()) {
      problems.push({ line: a === undefined ? line : keyLine('a'), message: `${where}: a ${a === undefined ? 'is required' : 'is invalid'} (expected the answer text), got ${describe(a)}` });
      ok = false;
    }
    for (const key of ['id', 'url'] as const) {
      if (value[key] !== undefined && (typeof value[key] !== 'string' || !(value[key] as string).trim())) {
        problems.push({ line: keyLine(key), message: `${where}: ${key} is invalid (expected a string), got ${describe(value[key])}` });
        ok = false;
      }
    }
    if (!ok) return;
    const id = (value.id as string | undefined)?.trim() ?? defaultId(n);
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      problems.push({ line: keyLine('id'), message: `${where}: id "${id}" is already used by the entry on line ${earlier}` });
      return;
    }
    seen.set(id, line);
    entries.push({ id, questions, answer: (a as string).trim(), url: webUrl(value.url), line });
  });
  return { entries, problems };
}
