/**
 * The built-in vocabulary: the language files merged into one {@link Lexicon}. The order
 * of merging (uk, ru, en, common) fixes the order of named groups — the first file naming
 * a group places it — so that the compiled model is the same on every run.
 *
 * @example
 * import { BUILT_IN_LEXICON, mergeLexicons } from './lexicon/index.js';
 * const deployment = mergeLexicons(BUILT_IN_LEXICON, { concepts: { cost: ['оплата за навчання'] } });
 */

import { colloquial } from './colloquial.js';
import { common } from './common.js';
import { en } from './en.js';
import { glossary } from './glossary.js';
import { ru } from './ru.js';
import { synonyms } from './synonyms.js';
import type { Lexicon, NamedGroups } from './types.js';
import { uk } from './uk.js';

export type { IntentCue, Lexicon, LexiconListField, NamedGroups } from './types.js';

type Mutable = Record<string, unknown>;

function mergeGroups(a: NamedGroups | undefined, b: NamedGroups): NamedGroups {
  const out: Record<string, readonly string[]> = { ...a };
  for (const [name, words] of Object.entries(b)) out[name] = [...(out[name] ?? []), ...words];
  return out;
}

function mergePairs<T extends Record<string, readonly string[]>>(a: Readonly<Record<string, T>> | undefined, b: Readonly<Record<string, T>>): Record<string, T> {
  const out: Record<string, T> = { ...a };
  for (const [name, parts] of Object.entries(b)) out[name] = (out[name] ? mergeGroups(out[name], parts) : { ...parts }) as T;
  return out;
}

/**
 * Merge vocabularies, later ones adding to earlier ones: lists are concatenated, groups
 * under one name joined, colloquial forms and glossary entries of a later lexicon win.
 *
 * @example
 * mergeLexicons({ stopWords: ['і'] }, { stopWords: ['and'] }).stopWords // ['і', 'and']
 */
export function mergeLexicons(...lexicons: readonly Lexicon[]): Lexicon {
  const out: Mutable = {};
  for (const lexicon of lexicons) {
    for (const [field, value] of Object.entries(lexicon) as [keyof Lexicon, unknown][]) {
      if (value === undefined) continue;
      const before = out[field];
      if (Array.isArray(value)) out[field] = [...((before as unknown[] | undefined) ?? []), ...value];
      else if (field === 'colloquial' || field === 'glossary') out[field] = { ...(before as object), ...(value as object) };
      else if (field === 'implied' || field === 'categories') out[field] = mergePairs(before as never, value as never);
      else out[field] = mergeGroups(before as NamedGroups | undefined, value as NamedGroups);
    }
  }
  return out as Lexicon;
}

/** Every built-in language file, then the colloquial forms, the ru → uk glossary and the extra synonym sets, merged. */
export const BUILT_IN_LEXICON: Lexicon = mergeLexicons(uk, ru, en, common, colloquial, glossary, synonyms);

