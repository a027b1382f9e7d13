import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'kobza-eval-ranking-'));

/** Hand-written items; t-3 is labelled wrongly on purpose so that the report has a miss. */
const ITEMS = [
  {
    id: 't-1',
    lang: 'uk',
    question: 'Коли закінчується прийом документів на бакалаврат?',
    candidates: [
      'Прием документов на бакалавриат заканчивается двадцать третьего июля в шесть вечера.',
      'Прийом документів на бакалаврат триває до 18:00 23 липня. Після цього оприлюднюють рейтингові списки вступників.',
      'Прийом документів на бакалаврат розпочинається 1 липня, а',
    ],
    best: 1,
  },
  {
    id: 't-2',
    lang: 'en',
    question: 'How much does the dormitory cost?',
    candidates: ["I'm sorry, but as an AI I cannot know the prices.", 'A place in the dormitory costs about UAH 1,400 per month, paid monthly or per semester.'],
    best: 1,
  },
  {
    id: 't-3',
    lang: 'uk',
    question: 'Скільки коштує гуртожиток?',
    candidates: ['Гуртожиток коштує від 950 до 1200 грн на місяць залежно від кімнати.', 'Гуртожиток — це місце, де живуть студенти.'],
    best: 1,
  },
];

function kobza(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', path.join(root, 'cli/kobza.ts'), ...args], { cwd: root, timeout: 60_000 });
}

describe('kobza eval ranking', () => {
  it('prints items, top1 and the misses; --json puts one JSON object on the last line', async () => {
    const file = path.join(dir, 'items.jsonl');
    writeFileSync(file, `${ITEMS.map((item) => JSON.stringify(item)).join('\n')}\n`);
    const { stdout } = await kobza('eval', 'ranking', '--items', file, '--json');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('items 3, top1 0.667 (2/3)');
    expect(stdout).toContain('misses:');
    expect(stdout).toContain('t-3: picked #0');
    const report = JSON.parse(lines[lines.length - 1]);
    expect(report).toMatchObject({ items: 3, correct: 2, top1: 0.667, byLang: { uk: { items: 2, correct: 1 }, en: { items: 1, correct: 1 } } });
    expect(report.misses.map((m: { id: string }) => m.id)).toEqual(['t-3']);
    expect(report.scorers.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['language', 'refusal', 'coverage']));
  });

  it('uses the scorers and weights of --config', async () => {
    const file = path.join(dir, 'items-2.jsonl');
    writeFileSync(file, `${ITEMS.map((item) => JSON.stringify(item)).join('\n')}\n`);
    const config = path.join(dir, 'kobza.yaml');
    writeFileSync(config, 'assistant: { model: m }\nplugins:\n  parallel-ranking:\n    weights: { coverage: 0 }\n    scorers:\n      consensus: { enabled: false }\n');
    const { stdout } = await kobza('eval', 'ranking', '--items', file, '--config', config, '--json');
    const report = JSON.parse(stdout.trim().split('\n').pop()!);
    const names = report.scorers.map((s: { name: string }) => s.name);
    expect(names).not.toContain('consensus');
    expect(report.scorers.find((s: { name: string }) => s.name === 'coverage').weight).toBe(0);
  });

  it('reports a bad line with the file and line number and exits 1', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, `${JSON.stringify(ITEMS[0])}\n{"question": "Q?", "candidates": ["a"], "best": 3}\n`);
    const error = (await kobza('eval', 'ranking', '--items', file).catch((err: unknown) => err)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain(`${file}:2: best: expected an index between 0 and 0, got 3`);
  });
});
