/**
 * Personal data in an answer: phone numbers, e-mail addresses, payment cards (Luhn-valid),
 * document numbers (Ukrainian passports and ID cards, tax numbers, foreign passports, US
 * SSNs), and any name or number the user wrote in the conversation's earlier turns. An
 * answer that carries any of these is not shared with other users, whatever it answers.
 * Rules lean wide: a false positive costs a cache entry; a false negative can leak.
 */
import { normalize } from './normalize.js';

/** What kind of personal data an answer carries. */
export type PersonalDataKind = 'phone' | 'email' | 'card' | 'document' | 'from-conversation';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/u;
// +380 50 123 45 67, (050) 123-45-67, 0501234567, +1 (555) 010-9999: 9–15 digits with separators.
const PHONE = /(?<![\p{L}\p{N}])\+?\(?\d[\d\s().-]{7,20}\d(?![\p{L}\p{N}])/gu;
// 13–19 digits in groups: a card number (checked with Luhn).
const CARD = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
const DOCUMENTS: RegExp[] = [
  // Old Ukrainian/Russian passport: two Cyrillic letters + 6 digits (АА123456); foreign
  // passports: two Latin letters + 6–7 digits (FA123456).
  /(?<![\p{L}\p{N}])[А-ЯЇІЄҐA-Z]{2}\s?№?\s?\d{6,7}(?![\p{L}\p{N}])/u,
  // Russian passport series + number: 45 03 123456.
  /(?<!\d)\d{2}\s\d{2}\s\d{6}(?!\d)/,
  // US SSN.
  /(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)/,
  // Ukrainian ID card (9 digits) and tax number РНОКПП (10 digits) when named.
  /(?:паспорт|passport|id[- ]?карт|картк[аиу] id|рнокпп|іпн|инн|ідентифікаційн|идентификационн|tax id|ssn)\D{0,20}\d{6,10}/iu,
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function hasCard(text: string): boolean {
  for (const match of text.matchAll(CARD)) {
    const digits = match[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) return true;
  }
  return false;
}

function hasPhone(text: string): boolean {
  for (const match of text.matchAll(PHONE)) {
    const digits = match[0].replace(/\D/g, '');
    // A plain year range or a price ("2024-2025", "25 000 000") is not a phone: a phone has
    // 9–15 digits and either a leading + / 0 or separators typical of phone numbers.
    if (digits.length < 9 || digits.length > 15) continue;
    if (match[0].startsWith('+') || digits.startsWith('0') || /\(\d+\)|\d-\d{2}-\d{2}/.test(match[0])) return true;
  }
  return false;
}

/**
 * The kinds of personal data `text` carries by its own shape (no conversation needed).
 *
 * @example
 * personalDataIn('Мій телефон +380501234567') // ['phone']
 * personalDataIn('Навчання коштує 25 000 грн на рік') // []
 */
export function personalDataIn(text: string): PersonalDataKind[] {
  const kinds: PersonalDataKind[] = [];
  if (EMAIL.test(text)) kinds.push('email');
  const card = hasCard(text);
  if (card) kinds.push('card');
  if (hasPhone(text) && !card) kinds.push('phone');
  if (DOCUMENTS.some((pattern) => pattern.test(text))) kinds.push('document');
  return kinds;
}

const NAME_INTRO = /(?:звати|звуть|зовут|[Mm]y name is|I am|I'm|[Cc]all me|прізвище|фамилия|surname is|я\s*[-—–]|[Цц]е|[Ээ]то)\s+([\p{Lu}][\p{Ll}'’ʼ-]+(?:\s+[\p{Lu}][\p{Ll}'’ʼ-]+)?)/gu;
const CAPITALISED = /(?<![\p{L}\p{N}])[\p{Lu}][\p{Ll}'’ʼ-]{2,}/gu;

/**
 * Names and numbers a user wrote: capitalised words not opening a sentence, the words after
 * «мене звати» / "my name is", and every number of four digits or more (digits only).
 */
export function conversationFactsOf(userTexts: readonly string[]): { names: string[]; numbers: string[] } {
  const names = new Set<string>();
  const numbers = new Set<string>();
  for (const text of userTexts) {
    for (const match of text.matchAll(NAME_INTRO)) for (const word of match[1].split(/\s+/)) names.add(word);
    for (const match of text.matchAll(CAPITALISED)) {
      const before = text.slice(0, match.index).trimEnd();
      if (before === '' || /[.!?…:]$/.test(before)) continue;
      names.add(match[0]);
    }
    for (const match of text.matchAll(/\+?\d[\d\s().-]*\d|\d+/g)) {
      const digits = match[0].replace(/\D/g, '');
      if (digits.length >= 4) numbers.add(digits);
    }
  }
  return { names: [...names].map((n) => normalize(n)).filter((n) => n.length >= 3), numbers: [...numbers] };
}

/** A name matches a word that starts with all but its last two letters (Олена ~ Олені, Олено). */
function nameIn(words: readonly string[], name: string): boolean {
  const stem = name.length > 4 ? name.slice(0, name.length - 2) : name;
  return words.some((word) => word === name || (word.startsWith(stem) && word.length <= name.length + 3));
}

/**
 * The names and numbers from the user's earlier turns that `answer` repeats.
 *
 * @example
 * repeatedConversationFacts('Олено, навчання коштує 25 000 грн', ['Мене звати Олена Коваль']) // ['олена']
 */
export function repeatedConversationFacts(answer: string, userTexts: readonly string[]): string[] {
  if (userTexts.length === 0) return [];
  const facts = conversationFactsOf(userTexts);
  const repeated: string[] = [];
  if (facts.names.length > 0) {
    const words = normalize(answer).split(' ');
    for (const name of facts.names) if (nameIn(words, name)) repeated.push(name);
  }
  if (facts.numbers.length > 0) {
    const runs = [...answer.matchAll(/\+?\d[\d\s().-]*\d|\d+/g)].map((m) => m[0].replace(/\D/g, '')).filter((d) => d.length >= 4);
    for (const number of facts.numbers) {
      if (runs.some((run) => run.includes(number) || (run.length >= 4 && number.includes(run)))) repeated.push(number);
    }
  }
  return repeated;
}

/**
 * Whether an answer may be shared with other users: it carries no personal data by shape
 * and repeats no name or number from the user's earlier turns.
 *
 * @example
 * shareableAnswer('Навчання коштує 25 000 грн на рік.', ['Мене звати Олена, мій телефон +380501234567']) // { shareable: true }
 * shareableAnswer('Олено, навчання коштує 25 000 грн.', ['Мене звати Олена']) // { shareable: false, reason: 'from-conversation' }
 */
export function shareableAnswer(answer: string, earlierUserTexts: readonly string[] = []): { shareable: true } | { shareable: false; reason: PersonalDataKind } {
  const kinds = personalDataIn(answer);
  if (kinds.length > 0) return { shareable: false, reason: kinds[0] };
  if (repeatedConversationFacts(answer, earlierUserTexts).length > 0) return { shareable: false, reason: 'from-conversation' };
  return { shareable: true };
}
