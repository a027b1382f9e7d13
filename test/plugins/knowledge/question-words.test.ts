import { describe, expect, it } from 'vitest';
import { HybridIndex } from '../../../plugins/knowledge/retrieval.js';
import { isFrameWord, isVerbLike } from '../../../plugins/knowledge/question-words.js';

describe('question words (retrieval weights)', () => {
  it('tells words that frame a question from its topic words', () => {
    for (const word of ['розміру', 'рівень', 'уровень', 'людей', 'people', 'someone', 'up', 'кількість']) expect(isFrameWord(word), word).toBe(true);
    for (const word of ['фото', 'гуртожиток', 'wifi', 'стипендія', 'парковка']) expect(isFrameWord(word), word).toBe(false);
  });

  it('reads verbs by their endings and a short list of English verbs, not nouns in -ість', () => {
    for (const word of ['займатися', 'живе', 'connect', 'pick']) expect(isVerbLike(word), word).toBe(true);
    for (const word of ['вартість', 'кімнаті', 'dormitory']) expect(isVerbLike(word), word).toBe(false);
  });

  it('a frame word the passage lacks does not sink the passage that has the topic', () => {
    const index = new HybridIndex([
      { title: 'Гуртожитки', text: 'Кімнати в гуртожитку на двох або трьох осіб.' },
      { title: 'Бібліотека', text: 'Бібліотека працює з 9:00 до 18:00.' },
      { title: 'Стипендії', text: 'Стипендія становить 2 000 грн на місяць.' },
    ]);
    const [best] = index.search('скільки людей у кімнаті гуртожитку', 3, 0);
    expect(best.doc).toBe(0);
    expect(best.missing).toContain('людей');
    expect(best.score).toBeGreaterThan(0.6);
  });
});
