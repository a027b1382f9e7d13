/**
 * The texts the knowledge plugin writes: the grounding block the model sees (numbered
 * sources and the instruction to cite them), the note for questions the documents do not
 * cover, the polite refusal, and the extractive answer given when no model is reachable.
 */
import type { ChatMessage, ReplySourceRef } from '../../core/index.js';
import { detectLanguage } from '../../core/text/index.js';
import { HybridIndex } from './retrieval.js';
import { splitSentences } from './markdown.js';
import type { PassageMatch } from './knowledge-index.js';
import type { Passage } from './sources.js';

export type UserLanguage = 'uk' | 'en' | 'ru';

const GROUNDING: Record<UserLanguage, string> = {
  uk: 'Відповідай на підставі пронумерованих джерел нижче — документів цього закладу. Посилайся на використані джерела як [n]. Якщо в джерелах немає відповіді, так і скажи, не вигадуй.',
  en: 'Answer from the numbered sources below — this institution’s own documents. Cite the sources you use as [n]. If the sources do not contain the answer, say so instead of guessing.',
  ru: 'Отвечай на основе пронумерованных источников ниже — документов этого учреждения. Ссылайся на использованные источники как [n]. Если в источниках нет ответа, так и скажи, не выдумывай.',
};

const NOT_COVERED: Record<UserLanguage, string> = {
  uk: 'Документи цього закладу не містять відповіді на це запитання. Скажи про це й не вигадуй конкретних фактів (сум, дат, адрес, телефонів).',
  en: 'This institution’s documents do not cover this question. Say so, and do not invent specific facts (fees, dates, addresses, phone numbers).',
  ru: 'Документы этого учреждения не содержат ответа на этот вопрос. Скажи об этом и не выдумывай конкретных фактов (сумм, дат, адресов, телефонов).',
};

const REFUSAL: Record<UserLanguage, (contact?: string) => string> = {
  uk: (contact) => `Вибачте, у моїх документах немає відповіді на це запитання. ${contact ? `Зверніться, будь ласка: ${contact}.` : 'Зверніться, будь ласка, до працівників закладу.'}`,
  en: (contact) => `Sorry, my documents do not answer this question. ${contact ? `Please contact ${contact}.` : 'Please contact the staff.'}`,
  ru: (contact) => `Извините, в моих документах нет ответа на этот вопрос. ${contact ? `Пожалуйста, обратитесь: ${contact}.` : 'Пожалуйста, обратитесь к сотрудникам.'}`,
};

const MODEL_UNAVAILABLE: Record<UserLanguage, string> = {
  uk: 'Мовна модель зараз недоступна — це відповідь дослівно з документів.',
  en: 'The language model is unavailable right now — this answer is quoted from the documents.',
  ru: 'Языковая модель сейчас недоступна — это ответ дословно из документов.',
};

const SOURCE_LABEL: Record<UserLanguage, string> = { uk: 'Джерело', en: 'Source', ru: 'Источник' };

/** The language to write in: the question's own when it is clear, else the deployment's. */
export function languageOf(question: string, fallback: UserLanguage): UserLanguage {
  const detected = detectLanguage(question);
  return detected === 'unknown' ? fallback : detected;
}

/** What `meta.sources` lists for a passage. */
export function sourceRef(passage: Passage): ReplySourceRef {
  return passage.url ? { id: passage.id, title: passage.title, url: passage.url } : { id: passage.id, title: passage.title };
}

/**
 * The system text that grounds the model: the instruction, then `[n] title` and the text of
 * each passage.
 * @example
 * groundingText(matches, 'uk') // 'Відповідай на підставі … \n\n[1] Кампус › Гуртожитки\nПроживання коштує …'
 */
export function groundingText(matches: readonly PassageMatch[], language: UserLanguage): string {
  const blocks = matches.map((m, i) => `[${i + 1}] ${m.passage.title}${m.passage.url ? ` (${m.passage.url})` : ''}\n${m.passage.text}`);
  return `${GROUNDING[language]}\n\n${blocks.join('\n\n')}`;
}

/** The note for a question the documents do not cover (`whenNotFound: model`). */
export function notCoveredText(language: UserLanguage): string {
  return NOT_COVERED[language];
}

/** The fixed polite refusal (`whenNotFound: refuse`). */
export function refusalText(language: UserLanguage, contact?: string): string {
  return REFUSAL[language](contact);
}

/**
 * Adds a system text after the leading system messages (the deployment's or the client's
 * prompt stays first; the conversation is untouched).
 */
export function withSystemText(messages: readonly ChatMessage[], text: string): ChatMessage[] {
  let at = 0;
  while (at < messages.length && messages[at].role === 'system') at++;
  return [...messages.slice(0, at), { role: 'system', content: text }, ...messages.slice(at)];
}

/** The closing lines of an answer given without the model: its source, and why. */
function footer(refs: readonly ReplySourceRef[], language: UserLanguage): string {
  const sources = refs.map((r, i) => `[${i + 1}] ${r.title}${r.url ? ` — ${r.url}` : ''}`).join('\n');
  return `${SOURCE_LABEL[language]}: ${sources}\n(${MODEL_UNAVAILABLE[language]})`;
}

/** Sentences picked from a passage for an extractive answer. */
const EXTRACT_SENTENCES = 2;

/**
 * The answer given when no model is reachable: a curated FAQ answer as written, or the
 * sentences of the best passage that best answer the question — with the source and a line
 * saying the model is unavailable.
 * @example
 * extractiveAnswer('Коли працює бібліотека?', [match], 'uk')
 * // 'Вона працює з понеділка по п'ятницю з 8:00 до 20:00 …\n\nДжерело: [1] Кампус › Бібліотека …\n(Мовна модель зараз недоступна …)'
 */
export function extractiveAnswer(question: string, matches: readonly PassageMatch[], language: UserLanguage): { text: string; sources: ReplySourceRef[] } {
  const best = matches[0].passage;
  const sources = [sourceRef(best)];
  if (best.kind === 'faq') return { text: `${best.text}\n\n${footer(sources, language)}`, sources };
  const sentences = splitSentences(best.text);
  let body = best.text;
  if (sentences.length > EXTRACT_SENTENCES) {
    const ranked = new HybridIndex(sentences.map((text) => ({ text }))).search(question, EXTRACT_SENTENCES, 0.01);
    const picked = (ranked.length ? ranked.map((r) => r.doc) : [0]).sort((a, b) => a - b);
    body = picked.map((i) => sentences[i]).join(' ');
  }
  return { text: `${body}\n\n${footer(sources, language)}`, sources };
}
