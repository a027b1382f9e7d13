/**
 * Synonym sets of the university domain that the named concepts of the language files do
 * not hold: near-synonyms in Ukrainian («графік занять / розклад», «вартість / ціна»),
 * their Russian and English equivalents, and English phrasal synonyms ("money back /
 * refund", "sign up / enrol"). Each inner list is one concept.
 *
 * Sources: written by hand for Kobza from the wording students and university FAQ pages use
 * (admissions, dormitory, fees, timetable) in the three languages; not taken from a published
 * thesaurus. Measured on the tuning half of the dev pairs and of the QQP sample only.
 * Words are in normalised form (lowercase, apostrophe `'`).
 */

import type { Lexicon } from './types.js';

export const synonyms: Lexicon = {
  synonyms: [
    ['розклад', 'графік занять', 'графік пар', 'розклад занять', 'розклад пар', 'расписание занятий', 'график занятий', 'timetable', 'class schedule'],
    ['повернення коштів', 'повернути гроші', 'повернути кошти', 'повернення грошей', 'повернення оплати', 'возврат денег', 'вернуть деньги', 'refund', 'refunds', 'money back', 'reimbursement'],
    ['записатися', 'зареєструватися', 'реєстрація', 'записаться', 'зарегистрироваться', 'sign up', 'signup', 'register', 'registration', 'enrol', 'enroll'],
    ['вартість', 'ціна', 'плата', 'вартості', 'стоимость', 'цена', 'fee', 'fees', 'cost', 'price', 'charge', 'charges'],
    ['звернутися', 'звертатися', 'звернутись', 'звертатись', 'обратиться', 'обращаться', 'contact', 'turn to'],
    ['першокурсник', 'першокурсники', 'першокурсників', 'першокурсникам', 'студент першого курсу', 'студенти першого курсу', 'first-year student', 'first-year students', 'freshman', 'freshmen', 'first-years'],
    ['домашнє завдання', 'домашні завдання', 'homework', 'assignment', 'assignments'],
    ['курсова робота', 'курсова', 'курсову', 'курсової', 'coursework', 'term paper'],
    ['лабораторна робота', 'лабораторна', 'лабораторні', 'лабораторну', 'lab', 'labs', 'lab work'],
    ['залік', 'заліки', 'заліку', 'credit test', 'pass/fail test'],
    ['вища математика', 'вишка', 'higher mathematics'],
    ['гуртожиток', 'місце в гуртожитку', 'dorm room', 'dormitory place'],
    ['перевестися', 'перейти', 'переведення', 'transfer', 'switch'],
    ['скасувати', 'відмінити', 'cancel', 'call off'],
    ['дізнатися', 'дізнатись', 'узнать', 'find out', 'learn about'],
  ],
  // Words a question may leave out because the other named concept says them: a place in a
  // dormitory is being housed in it; one who transfers is studying somewhere now.
  implied: {
    'dormitory-place': {
      words: ['місце', 'поселення', 'поселитися', 'поселили', 'поселять', 'заселення', 'заселитися', 'заселять', 'место', 'заселиться', 'place', 'spot'],
      impliedBy: ['гуртожиток', 'dormitory'],
    },
    'study-before-transfer': {
      words: ['навчаюся', 'навчаюсь', 'вчуся', 'вчусь', 'учусь', 'учиться', 'study', 'studying'],
      impliedBy: ['перевестися', 'transfer'],
    },
  },
};
