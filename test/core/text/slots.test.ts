import { describe, expect, it } from 'vitest';
import { contentWords, extractSlots, needsContext } from '../../../core/text/index.js';

describe('extractSlots: numbers and years', () => {
  it('reads digits, number words and ordinals as values', () => {
    expect(extractSlots('Де корпус 7?').numbers).toEqual(['7']);
    expect(extractSlots('Розклад для третього курсу').numbers).toEqual(['3']);
    expect(extractSlots('Расписание для второго курса').numbers).toEqual(['2']);
    expect(extractSlots('Schedule for the fourth year').numbers).toEqual(['4']);
    expect(extractSlots('Гуртожиток №02').numbers).toEqual(['2']);
  });

  it('keeps years apart from other numbers', () => {
    const slots = extractSlots('Вступ 2026 на 2 курс');
    expect(slots.years).toEqual(['2026']);
    expect(slots.numbers).toEqual(['2']);
  });
});

describe('extractSlots: degree level', () => {
  it.each([
    ['Які іспити на магістратуру?', 'master'],
    ['Вступ до аспірантури', 'phd'],
    ['Документи для бакалаврату', 'bachelor'],
    ['Програми фахового молодшого бакалавра', 'junior-bachelor'],
    ['Чи є докторантура з історії?', 'doctor'],
    ['Экзамены в магистратуру', 'master'],
    ["Master's programmes in law", 'master'],
    ['PhD admission', 'phd'],
  ])('%s → %s', (text, degree) => {
    expect(extractSlots(text).degree).toBe(degree);
  });

  it('has no degree when none is named', () => {
    expect(extractSlots('Де бібліотека?').degree).toBeUndefined();
  });
});

describe('extractSlots: negation', () => {
  it.each([
    ['Чи можна вступити без сертифіката?', true],
    ['Що робити, якщо не прийшов на іспит?', true],
    ['Что делать, если нет паспорта?', true],
    ["What if I don't have a passport?", true],
    ['Can I apply without a certificate?', true],
    ['Чи можна вступити з сертифікатом?', false],
  ])('%s → %s', (text, negated) => {
    expect(extractSlots(text).negated).toBe(negated);
  });

  it('does not take a polite "не підкажете" for negation', () => {
    expect(extractSlots('Не підкажете, де деканат?').negated).toBe(false);
    expect(extractSlots('Не подскажете, где деканат?').negated).toBe(false);
  });
});

describe('extractSlots: time', () => {
  it.each([
    ['Коли початок практики?', 'start'],
    ['Коли закінчується практика?', 'end'],
    ['Когда начинается практика?', 'start'],
    ['When does the internship end?', 'end'],
    ['What is the deadline for the essay?', 'end'],
    ['Останній день подачі заяв', 'end'],
    ['Перший день семестру', 'start'],
  ])('%s → %s', (text, polarity) => {
    expect(extractSlots(text).timePolarity).toBe(polarity);
  });

  it('reads this / next / previous period', () => {
    expect(extractSlots('Вартість навчання наступного року').timeRelative).toBe('next');
    expect(extractSlots('Tuition fee last year').timeRelative).toBe('previous');
    expect(extractSlots('Стоимость в этом году').timeRelative).toBe('current');
    expect(extractSlots('Вартість навчання').timeRelative).toBeUndefined();
  });
});

describe('extractSlots: intent', () => {
  it.each([
    ['Скільки коштує гуртожиток?', 'cost'],
    ['Яка ціна гуртожитку?', 'cost'],
    ['Скільки триває сесія?', 'duration'],
    ['How long is the session?', 'duration'],
    ['How much is the dorm?', 'amount'],
    ['How much money do I need for the dorm?', 'cost'],
    ['Скільки корпусів у ХДУ?', 'count'],
    ['How many buildings are there?', 'count'],
    ['Коли сесія?', 'when'],
    ['З якого числа сесія?', 'when'],
    ['Де деканат?', 'where'],
    ['Where is the dean’s office?', 'where'],
    ['Хто декан?', 'who'],
    ['Чому скасували пари?', 'why'],
    ['Як подати заяву?', 'how'],
    ['Які факультети є?', 'list'],
    ['Чи є басейн?', 'yesno'],
    ['Is there a pool?', 'yesno'],
  ])('%s → %s', (text, intent) => {
    expect(extractSlots(text).intent).toBe(intent);
  });
});

describe('extractSlots: entities', () => {
  const options = { entities: [['хімічний факультет', 'хімфак', 'faculty of chemistry'], ['корпус а', 'головний корпус']] };

  it('finds configured entities by any of their names', () => {
    expect(extractSlots('Де хімфак?', options).entities).toEqual(['хімічний факультет']);
    expect(extractSlots('Where is the Faculty of Chemistry?', options).entities).toEqual(['хімічний факультет']);
    expect(extractSlots('Де головний корпус?', options).entities).toEqual(['корпус а']);
  });

  it('knows the built-in cities in every spelling', () => {
    expect(extractSlots('Чи є гуртожиток у Львові?').entities).toEqual(['львів']);
    expect(extractSlots('Is there a dorm in Lviv?').entities).toEqual(['львів']);
  });
});

describe('extractSlots: symbols', () => {
  it('keeps code-like symbols and ignores natural parentheses', () => {
    expect(extractSlots('What does == mean in JS?').symbols).toEqual(['==']);
    expect(extractSlots('Вартість навчання (контракт)?').symbols).toEqual([]);
  });
});

describe('extractSlots: language', () => {
  it('reports the language of the question', () => {
    expect(extractSlots('Коли сесія?').lang).toBe('uk');
    expect(extractSlots('koly sesiia').lang).toBe('uk');
  });
});

describe('contentWords', () => {
  it('drops stop-words, question words and slot words', () => {
    const words = contentWords('Скільки коштує навчання на магістратурі у 2026 році?');
    expect(words).toHaveLength(1);
    expect(words[0].startsWith('навча')).toBe(true);
  });

  it('transliterates Latin-letter Ukrainian first', () => {
    expect(contentWords('de biblioteka')).toEqual(contentWords('де бібліотека'));
  });

  it('drops "other" and "all", which point at a topic without naming it', () => {
    expect(contentWords('Як перевестися з іншого факультету?')).toEqual(contentWords('Як перевестися з факультету?'));
    expect(contentWords('Можно ли перевестись на другую кафедру')).toEqual(contentWords('Можно ли перевестись на кафедру'));
    expect(contentWords('Скільки всього місць у гуртожитку?')).toEqual(contentWords('Скільки місць у гуртожитку?'));
    expect(contentWords('Are there other sports clubs?')).toEqual(contentWords('Are there sports clubs?'));
  });

  it('does not read the Russian "другую" (other) as the number two', () => {
    expect(extractSlots('Можно перевестись на другую кафедру?').numbers).toEqual([]);
    expect(extractSlots('Чи можна перевестися на другий курс?').numbers).toEqual(['2']);
  });

  it('works for English', () => {
    const words = contentWords('Where can I find the library schedule?');
    expect(words).toHaveLength(2);
    expect(words).toEqual(contentWords('where are the library schedules'));
  });
});

describe('needsContext', () => {
  it.each([
    ['А скільки це коштує?', true],
    ['А на магістратуру?', true],
    ['І для іноземців теж?', true],
    ['Where is it?', true],
    ['What about the master’s programme?', true],
    ['А если заочно?', true],
    ['Чи є в ньому душ?', true],
    ['Як туди доїхати?', true],
    ['Скільки коштує гуртожиток?', false],
    ['Що таке НМТ?', false],
    ['Де знаходиться корпус 3?', false],
    ['Is there parking on campus?', false],
    ['How much does the dormitory cost?', false],
    ['Де знаходиться бібліотека?', false],
  ])('%s → %s', (text, expected) => {
    expect(needsContext(text)).toBe(expected);
  });
});
