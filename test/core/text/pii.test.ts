import { describe, expect, it } from 'vitest';
import { conversationFactsOf, personalDataIn, repeatedConversationFacts, shareableAnswer } from '../../../core/text/index.js';

describe('core/text personal data in answers', () => {
  it('finds phones, e-mails, Luhn-valid cards and document numbers', () => {
    expect(personalDataIn('Ваш телефон +380501234567, запишіть.')).toEqual(['phone']);
    expect(personalDataIn('Call (050) 123-45-67 tomorrow')).toEqual(['phone']);
    expect(personalDataIn('Пишіть на olena.koval@example.com')).toEqual(['email']);
    expect(personalDataIn('Переказуйте на картку 4149 4993 1234 5679')).toContain('card');
    expect(personalDataIn('Паспорт серії АА 123456')).toContain('document');
    expect(personalDataIn('Passport FA123456 is valid')).toContain('document');
    expect(personalDataIn('SSN 123-45-6789')).toContain('document');
    expect(personalDataIn('РНОКПП 3012345678')).toContain('document');
  });

  it('leaves prices, years, dates and non-Luhn digit runs alone', () => {
    expect(personalDataIn('Навчання коштує 25 000 грн на рік, вступна кампанія 2024-2025.')).toEqual([]);
    expect(personalDataIn('Прийом заяв триває з 01.07.2025 до 31.07.2025, 180 балів.')).toEqual([]);
    expect(personalDataIn('Order 4149 4993 1234 5671 shipped')).toEqual([]); // fails Luhn
    expect(personalDataIn('The fee is 1 200 000 UAH')).toEqual([]);
  });

  it('collects names and numbers the user wrote, and finds them repeated in an answer (declined names too)', () => {
    const earlier = ['Мене звати Олена Коваль, мій телефон +380 50 123 45 67', 'Привіт! я з Херсона'];
    const facts = conversationFactsOf(earlier);
    expect(facts.names).toEqual(expect.arrayContaining(['олена', 'коваль']));
    expect(facts.numbers).toContain('380501234567');
    expect(repeatedConversationFacts('Олено, навчання коштує 25 000 грн.', earlier)).toEqual(['олена']);
    expect(repeatedConversationFacts('Ваш номер закінчується на 4567.', earlier)).toEqual(['380501234567']);
    expect(repeatedConversationFacts('Навчання коштує 25 000 грн на рік.', earlier)).toEqual([]);
    expect(repeatedConversationFacts("My name is not in here", ['My name is Bob Smith'])).toEqual([]);
    expect(repeatedConversationFacts('Hello Bob, the fee is 100', ['My name is Bob Smith'])).toEqual(['bob']);
  });

  it('decides whether an answer is shareable', () => {
    const earlier = ['Мене звати Олена Коваль, мій телефон +380501234567'];
    expect(shareableAnswer('Навчання коштує 25 000 грн на рік.', earlier)).toEqual({ shareable: true });
    expect(shareableAnswer('Олена, навчання коштує 25 000 грн.', earlier)).toEqual({ shareable: false, reason: 'from-conversation' });
    expect(shareableAnswer('Оплатіть на картку 4149 4993 1234 5679')).toEqual({ shareable: false, reason: 'card' });
    expect(shareableAnswer('Навчання коштує 25 000 грн.')).toEqual({ shareable: true });
  });
});
