/**
 * A deployment's vocabulary file (`vocabulary: FILE` in the semantic-cache block): synonym
 * sets, colloquial → standard forms, a ru → uk glossary and named entities, in YAML, merged
 * over the built-in lexicon through `TextOptions.lexicon`. Mistakes are reported with the
 * file and line, under the config key that named the file.
 *
 * ```yaml
 * synonyms:
 *   - [кампус, студмістечко, campus]
 * colloquial:
 *   хімфак: хімічний факультет
 * glossary:
 *   кафедра: кафедра
 * entities:
 *   - [медичний факультет, медфак, medicine]
 * ```
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML, { LineCounter } from 'yaml';
import { KobzaError, z, type ConfigProblem } from '../../core/index.js';
import { SourceMap, throwProblems, validateAt } from '../../core/config/load.js';
import type { Lexicon } from '../../core/text/lexicon/index.js';

const word = z.string().trim().min(1, { error: 'expected a word or phrase' });
const group = z.array(word).min(2, { error: 'expected at least two words: a group names one thing several ways' });
const pairs = z.record(word, word);

/** The vocabulary file's shape. */
export const vocabularyFileSchema = z.strictObject({
  /** Each list is one concept: words or phrases, any language. */
  synonyms: z.array(group).default([]),
  /** Colloquial or shortened form → standard word. */
  colloquial: pairs.default({}),
  /** Russian word → Ukrainian word. */
  glossary: pairs.default({}),
  /** Each list is every name of one entity; different entities never share an answer. */
  entities: z.array(z.array(word).min(1, { error: 'expected at least one name' })).default([]),
});

export type VocabularyFile = z.output<typeof vocabularyFileSchema>;

/** The config key that names the file, the prefix of every problem's path. */
const KEY_PATH = ['plugins', 'semantic-cache', 'vocabulary'] as const;

/**
 * Parses a vocabulary file's text into a {@link Lexicon}; throws CONFIG_INVALID with
 * `FILE:LINE: plugins.semantic-cache.vocabulary.<key>: …` lines.
 *
 * @example
 * parseVocabulary('colloquial:\n  хімфак: хімічний факультет\n', 'vocabulary.yaml').colloquial
 * // { хімфак: 'хімічний факультет' }
 */
export function parseVocabulary(source: string, file: string): Lexicon {
  const counter = new LineCounter();
  const doc = YAML.parseDocument(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((error) => ({
    file, line: error.linePos?.[0]?.line ?? counter.linePos(error.pos[0]).line, path: KEY_PATH.join('.'), message: `YAML syntax error: ${error.message.split('\n')[0]}`,
  }));
  if (problems.length) throwProblems(problems);
  const map = new SourceMap(doc, counter);
  // Paths carry the config key as a prefix; lines are looked up in the vocabulary file itself.
  const locator = { lineOf: (at: readonly (string | number)[]) => map.lineOf(at.slice(KEY_PATH.length)) };
  const value = validateAt(vocabularyFileSchema, doc.toJS() ?? {}, KEY_PATH, file, locator, problems);
  if (!value) throwProblems(problems);
  return {
    synonyms: value.synonyms,
    colloquial: value.colloquial,
    glossary: value.glossary,
    entities: Object.fromEntries(value.entities.map((names, i) => [`vocabulary-${i}:${names[0]}`, names])),
  };
}

/**
 * Reads the vocabulary file named by the config, relative to the config file's directory.
 *
 * @example
 * const lexicon = await loadVocabulary('vocabulary.yaml', ctx.config.dir);
 */
export async function loadVocabulary(file: string, configDir: string): Promise<Lexicon> {
  const absolute = path.resolve(configDir, file);
  let source: string;
  try {
    source = await readFile(absolute, 'utf8');
  } catch (err) {
    throw new KobzaError('CONFIG_INVALID', `${KEY_PATH.join('.')}: cannot read the vocabulary file ${absolute}: ${(err as Error).message}`, { cause: err });
  }
  return parseVocabulary(source, absolute);
}
