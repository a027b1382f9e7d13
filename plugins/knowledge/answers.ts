/**
 * The texts the knowledge plugin writes: the grounding block the model sees (numbered
 * sources and the instruction to cite them), the note for questions the documents do not
 * cover, the polite refusal, and the extractive answer given when no model is reachable.
 */
import type { ChatMessage, ReplySourceRef } from '../../core/index.js';
import { analyzeDocument, analyzeQuestion, compareQuestions, detectLanguage, modelFor, slotDifference, type QuestionSlots, type TextOptions } from '../../core/text/index.js';
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

/** An answer given without the model: its text, its source, and whether a FAQ entry was verified. */
export interface ExtractiveAnswer {
  text: string;
  sources: ReplySourceRef[];
  /** `faq` only when the question verified as the entry's `q`; else `knowledge`. */
  source: 'faq' | 'knowledge';
  /** The passage quoted. */
  passage: Passage;
}

/**
 * Do two sets of slots agree in what changes a quoted answer — numbers, years, degree,
 * negation, start/end, this/next period, entities? core/text's own `slotDifference` judges;
 * the slots that only shape the wording (intent, person, modality…) are the question's own.
 */
function slotsAgree(question: QuestionSlots, other: Pick<QuestionSlots, 'numbers' | 'years' | 'degrees' | 'negated' | 'timePolarity' | 'timeRelative' | 'entities'>): boolean {
  const { numbers, years, degrees, negated, timePolarity, timeRelative, entities } = other;
  return slotDifference(question, { ...question, numbers, years, degree: degrees[0], degrees, negated, timePolarity, timeRelative, entities }) === undefined;
}

/** What the question names (a number, a degree, an entity) the text names too — else the text's own list. */
const named = <T extends string>(asked: readonly T[], has: readonly T[]): T[] => (asked.every((x) => has.includes(x)) ? [...asked] : [...has]);

/**
 * A passage speaks about several things at once, and states rather than asks: it agrees
 * with a question when it names every number, year, degree and entity the question names.
 */
function passageAgrees(question: QuestionSlots, passage: QuestionSlots): boolean {
  return slotsAgree(question, { ...question, numbers: named(question.numbers, passage.numbers), years: named(question.years, passage.years), degrees: named(question.degrees, passage.degrees), entities: named(question.entities, passage.entities) });
}

/**
 * A sentence of an agreeing passage may still be about another degree («в магістратурі…»),
 * entity or end of a period («…відкривається 24 червня» for «коли закінчується…»): a slot
 * it names must be the question's.
 */
function sentenceAgrees(question: QuestionSlots, sentence: QuestionSlots): boolean {
  const ifNamed = <T extends string>(asked: readonly T[], has: readonly T[]) => (has.length === 0 ? [...asked] : named(asked, has));
  return slotsAgree(question, {
    ...question,
    degrees: ifNamed(question.degrees, sentence.degrees),
    entities: ifNamed(question.entities, sentence.entities),
    timePolarity: sentence.timePolarity ?? question.timePolarity,
    timeRelative: sentence.timeRelative ?? question.timeRelative,
  });
}

/**
 * The answer given when no model is reachable, or undefined when nothing may be quoted.
 * A curated FAQ answer is quoted as written only when the question verifies as the same
 * question as the entry's `q` (core/text `compareQuestions`, the cache's verifier) — then
 * the source is `faq`. Otherwise the best passage (page or FAQ answer) whose slots agree
 * with the question's gives the sentences that best answer it, with the source `knowledge`:
 * «Скільки коштує навчання в аспірантурі?» never gets the bachelor's fee, «Коли
 * закінчується…» never the start. Each answer names its source and says the model is unavailable.
 * @example
 * extractiveAnswer('Коли працює бібліотека?', [match], 'uk')
 * // { source: 'knowledge', text: 'Вона працює з понеділка по п'ятницю з 8:00 до 20:00 …\n\nДжерело: [1] Кампус › Бібліотека …\n(Мовна модель зараз недоступна …)', … }
 */
export function extractiveAnswer(question: string, matches: readonly PassageMatch[], language: UserLanguage, text?: TextOptions): ExtractiveAnswer | undefined {
  const model = modelFor(text);
  const asked = analyzeQuestion(question, model).slots;
  for (const { passage } of matches) {
    const sources = [sourceRef(passage)];
    if (passage.kind === 'faq' && passage.faq) {
      const variants = passage.faq.questions.map((q) => compareQuestions(question, q, text));
      if (variants.some((c) => c.same)) return { text: `${passage.text}\n\n${footer(sources, language)}`, sources, source: 'faq', passage };
      // Not the same question: its answer may still be quoted when its question asks about the same degree, period, number…
      if (!passage.faq.questions.some((q) => slotsAgree(asked, analyzeQuestion(q, model).slots))) continue;
    } else if (!passageAgrees(asked, analyzeDocument(`${passage.title}\n${passage.text}`, model).slots)) continue;
    const sentences = splitSentences(passage.text).filter((s) => sentenceAgrees(asked, analyzeQuestion(s, model).slots));
    if (sentences.length === 0) continue;
    let body = sentences.join(' ');
    if (sentences.length > EXTRACT_SENTENCES) {
      const ranked = new HybridIndex(sentences.map((s) => ({ text: s })), { text }).search(question, EXTRACT_SENTENCES, 0.01);
      const picked = (ranked.length ? ranked.map((r) => r.doc) : [0]).sort((a, b) => a - b);
      body = picked.map((i) => sentences[i]).join(' ');
    }
    return { text: `${body}\n\n${footer(sources, language)}`, sources, source: 'knowledge', passage };
  }
  return undefined;
}
