import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { normalize, tokenize, editDistanceWithin } from '../../../core/text/index.js';

describe('normalize', () => {
  it('lowercases, strips punctuation and emoji, collapses spaces', () => {
    expect(normalize('  Де   ЗНАХОДИТЬСЯ бібліотека?!! 📚 ')).toBe('де знаходиться бібліотека');
  });

  it('unifies every apostrophe glyph to one', () => {
    const forms = ["м'ясо", 'м’ясо', 'мʼясо', 'м`ясо', 'м‘ясо'];
    expect(new Set(forms.map(normalize))).toEqual(new Set(["м'ясо"]));
  });

  it('drops quotes that are not inside a word', () => {
    expect(normalize("'Дипломна' робота")).toBe('дипломна робота');
  });

  it('applies NFC so that a decomposed й equals the composed one', () => {
    expect(normalize('Чии\u0306')).toBe(normalize('Чий'));
  });

  it('fixes Latin look-alike letters inside Cyrillic words', () => {
    // Latin "i" and "e" typed inside otherwise Cyrillic words.
    expect(normalize('cтипендiя')).toBe('стипендія');
    expect(normalize('ceсія')).toBe('сесія');
  });

  it('leaves Latin words alone', () => {
    expect(normalize('Erasmus+ IT')).toBe('erasmus it');
  });

  it('keeps decimals and splits hyphenated words', () => {
    expect(normalize('Бал 4,5 чи 4.5?')).toBe('бал 4.5 чи 4.5');
    expect(normalize('Івано-Франківськ')).toBe('івано франківськ');
  });

  it('is idempotent', () => {
    fc.assert(fc.property(fc.string(), (s) => normalize(normalize(s)) === normalize(s)));
  });
});

describe('tokenize', () => {
  it('returns normalised word tokens', () => {
    expect(tokenize('Де гуртожиток №3?')).toEqual(['де', 'гуртожиток', '3']);
    expect(tokenize('   ')).toEqual([]);
  });
});

describe('editDistanceWithin', () => {
  it('counts a transposition as one edit and stops above the limit', () => {
    expect(editDistanceWithin('розклад', 'розклат', 2)).toBe(1);
    expect(editDistanceWithin('навчання', 'нвачання', 2)).toBe(1);
    expect(editDistanceWithin('абвгд', 'вгдеж', 1)).toBe(2);
  });
});
