/**
 * The abstention check: after ranking, do the retrieved passages answer the question at all?
 * Ranking alone cannot tell — one score compared with `minScore` — because an out-of-scope
 * question that shares a covered topic's words scores like an answerable one.
 *
 * What the sample's five labelled sets support (docs/knowledge.md, fourth round): a question
 * that names a degree level (bachelor, master, PhD) which *no document names at all* asks
 * about something the documents do not have — «скільки коштує навчання в аспірантурі» when
 * the university's pages name no PhD programme. Its best passages share the generic words
 * («навчання», «коштує») and pass `minScore`; none can answer. The check abstains then,
 * unless the best passage matches strongly (`strongScore`): a degree level named only as a
 * qualifier («can PhD students live in the dormitory?») leaves the topic well covered.
 *
 * Checked and not adopted: abstaining on any distinctive content word the best passage lacks
 * (idf-weighted, unseen nouns strongest). On the five sets, answerable questions whose right
 * passage lacks an unseen noun («место в общежитии», «дитина учасника бойових дій») score
 * the same as out-of-scope ones («парковка біля корпусу»), so every threshold loses as many
 * as it wins; see docs/knowledge.md.
 */
import type { ScoredDocument } from './retrieval.js';

export interface AbstentionOptions {
  /** A best passage at or above this score answers even when the question names an unnamed degree level. */
  strongScore: number;
}

export const DEFAULT_ABSTENTION: AbstentionOptions = { strongScore: 0.6 };

/**
 * Why the ranked passages do not answer the question, or undefined when they may.
 * `unnamedDegrees` are the question's degree levels that no document names.
 * @example
 * abstentionReason([{ score: 0.42, ... }], ['phd']) // 'the question names phd, which no document names'
 * abstentionReason([{ score: 0.42, ... }], []) // undefined
 */
export function abstentionReason(ranked: readonly Pick<ScoredDocument, 'score'>[], unnamedDegrees: readonly string[], options: AbstentionOptions = DEFAULT_ABSTENTION): string | undefined {
  if (ranked.length === 0 || unnamedDegrees.length === 0) return undefined;
  if (ranked[0].score >= options.strongScore) return undefined;
  return `the question names ${unnamedDegrees.join(', ')}, which no document names`;
}
