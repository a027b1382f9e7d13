import { describe, expect, it } from 'vitest';
import { detectLanguage, transliterateToCyrillic, spellingKey, stem } from '../../../core/text/index.js';

describe('detectLanguage', () => {
  it.each([
    ['Коли відкриється читальна зала?', 'uk'],
    ['Як подати заяву?', 'uk'],
    ['Где находится деканат?', 'ru'],
    ['Сколько длится сессия?', 'ru'],
    ['Когда можно забрать диплом?', 'ru'],
    ['Where is the library?', 'en'],
    ['How long does the winter break last?', 'en'],
    ['de mozhna vziaty dovidku', 'uk'],
    ['koly pochynaietsia sesiia', 'uk'],
    ['gde nakhoditsya obshchezhitie', 'ru'],
    ['kogda nachinaetsya sessiya', 'ru'],
  ])('%s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  // Russian with none of ы э ё ъ, and Ukrainian with none of і ї є: function words and endings decide.
  it.each([
    ['Он работает в деканате', 'ru'],
    ['Преподаватель не поставил оценку', 'ru'],
    ['Я хочу перевестись на другую специальность', 'ru'],
    ['Нужна справка о доходах', 'ru'],
    ['Сдача экзаменов начинается в январе', 'ru'],
    ['Стипендия платится каждый месяц', 'ru'],
    ['Обучение длится четыре года', 'ru'],
    ['Как оформить академический отпуск', 'ru'],
    ['Вона навчається на другому курсі', 'uk'],
    ['Напишіть заяву на ректора', 'uk'],
    ['Навчання триває чотири роки', 'uk'],
    ['Ми хочемо подати документи разом', 'uk'],
    ['Хто може вступати на магістратуру', 'uk'],
    ['Коли будуть оцінки', 'uk'],
  ])('without the telling letters: %s → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });

  it('does not count words both languages spell alike', () => {
    // "до", "бюджет", "контракт" are Russian words too: they alone decide nothing.
    expect(detectLanguage('бюджет до контракт')).toBe('unknown');
  });

  it('says unknown when nothing decides', () => {
    expect(detectLanguage('12345 ?!')).toBe('unknown');
    expect(detectLanguage('')).toBe('unknown');
  });
});

describe('transliterateToCyrillic', () => {
  it('reads the Ukrainian passport system and informal spellings', () => {
    expect(transliterateToCyrillic('zhurnal', 'uk')).toBe('журнал');
    expect(transliterateToCyrillic('shchodennyk', 'uk')).toBe('щоденник');
    expect(transliterateToCyrillic('kafedra khimii', 'uk')).toBe('кафедра хімії');
    expect(transliterateToCyrillic('yak podaty zaiavu', 'uk')).toBe('як подати заяву');
    expect(transliterateToCyrillic('stypendiia', 'uk')).toBe('стипендія');
  });

  it('reads Russian transliteration', () => {
    expect(transliterateToCyrillic('gde nakhoditsya biblioteka', 'ru')).toBe('где находится библиотека');
    expect(transliterateToCyrillic('eto', 'ru')).toBe('это');
  });

  it('guesses the language when none is given', () => {
    expect(transliterateToCyrillic('kogda budet sessiya')).toBe('когда будет сессия');
  });

  it('passes Cyrillic and digits through', () => {
    expect(transliterateToCyrillic('корпус 5')).toBe('корпус 5');
  });
});

describe('spellingKey', () => {
  it('gives a transliteration and its Cyrillic original one key', () => {
    expect(spellingKey('скільки')).toBe(spellingKey('скілки'));
    expect(spellingKey('коштує')).toBe(spellingKey('коштуе'));
    expect(spellingKey('гуртожиток')).not.toBe(spellingKey('бібліотека'));
  });
});

describe('stem', () => {
  it('lets inflected forms of a word meet', () => {
    expect(stem('бібліотеки')).toBe(stem('бібліотека'));
    expect(stem('бібліотеку')).toBe(stem('бібліотека'));
    expect(stem('экзамены')).toBe(stem('экзамена'));
    expect(stem('навчатися')).toBe(stem('навчати'));
  });

  it('handles English plurals and -ing/-ed', () => {
    expect(stem('documents', 'en')).toBe(stem('document', 'en'));
    expect(stem('studies', 'en')).toBe(stem('studying', 'en'));
    expect(stem('applied', 'en')).toBe(stem('apply', 'en'));
  });

  it('lets imperatives and present forms meet the infinitive', () => {
    expect(stem('зверніться')).toBe(stem('звернутися'));
    expect(stem('звертайтеся')).toBe(stem('звертатися'));
    expect(stem('подайте')).toBe(stem('подати'));
    expect(stem('плануйте')).toBe(stem('планувати'));
    expect(stem('навчаєтеся')).toBe(stem('навчатися'));
    expect(stem('поступает')).toBe(stem('поступать'));
    expect(stem('зробіть')).toBe(stem('зробити'));
  });

  it('keeps nouns whole that only look like verb forms', () => {
    expect(stem('деканат')).not.toBe(stem('декан'));
    expect(stem('бюджет')).toBe('бюджет');
    expect(stem('вартість')).not.toBe(stem('варта'));
  });

  it('does not cut short words to nothing', () => {
    expect(stem('бал').length).toBeGreaterThanOrEqual(3);
    expect(stem('day', 'en')).toBe('day');
  });
});
