import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyzeQuestion, categoryMembersIn, compareQuestions, modelFor, wordPartnerScore, type TextOptions } from '../../../core/text/index.js';

/** Pairs that ask the same thing: the cached answer may be served. */
const SAME: [kind: string, a: string, b: string][] = [
  ['case_punct', 'Де знаходиться деканат?', 'ДЕ ЗНАХОДИТЬСЯ ДЕКАНАТ'],
  ['case_punct', 'Коли буде перескладання?', 'коли   буде перескладання?? 🙏'],
  ['case_punct', "Як отримати довідку з місця навчання?", 'Як отримати довідку з мiсця навчання'],
  ['reorder', 'Скільки коштує проживання у гуртожитку?', 'У гуртожитку скільки коштує проживання?'],
  ['reorder', 'Where is the admissions office located?', 'The admissions office, where is it located?'],
  ['typo', 'Де подивитися розклад сесії?', 'Де подивитися росклад сесії?'],
  ['typo', 'Як отримати стипендію?', 'Як отримати стипендиію?'],
  ['typo', 'Коли видадуть студентські квитки?', 'Коли видадуть студенські квитки?'],
  ['typo', 'How do I apply for a scholarship?', 'How do I apply for a scholarhsip?'],
  ['typo', 'Is a visa required for exchange students?', 'Is a viza required for exchange students?'],
  ['translit', 'Де знаходиться бібліотека?', 'de znakhodytsia biblioteka'],
  ['translit', 'Як подати заяву на гуртожиток?', 'yak podaty zaiavu na hurtozhytok'],
  ['translit', 'Коли починається сесія?', 'koly pochynaietsia sesiia'],
  ['translit', 'Де знаходиться бібліотека?', 'gde nakhoditsya biblioteka'],
  ['translit', 'Як продовжити студентський квиток?', 'yak prodovzhyty studentskyi kvytok'],
  ['synonym', 'Яка вартість навчання?', 'Яка ціна навчання?'],
  ['synonym', 'Як поселитися в гуртожиток?', 'Як заселитися в общагу?'],
  ['synonym', 'Як укласти договір на навчання?', 'Як укласти контракт на навчання?'],
  ['synonym', 'Де знаходиться ХДУ?', 'Де знаходиться Херсонський державний університет?'],
  ['synonym', 'How much is the dormitory?', 'How much does the dorm cost?'],
  ['paraphrase', 'Скільки коштує гуртожиток?', 'Яка вартість гуртожитку?'],
  ['paraphrase', 'Скільки коштує гуртожиток?', 'Сколько стоит общежитие?'],
  ['paraphrase', 'Коли початок сесії?', 'Когда начинается сессия?'],
  ['paraphrase', 'Де подивитися розклад?', 'Як дізнатися розклад?'],
  ['colloquial', 'Скільки коштує гуртожиток?', 'скока стоїть общага'],
  ['colloquial', 'Коли виплатять стипендію?', 'коли дадуть стипуху'],
  ['modality', 'Can I pay by card?', 'Is it possible to pay by card?'],
  ['implied', 'Скільки коштує проживання в гуртожитку?', 'Скільки коштує общага?'],
  ['amount', 'How much is the dormitory?', 'How much does the dormitory cost?'],
  ['contraction', "What's the address of the library?", 'What is the address of the library?'],
];

/** Pairs that differ in an answer-changing way: serving one's answer for the other is wrong. */
const DIFFERENT: [kind: string, a: string, b: string, veto?: string][] = [
  ['entity', 'Де знаходиться гуртожиток у Херсоні?', 'Де знаходиться гуртожиток в Івано-Франківську?', 'entity'],
  ['entity', 'Is there a dormitory in Kyiv?', 'Is there a dormitory in Lviv?', 'entity'],
  ['entity', 'Які іспити на хімічний факультет?', 'Які іспити на юридичний факультет?'],
  ['number', 'Де гуртожиток №2?', 'Де гуртожиток №3?', 'number'],
  ['number', 'Розклад для першого курсу', 'Розклад для другого курсу', 'number'],
  ['number', 'Вступ у 2025 році', 'Вступ у 2026 році', 'year'],
  ['number', 'Is 150 points enough?', 'Is 160 points enough?', 'number'],
  ['number', 'Расписание второго курса', 'Расписание третьего курса', 'number'],
  ['degree', 'Скільки коштує навчання на бакалавраті?', 'Скільки коштує навчання на магістратурі?', 'degree'],
  ['degree', 'Які документи для вступу в аспірантуру?', 'Які документи для вступу на магістратуру?', 'degree'],
  ['degree', "Tuition for the master's programme", 'Tuition for the PhD programme', 'degree'],
  ['degree', 'Экзамены в магистратуру', 'Экзамены в аспирантуру', 'degree'],
  ['degree', 'Скільки коштує навчання?', 'Скільки коштує навчання на магістратурі?', 'degree'],
  ['negation', 'Чи можна вступити з сертифікатом НМТ?', 'Чи можна вступити без сертифіката НМТ?', 'negation'],
  ['negation', 'Що робити, якщо прийшов на іспит?', 'Що робити, якщо не прийшов на іспит?', 'negation'],
  ['negation', 'Can I apply with a certificate?', 'Can I apply without a certificate?', 'negation'],
  ['negation', 'Что делать, если есть долги?', 'Что делать, если нет долгов?', 'negation'],
  ['time', 'Коли початок сесії?', 'Коли кінець сесії?', 'time'],
  ['time', 'When does the semester start?', 'When does the semester end?', 'time'],
  ['time', 'Когда начинается приём документов?', 'Когда заканчивается приём документов?', 'time'],
  ['time', 'Вартість навчання цього року', 'Вартість навчання наступного року', 'time'],
  ['time', 'Перший день подачі заяв', 'Останній день подачі заяв', 'time'],
  ['intent', 'Скільки коштує навчання?', 'Скільки триває навчання?', 'intent'],
  ['intent', 'Where do I pay the tuition?', 'When do I pay the tuition?', 'intent'],
  ['intent', 'Які факультети є в ХДУ?', 'Скільки факультетів у ХДУ?', 'intent'],
  ['intent', 'How much does the course cost?', 'How long does the course take?'],
  ['intent', 'How much does the dorm cost?', 'How long does the dorm contract last?', 'intent'],
  ['intent', 'Де подати заяву?', 'Коли подати заяву?', 'intent'],
  ['scope', 'Скільки коштує гуртожиток?', 'Скільки коштує навчання?', 'content'],
  ['scope', 'How much is the dorm?', 'How much is the tuition?', 'content'],
  ['topic', 'Де бібліотека?', 'Де їдальня?', 'content'],
  ['topic', 'Де корпус 3?', 'Де аудиторія 3?', 'content'],
  ['topic', 'Де деканат?', 'Де декан?', 'content'],
  ['topic', 'Чи є військова кафедра для дівчат?', 'Чи є військкомат для дівчат?', 'content'],
  ['topic', 'Коли сесія?', 'Скільки коштує гуртожиток?'],
  ['person', 'Where do you keep my documents?', 'Where do I keep my documents?', 'person'],
  ['modality', 'Чи можна платити карткою?', 'Чи треба платити карткою?', 'modality'],
  ['modality', 'Can I pay by card?', 'Must I pay by card?', 'modality'],
  ['symbol', 'What does = mean in Python?', 'What does == mean in Python?', 'symbol'],
  ['direction', 'Як перевестися з заочної форми на денну?', 'Як перевестися з денної форми на заочну?', 'order'],
  ['direction', 'How do I convert grades from ECTS to the national scale?', 'How do I convert grades from the national scale to ECTS?', 'order'],
];

describe('compareQuestions: same questions', () => {
  it.each(SAME)('%s: %s ⇄ %s', (_kind, a, b) => {
    const r = compareQuestions(a, b);
    expect(r, r.reason).toMatchObject({ same: true });
    expect(r.similarity).toBeGreaterThan(0.5);
  });
});

describe('compareQuestions: different questions', () => {
  it.each(DIFFERENT)('%s: %s ⇄ %s', (_kind, a, b, veto) => {
    const r = compareQuestions(a, b);
    expect(r.same).toBe(false);
    if (veto) expect(r.vetoedBy).toBe(veto);
    expect(r.reason.length).toBeGreaterThan(0);
  });
});

describe('compareQuestions: options', () => {
  const options: TextOptions = {
    synonyms: [['кампус', 'студмістечко', 'campus']],
    entities: [['медицина', 'медичний факультет', 'medicine'], ['фармація', 'фармацевтичний факультет', 'pharmacy']],
  };

  it('uses configured synonyms', () => {
    expect(compareQuestions('Де кампус?', 'Де студмістечко?').same).toBe(false);
    expect(compareQuestions('Де кампус?', 'Де студмістечко?', options).same).toBe(true);
  });

  it('vetoes different configured entities and accepts two names of one', () => {
    expect(compareQuestions('Прохідний бал на медицину', 'Прохідний бал на фармацію', options).vetoedBy).toBe('entity');
    expect(compareQuestions('Прохідний бал на медичний факультет', 'Passing score for medicine', options).same).toBe(true);
  });
});

describe('compareQuestions: properties', () => {
  const words = ['де', 'коли', 'скільки', 'коштує', 'гуртожиток', 'сесія', 'не', 'магістратура', '2', 'how', 'much', 'dorm', 'start', 'end'];
  const question = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));

  it('a question is the same as itself', () => {
    fc.assert(fc.property(question, (q) => compareQuestions(q, q).same));
  });

  it('the verdict does not depend on the order of arguments', () => {
    fc.assert(fc.property(question, question, (a, b) => compareQuestions(a, b).same === compareQuestions(b, a).same));
  });
});

describe('modelFor', () => {
  it('options that add nothing share the built-in model (and its analyses); real options get their own', () => {
    const builtIn = modelFor();
    expect(modelFor({ synonyms: [], entities: [] })).toBe(builtIn);
    expect(modelFor({})).toBe(builtIn);
    const entities: TextOptions = { entities: [['хімфак', 'хімічний факультет']] };
    expect(modelFor(entities)).not.toBe(builtIn);
    expect(modelFor(entities)).toBe(modelFor(entities));
    expect(analyzeQuestion('Де хімфак?', modelFor(entities)).slots.entities).toEqual(['хімфак']);
  });
});

describe('categoryMembersIn', () => {
  it('finds the members of a category word in another text', () => {
    const model = modelFor();
    const [documents] = analyzeQuestion('Які документи треба принести?', model).content;
    expect(categoryMembersIn(documents, analyzeQuestion('Паспорт, атестат і дві фотографії 3×4.', model), model)).toEqual(['паспорт', 'атестат', 'фотографії']);
    const [contacts] = analyzeQuestion('Where are the contacts of the library?', model).content;
    expect(categoryMembersIn(contacts, analyzeQuestion('Email library@uni.example or phone 123.', model), model)).toContain('phone');
  });
  it('is empty for a word that is not a category', () => {
    const model = modelFor();
    const [passport] = analyzeQuestion('паспорт', model).content;
    expect(categoryMembersIn(passport, analyzeQuestion('Потрібні документи.', model), model)).toEqual([]);
  });
  it('never makes a member a synonym of its category for the cache', () => {
    expect(compareQuestions('Які документи потрібні для гуртожитку?', 'Чи потрібен паспорт для гуртожитку?').same).toBe(false);
  });
});

describe('English question kinds and references', () => {
  it.each([
    // a definition is not any other question about the term
    ['What is a mortgage?', 'What is your mortgage?', 'intent'],
    ['What is a mortgage?', 'What is a mortgage about?', 'intent'],
    ['What is a mortgage?', 'What can I do to get a mortgage?', 'intent'],
    ['Що таке академвідпустка?', 'Як оформити академвідпустку?', 'intent'],
    ['What is budgeting?', 'What is a budget?', 'content'],
    // "how is X" asks what X is like; "how + adjective" asks a degree
    ['How is the food in the canteen?', 'How do I get food in the canteen?', 'intent'],
    ['What is a safe dorm?', 'How safe are dorms?', 'intent'],
    // an auxiliary first asks yes or no, whatever nouns follow
    ['Is now a good time to buy a laptop?', 'When is a good time to buy a laptop?', 'intent'],
    // a capitalised acronym is a name, not the function word it spells
    ['Which IT jobs pay best?', 'Which jobs pay best?', 'content'],
    ['What are the top universities in the US?', 'What are the top universities?', 'content'],
    // "this bird" is one the asker sees; another asker means another bird
    ['What is the name of this bird?', 'What is the name of the bird?', 'context'],
    ['How do I solve the equation below?', 'How do I solve the equation?', 'context'],
    // words in quotes are the subject, function words too
    ['What does "as is" mean?', 'What does "is" mean?', 'content'],
    // "get out of" is leaving
    ['How do I get out of debt?', 'How do I get debt?', 'content'],
    // an English word is never a typed variant of a Ukrainian light verb ("dad" ≠ "дадуть")
    ["Who is Taras's dad?", 'Who does Taras like?', 'content'],
  ])('%s ≠ %s (%s)', (a, b, vetoedBy) => {
    const result = compareQuestions(a, b);
    expect(result.same).toBe(false);
    expect(result.vetoedBy).toBe(vetoedBy);
    expect(compareQuestions(b, a).same).toBe(false);
  });

  it.each([
    ['What is a mortgage?', 'What is meant by mortgage?'],
    ['What is a mortgage?', 'What does mortgage mean?'],
    ['What is the best laptop for students?', 'Which is the best laptop for students?'],
    ['How is the weather in Lviv today?', 'What is the weather in Lviv today?'],
    ['What is the meaning of life?', 'What does life mean?'],
    ['What is a mortgage?', 'What are mortgages?'],
    ['Скільки коштує навчання цього року?', 'Яка вартість навчання цього року?'],
  ])('%s = %s', (a, b) => {
    expect(compareQuestions(a, b)).toMatchObject({ same: true });
  });
});

describe('aspect and mood forms of one verb', () => {
  it('pairs the imperative with the infinitive exactly, and the other aspect as a close spelling', () => {
    const [imperfective] = analyzeQuestion('звертатися').content;
    const [imperative] = analyzeQuestion('зверніться').content;
    const [perfective] = analyzeQuestion('звернутися').content;
    expect(wordPartnerScore(imperative, perfective)).toBe(1);
    expect(wordPartnerScore(imperfective, imperative)).toBeGreaterThanOrEqual(0.8);
  });
});
