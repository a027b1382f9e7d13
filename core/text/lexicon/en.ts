/**
 * English vocabulary, including the grammar words the English rules need.
 * Pure data, moved unchanged from the analyser; see {@link Lexicon} for what each group is for.
 * Words are in normalised form (lowercase, apostrophe `'`); inflections a stem covers are optional.
 */

import type { Lexicon } from './types.js';

export const en: Lexicon = {
  // ── Topic vocabulary (compiled into the text model; a deployment lexicon may add to it) ──
  // Synonym concepts of the university FAQ domain, by name: every word or phrase under one name is one concept.
  concepts: {
    ksu: ['ksu', 'kherson state university', 'kspu'],
    cost: ['cost', 'costs', 'price', 'fee', 'fees'],
    dormitory: ['dormitory', 'dorm', 'dorms', 'hostel', 'residence hall', 'dormitories'],
    'check-in': ['check in', 'move in', 'settle'],
    contract: ['contract'],
    budget: ['budget', 'state-funded', 'state funded', 'free place'],
    pay: ['pay', 'paid', 'payment', 'payments', 'paying'],
    study: ['study', 'studying', 'studies', 'tuition', 'education'],
    schedule: ['schedule', 'timetable', 'class schedule'],
    classes: ['classes', 'lessons', 'lectures'],
    scholarship: ['scholarship', 'scholarships', 'stipend', 'grant'],
    admission: [
      'admission', 'admissions', 'admitted', 'enroll', 'enrol', 'enrolment', 'enrollment', 'get in', 'entrance',
    ],
    application: ['application', 'applications', 'apply'],
    documents: ['documents', 'document', 'docs', 'papers', 'paperwork'],
    submit: ['submit', 'submission', 'hand in', 'send'],
    'admissions-office': ['admissions office', 'admission office', 'admissions committee', 'admission committee'],
    'deans-office': ["dean's office", 'deans office', 'dean office', 'deanery'],
    faculty: ['faculty', 'faculties', 'school'],
    specialty: [
      'specialty', 'speciality', 'specialties', 'major', 'majors', 'study program', 'study programme', 'programme',
      'program', 'field of study', 'fields of study',
    ],
    exam: ['exam', 'exams', 'examination', 'examinations'],
    session: ['session', 'exam session', 'examination period', 'exam period'],
    retake: ['retake', 'retakes', 'resit', 'resits', 're-sit', 're-take'],
    nmt: ['nmt', 'zno', 'national multi-subject test', 'multi-subject test'],
    score: ['score', 'scores', 'points', 'point', 'mark', 'marks', 'grade', 'grades'],
    passing: ['passing', 'cut-off', 'cutoff', 'minimum', 'minimal'],
    'military-department': ['military department', 'military training', 'rotc'],
    deferment: ['deferment', 'deferral', 'draft deferment'],
    online: ['online', 'remote', 'remotely', 'distance learning', 'distance'],
    transfer: ['transfer', 'transferring', 'switch'],
    library: ['library', 'libraries'],
    'student-card': ['student card', 'student id', 'student ticket'],
    'record-book': ['record book', 'gradebook'],
    'academic-leave': ['academic leave', 'leave of absence', 'gap year'],
    leave: ['leave'],
    diploma: ['diploma', 'diplomas', 'degree certificate'],
    'enrolment-certificate': [
      'enrolment certificate', 'enrollment certificate', 'certificate of enrolment', 'certificate of enrollment',
      'proof of enrolment', 'proof of enrollment',
    ],
    certificate: ['certificate', 'certificates', 'reference'],
    international: ['international', 'foreign', 'foreigners', 'foreigner'],
    student: ['student', 'students'],
    applicant: ['applicant', 'applicants', 'prospective student'],
    phone: ['phone', 'phone number', 'telephone', 'contact number'],
    contacts: ['contacts', 'contact', 'get in touch', 'reach'],
    email: ['email', 'e-mail', 'mail'],
    address: ['address', 'location', 'located'],
    relocation: ['relocation', 'relocated', 'moved', 'displaced'],
    housing: ['housing', 'accommodation'],
    canteen: ['canteen', 'cafeteria', 'dining hall'],
    'medical-certificate': ['medical certificate', 'medical'],
    passport: ['passport', 'id card'],
    photo: ['photo', 'photos', 'photograph', 'photographs', 'picture', 'pictures'],
    lunch: ['lunch', 'lunches'],
    wifi: ['wifi', 'wi-fi', 'wi fi', 'wireless network', 'wireless'],
    obtain: ['obtain', 'receive', 'issue', 'issued', 'get'],
    holidays: ['holidays', 'holiday', 'vacation', 'vacations', 'break'],
    internship: ['internship', 'internships', 'practice', 'placement'],
    teacher: ['teacher', 'teachers', 'lecturer', 'lecturers', 'professor', 'instructor', 'tutor'],
    group: ['group', 'groups'],
    semester: ['semester', 'semesters', 'term', 'terms'],
    year: ['year', 'years'],
    course: ['course', 'year of study'],
    english: ['english'],
    language: ['language', 'languages'],
    free: ['free', 'free of charge', 'for free'],
    money: ['money', 'funds'],
    'working-hours': ['working hours', 'opening hours', 'office hours', 'hours'],
    open: ['open', 'works'],
    cancel: ['cancel', 'cancelled', 'canceled'],
    change: ['change', 'switch'],
    expulsion: ['expulsion', 'expelled', 'dismissal'],
    reinstatement: ['reinstatement', 'reinstate', 'readmission'],
    competition: ['competition', 'competitive'],
    ranking: ['ranking', 'rating', 'rank', 'list of applicants'],
    'motivation-letter': ['motivation letter', 'motivational letter', 'personal statement'],
    'results-certificate': ['results certificate'],
    'personal-account': ['personal account', 'account', 'cabinet'],
    benefits: ['benefits', 'benefit', 'privileges', 'discount'],
    'military-registration': ['military registration'],
    'military-id': ['military id', 'military card'],
    idp: ['idp', 'idps', 'displaced persons'],
    room: ['room', 'rooms'],
    website: ['website', 'site', 'web site', 'page'],
    city: ['city', 'town'],
    building: ['building', 'buildings', 'campus building'],
    classroom: ['classroom', 'room', 'auditorium', 'lecture hall'],
    time: ['time', 'hour', 'hours', "o'clock"],
    weekend: ['weekend', 'weekends'],
    date: ['date', 'dates', 'period', 'timeline'],
    requirement: ['requirement', 'requirements', 'conditions'],
    help: ['help', 'assistance', 'support'],
    'part-time': ['part-time', 'extramural', 'distance-correspondence'],
    'full-time': ['full-time', 'day-time', 'on-campus'],
    attend: ['attend', 'attendance', 'attending'],
    'territorial-recruitment-centre': ['territorial recruitment centre', 'recruitment office', 'enlistment office', 'draft office'],
    thesis: ['thesis', 'diploma thesis', 'graduation thesis', 'final project'],
    topic: ['topic', 'subject'],
    dean: ['dean', 'head of the faculty'],
    rector: ['rector', 'president of the university'],
    'preparatory-course': [
      'preparatory course', 'preparatory courses', 'foundation year', 'foundation course', 'foundation program',
    ],
    sport: ['sport', 'sports', 'gym'],
    doctor: ['doctor', 'clinic', 'infirmary', 'nurse'],
  },
  // Months, weekdays and seasons, by name: the names of one are one concept.
  calendar: {
    january: ['january', 'jan'],
    february: ['february', 'feb'],
    march: ['march'],
    april: ['april', 'apr'],
    may: ['may'],
    june: ['june', 'jun'],
    july: ['july', 'jul'],
    august: ['august', 'aug'],
    september: ['september', 'sep', 'sept'],
    october: ['october', 'oct'],
    november: ['november', 'nov'],
    december: ['december', 'dec'],
    monday: ['monday'],
    tuesday: ['tuesday'],
    wednesday: ['wednesday'],
    thursday: ['thursday'],
    friday: ['friday'],
    saturday: ['saturday'],
    sunday: ['sunday'],
    winter: ['winter'],
    spring: ['spring'],
    summer: ['summer'],
    autumn: ['autumn', 'fall'],
  },
  // Named entities (cities, countries), by name: two questions naming different ones never match; the first word is the canonical name.
  entities: {
    kherson: ['kherson'],
    'ivano-frankivsk': ['ivano-frankivsk', 'frankivsk'],
    kyiv: ['kyiv', 'kiev'],
    lviv: ['lviv', 'lvov'],
    odesa: ['odesa', 'odessa'],
    kharkiv: ['kharkiv', 'kharkov'],
    dnipro: ['dnipro'],
    mykolaiv: ['mykolaiv'],
    zaporizhzhia: ['zaporizhzhia'],
    poland: ['poland'],
    germany: ['germany'],
    ukraine: ['ukraine'],
  },
  // Function words that carry no topic (exact normalised tokens).
  stopWords: [
    'a', 'an', 'the', 'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'done', 'i',
    'you', 'we', 'my', 'your', 'our', 'me', 'us', 'it', 'its', 'they', 'them', 'their', 'he', 'she', 'his', 'her',
    'to', 'of', 'in', 'on', 'at', 'for', 'from', 'by', 'with', 'about', 'into', 'onto', 'as', 'and', 'or', 'but',
    'if', 'so', 'than', 'then', 'there', 'here', 'this', 'that', 'these', 'those', 'what', 'which', 'who', 'whom',
    'whose', 'where', 'when', 'why', 'how', 'much', 'many', 'can', 'could', 'would', 'should', 'will', 'shall', 'may',
    'might', 'must', "i'm", "i'd", "i've", "i'll", 'need', 'needs', 'needed', 'have', 'has', 'had', 'having', 'get',
    'got', 'please', 'pls', 'plz', 'tell', 'know', 'let', 'any', 'some', 'just', 'also', 'too', 'very', 'really',
    'currently', 'now', 'want', 'wanna', 'like', 'find', 'out', 'see', 'check', 'hi', 'hello', 'thanks', 'thank', 'u',
    'ur', 'someone', 'somebody', 'one', 'anyone', 'possible', 'able', 'going', 'gonna', 'hey', 'lol', 'ok', 'okay',
    'hmm', 'btw', 'procedure', 'process', 'ever', 'still', 'actually', 'basically', 'other', 'others', 'another',
    'else',
  ],
  // Words that may be present on one side only (one university, "now", "usually").
  optionalWords: [
    'university', 'ksu', 'degree', 'degrees', 'now', 'currently', 'generally', 'actually', 'exactly', 'approximately', 'roughly',
    'usually',
  ],
  // Light verbs of getting and giving ("отримати довідку", "get a card"): may stay without a partner.
  lightWords: ['get', 'obtain', 'receive', 'take', 'give', 'given', 'gets', 'getting', 'make', 'do', 'go'],
  // Words implied by another concept ("проживання" in a dorm): may stay unpaired when the implying words are in both questions.
  implied: {
    living: {
      words: ['living', 'stay', 'staying', 'accommodation'],
      impliedBy: [],
    },
    study: {
      words: ['study', 'studies', 'tuition'],
      impliedBy: [],
    },
    form: {
      words: ['form', 'mode'],
      impliedBy: [],
    },
  },
  // Category words and their members ("документи" ← паспорт, фото): not synonyms; used to judge answer coverage.
  categories: {
    document: {
      names: ['document', 'documents', 'docs', 'papers', 'paperwork'],
      members: [
        'passport', 'id', 'certificate', 'certificates', 'diploma', 'photo', 'photos', 'application', 'copy',
        'copies', 'transcript', 'contract', 'insurance', 'policy', 'visa', 'scans', 'originals',
      ],
    },
    contact: {
      names: ['contact', 'contacts', 'reach'],
      members: ['phone', 'email', 'e-mail', 'mail', 'telegram', 'viber', 'whatsapp', 'chat', 'address', 'room'],
    },
    subjects: {
      names: ['subjects', 'subject', 'exams'],
      members: [
        'mathematics', 'math', 'maths', 'history', 'biology', 'chemistry', 'physics', 'geography', 'english',
        'ukrainian', 'literature',
      ],
    },
  },
  // Degree levels, by level: words and phrases naming each (phrases are matched first).
  degreeWords: {
    'junior-bachelor': ['junior bachelor', 'associate degree', 'college'],
    bachelor: ['bachelor', "bachelor's", 'bachelors', 'undergraduate', 'undergrad', 'ba', 'bsc'],
    master: ['master', "master's", 'masters', 'msc', 'ma', 'postgraduate'],
    phd: ['phd', 'doctoral', 'doctorate', 'ph d'],
    doctor: ['postdoc', 'postdoctoral', 'doctor of science'],
  },
  // Cardinal and ordinal number words, by value (matched on stems).
  numberWords: {
    '1': ['one', 'first', '1st'],
    '2': ['two', 'second', '2nd'],
    '3': ['three', 'third', '3rd'],
    '4': ['four', 'fourth', '4th'],
    '5': ['five', 'fifth', '5th'],
    '6': ['six', 'sixth', '6th'],
    '7': ['seven', 'seventh'],
    '8': ['eight', 'eighth'],
    '9': ['nine', 'ninth'],
    '10': ['ten', 'tenth'],
    half: ['half'],
  },
  // ── Intent cues ──
  // Question words, by the intent they ask for (single words are matched; phrases document the intent).
  intentWords: {
    when: ['when'],
    where: ['where', 'whereabouts'],
    who: ['who', 'whom'],
    why: ['why'],
    how: ['how'],
    what: ['what', 'which'],
    list: ['list'],
  },
  // Words that make a quantity / what-question a question about price (stems).
  costCues: ['cost', 'costs', 'price', 'prices', 'fee', 'fees'],
  // Words about money that make "скільки платити", "how much money" a price question.
  moneyCues: ['pay', 'money', 'uah', 'usd', 'dollars', 'euro', 'euros'],
  // Words that make a quantity / what-question a question about duration.
  durationCues: ['long', 'duration', 'lasts'],
  // Words that make a what-question a question about a date or deadline.
  dateCues: ['date', 'dates', 'deadline', 'deadlines'],
  // Words that make a what-question a question about a place.
  placeCues: ['address', 'location', 'located'],
  // Words that ask where to find information: "як дізнатися" and "де подивитися" ask the same.
  infoSeekingWords: ['find', 'see', 'check', 'look'],
  // "way", "спосіб": "the best way to X" asks how.
  wayWords: ['way', 'ways', 'method', 'methods'],
  // Qualifiers of "the best / easiest … way": the manner slot.
  wayQualifiers: ['best', 'good', 'easiest', 'fastest', 'quickest', 'simplest', 'right', 'proper', 'cheapest'],
  // Auxiliaries and particles that open a yes/no question.
  yesNoOpeners: [
    'is', 'are', 'am', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'shall', 'was', 'were', 'has',
    'have', 'had', 'may', 'might', 'must',
  ],
  // English definition words ("mean", "definition"): with the definition verbs, the intent words of a definition question.
  definitionWords: ['mean', 'means', 'meant', 'meaning', 'definition', 'define'],
  // Words that make "what is the X" a request for a pick, not a definition ("best", "найкращий").
  evaluativeWords: [
    'best', 'worst', 'most', 'least', 'top', 'good', 'great', 'nice', 'bad', 'better', 'worse', 'favorite',
    'favourite', 'ideal', 'perfect', 'right', 'correct', 'main', 'biggest', 'largest', 'smallest', 'easiest',
    'hardest', 'cheapest', 'fastest', 'latest', 'newest', 'oldest', 'highest', 'lowest', 'greatest', 'first', 'last',
    'next', 'current', 'today', 'now', 'tomorrow', 'yesterday', 'here',
  ],
  // Hedges skipped when reading a definition question ("what is actually X").
  hedgeWords: ['actually', 'really', 'exactly'],
  // ── Slot cues ──
  // Negation words; "не" fused into a word (неможливо) is not one.
  negationWords: [
    'not', 'no', 'without', 'never', "don't", "doesn't", "didn't", "can't", 'cannot', "won't", "isn't", "aren't",
    "wasn't", "weren't", "shouldn't", "wouldn't", "couldn't", "haven't", "hasn't", 'dont', 'doesnt', 'cant', 'wont',
    'isnt', 'arent', 'havent', 'hasnt', 'shouldnt', 'couldnt',
  ],
  // Words after a negation that make it a polite request ("не підкажете").
  politeAfterNegation: ['mind'],
  // "or" words: "… or not?", "whether or not" ask yes or no, they do not negate.
  alternativeWords: ['or'],
  // Start of a period (stems are matched).
  timeStartWords: [
    'start', 'starts', 'started', 'starting', 'begin', 'begins', 'beginning', 'began', 'commence', 'commences',
    'opens', 'opening',
  ],
  // "start", "begin" before a verb ("start learning") open an activity, not a period.
  activityStartWords: ['start', 'starting', 'begin', 'beginning'],
  // End of a period (stems are matched).
  timeEndWords: ['end', 'ends', 'ending', 'ended', 'finish', 'finishes', 'deadline', 'closes', 'closing', 'until', 'till'],
  // "first" of a sequence (first day → start).
  orderFirstWords: ['first'],
  // Units that "first" opens as the start of a period ("перший день", "first week").
  dayWords: ['day', 'date', 'week'],
  // "last" of a sequence (last day → end, last year → previous).
  orderLastWords: ['last', 'final'],
  // This period (followed by a period word).
  relativeThisWords: ['this', 'current'],
  // Next period.
  relativeNextWords: ['next', 'upcoming'],
  // Previous period.
  relativePreviousWords: ['previous', 'past'],
  // Words that denote a period, so that "last year" is previous and "last day" is end.
  periodWords: ['year', 'semester', 'term', 'month', 'week', 'session', 'academic'],
  // Year words after a four-digit year ("2026 року"): they only repeat the year.
  periodYearWords: ['year'],
  // Units of time: "скільки років", "how many years" ask for a duration.
  timeUnits: ['years', 'months', 'weeks', 'days', 'hours', 'semesters'],
  // "до якого числа" / "з якого числа": the word after until/from that asks for an end or a start.
  whichWords: ['when'],
  // "до", "until": with a which-word, the end of a period.
  untilWords: ['by', 'until', 'till'],
  // "з", "from": with a which-word, the start of a period.
  fromWords: ['from', 'since'],
  // "тис", "k", "thousand" after a number multiply it by 1000.
  thousandWords: ['k', 'thousand', 'thousands'],
  // The asker: "how do I …", "мені".
  speakerWords: ['i', 'me', 'my', 'mine', 'myself', 'we', 'our', 'ours', 'us'],
  // The one asked: "do you …", "вам".
  addresseeWords: ['you', 'your', 'yours', 'yourself', 'yourselves'],
  // Modal classes: possibility, obligation, past, future, conditional.
  modalityWords: {
    possibility: ['can', 'could', 'may', 'might'],
    obligation: ['should', 'must', 'ought'],
    past: ['did'],
    future: ['will'],
    conditional: ['would'],
  },
  // "з X на Y", "from X to Y": the preposition of the source end.
  sourcePrepositions: ['from'],
  // The preposition of the target end.
  targetPrepositions: ['to', 'into', 'onto'],
  // ── Follow-ups and pointers ──
  // Anaphoric words: a question leaning on one of these usually continues an earlier turn.
  anaphoraWords: [
    'it', 'its', 'that', 'this', 'those', 'these', 'there', 'then', 'they', 'them', 'he', 'she', 'him', 'her', 'same',
    'such', 'one',
  ],
  // Words that open a follow-up ("а скільки…", "and for masters?").
  continuationOpeners: ['and', 'also', 'plus', 'then', 'so'],
  // Phrases that open a follow-up ("what about", "а якщо").
  continuationPhrases: ['what about', 'how about', 'and if', 'and what', 'what if', 'same for'],
  // Demonstratives that point at a thing ("this photo").
  demonstratives: ['this', 'these', 'those'],
  // Words that point at text not in the question ("the code below").
  pointers: ['below', 'above', 'attached', 'following'],
  // "this world", "this life" are everyone's: not a pointer.
  sharedReferents: ['world', 'life', 'universe', 'earth', 'planet', 'century', 'generation', 'era', 'age', 'society'],
  // ── English grammar ──
  // Articles.
  articles: ['a', 'an', 'the'],
  // Forms of "to be" that make "what is X" a definition question.
  copulas: ['is', 'are', 'was', 'were'],
  // Prepositions that make a term more than a bare noun phrase.
  prepositions: [
    'behind', 'between', 'among', 'against', 'within', 'without', 'under', 'over', 'through', 'after', 'before',
    'during', 'around', 'across', 'toward', 'towards', 'inside', 'outside', 'near', 'beyond', 'versus', 'vs',
  ],
  // Prepositions that may open a fronted phrase ("In the library, is there wifi?"): not a change of order.
  frontingPrepositions: ['in', 'at', 'on', 'for', 'during', 'after', 'before', 'within', 'inside', 'near', 'among', 'under', 'as'],
  // Words that relate two others ("X to Y", "X than Y"), for order checks.
  relationWords: [
    'to', 'into', 'from', 'than', 'vs', 'versus', 'over', 'in', 'of', 'about', 'are', 'is', 'for', 'by', 'as', 'like',
    'with', 'while', 'during', 'before', 'after', 'without',
  ],
  // Contraction suffixes and what they stand for ("n't" → not).
  contractions: {
    "n't": ['not'],
    "'re": ['are'],
    "'ve": ['have'],
    "'ll": ['will'],
    "'d": ['would'],
    "'m": ['am'],
  },
  // Negative contractions that are not stem + "n't".
  irregularNegations: {
    "can't": ['can', 'not'],
    "won't": ['will', 'not'],
    "shan't": ['shall', 'not'],
  },
  // Words whose "'s" is "is" ("what's"), not a possessive.
  whIs: ['what', 'who', 'where', 'when', 'why', 'how', 'it', 'that', 'there', 'here', 'he', 'she', 'this'],
  // Auxiliaries typed in capitals are emphasis ("CAN it be cured?"), not acronyms.
  shoutedAuxiliaries: ['can', 'to', 'do', 'does', 'did', 'will', 'would', 'should', 'could', 'must', 'have', 'has'],
  // Irregular past participles: "How is X made?" asks how, not what X is like.
  irregularParticiples: [
    'taken', 'given', 'written', 'eaten', 'chosen', 'broken', 'spoken', 'forgotten', 'hidden', 'driven', 'seen',
    'been', 'beaten', 'fallen', 'ridden', 'risen', 'stolen', 'woken', 'frozen', 'proven', 'made', 'done', 'built',
    'sold', 'told', 'paid', 'taught', 'bought', 'brought', 'thought', 'caught', 'found', 'held', 'kept', 'left',
    'lost', 'meant', 'met', 'put', 'read', 'run', 'said', 'sent', 'set', 'spent', 'won', 'shot', 'cut', 'hit', 'born',
    'grown', 'known', 'shown', 'drawn', 'thrown', 'worn', 'torn', 'sworn', 'flown', 'spun', 'dug', 'hung', 'stuck',
    'struck', 'led', 'fed', 'bred', 'spread', 'calculated', 'formed', 'measured',
  ],
  // Common adjectives: "how + adjective" asks for a degree ("how safe").
  commonAdjectives: [
    'good', 'bad', 'big', 'small', 'old', 'young', 'safe', 'hard', 'easy', 'true', 'real', 'accurate', 'strong',
    'weak', 'smart', 'rich', 'poor', 'tall', 'short', 'deep', 'high', 'low', 'fast', 'slow', 'hot', 'cold', 'far',
    'close', 'common', 'popular', 'expensive', 'cheap', 'likely', 'healthy', 'secure', 'reliable', 'difficult',
    'tough', 'bright', 'heavy', 'large', 'wide', 'free', 'sanitary', 'legit', 'legal', 'credible', 'worth', 'busy',
    'rare', 'sure', 'happy', 'sad',
  ],
  // ── Language detection ──
  // Common English words beyond the stop-words, for language detection: plain English is never mistaken for transliteration.
  languageMarkers: [
    'not', 'no', 'without', 'never', 'first', 'last', 'next', 'year', 'day', 'time', 'long', 'good', 'best', 'make',
    'take', 'give', 'go', 'come', 'work', 'use', 'way', 'people', 'new', 'old', 'start', 'end', 'until', 'before',
    'after', 'during', 'all', 'every', 'each', 'other', 'another', 'more', 'most', 'less', 'same', 'different',
    'between', 'life', 'world', 'money', 'online', 'free', 'job', 'become', 'learn', 'read', 'write', 'book', 'books',
    'movie', 'movies', 'phone', 'question', 'questions', 'answer', 'answers', 'difference', 'better', 'happen',
    'happens', 'think', 'feel', 'mean', 'means', 'should', 'improve', 'weight', 'lose', 'best', 'way', 'ways',
    'engineering', 'computer', 'science', 'language', 'programming', 'love', 'girl', 'boy', 'man', 'woman', 'women',
    'men', 'someone', 'things', 'thing', 'something', 'anything', 'people', 'person', 'country', 'us', 'government',
    'company', 'business', 'history', 'why', 'which',
  ],
};
