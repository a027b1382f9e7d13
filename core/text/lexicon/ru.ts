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
    contract: ['платное обучение', 'контрактна форма', 'контрактник', 'контрактники'],
    study: ['учёба', 'обучение', 'учиться', 'учоба', 'навчальний процес'],
    schedule: ['расписание', 'расписание занятий', 'расписание пар'],
    classes: ['занятия', 'занятий'],
    scholarship: ['стипендия', 'стипендию'],
    admission: ['поступить', 'поступать', 'поступление', 'вступная кампания'],
    application: ['заявление', 'заявления'],
    documents: ['документы', 'документов', 'документ', 'папери', 'бумаги'],
    submit: ['подать', 'подавать', 'подачи'],
    'admissions-office': ['приемная комиссия', 'приемная', 'приёмная комиссия'],
    specialty: ['специальность', 'специальности', 'программа обучения'],
    exam: ['экзамен', 'экзамены', 'экзамена', 'екз'],
    session: ['сессия', 'сессии', 'сессию'],
    score: ['баллы', 'баллов'],
    passing: ['проходной', 'проходного', 'минимальный'],
    online: ['дистанционное обучение', 'онлайн', 'дистанционное', 'дистанционном'],
    'record-book': ['зачётка'],
    'enrolment-certificate': ['справка с места учебы', 'справку с места учебы', 'справка об обучении'],
    certificate: ['справка', 'справку', 'справки'],
    international: ['иностранцы', 'иностранец', 'иностранных', 'иностранный'],
    student: ['студенты', 'студентов'],
    applicant: ['абитуриенты', 'абитуриентов'],
    contacts: ['контакты', 'контактов'],
    email: ['электронная почта', 'мейл'],
    address: ['находится'],
    relocation: ['релокация', 'перемещение', 'переезд', 'переехал', 'переехали'],
    housing: ['жильё', 'квартира'],
    canteen: ['столовая', 'столовой'],
    'medical-certificate': ['медицинская справка', 'медсправку', 'форма 086'],
    photo: ['фотографии'],
    obtain: ['получить', 'получать', 'оформление'],
    holidays: ['каникулы', 'каникул'],
    group: ['группы', 'группу', 'группе'],
    year: ['год', 'года', 'году', 'лет'],
    language: ['язык', 'языка', 'языке'],
    free: ['бесплатное', 'бесплатный'],
    'working-hours': ['график работы', 'часы работы', 'режим работы'],
    open: ['работает', 'работают', 'работать'],
    expulsion: ['отчисление', 'отчислить', 'отчислят'],
    reinstatement: ['восстановление', 'восстановиться'],
    ranking: ['рейтинговый'],
    'personal-account': ['личный кабинет'],
    benefits: ['льготы', 'льгота', 'льготы', 'знижка', 'скидка'],
    'military-id': ['военный билет'],
    idp: ['переселенцы', 'впл'],
    classroom: ['аудитория', 'аудитории'],
    weekend: ['выходные', 'выходных'],
    requirement: ['требования', 'умови', 'условия'],
    'part-time': ['заочная', 'заочное', 'заочке', 'заочно'],
    'full-time': ['дневная', 'дневное', 'очная', 'очное'],
    attend: ['посещение', 'посещают'],
    thesis: ['дипломная'],
    topic: ['темы'],
    'preparatory-course': ['подготовительные курсы', 'подготовительное отделение'],
    sport: ['спортивная'],
  },
  // Months, weekdays and seasons, by name: the names of one are one concept.
  calendar: {
    winter: ['зимой', 'зимние', 'зимних'],
    spring: ['весной', 'весенние'],
    summer: ['летние', 'летних'],
    autumn: ['осенние'],
  },
  // Named entities (cities, countries), by name: two questions naming different ones never match; the first word is the canonical name.
  entities: {
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
  optionalWords: ['сейчас', 'обычно', 'зазвичай'],
  // Light verbs of getting and giving ("отримати довідку", "get a card"): may stay without a partner.
  lightWords: [
    'получить', 'получать', 'получу', 'оформление', 'дают', 'дадут', 'дать', 'видають', 'выдают', 'выдать', 'виплата',
    'выплата', 'выплачивают', 'нараховують', 'начисляют',
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
        'справка', 'справку', 'справки', 'фото', 'фотографии', 'заява', 'заявление', 'копии', 'копия', 'додаток',
        'додатком', 'направление', 'квиток', 'билет', 'полис', 'выписка', 'удостоверение', 'идентификационный',
        'оригиналы',
      ],
    },
    contact: {
      names: ['контакты', 'контактов'],
      members: [],
    },
    subjects: {
      names: ['предметы', 'предметов', 'дисциплины', 'екзамени', 'экзамены'],
      members: ['история', 'истории', 'биология', 'химия', 'география'],
    },
  },
  // Degree levels, by level: words and phrases naming each (phrases are matched first).
  degreeWords: {
    master: ['магистратуры', 'магистратуру', 'магистратуре', 'магистерская', 'магистерку', 'магистерка'],
    phd: ['аспирантуры', 'аспирантуру', 'аспирантуре', 'аспирант'],
    doctor: ['докторантуры', 'докторантуре'],
  },
  // Cardinal and ordinal number words, by value (matched on stems).
  numberWords: {
    '1': ['первый', 'первая', 'первого', 'первом', 'первой', 'первокурсник'],
    '2': ['второй', 'вторая', 'второго', 'втором'],
    '4': ['четыре', 'четвертый', 'четвертого'],
    '5': ['пятый', 'пятого'],
    '6': ['шестой'],
    '7': ['седьмой'],
    '8': ['восьмой'],
    '9': ['девятый'],
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
    how: ['как', 'яким чином', 'каким образом'],
    what: ['что', 'чо', 'какой', 'какая', 'какое', 'какого', 'какой'],
    list: ['какие', 'каких'],
    yesno: ['ли'],
  },
  // Words that make a quantity / what-question a question about price (stems).
  costCues: ['стоит', 'стоят', 'стоимость', 'цена', 'цены', 'цену'],
  // Words that make a quantity / what-question a question about duration.
  durationCues: ['длится', 'длятся', 'длительность', 'продолжительность', 'долго'],
  // Words that make a what-question a question about a place.
  placeCues: ['находится'],
  // "way", "спосіб": "the best way to X" asks how.
  wayWords: ['способы'],
  // Forms of "спосіб" that ask how on their own, without "to".
  wayAskingWords: ['способ', 'способы'],
  // Qualifiers of "the best / easiest … way": the manner slot.
  wayQualifiers: ['самый', 'простий', 'простой'],
  // Auxiliaries and particles that open a yes/no question.
  yesNoOpeners: ['можно', 'ли'],
  // "означає", "значит": "що означає X" asks for a definition.
  definitionVerbs: ['означает', 'означают'],
  // Words that make "what is the X" a request for a pick, not a definition ("best", "найкращий").
  evaluativeWords: ['лучшая', 'лучшее'],
  // ── Slot cues ──
  // Negation words; "не" fused into a word (неможливо) is not one.
  negationWords: ['немаэ', 'нет', 'нельзя', 'неможна', 'никогда', 'нигде'],
  // Words after a negation that make it a polite request ("не підкажете").
  politeAfterNegation: ['подскажешь', 'скажете', 'могли', 'мог', 'могла'],
  // Start of a period (stems are matched).
  timeStartWords: [
    'начинается', 'начинаются', 'начнется', 'начнутся', 'начать', 'старта', 'стартует', 'открывается', 'открытие',
  ],
  // End of a period (stems are matched).
  timeEndWords: [
    'заканчивается', 'заканчиваются', 'закончится', 'окончание', 'завершение', 'завершается', 'крайний',
    'закрывается',
  ],
  // "first" of a sequence (first day → start).
  orderFirstWords: ['первый', 'первая', 'первое', 'первого', 'первой'],
  // Units that "first" opens as the start of a period ("перший день", "first week").
  dayWords: ['неделя'],
  // "last" of a sequence (last day → end, last year → previous).
  orderLastWords: ['последняя', 'последнее', 'последнего', 'последней'],
  // This period (followed by a period word).
  relativeThisWords: ['этот', 'этого', 'этом', 'эта', 'этой', 'текущий', 'текущем', 'этогодний'],
  // Next period.
  relativeNextWords: ['следующая', 'следующей'],
  // Previous period.
  relativePreviousWords: ['прошлый', 'прошлого', 'прошлом', 'прошлая', 'прошлой', 'предыдущий'],
  // Words that denote a period, so that "last year" is previous and "last day" is end.
  periodWords: ['год', 'года', 'году', 'семестр', 'семестру', 'сессия', 'сессии', 'навчальний', 'учебный'],
  // Year words after a four-digit year ("2026 року"): they only repeat the year.
  periodYearWords: ['год', 'года', 'году', 'рр', 'роки', 'роках'],
  // Units of time: "скільки років", "how many years" ask for a duration.
  timeUnits: ['лет', 'года', 'месяцев', 'недель', 'дней', 'часов', 'семестров'],
  // "до якого числа" / "з якого числа": the word after until/from that asks for an end or a start.
  whichWords: ['какой'],
  // "з", "from": with a which-word, the start of a period.
  fromWords: ['с'],
  // "тис", "k", "thousand" after a number multiply it by 1000.
  thousandWords: ['к', 'тис', 'тисяч', 'тыс', 'тысяч', 'тысячи'],
  // The asker: "how do I …", "мені".
  speakerWords: ['моя', 'мне', 'меня', 'мой', 'моё', 'мое', 'мы'],
  // The one asked: "do you …", "вам".
  addresseeWords: ['ты', 'тебя', 'твой', 'вы', 'ваши'],
  // Modal classes: possibility, obligation, past, future, conditional.
  modalityWords: {
    possibility: ['можно', 'могу', 'может', 'можем'],
    obligation: ['нужно', 'надо', 'должен', 'должна', 'должны'],
  },
  // "з X на Y", "from X to Y": the preposition of the source end.
  sourcePrepositions: ['с', 'со', 'от'],
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
