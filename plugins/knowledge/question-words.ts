/**
 * Which question words carry the topic and which only frame the question, for retrieval's
 * weights. A small corpus makes any word it seldom uses look important (high idf), yet
 * «скільки людей живе в кімнаті», «фото якого розміру», «will someone pick me up» ask about
 * a topic (a room, a photo, arrival) through words that name no topic: verbs of doing, the
 * attribute asked for (size, level, number, people), English particles. Those weigh as
 * optional words here — in retrieval only; the semantic cache's verifier still pairs them.
 */

/**
 * Verb forms by their endings (uk/ru infinitives, reflexives, present and past tense) — not
 * nouns in -ість/-ость — and common English verbs of asking.
 */
const SLAVIC_VERB = /(?:[аяиіеуоыю]ти|[аяиіеуоыю]тися|[аяиіеуоыю]тись|ться|[аяиіеуыю]ть|ете|ите|ємо|емо|имо|ає|яє|ує|ює|ает|яет|ует|еет|ит|ав|ів|ив|ыв|ло|ли|ла)$/u;
/** Third-person present forms of common uk/ru verbs whose ending alone is a noun's too («живе», «бере»). */
const SLAVIC_PRESENT = /^(?:живе|живуть|живет|живут|бере|беруть|берет|берут|може|можуть|может|могут|пише|пишуть|пишет|йде|іде|идет|везе|везуть|везет|зустрічає|зустрічають|встречает|встречают)$/u;
const ENGLISH_VERBS = new Set([
  'play', 'require', 'required', 'requires', 'bring', 'move', 'live', 'lives', 'use', 'used', 'call', 'called', 'open', 'opens', 'opened',
  'apply', 'go', 'come', 'need', 'needed', 'want', 'pay', 'join', 'reach', 'contact', 'eat', 'stay', 'work', 'works', 'start', 'starts',
  'connect', 'pick', 'meet', 'arrive', 'arrives', 'send', 'submit', 'hand', 'find', 'put', 'sleep', 'share', 'book', 'visit', 'help',
]);

/**
 * True for a word that looks like a verb: uk/ru verb endings (not nouns in -ість/-ость), or
 * a common English verb.
 * @example
 * isVerbLike('займатися') // true
 * isVerbLike('гуртожиток') // false
 */
export function isVerbLike(token: string): boolean {
  const word = token.toLowerCase();
  if (/[\u0400-\u04ff]/.test(word)) return SLAVIC_PRESENT.test(word) || (word.length > 4 && SLAVIC_VERB.test(word) && !/(?:ість|ость)$/.test(word));
  return ENGLISH_VERBS.has(word);
}

/**
 * The attribute a question asks for, not its topic: size, level, number/amount, kind, people
 * and persons, «someone», and English particles of phrasal verbs («pick up»).
 */
const FRAME_WORD = /^(?:розмір\p{L}*|размер\p{L}*|size|sizes|рів(?:ень|ня|ню|нем|ні)|уров(?:ень|ня|ню|нем|не)|levels?|кількіст\p{L}*|количеств\p{L}*|amount|числа|число|вид|види|тип|типи|типа|types?|kinds?|люд(?:ей|и|ям|ьми|ина|ини)|человек|человека|people|persons?|someone|somebody|anyone|хтось|хто-небудь|кто-то|кто-нибудь|кто-либо|up|out|off|back)$/u;

/**
 * True for a word that frames the question (what about the topic is asked), not its topic.
 * @example
 * isFrameWord('розміру') // true
 * isFrameWord('фото') // false
 */
export function isFrameWord(token: string): boolean {
  return FRAME_WORD.test(token.toLowerCase());
}
