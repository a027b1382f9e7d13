/**
 * The searchable form of a loaded knowledge base: passages (pages and FAQ answers) in one
 * hybrid index, FAQ question variants in another. A FAQ entry answers a question only when
 * core/text's `compareQuestions` — the semantic cache's own verifier — says the two are the
 * same question; retrieval only proposes the entries to check.
 */
import { BoundedMap } from '../../core/index.js';
import { compareQuestions, detectLanguage, type QuestionComparison, type TextOptions } from '../../core/text/index.js';
import { abstentionReason, DEFAULT_ABSTENTION, type AbstentionOptions } from './abstention.js';
import { documentAnalyzer, HybridIndex, type FusionWeights, type ScoredDocument } from './retrieval.js';
import type { FaqEntry } from './faq.js';
import { contentHash, type AnalysisStore } from './index-file.js';
import type { KnowledgeBase, Passage } from './sources.js';

/** A retrieved passage with its score and why. */
export interface PassageMatch extends ScoredDocument {
  passage: Passage;
}

/** A FAQ entry whose question verified as the same as the asked one. */
export interface FaqMatch {
  entry: FaqEntry & { file: string };
  /** The variant of `q` that matched. */
  variant: string;
  comparison: QuestionComparison;
}

export interface KnowledgeIndexOptions {
  dimensions?: number;
  text?: TextOptions;
  annAbove?: number;
  fusion?: FusionWeights;
  /** Progress of indexing the passages (for `kobza knowledge index`). */
  onProgress?(done: number, total: number): void;
  /** Passages analysed before (an index file, the previous build): only the others are analysed. */
  store?: AnalysisStore;
  /** The abstention check after ranking (abstention.ts); false: off (ranking and `minScore` alone). */
  abstention?: AbstentionOptions | false;
}

/** FAQ variants proposed to the verifier per question. */
const FAQ_CANDIDATES = 6;

/** Questions whose FAQ match and passages are remembered (the index never changes). */
const REMEMBERED_QUESTIONS = 1024;
/** Longer questions are looked up every time (rare, and they would hold a lot of memory). */
const REMEMBERED_QUESTION_CHARS = 1024;

/** What one question found: its FAQ match (null: none) and its passages per (topK, minScore). */
interface Remembered {
  faq?: FaqMatch | null;
  passages?: { topK: number; minScore: number; matches: readonly PassageMatch[] };
}

/**
 * @example
 * const index = KnowledgeIndex.build(await loadSources(patterns, options));
 * index.matchFaq('Скільки коштує гуртожиток?')?.entry.answer
 * index.retrieve('Коли сесія?', 4, 0.45)
 */
export class KnowledgeIndex {
  readonly base: KnowledgeBase;
  readonly #passages: HybridIndex;
  readonly #variants: { entry: number; text: string }[];
  readonly #faq: HybridIndex;
  readonly #text: TextOptions;
  readonly #abstention: AbstentionOptions | false;
  /** Passages taken from the store as they were, and passages analysed by this build. */
  readonly reused: number;
  readonly analysed: number;
  /**
   * Questions repeat (a deployment's users ask the same things, and the knowledge middleware
   * runs on every request — cache hits too), and the index is immutable: a repeat costs a
   * map lookup instead of a search and the verifier (~85 µs per request).
   */
  readonly #remembered = new BoundedMap<string, Remembered>(REMEMBERED_QUESTIONS);

  private constructor(base: KnowledgeBase, options: KnowledgeIndexOptions) {
    this.base = base;
    this.#text = options.text ?? {};
    this.#abstention = options.abstention ?? DEFAULT_ABSTENTION;
    options.store?.resetCounts();
    const documents = base.passages.map((p) => (p.kind === 'faq' && p.faq ? { title: p.faq.questions.join('\n'), text: p.text } : { title: p.title, text: p.text }));
    const store = options.store;
    const hashes = store ? documents.map(contentHash) : [];
    const analyzer = documentAnalyzer({ dimensions: options.dimensions, text: options.text });
    this.#passages = new HybridIndex(documents, {
      ...options,
      analyzer,
      analyzed: store && store.key === analyzer.key ? (doc) => store.get(hashes[doc]) : undefined,
      onAnalyzed: store ? (doc, features) => store.set(hashes[doc], features) : undefined,
    });
    if (store) store.retain(hashes);
    this.reused = store?.reused ?? 0;
    this.analysed = store ? store.analysed : documents.length;
    this.#variants = base.faq.flatMap((entry, i) => entry.questions.map((text) => ({ entry: i, text })));
    this.#faq = new HybridIndex(
      this.#variants.map((v) => ({ text: v.text })),
      { ...options, onProgress: undefined, analyzer: documentAnalyzer({ dimensions: options.dimensions, text: options.text, questions: true }) },
    );
  }

  /** The key an {@link AnalysisStore} for these options must have. */
  static analyzerKey(options: Pick<KnowledgeIndexOptions, 'dimensions' | 'text'> = {}): string {
    return documentAnalyzer({ dimensions: options.dimensions, text: options.text }).key;
  }

  /** Indexes a loaded knowledge base. */
  static build(base: KnowledgeBase, options: KnowledgeIndexOptions = {}): KnowledgeIndex {
    return new KnowledgeIndex(base, options);
  }

  get version(): string {
    return this.base.version;
  }

  /**
   * The relevant passages for a question (pages and FAQ answers), best first, none below
   * `minScore`, and none when the abstention check says they do not answer it. `minScore` 0
   * asks for the plain ranking (no check: `kobza knowledge search` shows it with {@link abstention}).
   * The list is shared by every asker of the same question: it is frozen.
   * @example
   * index.retrieve('Де гуртожиток?', 4, 0.45).map((m) => m.passage.title)
   */
  retrieve(question: string, topK: number, minScore = 0): readonly PassageMatch[] {
    const remembered = this.#recall(question);
    const known = remembered?.passages;
    if (known && known.topK === topK && known.minScore === minScore) return known.matches;
    const ranked = this.#passages.search(question, topK, minScore);
    const answers = minScore <= 0 || this.#abstainReason(question, ranked) === undefined;
    const matches = Object.freeze(answers ? ranked.map((scored) => ({ ...scored, passage: this.base.passages[scored.doc] })) : []);
    if (remembered) remembered.passages = { topK, minScore, matches };
    return matches;
  }

  /**
   * Why the passages ranked for a question do not answer it (the abstention check), or
   * undefined when they may.
   * @example
   * index.abstention('Скільки коштує навчання в аспірантурі?') // 'the question names phd, which no document names'
   */
  abstention(question: string, minScore = 0): string | undefined {
    return this.#abstainReason(question, this.#passages.search(question, 1, minScore));
  }

  #abstainReason(question: string, ranked: readonly ScoredDocument[]): string | undefined {
    return this.#abstention ? abstentionReason(ranked, this.#passages.unnamedDegrees(question), this.#abstention) : undefined;
  }

  /** The remembered findings of a question (created empty); undefined for a very long one. */
  #recall(question: string): Remembered | undefined {
    if (question.length > REMEMBERED_QUESTION_CHARS) return undefined;
    let remembered = this.#remembered.get(question);
    if (remembered === undefined) {
      remembered = {};
      this.#remembered.set(question, remembered);
    }
    return remembered;
  }

  /**
   * The FAQ entry asked, when a variant of its `q` verifies as the same question.
   * @example
   * index.matchFaq('Чи є в університеті обсерваторія?') // undefined — «басейн» is a different question
   */
  matchFaq(question: string): FaqMatch | undefined {
    if (this.#variants.length === 0 || !question.trim()) return undefined;
    const remembered = this.#recall(question);
    if (remembered?.faq !== undefined) return remembered.faq ?? undefined;
    const match = this.#matchFaq(question);
    if (remembered) remembered.faq = match ?? null;
    return match;
  }

  #matchFaq(question: string): FaqMatch | undefined {
    // The asker's language matters only once a variant verified: most questions are no FAQ's.
    let lang: ReturnType<typeof detectLanguage> | undefined;
    const cyrillic = (text: string) => /[\u0400-\u04ff]/.test(text);
    let best: { match: FaqMatch; rank: number } | undefined;
    for (const candidate of this.#faq.search(question, FAQ_CANDIDATES)) {
      const variant = this.#variants[candidate.doc];
      const comparison = compareQuestions(question, variant.text, this.#text);
      if (!comparison.same) continue;
      // The same question may be curated in several languages: the asker's own comes first,
      // then one in the same script (a Russian question gets the Ukrainian answer). An answer
      // in another script (a Ukrainian one to an English question) is not served as it is:
      // the model, grounded in the same entry, answers in the asker's language.
      if (cyrillic(question) !== cyrillic(variant.text)) continue;
      lang ??= detectLanguage(question);
      const rank = lang !== 'unknown' && detectLanguage(variant.text) === lang ? 0 : 1;
      if (rank === 0) return { entry: this.base.faq[variant.entry], variant: variant.text, comparison };
      if (!best || rank < best.rank) best = { match: { entry: this.base.faq[variant.entry], variant: variant.text, comparison }, rank };
    }
    return best?.match;
  }
}
