/**
 * Sources in Telegram: an answer grounded in documents ends with a short «Джерела:» footer
 * (titles and links, numbered as the answer cites them); a curated FAQ answer names its entry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { settledAnswer, startBot, stopAll } from '../../adapters/telegram/helpers.js';

afterEach(stopAll);

const knowledge = { sources: ['knowledge/faq.*.yaml', 'knowledge/pages/*.md'] };

describe('Telegram «Джерела:» footer', () => {
  it('follows a grounded answer and a FAQ answer', async () => {
    const live = await startBot({ plugins: { knowledge } });
    live.telegram.sendUserMessage({ chat: { id: 901 }, text: 'Коли зимова сесія?' });
    const [grounded] = await settledAnswer(live, 901, 'grounded answer', (m) => m.length === 1 && m[0].text.includes('Джерела:'));
    expect(grounded.text).toMatch(/^Answer to: Коли зимова сесія\?/);
    expect(grounded.text).toContain('Джерела: [1] Навчання і студентське життя › Сесії та канікули (https://stepove-university.example/studentam)');

    live.telegram.sendUserMessage({ chat: { id: 902 }, text: 'Скільки коштує гуртожиток?' });
    const [faq] = await settledAnswer(live, 902, 'FAQ answer', (m) => m.length === 1 && m[0].text.includes('Джерела:'));
    expect(faq.text).toBe('Проживання в гуртожитку коштує 1 500 грн на місяць; оплату вносять за семестр наперед.\n\nДжерела: [1] Скільки коштує гуртожиток? (https://stepove-university.example/kampus/hurtozhytky)');
    expect(live.ollama.count('/api/chat')).toBe(1);
  });
});
