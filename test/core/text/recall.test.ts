import { describe, expect, it } from 'vitest';
import { compareQuestions, compileTextModel, analyzeQuestion } from '../../../core/text/index.js';
import { BUILT_IN_LEXICON } from '../../../core/text/lexicon/index.js';

describe('vocabulary as data', () => {
  it.each([
    ['Де подивитися графік занять?', 'Де подивитися розклад?'],
    ['How do I get a refund?', 'How can I get my money back?'],
    ['How do I enrol in a course?', 'How do I sign up for a course?'],
    ['What is the tuition fee?', 'What is the cost of tuition?'],
    ['Коли дають стипендію?', 'Коли дають стіпуху?'],
    ['Where can I get a scholarship?', 'Де отримати стіпуху?'],
    ['Де взяти залікову книжку?', 'Де взяти зачотку?'],
    ['Тіпа можна жити в общазі?', 'Чи можна жити в гуртожитку?'],
    ['Ващє є стипендія?', 'Чи є стипендія?'],
    ['Де розклад занять?', 'Где расписание занятий?'],
    ['Скільки коштує гуртожиток?', 'Сколько стоит общежитие?'],
    ['Як отримати місце в гуртожитку?', 'Як поселитися в гуртожиток?'],
  ])('«%s» ≈ «%s»', (a, b) => {
    expect(compareQuestions(a, b)).toMatchObject({ same: true });
  });

  it('a colloquial form joins every concept of its standard word, not a pair of its own', () => {
    const model = compileTextModel({});
    const stipuha = analyzeQuestion('стіпуха', model).content[0];
    const scholarship = analyzeQuestion('scholarship', model).content[0];
    expect(stipuha.concepts.some((id) => scholarship.concepts.includes(id))).toBe(true);
    expect(BUILT_IN_LEXICON.colloquial?.['стіпуха']).toBe('стипендія');
    expect(BUILT_IN_LEXICON.glossary?.['расписание']).toBe('розклад');
  });

  it('keeps different things apart', () => {
    expect(compareQuestions('Де взяти зачотку?', 'Де взяти студак?').same).toBe(false);
    expect(compareQuestions('Скільки коштує общага?', 'Скільки коштує навчання?').same).toBe(false);
    expect(compareQuestions('How do I get a refund?', 'How do I pay the fee?').same).toBe(false);
  });
});

describe('shape, not meaning', () => {
  it('a yes/no tail is not a negation', () => {
    expect(compareQuestions("Чи є в бібліотеці комп'ютери?", "Чи є в бібліотеці комп'ютери чи ні?").same).toBe(true);
    expect(compareQuestions('Is there wifi in the library?', 'Is there wifi in the library or not?').same).toBe(true);
    expect(compareQuestions('Есть ли в общежитии интернет?', 'Есть ли в общежитии интернет или нет?').same).toBe(true);
    // A negation that is not the tail still counts.
    expect(compareQuestions('Is the dorm free or not?', 'Is the dorm not free?').vetoedBy).toBe('negation');
    expect(compareQuestions('Is there wifi in the library?', 'Is there no wifi in the library?').vetoedBy).toBe('negation');
  });

  it('a fronted phrase is not a change of order, a swap across a relation still is', () => {
    expect(compareQuestions('Is there wifi in the library?', 'In the library, is there wifi?').same).toBe(true);
    expect(compareQuestions('How do I convert miles to kilometres?', 'How do I convert kilometres to miles?').vetoedBy).toBe('order');
  });

  it('a typo inside a time word keeps its polarity', () => {
    expect(compareQuestions('Коли початок сесії?', 'Коли почток сесії?').same).toBe(true);
    expect(compareQuestions('When does the session start?', 'When does the sesion strat?').same).toBe(true);
    expect(compareQuestions('Коли кінець сесії?', 'Коли почток сесії?').vetoedBy).toBe('time');
    // A real word one letter away from a time word is not a typo of it.
    expect(analyzeQuestion('Как стать студентом?').slots.timePolarity).toBeUndefined();
  });

  it('«Хочу X — куди звертатися?» asks what «Куди звернутися, щоб X?» asks', () => {
    expect(compareQuestions('Хочу перевестися — куди звертатися?', 'Куди звернутися, щоб перевестися?').same).toBe(true);
    expect(compareQuestions('Хочу взяти академвідпустку — куди звертатися?', 'Куди звернутися, щоб взяти академвідпустку?').same).toBe(true);
    expect(compareQuestions('Хочу перевестися — куди звертатися?', 'Куди звернутися, щоб поновитися?').same).toBe(false);
  });
});
