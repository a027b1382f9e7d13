/**
 * The index kept beside the store: a second build reads every passage back instead of
 * analysing it, an edited file re-analyses only its own passages, the results are the same
 * as a fresh build's, and a file written under another analyser key is ignored.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { knowledgeConfigSchema, knowledgeIndexPath, openKnowledgeIndex } from '../../../plugins/knowledge/index.js';
import { AnalysisStore } from '../../../plugins/knowledge/index-file.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function sampleCopy(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-index-'));
  dirs.push(dir);
  await cp('knowledge', path.join(dir, 'knowledge'), { recursive: true });
  return dir;
}

describe('the index file', () => {
  it('sits beside the first sqlite store unless indexFile says otherwise', () => {
    const config = knowledgeConfigSchema.parse({ sources: ['x.md'] });
    const plugins = [
      { name: 'memory', enabled: true, settings: { store: 'memory' } },
      { name: 'semantic-cache', enabled: true, settings: { store: 'sqlite://../data/kobza.sqlite' } },
    ] as never;
    expect(knowledgeIndexPath(config, { dir: '/srv/kobza/config', plugins })).toBe('/srv/kobza/data/kobza.sqlite.knowledge');
    expect(knowledgeIndexPath({ ...config, indexFile: 'kb.index' }, { dir: '/srv/kobza/config', plugins })).toBe('/srv/kobza/config/kb.index');
    expect(knowledgeIndexPath({ ...config, indexFile: false }, { dir: '/srv/kobza/config', plugins })).toBeUndefined();
    expect(knowledgeIndexPath(config, { dir: '/srv', plugins: [] })).toBeUndefined();
  });

  it('analyses only the passages of a changed file, and ranks as a fresh build does', async () => {
    const dir = await sampleCopy();
    const config = knowledgeConfigSchema.parse({ sources: ['knowledge/faq.*.yaml', 'knowledge/pages/*.md'] });
    const indexFile = path.join(dir, 'data', 'kb.knowledge');
    const where = { configFile: path.join(dir, 'kobza.yaml'), configDir: dir, lineOf: () => 1, indexFile, save: true };

    const first = await openKnowledgeIndex(config, where);
    const total = first.base.passages.length;
    expect(first.analysed).toBe(total);
    expect(first.reused).toBe(0);

    const second = await openKnowledgeIndex(config, where);
    expect(second.analysed).toBe(0);
    expect(second.reused).toBe(total);
    const question = 'Коли зимова сесія?';
    expect(second.retrieve(question, 4, 0.4)).toEqual(first.retrieve(question, 4, 0.4));

    const page = path.join(dir, 'knowledge/pages/student-life.md');
    await writeFile(page, (await readFile(page, 'utf8')).replace('з 8 по 26 січня', 'з 9 по 27 січня'));
    const third = await openKnowledgeIndex(config, where);
    expect(third.version).not.toBe(second.version);
    expect(third.analysed).toBe(1); // only the edited section
    expect(third.reused).toBe(total - 1);
    const fresh = await openKnowledgeIndex(config, { ...where, indexFile: undefined });
    expect(third.retrieve(question, 4, 0.4)).toEqual(fresh.retrieve(question, 4, 0.4));
    expect(third.retrieve(question, 1, 0.4)[0].passage.text).toContain('з 9 по 27 січня');
  });

  it('still indexes when the index file cannot be written, and says so', async () => {
    const dir = await sampleCopy();
    const config = knowledgeConfigSchema.parse({ sources: ['knowledge/pages/*.md'] });
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const errors: Error[] = [];
    const index = await openKnowledgeIndex(config, { configFile: path.join(dir, 'kobza.yaml'), configDir: dir, lineOf: () => 1, indexFile: path.join(blocker, 'kb.knowledge'), save: true, onSaveError: (err) => errors.push(err) });
    expect(index.retrieve('Коли зимова сесія?', 1, 0.4)[0].passage.text).toContain('з 8 по 26 січня');
    expect(errors).toHaveLength(1);
    await expect(openKnowledgeIndex(config, { configFile: path.join(dir, 'kobza.yaml'), configDir: dir, lineOf: () => 1, indexFile: path.join(blocker, 'kb.knowledge'), save: true })).rejects.toThrow(/ENOTDIR|EEXIST/);
  });

  it('ignores a file written under another analyser key or damaged', async () => {
    const dir = await sampleCopy();
    const file = path.join(dir, 'kb.knowledge');
    const store = new AnalysisStore('key-a', 4);
    store.set('h1', { features: ['s:гуртожиток', 'c:7'], counts: [2, 1], length: 3, vector: Float32Array.from([0.5, 0.5, 0.5, 0.5]) });
    await store.save(file);
    const back = await AnalysisStore.load(file, 'key-a', 4);
    expect(back.get('h1')).toEqual({ features: ['s:гуртожиток', 'c:7'], counts: [2, 1], length: 3, vector: Float32Array.from([0.5, 0.5, 0.5, 0.5]) });
    expect((await AnalysisStore.load(file, 'key-b', 4)).size).toBe(0);
    await writeFile(file, 'KBIX garbage');
    expect((await AnalysisStore.load(file, 'key-a', 4)).size).toBe(0);
  });
});

describe('kobza knowledge index', () => {
  it('writes the index file and says how many passages it analysed and how many were unchanged', async () => {
    const { runKobzaInProcess } = await import('../../helpers/cli.js');
    const dir = await sampleCopy();
    const config = path.join(dir, 'kobza.yaml');
    await writeFile(config, `assistant: { model: qwen2.5:7b }\nplugins:\n  memory: { store: "sqlite://data/kobza.sqlite" }\n  knowledge:\n    sources: [knowledge/faq.*.yaml, knowledge/pages/*.md]\n`);
    const first = await runKobzaInProcess('knowledge', 'index', '--config', config);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/^indexed 33 passages \(13 FAQ entries\) from 6 files in \d+ ms; version [0-9a-f]{12}$/m);
    expect(first.stdout).toContain('analysed 33 passages, 0 unchanged since the last index; index file ');
    expect(first.stdout).toContain(path.join('data', 'kobza.sqlite.knowledge'));
    const second = await runKobzaInProcess('knowledge', 'index', '--config', config);
    expect(second.stdout).toContain('analysed 0 passages, 33 unchanged since the last index');
  });
});
