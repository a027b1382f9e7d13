/**
 * Personal questions: questions about the asker's own data («як мене звати», «мій номер»,
 * "my grades"), about their conversation («що я тобі казав», "summarize our conversation"),
 * or about someone named earlier in it («Який у нього телефон?»). Their answer depends on
 * who asks, so a shared cache must neither serve nor keep it. Generic first-person
 * questions («Чи можу я поселитися в гуртожиток?», "Can I transfer to another faculty?")
 * are not personal: every asker gets the same answer.
 *
 * Hand-written phrase rules over normalised tokens, uk/ru/en plus Latin-letter uk/ru. A
 * false positive only costs a cache miss; a false negative can leak, so the rules lean wide.
 */
import { memoizeString } from '../bounded-map.js';
import { tokenize } from './normalize.js';
import { transliterateToCyrillic as toCyrillic } from './transliterate.js';

/** Why a question is personal. */
export type PersonalKind = 'self' | 'conversation' | 'third-party';

// Personal-data nouns (word starts), uk/ru/en. "номер" and "телефон" alone are data; so
// are grades, application status, contract, password, balance …
const DATA_UK_RU = [
  "ім'", 'імен', 'імʼ', 'имя', 'имени', 'прізвищ', 'фамили', 'батьков', 'отчеств', 'номер', 'телефон', 'мобільн', 'мобильн', 'пошт', 'почт',
  'email', 'e-mail', 'імейл', 'емейл', 'имейл', 'адрес', 'оцінк', 'оценк', 'бал', 'рейтинг', 'статус', 'результат', 'договір', 'договор', 'контракт',
  'пароль', 'паролю', 'логін', 'логин', 'рахун', 'счет', 'счёт', 'баланс', 'борг', 'заборгован', 'задолженн', 'стипенді', 'стипенди', 'народженн',
  'рождени', 'вік', 'возраст', 'груп', 'залік', 'зачет', 'зачёт', 'студентськ', 'студенческ', 'паспорт', 'картк', 'карт', 'розклад', 'расписани',
  'анкет', 'профіл', 'профил', 'акаунт', 'аккаунт', 'кабінет', 'кабинет',
];
const DATA_EN = [
  'name', 'surname', 'phone', 'number', 'mobile', 'email', 'e-mail', 'address', 'grade', 'mark', 'score', 'rating', 'status', 'result',
  'contract', 'password', 'login', 'account', 'balance', 'debt', 'scholarship', 'stipend', 'birthday', 'birth', 'age', 'group', 'passport', 'card', 'schedule',
  'timetable', 'profile', 'transcript',
].map((word) => `${word}(s|es)?`);

const POSSESSIVE_UK_RU = new Set([
  'мій', 'моя', 'моє', 'мої', 'мого', 'моєї', 'моїх', 'мою', 'моєму', 'моїм', 'моїми', 'мой', 'мое', 'моё', 'мои', 'моего', 'моей', 'моих', 'моем', 'моём', 'моим', 'моими', 'моему',
]);
const POSSESSIVE_EN = new Set(['my', 'mine', 'myself']);
const THIRD_UK_RU = new Set(['його', 'її', 'їхній', 'їхня', 'їхнє', 'їхні', 'його', 'его', 'её', 'ее', 'их', 'нього', 'неї', 'них', 'него', 'неё', 'нее', 'нему', 'ній', 'ней', 'ним', 'нею']);
const THIRD_EN = new Set(['his', 'her', 'their', 'him', 'them']);

/** Whole phrases over space-joined tokens (each pattern sees ` token token … `). */
const SELF_PHRASES: RegExp[] = [
  // uk/ru: who am I, what is my name, how old am I, where do I live
  / (як|яке) (мене|мені) (звати|звуть|кличуть|імʼя|ім'я) /,
  / как (меня|мне) (зовут|звать|имя) /,
  / (хто|кто) (я|такий я|такая я|я такий|я такая) $/,
  / (скільки|сколько) (мені|мне) (років|рокiв|лет) /,
  / (де|где) я (живу|мешкаю|проживаю|навчаюсь|навчаюся|учусь|працюю|работаю) /,
  / (що|що ти|что|что ты) (знаєш|знаешь) (про|о|обо) (мене|меня) /,
  / (мене|меня) (звати|звуть|зовут) /,
  // en
  / what('s| is| was) my /,
  / (who|where|how old) am i /,
  / where do i live /,
  / (do|did) you (know|remember) (my|me|who i am|what i) /,
  / what do you know about me /,
  / (tell|give|remind) me my /,
];

const CONVERSATION_PHRASES: RegExp[] = [
  // uk
  / (що|шо|чого|про що) (я|ми) (тобі |вам |з тобою |з вами )?(вже |раніше |до цього |щойно |тільки що )?(казав|казала|казали|сказав|сказала|писав|писала|писали|написав|написала|питав|питала|питали|запитав|запитала|говорив|говорила|говорили|обговорювали|розповідав|розповідала|згадував|згадувала) /,
  / я (тобі |вам )?(вже |раніше |щойно )?(казав|казала|говорив|говорила|писав|писала|згадував|згадувала|питав|питала) /,
  / (нагадай|нагадайте|повтори|повторіть) (мені |будь ласка )?(що|мій|моя|моє|мої|мою|моїх|моєї|мого|як|про що|наш|нашу) /,
  / (підсумуй|підсумуйте|перекажи|резюмуй|узагальни|підсумок) /,
  / (наш|нашу|нашої|нашій|нашої|цю|цієї|цій|попередн\S*) (розмов\S*|бесід\S*|переписк\S*|діалог\S*|повідомленн\S*|питанн\S*|відповід\S*) /,
  / (вище|раніше) (в|у) (чаті|розмові|переписці) /,
  // ru
  / (что|чего|о чем|о чём) (я|мы) (тебе |вам |с тобой |с вами )?(уже |раньше |только что )?(говорил|говорила|говорили|сказал|сказала|писал|писала|написал|написала|спрашивал|спрашивала|обсуждали|рассказывал|рассказывала|упоминал|упоминала) /,
  / я (тебе |вам )?(уже |раньше )?(говорил|говорила|писал|писала|упоминал|упоминала|спрашивал|спрашивала) /,
  / (напомни|напомните|повтори|повторите) (мне |пожалуйста )?(что|мой|моя|мое|моё|мои|мою|моих|моей|моего|как|о чем|о чём|наш|нашу) /,
  / (подытожь|резюмируй|перескажи|суммируй|итог) /,
  / (наш|нашу|нашего|нашем|этот|этого|предыдущ\S*) (разговор\S*|бесед\S*|переписк\S*|диалог\S*|сообщени\S*|вопрос\S*|ответ\S*) /,
  // en
  / what (did|have|had) (i|we) (just |already |earlier |previously |before )?(say|said|tell|told|ask|asked|write|wrote|written|mention|mentioned|discuss|discussed|talk|talked) /,
  / i (just |already |previously )?(told|said|mentioned|asked|wrote) (you |to you )?(earlier|before|about|that|already|previously|a moment ago)? ?/,
  / (summarize|summarise|recap|summary of) /,
  / (our|this|the|previous|last|earlier) (conversation|chat|discussion|dialogue|dialog|messages?|question) /,
  / remind me (of |about )?(what|my|our|who|how) /,
  / (repeat|say again) (what|my) /,
];

function phraseOf(tokens: readonly string[]): string {
  return ` ${tokens.join(' ')} `;
}

/** uk/ru data nouns match as word starts (cases); English ones as whole words (plurals). */
const DATA_UK_RU_PATTERN = new RegExp(`^(${DATA_UK_RU.join('|')})`);
const DATA_EN_PATTERN = new RegExp(`^(${DATA_EN.join('|')})$`);

/** A possessive (my/мій/its third-person kin) followed, within three words, by a data noun. */
function possessedData(tokens: readonly string[], possessives: ReadonlySet<string>, data: RegExp): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (!possessives.has(tokens[i])) continue;
    for (let j = Math.max(0, i - 3); j <= Math.min(tokens.length - 1, i + 3); j++) {
      if (j !== i && data.test(tokens[j])) return true;
    }
  }
  return false;
}

function kindOfTokens(tokens: readonly string[]): PersonalKind | undefined {
  const phrase = phraseOf(tokens);
  for (const pattern of CONVERSATION_PHRASES) if (pattern.test(phrase)) return 'conversation';
  for (const pattern of SELF_PHRASES) if (pattern.test(phrase)) return 'self';
  if (possessedData(tokens, POSSESSIVE_UK_RU, DATA_UK_RU_PATTERN) || possessedData(tokens, POSSESSIVE_EN, DATA_EN_PATTERN)) return 'self';
  // «Який у нього телефон?», "What is her email?": about someone named earlier.
  if (possessedData(tokens, THIRD_UK_RU, DATA_UK_RU_PATTERN) || possessedData(tokens, THIRD_EN, DATA_EN_PATTERN)) return 'third-party';
  return undefined;
}

/** Latin-letter uk/ru possessives that transliteration does not map to a dictionary form. */
const LATIN_POSSESSIVES: Record<string, string> = {
  mii: 'мій', miy: 'мій', mij: 'мій', moi: 'мої', moyi: 'мої', moji: 'мої', moia: 'моя', moya: 'моя', moja: 'моя', moie: 'моє', moye: 'моє', moje: 'моє', moyu: 'мою', moiu: 'мою',
  moju: 'мою', moho: 'мого', moego: 'моего', moei: 'моєї', moyei: 'моєї', moikh: 'моїх', moyikh: 'моїх', moih: 'моїх', moj: 'мой', moy: 'мой',
};

/**
 * Why `text` is a personal question, or undefined when it is not one.
 *
 * @example
 * personalQuestionKind('Як мене звати?')                      // 'self'
 * personalQuestionKind('Що я тобі казав про гуртожиток?')     // 'conversation'
 * personalQuestionKind('Який у нього телефон?')               // 'third-party'
 * personalQuestionKind('Чи можу я поселитися в гуртожиток?')  // undefined
 */
export function personalQuestionKind(text: string): PersonalKind | undefined {
  return kindMemo(text);
}

/** Questions repeat (that is why there is a cache), so their verdict is remembered. */
const kindMemo = memoizeString(kindOfText, 4096);

function kindOfText(text: string): PersonalKind | undefined {
  const tokens = tokenize(text);
  if (tokens.length === 0) return undefined;
  const direct = kindOfTokens(tokens);
  if (direct) return direct;
  // Latin letters: English is checked above; uk/ru typed in Latin letters is checked in Cyrillic.
  if (!tokens.some((t) => /[a-z]/.test(t))) return undefined;
  const asUk = kindOfTokens(tokens.map(ukWordOf));
  if (asUk) return asUk;
  return kindOfTokens(tokens.map(ruWordOf));
}

/**
 * A token as the uk / ru word it may stand for in Latin letters. Words recur from question
 * to question (an English question's every word goes through here), so each is converted
 * once: ~150–300 µs per new English question before, most of the personal-question check.
 */
const ukWordOf = memoizeString((t: string) => LATIN_POSSESSIVES[t] ?? (/[a-z]/.test(t) ? (tokenize(toCyrillic(t, 'uk'))[0] ?? t) : t), 8192, 64);
const ruWordOf = memoizeString((t: string) => LATIN_POSSESSIVES[t] ?? (/[a-z]/.test(t) ? (tokenize(toCyrillic(t, 'ru'))[0] ?? t) : t), 8192, 64);

/**
 * Is `text` a question about the asker's own data, their conversation, or someone named in
 * it? Such a question is neither served from nor written to a shared cache.
 *
 * @example
 * isPersonalQuestion('What is my phone number?')            // true
 * isPersonalQuestion('Can I transfer to another faculty?')  // false
 */
export function isPersonalQuestion(text: string): boolean {
  return personalQuestionKind(text) !== undefined;
}
