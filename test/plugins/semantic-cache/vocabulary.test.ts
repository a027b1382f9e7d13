import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareQuestions } from '../../../core/text/index.js';
import { parseVocabulary } from '../../../plugins/semantic-cache/vocabulary.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let dir: string;
let ollama: OllamaStandIn;
beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kobza-vocabulary-'));
  ollama = await startOllamaStandIn();
});
afterEach(async () => {
  await stopKernels();
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

const VOCABULARY = [
  'synonyms:',
  '  - [кампус, студмістечко, campus]',
  'colloquial:',
  '  хімфак: хімічний факультет',
  'glossary:',
  '  химфак: хімфак',
  'entities:',
  '  - [хімічний факультет, хімфак, chemistry faculty]',
  '  - [біологічний факультет, біофак]',
  '',
].join('\n');

describe('semantic-cache vocabulary file', () => {
  it('parses synonyms, colloquial forms, a glossary and entities into a lexicon the verifier uses', () => {
    const lexicon = parseVocabulary(VOCABULARY, 'vocabulary.yaml');
    expect(lexicon.colloquial).toEqual({ хімфак: 'хімічний факультет' });
    expect(lexicon.glossary).toEqual({ химфак: 'хімфак' });
    const options = { lexicon };
    expect(compareQuestions('Де кампус?', 'Де студмістечко?', options).same).toBe(true);
    expect(compareQuestions('Де кампус?', 'Де студмістечко?').same).toBe(false);
    expect(compareQuestions('Де хімфак?', 'Де біофак?', options).vetoedBy).toBe('entity');
  });

  it('reports mistakes with the file, line and config key path', () => {
    const bad = ['synonyms:', '  - [кампус]', 'colloquial:', '  хімфак: 5', 'slang: {}', ''].join('\n');
    let message = '';
    try {
      parseVocabulary(bad, 'vocabulary.yaml');
    } catch (err) {
      message = (err as Error).message;
      expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    }
    expect(message).toContain('vocabulary.yaml:2: plugins.semantic-cache.vocabulary.synonyms.0: expected at least two words');
    expect(message).toContain('vocabulary.yaml:4: plugins.semantic-cache.vocabulary.colloquial.хімфак:');
    expect(message).toMatch(/vocabulary\.yaml:5: plugins\.semantic-cache\.vocabulary\.slang: unknown key/);
    expect(() => parseVocabulary('synonyms: [[a, b]\n', 'broken.yaml')).toThrow(/broken\.yaml:\d+: plugins\.semantic-cache\.vocabulary: YAML syntax error/);
  });

  it('is read relative to the config file and merged into the running cache', async () => {
    writeFileSync(path.join(dir, 'words.yaml'), VOCABULARY);
    const { ask } = await bootCache({ ollamaUrl: ollama.url, dir, cache: { vocabulary: 'words.yaml' } });
    await ask('Де знаходиться кампус?');
    expect((await ask('Де знаходиться студмістечко?')).meta.source).toBe('cache');
    await ask('Коли відкривається хімфак?');
    expect((await ask('Коли відкривається біофак?')).meta.source).toBe('provider');
  });

  it('refuses to start when the file is missing, naming the key', async () => {
    await expect(bootCache({ ollamaUrl: ollama.url, dir, cache: { vocabulary: 'missing.yaml' } })).rejects.toThrow(/plugins\.semantic-cache\.vocabulary: cannot read the vocabulary file/);
  });
});
