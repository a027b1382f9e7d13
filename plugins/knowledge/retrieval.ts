/**
 * Hybrid retrieval over the knowledge base: lexical (BM25 over core/text analysis — stems,
 * cross-script spelling keys and the synonym concepts of the uk/ru/en lexicon, so «общага»,
 * «гуртожиток» and «dorm» meet) fused with vectors from the built-in model-free embedder
 * (an exact scan, or a usearch HNSW graph above `annAbove` documents).
 *
 * One score in 0..1 ranks and thresholds: how much of the question's weight the document
 * covers (a word absent from the whole corpus weighs the most, so «обсерваторія» sinks a
 * question about an observatory), its BM25 relative to the best possible, and its cosine.
 */
import usearch from 'usearch';
import { createHashingEmbedder } from '../../core/index.js';
import { analyzeQuestion, modelFor, type QuestionAnalysis, type TextModel, type TextOptions } from '../../core/text/index.js';

const { Index, MetricKind, ScalarKind } = usearch;
type UsearchIndex = InstanceType<typeof Index>;

/** A document to index: a passage, or one FAQ question variant. */
export interface IndexedText {
  /** Weighted twice (a heading, a FAQ question). */
  title?: string;
  text: string;
}

/** One ranked document and why it ranked there. */
export interface ScoredDocument {
  /** Index of the document in the list the index was built from. */
  doc: number;
  /** 0..1: the fused score that ranks and is compared with `minScore`. */
  score: number;
  /** Share of the question's weight the document covers (0..1). */
  coverage: number;
  /** BM25 relative to the best the question could get (0..1). */
  lexical: number;
  /** Cosine of the built-in vectors. */
  vector: number;
  /** Question words (as written) the document matched. */
  matched: string[];
  /** Question words it did not. */
  missing: string[];
}

/** How the three signals are weighed (tuned on the sample's tuning questions). */
export interface FusionWeights {
  coverage: number;
  lexical: number;
  vector: number;
  /** The cosine that counts as a full vector match (cosines of a question and a passage are low). */
  vectorScale: number;
}

export const DEFAULT_FUSION: FusionWeights = { coverage: 0.55, lexical: 0.25, vector: 0.2, vectorScale: 0.4 };

export interface HybridIndexOptions {
  dimensions?: number;
  text?: TextOptions;
  /** Above this many documents (default 2000) the vector side is a usearch graph. */
  annAbove?: number;
  fusion?: FusionWeights;
  /** Called as documents are analysed (every 64 and at the end), for progress bars. */
  onProgress?(done: number, total: number): void;
}

/** A query word: its features (any one matches) and its weight. */
interface QueryWord {
  token: string;
  features: string[];
  weight: number;
}

const K1 = 1.2;
const B = 0.75;
/** An optional word («університет» in a one-university bot) weighs this much. */
const OPTIONAL_WEIGHT = 0.3;
/** Slot features (numbers, years, degrees, entities) weigh this much. */
const SLOT_WEIGHT = 0.5;

/** Features of each content word of an analysed text, and its slot features. */
function featuresOf(analysis: QuestionAnalysis): { token: string; features: string[]; optional: boolean; slot: boolean }[] {
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
 * A hybrid lexical + vector index over a fixed list of texts.
 * @example
 * const index = new HybridIndex([{ title: 'Гуртожитки', text: 'Проживання коштує 1 500 грн на місяць.' }]);
 * index.search('скільки коштує общага', 3)[0].doc // 0
 */
export class HybridIndex {
  readonly size: number;
  readonly #model: TextModel;
  readonly #embedder: ReturnType<typeof createHashingEmbedder>;
  readonly #fusion: FusionWeights;
  /** feature → postings: documents and term frequencies (typed arrays once built). */
  readonly #postings = new Map<string, { docs: Int32Array; tf: Float32Array }>();
  /** Scratch per document, reused by every search (one search runs at a time: it is synchronous). */
  readonly #bm25: Float64Array;
  readonly #covered: Float64Array;
  readonly #matched: Uint32Array;
  readonly #wordBest: Float64Array;
  readonly #seen: Uint8Array;
  readonly #candidates: Int32Array;
  readonly #touched: Int32Array;
  readonly #lengths: Float32Array;
  readonly #avgLength: number;
  readonly #vectors: Float32Array;
  readonly #dimensions: number;
  #ann: UsearchIndex | undefined;

  constructor(documents: readonly IndexedText[], options: HybridIndexOptions = {}) {
    this.size = documents.length;
    this.#model = modelFor(options.text ?? {});
    this.#dimensions = options.dimensions ?? 256;
    this.#embedder = createHashingEmbedder({ dimensions: this.#dimensions, text: options.text });
    this.#fusion = options.fusion ?? DEFAULT_FUSION;
    this.#lengths = new Float32Array(documents.length);
    this.#vectors = new Float32Array(documents.length * this.#dimensions);
    this.#bm25 = new Float64Array(documents.length);
    this.#covered = new Float64Array(documents.length);
    this.#matched = new Uint32Array(documents.length);
    this.#wordBest = new Float64Array(documents.length);
    this.#seen = new Uint8Array(documents.length);
    this.#candidates = new Int32Array(documents.length);
    this.#touched = new Int32Array(documents.length);
    const building = new Map<string, { docs: number[]; tf: number[] }>();
    let total = 0;
    documents.forEach((document, doc) => {
      const counts = new Map<string, number>();
      let length = 0;
      const add = (text: string, times: number) => {
        for (const word of featuresOf(analyzeQuestion(text, this.#model))) {
          length += times;
          // A word counts once per feature kind it has; its features share the occurrence.
          for (const feature of word.features) counts.set(feature, (counts.get(feature) ?? 0) + times);
        }
      };
      if (document.title) add(document.title, 2);
      add(document.text, 1);
      for (const [feature, tf] of counts) {
        let posting = building.get(feature);
        if (!posting) building.set(feature, (posting = { docs: [], tf: [] }));
        posting.docs.push(doc);
        posting.tf.push(tf);
      }
      this.#lengths[doc] = length;
      total += length;
      this.#vectors.set(this.#embedder.embedOne(document.title ? `${document.title}\n${document.text}` : document.text), doc * this.#dimensions);
      if (options.onProgress && ((doc + 1) % 64 === 0 || doc + 1 === documents.length)) options.onProgress(doc + 1, documents.length);
    });
    for (const [feature, posting] of building) this.#postings.set(feature, { docs: Int32Array.from(posting.docs), tf: Float32Array.from(posting.tf) });
    this.#avgLength = documents.length ? Math.max(1, total / documents.length) : 1;
    if (documents.length > (options.annAbove ?? 2000)) {
      const ann = new Index({ dimensions: this.#dimensions, metric: MetricKind.Cos, quantization: ScalarKind.F32, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
      ann.add(BigUint64Array.from({ length: documents.length }, (_, i) => BigInt(i)), this.#vectors, 0);
      this.#ann = ann;
    }
  }

  /** Inverse document frequency (BM25's, always positive). */
  #idf(feature: string): number {
    const df = this.#postings.get(feature)?.docs.length ?? 0;
    return Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
  }

  #queryWords(question: string): QueryWord[] {
    const words: QueryWord[] = [];
    const seen = new Set<string>();
    for (const word of featuresOf(analyzeQuestion(question, this.#model))) {
      if (seen.has(word.features[0])) continue;
      seen.add(word.features[0]);
      words.push({ token: word.token, features: word.features, weight: word.slot ? SLOT_WEIGHT : word.optional ? OPTIONAL_WEIGHT : 1 });
    }
    return words;
  }

  /** The `k` nearest documents by vector (exact scan, or the ANN graph). */
  #nearest(vector: Float32Array, k: number): number[] {
    if (this.#ann) {
      const found = this.#ann.search(vector, Math.min(k, this.size), 1);
      return Array.from(found.keys, (key) => Number(key));
    }
    const scored: { doc: number; cos: number }[] = [];
    for (let doc = 0; doc < this.size; doc++) scored.push({ doc, cos: this.#cosine(vector, doc) });
    scored.sort((a, b) => b.cos - a.cos);
    return scored.slice(0, k).map((s) => s.doc);
  }

  #cosine(vector: Float32Array, doc: number): number {
    let dot = 0;
    const offset = doc * this.#dimensions;
    for (let i = 0; i < this.#dimensions; i++) dot += vector[i] * this.#vectors[offset + i];
    return dot;
  }

  /**
   * The best `k` documents for a question, best first (scores below `minScore` dropped).
   * @example
   * index.search('Коли працює бібліотека?', 5, 0.4)
   */
  search(question: string, k: number, minScore = 0): ScoredDocument[] {
    if (this.size === 0 || k <= 0) return [];
    const words = this.#queryWords(question).slice(0, 32); // one bit per word in #matched
    const vector = this.#embedder.embedOne(question);
    // Each word weighs its importance: the idf of its most common form in the corpus (a
    // word the corpus never uses weighs the most).
    const importance = words.map((word) => {
      let best = Infinity;
      for (const feature of word.features) if (this.#postings.has(feature)) best = Math.min(best, this.#idf(feature));
      return word.weight * (best === Infinity ? Math.log(1 + (this.size + 0.5) / 0.5) : best);
    });
    const totalImportance = importance.reduce((a, b) => a + b, 0);
    const bm25 = this.#bm25;
    const covered = this.#covered;
    const matched = this.#matched;
    const wordBest = this.#wordBest;
    const seen = this.#seen;
    const candidates = this.#candidates;
    let candidateCount = 0;
    const touch = (doc: number) => {
      if (seen[doc]) return;
      seen[doc] = 1;
      bm25[doc] = 0;
      covered[doc] = 0;
      matched[doc] = 0;
      candidates[candidateCount++] = doc;
    };
    const lengthNorm = K1 * (1 - B);
    const lengthScale = (K1 * B) / this.#avgLength;
    for (let w = 0; w < words.length; w++) {
      const word = words[w];
      // Per document, the best-scoring feature of this word.
      const touched = this.#touched;
      let touchedCount = 0;
      for (const feature of word.features) {
        const posting = this.#postings.get(feature);
        if (!posting) continue;
        const idf = this.#idf(feature);
        const { docs, tf } = posting;
        for (let i = 0; i < docs.length; i++) {
          const doc = docs[i];
          const score = (idf * tf[i] * (K1 + 1)) / (tf[i] + lengthNorm + lengthScale * this.#lengths[doc]);
          touch(doc);
          const bit = 1 << w;
          if (!(matched[doc] & bit)) {
            matched[doc] |= bit;
            wordBest[doc] = score;
            touched[touchedCount++] = doc;
          } else if (score > wordBest[doc]) wordBest[doc] = score;
        }
      }
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i];
        bm25[doc] += word.weight * wordBest[doc];
        covered[doc] += importance[w];
      }
    }
    for (const doc of this.#nearest(vector, Math.max(k * 4, 20))) touch(doc);
    // The best BM25 a document could reach: every word at its highest idf, tf saturated.
    let bm25Ceiling = 0;
    for (const word of words) {
      let idf = 0;
      for (const feature of word.features) idf = Math.max(idf, this.#idf(feature));
      bm25Ceiling += word.weight * idf * (K1 + 1);
    }
    const fusion = this.#fusion;
    // The k best so far, worst first; a candidate whose lexical part cannot reach the k-th
    // best even with a perfect cosine is skipped without computing its cosine.
    const top: { doc: number; score: number; coverage: number; lexical: number; cos: number }[] = [];
    for (let c = 0; c < candidateCount; c++) {
      const doc = candidates[c];
      seen[doc] = 0;
      const coverage = totalImportance > 0 ? covered[doc] / totalImportance : 0;
      const lexical = bm25Ceiling > 0 ? Math.min(1, bm25[doc] / bm25Ceiling) : 0;
      const partial = fusion.coverage * coverage + fusion.lexical * lexical;
      const floor = top.length === k ? Math.max(minScore, top[0].score) : minScore;
      if (partial + fusion.vector < floor) continue;
      const cos = this.#cosine(vector, doc);
      const score = partial + fusion.vector * Math.min(1, Math.max(0, cos) / fusion.vectorScale);
      if (score < floor || (top.length === k && score === top[0].score && doc > top[0].doc)) continue;
      if (top.length === k) top.shift();
      let at = 0;
      while (at < top.length && (top[at].score < score || (top[at].score === score && top[at].doc > doc))) at++;
      top.splice(at, 0, { doc, score, coverage, lexical, cos });
    }
    return top.reverse().map((t) => ({
      doc: t.doc,
      score: t.score,
      coverage: t.coverage,
      lexical: t.lexical,
      vector: t.cos,
      matched: words.filter((_, w) => matched[t.doc] & (1 << w)).map((word) => word.token),
      missing: words.filter((_, w) => !(matched[t.doc] & (1 << w))).map((word) => word.token),
    }));
  }
}
