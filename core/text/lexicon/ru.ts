/**
 * Russian vocabulary (and Russian forms met in Ukrainian questions).
 * Pure data, moved unchanged from the analyser; see {@link Lexicon} for what each group is for.
 * Words are in normalised form (lowercase, apostrophe `'`); inflections a stem covers are optional.
 */

import type { Lexicon } from './types.js';

export const ru: Lexicon = {
  // ── Topic vocabulary (compiled into the text model; a deployment lexicon may add to it) ──
  // Synonym concepts of the university FAQ domain, by name: every word or phrase under one name is one concept.
  concepts: {
    ksu: ['херсонский государственный университет', 'хгу'],
    cost: ['стоит', 'стоить', 'стоимость', 'цена', 'прайс', 'плата'],
    dormitory: ['общежитие', 'общежития', 'гуртага'],
    'check-in': ['заселение', 'поселение', 'заселяться'],
    contract: ['договор', 'платна форма', 'платное обучение'],
    budget: ['бюджетное место', 'бюджетная форма', 'бюджетник', 'бюджетники'],
    pay: ['оплачивать', 'платеж'],
    study: ['учеба', 'учёба', 'обучение', 'учиться', 'учоба'],
    schedule: ['расписание', 'расписание занятий', 'расписание пар'],
    classes: ['занятия', 'занятий'],
    scholarship: ['стипендия', 'стипендию'],
    admission: ['поступить', 'поступать', 'поступление', 'вступная кампания'],
    application: ['заявление', 'заявления'],
    documents: ['документы', 'документов', 'документ', 'бумаги'],
    submit: ['подать', 'подавать', 'подачи'],
    'admissions-office': ['приемная комиссия', 'приемная', 'приёмная комиссия'],
    'deans-office': ['деканате'],
    faculty: ['факультете'],
    specialty: [
      'специальность', 'специальности', 'программа обучения', 'направление подготовки', 'направления подготовки',
    ],
    exam: ['экзамен', 'экзамены', 'экзамена', 'екз'],
    session: ['сессия', 'сессии', 'сессию'],
    retake: ['пересдача', 'пересдать', 'пересдавать'],
    score: ['балл', 'баллы', 'баллов', 'оценка', 'оценки'],
    passing: ['проходной', 'проходного', 'минимальный'],
    'military-department': ['военная кафедра', 'военной кафедре', 'военку', 'военка'],
    deferment: ['отсрочка', 'отсрочку', 'отсрочки'],
    online: ['дистанционно', 'дистанционка', 'дистанционное обучение', 'онлайн', 'дистанционное', 'дистанционном'],
    transfer: ['перевод', 'перевестись'],
    library: ['библиотека', 'библиотеки', 'библиотеку', 'библиотеке'],
    'student-card': ['студенческий билет', 'студенческий', 'студенческого'],
    'record-book': ['зачетка', 'зачетку', 'зачетная книжка', 'зачётка'],
    'academic-leave': ['академический отпуск', 'академотпуск'],
    leave: ['отпуск'],
    'enrolment-certificate': ['справка с места учебы', 'справку с места учебы', 'справка об обучении'],
    certificate: ['справка', 'справку', 'справки'],
    international: ['иностранцы', 'иностранец', 'иностранных', 'иностранный'],
    student: ['студенты', 'студентов'],
    applicant: ['абитуриент', 'абитуриенты', 'абитуриентов'],
    contacts: ['контакты', 'контактов', 'связаться'],
    email: ['почта', 'почту', 'электронная почта', 'мейл'],
    address: ['находится'],
    relocation: ['релокация', 'перемещение', 'переезд', 'переехал', 'переехали'],
    housing: ['жилье', 'жильё', 'квартира'],
    canteen: ['столовая', 'столовой'],
    'medical-certificate': ['медицинская справка', 'медсправку', 'форма 086'],
    photo: ['фотографии'],
    obtain: ['получить', 'получать', 'оформление', 'сделать'],
    holidays: ['каникулы', 'каникул'],
    internship: ['стажировка'],
    teacher: ['преподаватель', 'преподаватели', 'препод'],
    group: ['группа', 'группы', 'группу', 'группе'],
    year: ['год', 'года', 'году', 'лет'],
    course: ['курсе', 'курса'],
    english: ['английский', 'английского', 'английском'],
    language: ['язык', 'языка', 'языке'],
    free: ['бесплатно', 'бесплатное', 'бесплатный'],
    money: ['деньги', 'денег', 'средства'],
    'working-hours': ['график работы', 'часы работы', 'режим работы'],
    open: ['работает', 'работают', 'работать'],
    cancel: ['отменить', 'отмена', 'отменили'],
    change: ['изменить', 'поменять'],
    expulsion: ['отчисление', 'отчислить', 'отчислят'],
    reinstatement: ['восстановление', 'восстановиться'],
    ranking: ['рейтинговый'],
    'results-certificate': ['сертификат', 'сертификата'],
    'personal-account': ['кабинет', 'личный кабинет'],
    benefits: ['льготы', 'льгота', 'льготы', 'скидка'],
    'military-registration': ['воинский учет'],
    'military-id': ['военный билет'],
    idp: ['переселенцы', 'впл'],
    room: ['комната', 'комнату'],
    website: ['сайта', 'сайте', 'страница'],
    city: ['города', 'городе'],
    building: ['корпусе'],
    classroom: ['аудитория', 'аудитории'],
    time: ['время', 'время', 'часов', 'час'],
    weekend: ['выходные', 'выходных'],
    date: ['срок', 'сроки', 'дата'],
    requirement: ['требования', 'условия'],
    help: ['помощь', 'помочь', 'поддержка'],
    'part-time': ['заочная', 'заочное', 'заочке', 'заочно'],
    'full-time': ['дневная', 'дневное', 'очная', 'очное'],
    attend: ['посещать', 'посещение', 'посещают'],
    'territorial-recruitment-centre': ['военкомат', 'военкомата', 'военкомату', 'тцк'],
    thesis: ['дипломную работу', 'дипломная работа', 'дипломная'],
    topic: ['темы'],
    'preparatory-course': ['подготовительные курсы', 'подготовительное отделение'],
    sport: ['спортивная'],
    doctor: ['врач', 'медпункт'],
  },
  // Months, weekdays and seasons, by name: the names of one are one concept.
  calendar: {
    january: ['январь', 'января', 'январе'],
    february: ['февраль', 'февраля', 'феврале'],
    march: ['март', 'марта', 'марте'],
    april: ['апрель', 'апреля', 'апреле'],
    may: ['мае'],
    june: ['июнь', 'июня', 'июне'],
    july: ['июль', 'июля', 'июле'],
    august: ['августе'],
    september: ['сентябрь', 'сентября', 'сентябре'],
    october: ['октябрь', 'октября', 'октябре'],
    november: ['ноябрь', 'ноября', 'ноябре'],
    december: ['декабрь', 'декабря', 'декабре'],
    monday: ['понедельник', 'понедельника'],
    tuesday: ['вторник', 'вторника'],
    wednesday: ['среда', 'среду'],
    thursday: ['четверг'],
    friday: ['пятница', 'пятницу'],
    saturday: ['суббота', 'субботу'],
    sunday: ['воскресенье'],
    winter: ['зимой', 'зимние', 'зимних'],
    spring: ['весной', 'весенние'],
    summer: ['летние', 'летних'],
    autumn: ['осенью', 'осенние'],
  },
  // Named entities (cities, countries), by name: two questions naming different ones never match; the first word is the canonical name.
  entities: {
    kyiv: ['киев', 'киеве'],
    lviv: ['львов', 'львове'],
    germany: ['германия', 'германии'],
  },
  // Function words that carry no topic (exact normalised tokens).
  stopWords: [
    'и', 'но', 'или', 'ли', 'что', 'чо', 'че', 'шо', 'как', 'где', 'когда', 'кто', 'почему', 'зачем', 'со', 'с', 'от',
    'между', 'после', 'кроме', 'чтобы', 'чтоб', 'если', 'то', 'есть', 'меня', 'мне', 'мной', 'тебе', 'тебя', 'мы',
    'вы', 'нам', 'нас', 'вам', 'вас', 'мой', 'моя', 'моё', 'мое', 'мои', 'ваш', 'ваша', 'ваше', 'ваши', 'вашего',
    'вашей', 'наш', 'наша', 'наше', 'наши', 'нашего', 'нашей', 'он', 'она', 'оно', 'они', 'его', 'ее', 'её', 'их',
    'им', 'ей', 'ему', 'них', 'нее', 'неё', 'него', 'это', 'этот', 'эта', 'эти', 'этого', 'этой', 'этих', 'этом',
    'тот', 'та', 'те', 'того', 'той', 'тех', 'был', 'была', 'было', 'были', 'быть', 'будет', 'будут', 'можно', 'могу',
    'может', 'можем', 'можете', 'нужно', 'нужен', 'нужна', 'нужны', 'необходимо', 'хочу', 'хотел', 'хотела',
    'хотелось', 'бы', 'же', 'вот', 'уже', 'еще', 'ещё', 'только', 'лишь', 'именно', 'сейчас', 'здесь', 'тут', 'там',
    'какой', 'какая', 'какое', 'какие', 'какого', 'какой', 'каких', 'каким', 'какую', 'сколько', 'скока', 'куда',
    'откуда', 'котором', 'который', 'которой', 'подскажите', 'подскажи', 'скажите', 'скажи', 'расскажите',
    'пожалуйста', 'пж', 'спасибо', 'привет', 'здравствуйте', 'добрый', 'узнать', 'посмотреть', 'найти', 'знать',
    'интересует', 'вопрос', 'другой', 'другая', 'другое', 'другие', 'другую', 'иной', 'иная', 'иное', 'иные', 'иного',
    'всё', 'всех', 'всем', 'всеми', 'всего', 'всей',
  ],
  // Words that may be present on one side only (one university, "now", "usually").
  optionalWords: [
    'университет', 'университете', 'вуз', 'вуза', 'вузе', 'хду', 'хгу', 'нас', 'бот', 'сейчас', 'вообще', 'точно',
    'примерно', 'обычно',
  ],
  // Light verbs of getting and giving ("отримати довідку", "get a card"): may stay without a partner.
  lightWords: [
    'получить', 'получать', 'получу', 'оформление', 'взять', 'брать', 'дают', 'дадут', 'дать', 'выдают', 'выдать',
    'выплата', 'выплачивают', 'начисляют', 'сделать', 'делать', 'пойти',
  ],
  // Words implied by another concept ("проживання" in a dorm): may stay unpaired when the implying words are in both questions.
  implied: {
    living: {
      words: ['проживание', 'проживать', 'жить'],
      impliedBy: [],
    },
    study: {
      words: ['обучение', 'учеба'],
      impliedBy: [],
    },
  },
  // Category words and their members ("документи" ← паспорт, фото): not synonyms; used to judge answer coverage.
  categories: {
    document: {
      names: ['документы', 'документов'],
      members: [
        'аттестат', 'аттестата', 'сертификат', 'диплом', 'диплома', 'справка', 'справку', 'справки', 'фото',
        'фотографии', 'заявление', 'копии', 'копия', 'свидетельство', 'договор', 'направление', 'квиток', 'билет',
        'полис', 'выписка', 'удостоверение', 'идентификационный', 'оригиналы',
      ],
    },
    contact: {
      names: ['контакты', 'контактов', 'связаться'],
      members: ['тел', 'почта', 'почту', 'кабинет', 'лично'],
    },
    subjects: {
      names: ['предметы', 'предметов', 'дисциплины', 'экзамены'],
      members: [
        'история', 'истории', 'биология', 'химия', 'физика', 'география', 'английский', 'украинский', 'литература',
      ],
    },
  },
  // Degree levels, by level: words and phrases naming each (phrases are matched first).
  degreeWords: {
    'junior-bachelor': ['младший бакалавр', 'младшего бакалавра', 'колледж'],
    bachelor: ['бакалавриат', 'бакалавриата', 'бакалавриате', 'бакалавр', 'бакалавра', 'бакалавру', 'бакалавром'],
    master: [
      'магистр', 'магистра', 'магистратура', 'магистратуры', 'магистратуру', 'магистратуре', 'магистерская',
      'магистерку', 'магистерка',
    ],
    phd: ['аспирантура', 'аспирантуры', 'аспирантуру', 'аспирантуре', 'аспирант'],
    doctor: ['докторантуры', 'докторантуре'],
  },
  // Cardinal and ordinal number words, by value (matched on stems).
  numberWords: {
    '1': ['первый', 'первая', 'первого', 'первом', 'первой', 'первокурсник'],
    '2': ['второй', 'вторая', 'второго', 'втором'],
    '3': ['третий', 'третья', 'третьего', 'третьем'],
    '4': ['четыре', 'четвертый', 'четвертого'],
    '5': ['пять', 'пяти', 'пятый', 'пятого'],
    '6': ['шесть', 'шестой'],
    '7': ['семь', 'седьмой'],
    '8': ['восемь', 'восьмой'],
    '9': ['девять', 'девятый'],
    '10': ['десятый'],
    half: ['половины'],
  },
  // ── Intent cues ──
  // Question words, by the intent they ask for (single words are matched; phrases document the intent).
  intentWords: {
    quantity: ['скока', 'скилки', 'сколько', 'скоко', 'скольки'],
    when: ['когда', 'када', 'кода', 'когда'],
    where: ['где', 'куда', 'откуда'],
    who: ['кто'],
    why: ['почему', 'зачем'],
    how: ['как', 'каким образом'],
    what: ['что', 'чо', 'какой', 'какая', 'какое', 'какого', 'какой'],
    list: ['какие', 'каких'],
    yesno: ['ли'],
  },
  // Words that make a quantity / what-question a question about price (stems).
  costCues: ['стоит', 'стоят', 'стоимость', 'цена', 'цены', 'цену'],
  // Words about money that make "скільки платити", "how much money" a price question.
  moneyCues: ['денег', 'долларов', 'евро'],
  // Words that make a quantity / what-question a question about duration.
  durationCues: ['длится', 'длятся', 'длительность', 'продолжительность', 'долго'],
  // Words that make a what-question a question about a date or deadline.
  dateCues: ['сроки', 'срок'],
  // Words that make a what-question a question about a place.
  placeCues: ['находится', 'расположен', 'расположена'],
  // Words that ask where to find information: "як дізнатися" and "де подивитися" ask the same.
  infoSeekingWords: ['узнать', 'посмотреть', 'найти', 'проверить', 'глянуть'],
  // "way", "спосіб": "the best way to X" asks how.
  wayWords: ['способ', 'способы'],
  // Forms of "спосіб" that ask how on their own, without "to".
  wayAskingWords: ['способ', 'способы'],
  // Qualifiers of "the best / easiest … way": the manner slot.
  wayQualifiers: ['лучший', 'самый', 'простой'],
  // Auxiliaries and particles that open a yes/no question.
  yesNoOpeners: ['можно', 'ли'],
  // "означає", "значит": "що означає X" asks for a definition.
  definitionVerbs: ['значит', 'означает', 'означают'],
  // Words that make "what is the X" a request for a pick, not a definition ("best", "найкращий").
  evaluativeWords: ['лучший', 'лучшая', 'лучшее'],
  // ── Slot cues ──
  // Negation words; "не" fused into a word (неможливо) is not one.
  negationWords: ['немаэ', 'нет', 'нельзя', 'неможна', 'никогда', 'нигде'],
  // "or" words: «… или нет?» closes a yes/no question, it does not negate it.
  alternativeWords: ['или', 'иль'],
  // Words after a negation that make it a polite request ("не підкажете").
  politeAfterNegation: ['подскажете', 'подскажешь', 'скажете', 'могли', 'мог', 'могла'],
  // Start of a period (stems are matched).
  timeStartWords: [
    'начало', 'начинается', 'начинаются', 'начнется', 'начнутся', 'начать', 'старта', 'стартует', 'открывается',
    'открытие',
  ],
  // End of a period (stems are matched).
  timeEndWords: [
    'конец', 'конца', 'заканчивается', 'заканчиваются', 'закончится', 'окончание', 'завершение', 'завершается',
    'крайний', 'закрывается',
  ],
  // "first" of a sequence (first day → start).
  orderFirstWords: ['первый', 'первая', 'первое', 'первого', 'первой'],
  // Units that "first" opens as the start of a period ("перший день", "first week").
  dayWords: ['неделя'],
  // "last" of a sequence (last day → end, last year → previous).
  orderLastWords: ['последний', 'последняя', 'последнее', 'последнего', 'последней'],
  // This period (followed by a period word).
  relativeThisWords: ['этот', 'этого', 'этом', 'эта', 'этой', 'текущий', 'текущем', 'этогодний'],
  // Next period.
  relativeNextWords: ['следующий', 'следующего', 'следующем', 'следующая', 'следующей'],
  // Previous period.
  relativePreviousWords: ['прошлый', 'прошлого', 'прошлом', 'прошлая', 'прошлой', 'предыдущий'],
  // Words that denote a period, so that "last year" is previous and "last day" is end.
  periodWords: [
    'год', 'года', 'году', 'семестр', 'семестру', 'месяц', 'месяца', 'месяце', 'неделя', 'недели', 'неделе', 'сессия',
    'сессии', 'учебный',
  ],
  // Year words after a four-digit year ("2026 року"): they only repeat the year.
  periodYearWords: ['год', 'года', 'году', 'рр'],
  // Units of time: "скільки років", "how many years" ask for a duration.
  timeUnits: ['лет', 'года', 'месяцев', 'недель', 'дней', 'часов', 'семестров'],
  // "до якого числа" / "з якого числа": the word after until/from that asks for an end or a start.
  whichWords: ['какого', 'какой'],
  // "з", "from": with a which-word, the start of a period.
  fromWords: ['с'],
  // "тис", "k", "thousand" after a number multiply it by 1000.
  thousandWords: ['к', 'тис', 'тыс', 'тысяч', 'тысячи'],
  // The asker: "how do I …", "мені".
  speakerWords: ['моя', 'мне', 'меня', 'мой', 'моё', 'мое', 'мы'],
  // The one asked: "do you …", "вам".
  addresseeWords: ['ты', 'тебя', 'твой', 'вы', 'ваши'],
  // Modal classes: possibility, obligation, past, future, conditional.
  modalityWords: {
    possibility: ['можно', 'могу', 'может', 'можем'],
    obligation: ['нужно', 'надо', 'должен', 'должна', 'должны', 'обязательно'],
  },
  // "з X на Y", "from X to Y": the preposition of the source end.
  sourcePrepositions: ['с', 'со', 'от'],
  // The preposition of the target end.
  targetPrepositions: ['во'],
  // ── Follow-ups and pointers ──
  // Anaphoric words: a question leaning on one of these usually continues an earlier turn.
  anaphoraWords: [
    'это', 'этого', 'этом', 'тогда', 'туда', 'он', 'она', 'оно', 'они', 'его', 'ее', 'её', 'их', 'такой', 'такая',
  ],
  // Words that open a follow-up ("а скільки…", "and for masters?").
  continuationOpeners: ['и', 'также', 'еще', 'ещё'],
  // Phrases that open a follow-up ("what about", "а якщо").
  continuationPhrases: ['а если', 'а для'],
  // ── Language detection ──
  // Frequent words spelled only in Russian (no telling letter), for language detection: function words first, then a few domain words.
  languageMarkers: [
    'и', 'что', 'чо', 'как', 'где', 'когда', 'ли', 'это', 'мне', 'меня', 'нужно', 'нужен', 'нужна', 'нужны', 'надо',
    'или', 'но', 'будет', 'будут', 'можно', 'какой', 'какая', 'какое', 'какие', 'какую', 'каких', 'сколько', 'скока',
    'стоит', 'год', 'года', 'лет', 'обучение', 'общежитие', 'поступление', 'кто', 'почему', 'зачем', 'куда', 'очень',
    'уже', 'еще', 'чтобы', 'сейчас', 'подать', 'учиться', 'расписание', 'сессия', 'стипендия', 'поступить', 'нет',
    'да', 'мой', 'моя', 'свой', 'его', 'она', 'они', 'оно', 'он', 'только', 'если', 'получить', 'справку', 'справка',
    'с', 'со', 'к', 'ко', 'из', 'был', 'была', 'было', 'были', 'есть', 'который', 'которая', 'которое', 'которые',
    'тоже', 'также', 'потом', 'здесь', 'либо', 'хотя', 'могу', 'может', 'могут', 'хотим', 'от', 'ничего', 'всегда',
    'никогда',
  ],
};
