/**
 * What a knowledge index keeps of each document: the features of its words (stems,
 * cross-script spelling keys, lexicon concepts, slots — from core/text's light document
 * analysis, or the question analysis for documents that are questions), the kind of answer
 * it can give (an amount, a date, a place, a duration), and its built-in vector.
 */
import { createHash } from 'node:crypto';
import { createHashingEmbedder } from '../../core/index.js';
import { analyzeDocument, analyzeQuestion, modelFor, type QuestionAnalysis, type TextOptions } from '../../core/text/index.js';

/** A document to index: a passage, or one FAQ question variant. */
export interface IndexedText {
  /** Weighted twice (a heading, a FAQ question). */
  title?: string;
  text: string;
}

/** One document's analysed form: what the index keeps of it (and what an index file stores). */
export interface DocumentFeatures {
  /** Feature names (stems, spelling keys, concepts, slots), each once. */
  features: string[];
  /** Term frequency of each feature (a title counts twice). */
  counts: number[];
  /** Words counted, for BM25's length normalisation. */
  length: number;
  vector: Float32Array;
}

/** Analyses documents for an index: the same features for a stored copy and a fresh one. */
export interface DocumentAnalyzer {
  /** Names the analysis: features stored under another key must be recomputed. */
  readonly key: string;
  analyze(document: IndexedText): DocumentFeatures;
  /** The built-in vector of an analysed text (a question's, at search time). */
  embed(analysis: QuestionAnalysis): Float32Array;
}

/** Bump when document analysis changes its features (stored index files then rebuild). */
const ANALYSIS_FORMAT = 5;

/** An optional word («університет» in a one-university bot) weighs this much. */
export const OPTIONAL_WEIGHT = 0.3;
/** Slot features (numbers, years, degrees, entities) weigh this much. */
export const SLOT_WEIGHT = 0.5;

/**
 * What kind of answer a text can give, read from its surface: an amount of money, a date or
 * a time of day, a place (building, room, street), a duration. A question asking «where»
 * then prefers the passage that names a place over one that only mentions its topic.
 */
const ANSWER_TYPES: Record<string, RegExp> = {
  cost: /\d[\d\s\u00a0\u202f,.]*\s?(?:грн|гривен|гривень|uah|usd|eur|дол|€|\$|₴)/iu,
  date: /\d{1,2}:\d{2}|\b\d{1,2}\s+(?:січ|лют|берез|квіт|трав|черв|лип|серп|верес|жовт|листоп|груд|янв|февр|мар|апр|ма[яй]|июн|июл|авг|сент|окт|нояб|дек|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\b(?:january|february|march|april|june|july|august|september|october|november|december)\b|понеділ|вівтор|серед|четвер|п'ятниц|субот|неділ|monday|friday|saturday|sunday/iu,
  place: /корпус|кімнат|аудиторі|вулиц|вул\.|поверс|поверх|адрес|комнат|улиц|этаж|\b(?:room|street|building|floor|campus|address)\b/iu,
  duration: /\d+\s*(?:рок|рік|років|місяц|тижн|дн|годин|год|year|month|week|day|hour|лет|месяц|недел)/iu,
};
/** The answer type a question's intent asks for. */
export const ANSWER_TYPE_OF_INTENT: Record<string, string> = { where: 'place', when: 'date', cost: 'cost', amount: 'cost', duration: 'duration' };
/** The answer-type pseudo-word weighs this much. */
export const ANSWER_TYPE_WEIGHT = 0.5;

/** Features of each content word of an analysed text, and its slot features. */
export function featuresOf(analysis: QuestionAnalysis): { token: string; features: string[]; optional: boolean; slot: boolean }[] {
  const words: { token: string; features: string[]; optional: boolean; slot: boolean }[] = [];
  for (const word of analysis.content) {
    const features = [`s:${word.stem}`];
    if (word.key.length >= 3) features.push(`k:${word.key}`);
    for (const concept of word.concepts) features.push(`c:${concept}`);
    words.push({ token: word.token, features, optional: word.optional, slot: false });
  }
  const slots = analysis.slots;
  for (const n of slots.numbers) words.push({ token: n, features: [`#:${n}`], optional: false, slot: true });
  for (const y of slots.years) words.push({ token: y, features: [`y:${y}`], optional: false, slot: true });
  for (const d of slots.degrees) words.push({ token: d, features: [`d:${d}`], optional: false, slot: true });
  for (const e of slots.entities) words.push({ token: e, features: [`e:${e}`], optional: false, slot: true });
  return words;
}


/**
 * The analyser of an index's documents: core/text's light document analysis (tokens, stems,
 * keys, concepts, slots) for passages, the full question analysis for documents that are
 * questions (FAQ variants), and the built-in embedder's vector of the same analysis.
 * @example
 * const analyzer = documentAnalyzer({ dimensions: 256 });
 * analyzer.analyze({ title: 'Гуртожитки', text: 'Проживання коштує 1 500 грн.' }).features
 */
export function documentAnalyzer(options: { dimensions?: number; text?: TextOptions; questions?: boolean } = {}): DocumentAnalyzer {
  // One analyser per vocabulary object, size and kind: compiling the lexicon and
  // fingerprinting the embedder are not for every index (answers.ts builds one per reply).
  const text = options.text ?? NO_TEXT;
  const id = `${options.dimensions ?? 256}:${!!options.questions}`;
  let byKind = analyzers.get(text);
  if (!byKind) analyzers.set(text, (byKind = new Map()));
  let analyzer = byKind.get(id);
  if (!analyzer) byKind.set(id, (analyzer = createAnalyzer(text, options.dimensions ?? 256, !!options.questions)));
  return analyzer;
}

const NO_TEXT: TextOptions = {};
const analyzers = new WeakMap<TextOptions, Map<string, DocumentAnalyzer>>();

function createAnalyzer(text: TextOptions, dimensions: number, questions: boolean): DocumentAnalyzer {
  const options = { text, questions };
  const model = modelFor(text === NO_TEXT ? undefined : text);
  const embedder = createHashingEmbedder({ dimensions, text });
  const analyse = options.questions ? analyzeQuestion : analyzeDocument;
  const key = createHash('sha256')
    .update(JSON.stringify({ format: ANALYSIS_FORMAT, embedder: embedder.id, questions: !!options.questions, text: options.text ?? {}, lexicon: [model.conceptsByStem.size, model.phrasesByFirstStem.size] }))
    .digest('hex')
    .slice(0, 16);
  return {
    key,
    embed: (analysis) => embedder.embedAnalysis(analysis),
    analyze(document) {
      const counts = new Map<string, number>();
      let length = 0;
      const add = (analysis: QuestionAnalysis, times: number) => {
        for (const word of featuresOf(analysis)) {
          length += times;
          // A word counts once per feature kind it has; its features share the occurrence.
          for (const feature of word.features) counts.set(feature, (counts.get(feature) ?? 0) + times);
        }
      };
      const body = analyse(document.text, model);
      for (const [type, pattern] of Object.entries(ANSWER_TYPES)) if (pattern.test(document.text)) counts.set(`a:${type}`, 1);
      if (document.title) {
        // A title is a heading or a FAQ question: short, and its question words (its intent) count.
        const title = analyzeQuestion(document.title, model);
        add(title, 2);
        add(body, 1);
        // One vector for the whole document: the title's words and the body's together.
        const vector = embedder.embedAnalysis({ ...body, content: [...title.content, ...body.content], slots: mergedSlots(title, body) });
        return { features: [...counts.keys()], counts: [...counts.values()], length, vector };
      }
      add(body, 1);
      return { features: [...counts.keys()], counts: [...counts.values()], length, vector: embedder.embedAnalysis(body) };
    },
  };
}

function mergedSlots(a: QuestionAnalysis, b: QuestionAnalysis): QuestionAnalysis['slots'] {
  const union = <T extends string>(x: T[], y: T[]) => [...new Set([...x, ...y])].sort();
  return { ...b.slots, intent: a.slots.intent, timePolarity: a.slots.timePolarity, numbers: union(a.slots.numbers, b.slots.numbers), years: union(a.slots.years, b.slots.years), degrees: union(a.slots.degrees, b.slots.degrees), entities: union(a.slots.entities, b.slots.entities) };
}
