/**
 * Retrieval quality on labelled questions (`kobza eval knowledge`). A question's ranked list
 * is the FAQ answer it would be served (if any) followed by the retrieved passages above
 * `minScore`; `expect` must appear in one of them (case and spacing ignored).
 * - hitAt1 / hitAt5: share of answerable questions with `expect` at rank 1 / within 5;
 * - mrr: mean reciprocal rank of the first hit (0 when none);
 * - abstain: share of out-of-scope (`expect: null`) questions where no FAQ answer is served
 *   and no passage passes `minScore`;
 * - faqWrong: FAQ answers served whose text lacks `expect` (any served for a null question).
 */
import { KobzaError } from '../../core/index.js';
import type { KnowledgeIndex } from './knowledge-index.js';

/** One labelled question. */
export interface LabelledQuestion {
  question: string;
  /** A fragment the answer's passage must contain; null = out of scope. */
  expect: string | null;
}

export interface KnowledgeEvalResult {
  questions: number;
  answerable: number;
  outOfScope: number;
  hitAt1: number;
  hitAt5: number;
  mrr: number;
  abstain: number;
  faqWrong: number;
  /** Questions that missed (or, for null ones, did not abstain), for the report. */
  failures: { question: string; expect: string | null; got: string[]; faq?: string }[];
}

/**
 * Parses JSON Lines `{ "question": "...", "expect": "..." | null }`; blank and `#` lines skipped.
 * @example
 * parseQuestions('{"question":"Де гуртожиток?","expect":"Садовій"}') // [{ question: 'Де гуртожиток?', expect: 'Садовій' }]
 */
export function parseQuestions(source: string, file = '<questions>'): LabelledQuestion[] {
  const questions: LabelledQuestion[] = [];
  source.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new KobzaError('BAD_REQUEST', `${file}:${i + 1}: invalid JSON: ${(err as Error).message}`);
    }
    const item = value as Partial<LabelledQuestion>;
    if (typeof item?.question !== 'string' || !item.question.trim() || !(item.expect === null || (typeof item.expect === 'string' && item.expect.trim()))) {
      throw new KobzaError('BAD_REQUEST', `${file}:${i + 1}: expected { "question": "...", "expect": "<text fragment>" | null }`);
    }
    questions.push({ question: item.question, expect: item.expect });
  });
  return questions;
}

/** Lowercase, one apostrophe, one space: how `expect` is looked for. */
export function looseText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[’ʼ`]/g, "'")
    .replace(/[\s\u00a0\u202f]+/g, ' ')
    .trim();
}

/**
 * Scores an index on labelled questions.
 * @example
 * const result = evaluateKnowledge(index, parseQuestions(text), { minScore: 0.45 });
 * result.hitAt5 // 0.95
 */
export function evaluateKnowledge(index: KnowledgeIndex, questions: readonly LabelledQuestion[], options: { minScore: number; faq?: boolean }): KnowledgeEvalResult {
  let answerable = 0;
  let outOfScope = 0;
  let hit1 = 0;
  let hit5 = 0;
  let reciprocal = 0;
  let abstained = 0;
  let faqWrong = 0;
  const failures: KnowledgeEvalResult['failures'] = [];
  for (const { question, expect } of questions) {
    const faq = options.faq === false ? undefined : index.matchFaq(question);
    const ranked: { id: string; text: string }[] = [];
    if (faq) ranked.push({ id: faq.entry.id, text: faq.entry.answer });
    for (const match of index.retrieve(question, 5, options.minScore)) {
      if (faq && match.passage.id === faq.entry.id) continue;
      ranked.push({ id: match.passage.id, text: `${match.passage.title}\n${match.passage.text}` });
    }
    const top = ranked.slice(0, 5);
    if (expect === null) {
      outOfScope++;
      if (faq) faqWrong++;
      if (top.length === 0) abstained++;
      else failures.push({ question, expect, got: top.map((r) => r.id), faq: faq?.entry.id });
      continue;
    }
    answerable++;
    const wanted = looseText(expect);
    if (faq && !looseText(faq.entry.answer).includes(wanted)) faqWrong++;
    const rank = top.findIndex((r) => looseText(r.text).includes(wanted));
    if (rank === 0) hit1++;
    if (rank >= 0) {
      hit5++;
      reciprocal += 1 / (rank + 1);
    }
    if (rank !== 0) failures.push({ question, expect, got: top.map((r) => r.id), faq: faq?.entry.id });
  }
  const share = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 1000);
  return {
    questions: questions.length,
    answerable,
    outOfScope,
    hitAt1: share(hit1, answerable),
    hitAt5: share(hit5, answerable),
    mrr: share(reciprocal, answerable),
    abstain: share(abstained, outOfScope),
    faqWrong,
    failures,
  };
}
