import { describe, expect, it } from 'vitest';

import { BUILT_IN_LEXICON, compareQuestions, extractSlots, mergeLexicons, type Lexicon } from '../../../core/text/index.js';
import { en } from '../../../core/text/lexicon/en.js';
import { ru } from '../../../core/text/lexicon/ru.js';
import { uk } from '../../../core/text/lexicon/uk.js';

describe('mergeLexicons', () => {
  it('concatenates lists and joins groups of one name, first-named group first', () => {
    const merged = mergeLexicons(
      { stopWords: ['і'], concepts: { cost: ['вартість'], dorm: ['гуртожиток'] } },
      { stopWords: ['and'], concepts: { extra: ['x'], cost: ['cost'] } },
    );
    expect(merged.stopWords).toEqual(['і', 'and']);
    expect(Object.keys(merged.concepts ?? {})).toEqual(['cost', 'dorm', 'extra']);
    expect(merged.concepts?.cost).toEqual(['вартість', 'cost']);
  });

  it('joins implied words and categories part by part; a later colloquial form wins', () => {
    const merged = mergeLexicons(
      { implied: { stay: { words: ['проживання'], impliedBy: ['гуртожиток'] } }, colloquial: { 'стіпа': 'стипендія' } },
      { implied: { stay: { words: ['living'], impliedBy: [] } }, colloquial: { 'стіпа': 'степендія' } },
    );
    expect(merged.implied?.stay).toEqual({ words: ['проживання', 'living'], impliedBy: ['гуртожиток'] });
    expect(merged.colloquial).toEqual({ 'стіпа': 'степендія' });
  });
});

describe('the built-in lexicon', () => {
  it('is the language files merged: a concept has its uk, ru and en words', () => {
    expect(BUILT_IN_LEXICON.concepts?.dormitory).toEqual([...(uk.concepts?.dormitory ?? []), ...(ru.concepts?.dormitory ?? []), ...(en.concepts?.dormitory ?? [])]);
    expect(BUILT_IN_LEXICON.concepts?.dormitory).toEqual(expect.arrayContaining(['гуртожиток', 'общежития', 'dorm']));
  });

  it('names every concept in the Ukrainian file first, so concept order does not depend on the other files', () => {
    const ukNames = Object.keys(uk.concepts ?? {});
    expect(Object.keys(BUILT_IN_LEXICON.concepts ?? {}).slice(0, ukNames.length)).toEqual(ukNames);
    expect(Object.keys(BUILT_IN_LEXICON.concepts ?? {})).toEqual(ukNames);
  });
});

describe('a deployment lexicon (TextOptions.lexicon)', () => {
  const cached = 'Коли виплачують стипендію?';
  const query = 'Коли виплачують стіпендосик?';

  it('a colloquial form joins the concept of its standard form', () => {
    expect(compareQuestions(cached, query).same).toBe(false);
    const options = { lexicon: { colloquial: { 'стіпендосик': 'стипендія' } } satisfies Lexicon };
    expect(compareQuestions(cached, query, options).same).toBe(true);
  });

  it('a glossary entry pairs a Russian word with its Ukrainian one', () => {
    const a = 'Де знайти наказ про зарахування?';
    const b = 'Де знайти наказ про зачисление?';
    expect(compareQuestions(a, b).same).toBe(false);
    expect(compareQuestions(a, b, { lexicon: { glossary: { 'зачисление': 'зарахування' } } }).same).toBe(true);
  });

  it('adds entities that slots then tell apart', () => {
    const options = { lexicon: { entities: { chemistry: ['хімфак', 'хімічний факультет'] } } };
    expect(extractSlots('Де хімічний факультет?', options).entities).toEqual(['хімфак']);
  });
});
