import { describe, expect, it } from 'vitest';
import { answersAgree } from '../../../core/text/index.js';

describe('core/text answersAgree', () => {
  it('agrees on rewordings with the same facts', () => {
    expect(answersAgree('Навчання коштує 25 000 грн на рік.', 'Навчання на рік коштує 25 000 грн')).toBe(true);
    expect(answersAgree('Answer to: How much is tuition?', 'Answer to: How much is tuition?')).toBe(true);
  });
  it('disagrees when a number differs or the content is another', () => {
    expect(answersAgree('Навчання коштує 25 000 грн.', 'Навчання коштує 30 000 грн.')).toBe(false);
    expect(answersAgree('Оплата на рахунок університету.', 'Оплата на картку 4149 4993 1234 5679.')).toBe(false);
    expect(answersAgree('Гуртожиток поруч із корпусом.', 'Стипендію платять щомісяця.')).toBe(false);
  });
});
