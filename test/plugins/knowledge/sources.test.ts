/**
 * The sources loader: pages split by headings (title = heading path, long sections split at
 * paragraph ends), FAQ files in YAML and JSON, globs relative to the config file, and every
 * problem named as FILE:LINE: plugins.knowledge.sources[i]: ….
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isKobzaError } from '../../../core/index.js';
import { parsePage, splitLongText } from '../../../plugins/knowledge/markdown.js';
import { expandPattern, globToRegExp, loadSources } from '../../../plugins/knowledge/sources.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** Lines of the config as the loader sees them: sources[i] is on line 10 + i. */
const lineOf = (at: readonly (string | number)[]) => (typeof at[3] === 'number' ? 10 + at[3] : 1);

async function problemsOf(patterns: string[], dir: string): Promise<string[]> {
  try {
    await loadSources(patterns, { configFile: 'kobza.yaml', configDir: path.join(dir, 'config'), lineOf });
  } catch (err) {
    if (isKobzaError(err, 'CONFIG_INVALID')) return (err.details as { problems: string[] }).problems;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('pages', () => {
  it('splits Markdown by headings and keeps the heading path as the title', () => {
    const page = parsePage('# Вступ\n\nЗагальне.\n\n## Вартість\n\nКонтракт 38 000 грн.\n\n```\n# not a heading\n```\n\nКінець\n======\n\nОстаннє.');
    expect(page.sections.map((s) => [s.headings.join(' › '), s.text.split('\n')[0], s.line])).toEqual([
      ['Вступ', 'Загальне.', 3],
      ['Вступ › Вартість', 'Контракт 38 000 грн.', 7],
      ['Кінець', 'Останнє.', 16],
    ]);
  });

  it('splits a long section at paragraph ends, then sentence ends, within the limit', () => {
    const paragraph = (n: number) => `Речення номер ${n} про вступ. `.repeat(12).trim();
    const text = [paragraph(1), paragraph(2), paragraph(3), 'Коротко. '.repeat(300).trim()].join('\n\n');
    const parts = splitLongText(text, 1200);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(1200);
    expect(parts[0].startsWith(paragraph(1))).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
  });

  it('reads front matter and drops HTML comments', () => {
    const page = parsePage('---\ntitle: Кампус\nurl: https://u.example/k\n---\n<!-- SAMPLE -->\n## Бібліотека\n\nПрацює з 8:00.');
    expect(page).toMatchObject({ title: 'Кампус', url: 'https://u.example/k' });
    expect(page.sections).toEqual([{ headings: ['Бібліотека'], text: 'Працює з 8:00.', line: 8 }]);
  });
});

describe('globs', () => {
  it('matches *, ** and {a,b} relative to the base folder', async () => {
    expect(globToRegExp('**/*.{md,txt}').test('a/b/c.md')).toBe(true);
    expect(globToRegExp('*.md').test('a/c.md')).toBe(false);
    const dir = await tree({ 'kb/a.md': '# A\n\ntext', 'kb/sub/b.txt': 'text', 'kb/c.yaml': '- q: x\n  a: y', 'config/x': '' });
    const base = path.join(dir, 'config');
    expect((await expandPattern('../kb/*.md', base)).map((f) => path.relative(dir, f))).toEqual(['kb/a.md']);
    expect((await expandPattern('../kb/**/*.{md,txt}', base)).map((f) => path.relative(dir, f))).toEqual(['kb/a.md', 'kb/sub/b.txt']);
  });
});

describe('loadSources', () => {
  it('loads pages and FAQ files (YAML and JSON) into passages and entries, with a content version', async () => {
    const dir = await tree({
      'kb/campus.md': '# Кампус\n\n## Гуртожиток\n\nВулиця Садова, 12.\n',
      'kb/faq.yaml': '- id: dorm\n  q: [Де гуртожиток?, Where is the dorm?]\n  a: Вулиця Садова, 12.\n  url: https://u.example/dorm\n',
      'kb/faq.json': '[\n  { "q": "Коли сесія?", "a": "У січні." }\n]\n',
      'config/x': '',
    });
    const base = await loadSources(['../kb/*.md', '../kb/faq.*'], { configFile: 'kobza.yaml', configDir: path.join(dir, 'config'), lineOf });
    expect(base.passages.map((p) => [p.id, p.title, p.kind])).toEqual([
      ['campus.md#гуртожиток', 'Кампус › Гуртожиток', 'page'],
      ['faq.json#1', 'Коли сесія?', 'faq'],
      ['dorm', 'Де гуртожиток?', 'faq'],
    ]);
    expect(base.faq.find((e) => e.id === 'dorm')).toMatchObject({ questions: ['Де гуртожиток?', 'Where is the dorm?'], url: 'https://u.example/dorm', line: 1 });
    expect(base.faq.find((e) => e.id === 'faq.json#1')?.line).toBe(2);
    expect(base.version).toMatch(/^[0-9a-f]{12}$/);

    await writeFile(path.join(dir, 'kb/campus.md'), '# Кампус\n\n## Гуртожиток\n\nВулиця Садова, 14.\n');
    const edited = await loadSources(['../kb/*.md', '../kb/faq.*'], { configFile: 'kobza.yaml', configDir: path.join(dir, 'config'), lineOf });
    expect(edited.version).not.toBe(base.version);
  });

  it('names a missing file and an empty glob by the config line', async () => {
    const dir = await tree({ 'kb/a.md': '# A\n\ntext', 'config/x': '' });
    expect(await problemsOf(['../kb/a.md', '../kb/missing.md', '../kb/*.yaml'], dir)).toEqual([
      'kobza.yaml:11: plugins.knowledge.sources[1]: file not found: ' + path.join(dir, 'kb/missing.md'),
      'kobza.yaml:12: plugins.knowledge.sources[2]: the glob "../kb/*.yaml" matches no file',
    ]);
  });

  it('names a malformed FAQ entry by its own file and line', async () => {
    const dir = await tree({
      'kb/faq.yaml': '- q: Де гуртожиток?\n  a: Садова, 12.\n- q: Коли сесія?\n- q: []\n  a: x\n  qq: typo\n- just text\n',
      'kb/bad.json': '[\n  { "q": "x", "a": "y" },\n  { "q": "x" "a": "y" }\n]\n',
      'config/x': '',
    });
    const problems = await problemsOf(['../kb/faq.yaml', '../kb/bad.json'], dir);
    const faq = path.join(dir, 'kb/faq.yaml');
    const bad = path.join(dir, 'kb/bad.json');
    expect(problems).toEqual([
      `${faq}:3: plugins.knowledge.sources[0]: entry 2: a is required (expected the answer text), got nothing`,
      `${faq}:4: plugins.knowledge.sources[0]: entry 3: q is invalid (expected a question or a list of questions), got a list`,
      `${faq}:6: plugins.knowledge.sources[0]: entry 3: unknown key "qq"; expected q, a, id, url`,
      `${faq}:7: plugins.knowledge.sources[0]: entry 4: expected a map { q, a }, got "just text"`,
      expect.stringMatching(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: plugins\\.knowledge\\.sources\\[1\\]: invalid JSON: `)),
    ]);
  });
});

describe('source URLs', () => {
  it('keeps only http(s) URLs from front matter, canonical links, og:url and FAQ entries', async () => {
    const dir = await tree({
      'kb/evil.md': '---\ntitle: Вступ\nurl: javascript:alert(document.cookie)\n---\n# Вступ\n\nДокументи приймають з 1 липня.\n',
      'kb/good.md': '---\nurl: " https://example.edu/vstup "\n---\n# Вартість\n\nРік навчання коштує 30 000 грн.\n',
      'kb/evil.html': '<html><head><title>Бібліотека</title><link rel="canonical" href="JaVaScRiPt:alert(1)"><meta property="og:url" content="data:text/html,x"></head><body><h1>Бібліотека</h1><p>Працює щодня.</p></body></html>',
      'kb/fallback.html': '<html><head><link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="https://example.edu/library"></head><body><h1>Читальня</h1><p>Відкрита до 20:00.</p></body></html>',
      'kb/faq.yaml': '- id: evil\n  q: Де гуртожиток?\n  a: Вул. Садова, 12.\n  url: "\\tjavascript:alert(1)"\n- id: good\n  q: Чи є басейн?\n  a: Так.\n  url: https://example.edu/pool\n',
    });
    const base = await loadSources(['../kb/*.md', '../kb/*.html', '../kb/faq.yaml'], { configFile: 'kobza.yaml', configDir: path.join(dir, 'config'), lineOf });
    const urlOf = (file: string) => [...new Set(base.passages.filter((p) => p.file.endsWith(file)).map((p) => p.url))];
    expect(urlOf('evil.md')).toEqual([undefined]);
    expect(urlOf('good.md')).toEqual(['https://example.edu/vstup']);
    expect(urlOf('evil.html')).toEqual([undefined]);
    expect(urlOf('fallback.html')).toEqual(['https://example.edu/library']);
    const faq = Object.fromEntries(base.passages.filter((p) => p.kind === 'faq').map((p) => [p.id, p]));
    expect(faq.evil.url).toBeUndefined();
    expect(faq.evil.faq?.url).toBeUndefined();
    expect(faq.good.url).toBe('https://example.edu/pool');
    expect(JSON.stringify(base.passages)).not.toMatch(/javascript|data:/i);
  });
});
