import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../../cli/kobza.js';
import { splitPairs } from '../../../cli/commands/eval-split.js';
import { runKobzaInProcess } from '../../helpers/cli.js';
import { startOllamaStandIn } from '../../servers/ollama.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-eval-cache-'));
});

afterEach(() => {
  process.exitCode = 0;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const kobza = runKobzaInProcess;

describe('kobza eval cache', () => {
  it('runs the real plugin on the fixture pairs and prints one JSON object on the last line', async () => {
    const pairs = path.join(import.meta.dirname, '../../plugins/semantic-cache/fixtures/pairs.jsonl');
    const { stdout, exitCode } = await kobza('eval', 'cache', '--pairs', pairs, '--json');
    expect(exitCode).toBe(0);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ pairs: 15, tp: 6, fp: 0, tn: 9, fn: 0, precision: 1, recall: 1, wrongHitRate: 0 });
    expect(report.byKind.near_miss_time).toEqual({ pairs: 3, same: false, hits: 0, hitRate: 0 });
    expect(stdout).toContain('wrongHitRate');
  });

  it('reads QQP-format pairs and calibrates a threshold', async () => {
    const qqp = path.join(dir, 'qqp.json');
    writeFileSync(
      qqp,
      JSON.stringify([
        { text_a: 'How do I learn Python quickly?', text_b: 'How can I learn Python fast?', label: 1 },
        { text_a: 'What is the capital of France?', text_b: 'What is the capital of Germany?', label: 0 },
        { text_a: 'How do I turn on dark mode?', text_b: 'How do I turn off dark mode?', label: 0 },
      ]),
    );
    const { stdout } = await kobza('eval', 'cache', '--pairs', qqp, '--format', 'qqp', '--calibrate', '--target', '0', '--json');
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report.pairs).toBe(3);
    expect(report.fp).toBe(0);
    expect(report.calibration).toMatchObject({ targetWrongHitRate: 0, threshold: expect.any(Number) });
    expect(stdout).toMatch(/calibrated threshold/);
  });

  it('splits the pairs by a hash of their text and reports both parts side by side', async () => {
    const pairs = path.join(import.meta.dirname, '../../plugins/semantic-cache/fixtures/pairs.jsonl');
    const { stdout, exitCode } = await kobza('eval', 'cache', '--pairs', pairs, '--split', 'both', '--json');
    expect(exitCode).toBe(0);
    const both = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(both.tune.pairs + both.holdout.pairs).toBe(15);
    expect(both.tune.pairs).toBeGreaterThan(0);
    expect(both.holdout.pairs).toBeGreaterThan(0);
    expect(stdout).toMatch(/── tune \(\d+ pairs\) ──[\s\S]*── holdout \(\d+ pairs\) ──/);
    const again = await kobza('eval', 'cache', '--pairs', pairs, '--split', 'holdout', '--json');
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1)!).pairs).toBe(both.holdout.pairs);
  });

  it('keeps a pair in its part whatever the order or ids of the file', () => {
    const a = { id: 'x', cached: 'Коли сесія?', query: 'Коли починається сесія?', same: false, kind: 'k' };
    const b = { id: 'y', cached: 'Where is the library?', query: 'Library location?', same: true, kind: 'k' };
    const first = splitPairs([a, b], 0.5);
    const second = splitPairs([{ ...b, id: 'renumbered' }, a], 0.5);
    expect(second.holdout.map((p) => p.cached).sort()).toEqual(first.holdout.map((p) => p.cached).sort());
    expect(splitPairs([a, b], 0.999999).holdout.length + splitPairs([a, b], 0.000001).tune.length).toBe(4);
  });

  it('--embedder ollama:MODEL@URL with --word-match measures the strong-embedder mode', async () => {
    const ollama = await startOllamaStandIn({ sameMeaning: [['бібліотека', 'книгозбірня']] });
    try {
      const pairs = path.join(dir, 'pairs.jsonl');
      writeFileSync(pairs, `${JSON.stringify({ id: 'a', cached: 'Де знаходиться бібліотека?', query: 'Де знаходиться книгозбірня?', same: true, kind: 'synonym' })}\n`);
      const strong = await kobza('eval', 'cache', '--pairs', pairs, '--embedder', `ollama:bge-m3@${ollama.url}`, '--word-match', '0.8', '--json');
      expect(JSON.parse(strong.stdout.trim().split('\n').at(-1)!)).toMatchObject({ tp: 1, embedder: 'ollama:bge-m3' });
      const rules = await kobza('eval', 'cache', '--pairs', pairs, '--embedder', `ollama:bge-m3@${ollama.url}`, '--json');
      expect(JSON.parse(rules.stdout.trim().split('\n').at(-1)!)).toMatchObject({ tp: 0, fn: 1 });
    } finally {
      await ollama.close();
    }
  });

  it('reports a malformed pairs file with the file and line', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"cached":"a","query":"b","same":true}\n{"cached":"a","query":"b"}\n');
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    await buildProgram().exitOverride().parseAsync(['node', 'kobza', 'eval', 'cache', '--pairs', bad]);
    vi.restoreAllMocks();
    expect(process.exitCode).toBe(1);
    expect(stderr).toContain(`${bad}:2: same: expected true or false`);
  });
});
