/**
 * The semantic cache's verifier: may the answer cached for question A be served for
 * question B? Yes only when every content word of each question finds a partner in the
 * other (same stem, same concept in the synonym lexicon, same cross-script spelling key,
 * or a small spelling distance) and no answer-changing slot differs. A global similarity
 * cannot separate "коштує" from "триває"; these explicit checks can.
 */

import { analyzeQuestion, modelFor, type ContentWord, type QuestionAnalysis, type QuestionSlots, type TextModel, type TextOptions } from './analysis/index.js';
import { editDistanceWithin } from './edit-distance.js';

/** The verdict on two questions. */
export interface QuestionComparison {
  /** The cached answer of one may be served for the other. */
  same: boolean;
  /** 0..1: how well the content words pair up (1 = all exact or synonyms). */
  similarity: number;
  /**
   * The check that refused: `number`, `year`, `degree`, `negation`, `time`, `intent`, `entity`,
   * `person`, `modality`, `symbol`, `context`, `order`, `content`.
   */
  vetoedBy?: string;
  /** A short human-readable explanation, for logs and `cache:miss` events. */
  reason: string;
}

/**
 * How strongly two content words pair up: 1 same stem, 0.95 synonyms, 0.9 same spelling key,
 * 0.85 one stem extends the other, 0.8 a typo; 0 = not partners.
 *
 * @example
 * const m = modelFor();
 * wordPartnerScore(analyzeQuestion('гуртожиток', m).content[0], analyzeQuestion('общага', m).content[0]) // 0.95
 */
export function wordPartnerScore(a: ContentWord, b: ContentWord): number {
  if (a.stem === b.stem) return 1;
  if (a.concepts.length && b.concepts.length) {
    for (const c of a.concepts) if (b.concepts.includes(c)) return 0.95;
    // Both words are in the lexicon under different concepts (деканат / декан): they are
    // known to differ, however alike they are spelled.
    if (a.conceptsExact && b.conceptsExact) return 0;
  }
  if (a.key.length >= 3 && a.key === b.key) return 0.9;
  const [short, long] = a.stem.length <= b.stem.length ? [a.stem, b.stem] : [b.stem, a.stem];
  const latin = /^[a-z]/.test(short) && /^[a-z]/.test(long);
  if (latin) {
    // English stems are reliable; "capital"/"capitalism" or "interviewee"/"interviewer" are
    // different words, so only a typo inside a long word (not at its end) is forgiven.
    if (short.length >= 6 && long.length - short.length <= 1 && short.slice(-2) === long.slice(-2) && editDistanceWithin(short, long, 1) <= 1) {
      return 0.8;
    }
    // A sound-alike letter typed for another (viza / visa, kolledge / colledge).
    if (short.length >= 4 && short.length === long.length && soundAlikeOnce(short, long)) return 0.8;
    return 0;
  }
  if (short.length >= 4 && long.startsWith(short) && long.length - short.length <= 3) return 0.85;
  const [ks, kl] = a.key.length <= b.key.length ? [a.key, b.key] : [b.key, a.key];
  if (ks.length >= 4 && ks[0] === kl[0]) {
    const limit = ks.length >= 8 && ks[1] === kl[1] ? 2 : 1;
    const close = editDistanceWithin(ks, kl, limit) <= limit || (editDistanceWithin(short, long, limit) <= limit && short[0] === long[0]);
    // A typo changes a letter or two of the written word too; two words whose stems only
    // look alike after cutting (військкомат / військова) are far apart as written.
    if (close && editDistanceWithin(a.token, b.token, limit + 2) <= limit + 2) return 0.8;
  }
  return 0;
}

const SOUND_ALIKE = new Set(['sz', 'zs', 'ck', 'kc', 'iy', 'yi']);
/** Exactly one position differs, by a sound-alike pair of letters, not the first letter. */
function soundAlikeOnce(a: string, b: string): boolean {
  let diff = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (diff >= 0 || i === 0 || !SOUND_ALIKE.has(a[i] + b[i])) return false;
    diff = i;
  }
  return diff > 0;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Intents that may stand for each other: they ask for the same kind of answer. */
const SOFT_INTENTS = new Set(['how', 'what']);
function intentsCompatible(a: QuestionSlots['intent'], b: QuestionSlots['intent'], infoSeeking: boolean): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return true;
  if (SOFT_INTENTS.has(a) && SOFT_INTENTS.has(b)) return true;
  const pair = new Set([a, b]);
  // "скільки балів" / "який бал": a number asked either way; "які документи" / "що потрібно".
  if (pair.has('count') && pair.has('what')) return true;
  if (pair.has('list') && pair.has('what')) return true;
  // "How is life as a freelancer?" asks what it is like — not how to do something.
  if (pair.has('quality') && pair.has('what')) return true;
  // A bare "how much is the dorm?" asks for its price.
  if (pair.has('amount') && pair.has('cost')) return true;
  // "як дізнатися розклад" / "де подивитися розклад": both ask where the information is.
  if (infoSeeking && pair.has('where') && (pair.has('how') || pair.has('what'))) return true;
  return false;
}

/**
 * The first answer-changing slot in which two questions differ, or undefined.
 *
 * @example
 * slotDifference(extractSlots('Де корпус 2?'), extractSlots('Де корпус 3?'))?.slot // 'number'
 */
export function slotDifference(a: QuestionSlots, b: QuestionSlots, infoSeeking = false): { slot: string; reason: string } | undefined {
  if (!sameList(a.numbers, b.numbers)) return { slot: 'number', reason: `numbers differ: [${a.numbers}] vs [${b.numbers}]` };
  if (!sameList(a.years, b.years)) return { slot: 'year', reason: `years differ: [${a.years}] vs [${b.years}]` };
  if (!sameList(a.degrees, b.degrees)) return { slot: 'degree', reason: `degree differs: [${a.degrees}] vs [${b.degrees}]` };
  if (a.negated !== b.negated) return { slot: 'negation', reason: `one question is negated, the other not` };
  if (a.timePolarity !== b.timePolarity) {
    return { slot: 'time', reason: `time polarity differs: ${a.timePolarity ?? 'none'} vs ${b.timePolarity ?? 'none'}` };
  }
  if ((a.timeRelative ?? 'current') !== (b.timeRelative ?? 'current')) {
    return { slot: 'time', reason: `period differs: ${a.timeRelative ?? 'current'} vs ${b.timeRelative ?? 'current'}` };
  }
  if (!intentsCompatible(a.intent, b.intent, infoSeeking)) return { slot: 'intent', reason: `intent differs: ${a.intent} vs ${b.intent}` };
  if (!sameList(a.entities, b.entities)) return { slot: 'entity', reason: `entities differ: [${a.entities}] vs [${b.entities}]` };
  if (a.person && b.person && a.person !== b.person) return { slot: 'person', reason: `asked about the ${a.person} vs the ${b.person}` };
  if (a.modality.length && b.modality.length && !a.modality.some((m) => b.modality.includes(m))) {
    return { slot: 'modality', reason: `modality differs: ${a.modality.join('/')} vs ${b.modality.join('/')}` };
  }
  if (a.manner && b.manner && a.manner !== b.manner) return { slot: 'intent', reason: `asks for the ${a.manner} vs the ${b.manner} way` };
  if (!sameList(a.symbols, b.symbols)) return { slot: 'symbol', reason: `symbols differ: [${a.symbols.join(' ')}] vs [${b.symbols.join(' ')}]` };
  return undefined;
}

/** Pair content words both ways; returns the similarity, the first word without a partner, and order problems. */
function pairContent(a: QuestionAnalysis, b: QuestionAnalysis, model: TextModel, options?: TextOptions): { similarity: number; unmatched?: string; order?: string } {
  let total = 0;
  let weight = 0;
  let unmatched: string | undefined;
  let order: string | undefined;
  const partnerOfA: (ContentWord | undefined)[] = [];
  const partnerOfB: (ContentWord | undefined)[] = [];
  // Concepts named in both questions: they may imply a word that only one side spells out.
  const conceptsA = new Set(a.content.flatMap((w) => w.concepts));
  const shared = new Set(b.content.flatMap((w) => w.concepts).filter((id) => conceptsA.has(id)));
  const implied = (w: ContentWord) => (model.impliedBy.get(w.stem) ?? []).some((id) => shared.has(id));
  const side = (from: ContentWord[], to: ContentWord[], fromA: boolean) => {
    for (const w of from) {
      let best = 0;
      let partner: ContentWord | undefined;
      for (const v of to) {
        const s = wordPartnerScore(w, v);
        if (s > best) { best = s; partner = v; }
        if (best === 1) break;
      }
      if (best === 0 && options?.wordSimilarity) [best, partner] = embeddingPartner(w, to, options);
      (fromA ? partnerOfA : partnerOfB).push(best > 0 ? partner : undefined);
      if (partner && w.role && partner.role && w.role !== partner.role && order === undefined) {
        order = `«${w.token}» is the ${w.role} in one question and the ${partner.role} in the other`;
      }
      if (best === 0 && (w.optional || implied(w))) continue;
      weight += 1;
      total += best;
      if (best === 0 && unmatched === undefined) unmatched = w.token;
    }
  };
  side(a.content, b.content, true);
  side(b.content, a.content, false);
  if (order === undefined && a.slots.lang === 'en' && b.slots.lang === 'en') {
    order = englishInversion(a, b, partnerOfA) ?? englishInversion(b, a, partnerOfB);
  }
  return { similarity: weight === 0 ? 1 : total / weight, unmatched, order };
}

/** Weight of a word paired by embedding similarity only: below every rule-based pairing. */
const EMBEDDING_PARTNER_SCORE = 0.7;

/** Strong-embedder mode: the other question's word most similar to `w`, if similar enough. */
function embeddingPartner(w: ContentWord, to: readonly ContentWord[], options: TextOptions): [number, ContentWord | undefined] {
  const min = options.wordSimilarityMin ?? 0.8;
  let best: ContentWord | undefined;
  let bestSimilarity = min;
  for (const v of to) {
    const similarity = options.wordSimilarity!(w.token, v.token);
    if (similarity !== undefined && similarity >= bestSimilarity) {
      bestSimilarity = similarity;
      best = v;
    }
  }
  return best ? [EMBEDDING_PARTNER_SCORE, best] : [0, undefined];
}

/** "convert miles to kilometres" vs "convert kilometres to miles": two paired words swap across a relation word. */
function englishInversion(a: QuestionAnalysis, b: QuestionAnalysis, partnerOfA: (ContentWord | undefined)[]): string | undefined {
  const relatedBetween = (q: QuestionAnalysis, x: number, y: number) => {
    for (let k = Math.min(x, y) + 1; k < Math.max(x, y); k++) if (q.relation[k]) return true;
    return false;
  };
  for (let i = 0; i < a.content.length; i++) {
    const pi = partnerOfA[i];
    if (!pi) continue;
    for (let j = i + 1; j < a.content.length; j++) {
      const pj = partnerOfA[j];
      if (!pj || pj === pi) continue;
      const wi = a.content[i];
      const wj = a.content[j];
      if (wi.stem === wj.stem || pi.stem === pj.stem) continue;
      // A fronted phrase ("In the library, is there …") moved, it did not swap roles.
      if (Math.min(wi.position, wj.position) < a.frontedUntil || Math.min(pi.position, pj.position) < b.frontedUntil) continue;
      const inverted = (wi.position - wj.position) * (pi.position - pj.position) < 0;
      if (inverted && relatedBetween(a, wi.position, wj.position) && relatedBetween(b, pi.position, pj.position)) {
        return `«${wi.token}» and «${wj.token}» swap places`;
      }
    }
  }
  return undefined;
}

/**
 * Two definition questions ask about one term only if the term is the same word, not just the
 * same stem: "What is a partition?" and "What is partitioning?" (the act) differ, as do
 * "marketing" and "market". Plurals and possessives still agree.
 */
function termMismatch(a: QuestionAnalysis, b: QuestionAnalysis): string | undefined {
  for (const w of a.content) {
    for (const v of b.content) {
      if (w.stem !== v.stem || !/^[a-z]/.test(w.token)) continue;
      if (w.token.endsWith('ing') !== v.token.endsWith('ing')) return `«${w.token}» and «${v.token}» are different terms`;
    }
  }
  return undefined;
}

/**
 * Compare two questions: are they the same question, so that one's answer serves the other?
 *
 * @example
 * compareQuestions('Скільки коштує навчання на контракті?', 'skilky koshtuie navchannia na kontrakti').same // true
 * compareQuestions('Коли початок сесії?', 'Коли кінець сесії?').vetoedBy // 'time'
 * compareQuestions('How much does the dorm cost?', 'How long does the dorm contract last?').same // false
 */
export function compareQuestions(a: string, b: string, options?: TextOptions): QuestionComparison {
  const model = modelFor(options);
  const qa = analyzeQuestion(a, model);
  const qb = analyzeQuestion(b, model);
  const diff = slotDifference(qa.slots, qb.slots, qa.infoSeeking || qb.infoSeeking);
  if (qa.normalized === qb.normalized && !diff) return { same: true, similarity: 1, reason: 'identical after normalisation' };
  const pairing = pairContent(qa, qb, model, options);
  if (diff) return { same: false, similarity: pairing.similarity, vetoedBy: diff.slot, reason: diff.reason };
  const term = qa.slots.intent === 'definition' && qb.slots.intent === 'definition' ? termMismatch(qa, qb) : undefined;
  if (term) return { same: false, similarity: pairing.similarity, vetoedBy: 'content', reason: term };
  if (qa.deictic || qb.deictic) {
    return { same: false, similarity: pairing.similarity, vetoedBy: 'context', reason: `«${qa.deictic ? a : b}» points at something the question does not contain` };
  }
  if (pairing.order !== undefined) return { same: false, similarity: pairing.similarity, vetoedBy: 'order', reason: pairing.order };
  if (pairing.unmatched !== undefined) {
    return { same: false, similarity: pairing.similarity, vetoedBy: 'content', reason: `no partner for «${pairing.unmatched}»` };
  }
  return { same: true, similarity: pairing.similarity, reason: 'all content words paired, slots agree' };
}
