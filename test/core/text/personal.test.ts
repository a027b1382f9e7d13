import { describe, expect, it } from 'vitest';
import { isPersonalQuestion, personalQuestionKind } from '../../../core/text/index.js';

const personal: Record<string, string[]> = {
  uk: [
    'Як мене звати?',
    'Нагадай мій номер телефону',
    'Який мій номер?',
    'Які мої оцінки з математики?',
    'Що я тобі казав?',
    'Що я писала про гуртожиток раніше?',
    'Про що ми говорили?',
    'Підсумуй нашу розмову',
    'Скільки мені років?',
    'Який статус моєї заявки?',
    'Яка моя електронна пошта?',
    'Який у нього телефон?',
    'Яка її адреса?',
  ],
  ru: [
    'Как меня зовут?',
    'Мой номер телефона какой?',
    'Какие мои оценки?',
    'Что я тебе говорил?',
    'О чём мы говорили?',
    'Напомни мой адрес',
    'Перескажи наш разговор',
    'Какой у него телефон?',
  ],
  en: [
    'What is my phone number?',
    "What's my name?",
    'my phone',
    'What did I say?',
    'What did I tell you about the dorm?',
    'Summarize our conversation',
    'Who am I?',
    'Show my grades',
    'What is her email?',
  ],
  translit: ['yak mene zvaty', 'mii nomer telefonu', 'shcho ya tobi kazav', 'kak menya zovut', 'moi otsinky'],
};

const generic: Record<string, string[]> = {
  uk: [
    'Чи можу я поселитися в гуртожиток?',
    'Скільки коштує навчання на контракті?',
    'Які документи потрібні для вступу?',
    'Де я можу подати документи?',
    'Коли я маю прийти на співбесіду?',
    'Як мені вступити на магістратуру?',
    'Який номер телефону приймальної комісії?',
  ],
  ru: ['Могу ли я поселиться в общежитие?', 'Сколько стоит обучение?', 'Какой телефон приёмной комиссии?', 'Как мне поступить на бюджет?'],
  en: [
    'Can I transfer to another faculty?',
    'How much does tuition cost?',
    'Where do I submit my documents?',
    'What is the phone number of the admissions office?',
    'Do I need a passport to apply?',
  ],
  translit: ['skilky koshtuie navchannia', 'chy mozhu ya poselytysia v hurtozhytok'],
};

describe('core/text personal questions', () => {
  for (const [lang, questions] of Object.entries(personal)) {
    it(`recognises questions about the asker's own data or conversation (${lang})`, () => {
      expect(questions.filter((q) => !isPersonalQuestion(q))).toEqual([]);
    });
  }
  for (const [lang, questions] of Object.entries(generic)) {
    it(`keeps generic first-person and FAQ questions shareable (${lang})`, () => {
      expect(questions.filter((q) => isPersonalQuestion(q))).toEqual([]);
    });
  }
  it('names why a question is personal', () => {
    expect(personalQuestionKind('Як мене звати?')).toBe('self');
    expect(personalQuestionKind('Що я тобі казав?')).toBe('conversation');
    expect(personalQuestionKind('Summarize our conversation')).toBe('conversation');
    expect(personalQuestionKind('Який у нього телефон?')).toBe('third-party');
    expect(personalQuestionKind('')).toBeUndefined();
  });
  it('reads Latin-letter words the same in every question (each word converted once)', () => {
    expect(personalQuestionKind('yak mene zvaty')).toBe('self');
    // The same words again, in new questions: the remembered conversions give the same verdicts.
    expect(personalQuestionKind('a yak mene zvaty?')).toBe('self');
    expect(personalQuestionKind('kak menya zovut, napomni')).toBe('self');
    expect(personalQuestionKind('yak mozhna zvaty rektora')).toBeUndefined();
    expect(personalQuestionKind('shcho ya tobi kazav pro hurtozhytok')).toBe('conversation');
  });
});
