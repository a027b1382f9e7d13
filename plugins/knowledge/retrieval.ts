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
  /** Above this many documents the vector side is a usearch graph. */
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
  /** feature → postings: document and term frequency. */
  readonly #postings = new Map<string, { docs: number[]; tf: number[] }>();
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
        let posting = this.#postings.get(feature);
        if (!posting) this.#postings.set(feature, (posting = { docs: [], tf: [] }));
        posting.docs.push(doc);
        posting.tf.push(tf);
      }
      this.#lengths[doc] = length;
      total += length;
      this.#vectors.set(this.#embedder.embedOne(document.title ? `${document.title}\n${document.text}` : document.text), doc * this.#dimensions);
      if (options.onProgress && ((doc + 1) % 64 === 0 || doc + 1 === documents.length)) options.onProgress(doc + 1, documents.length);
    });
    this.#avgLength = documents.length ? Math.max(1, total / documents.length) : 1;
    if (documents.length > (options.annAbove ?? 5000)) {
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
    if (this.size === 0) return [];
    const words = this.#queryWords(question);
    const vector = this.#embedder.embedOne(question);
    // Each word weighs its importance: the idf of its most common form in the corpus (a
    // word the corpus never uses weighs the most).
    const importance = words.map((word) => {
      let best = Infinity;
      for (const feature of word.features) if (this.#postings.has(feature)) best = Math.min(best, this.#idf(feature));
      return word.weight * (best === Infinity ? Math.log(1 + (this.size + 0.5) / 0.5) : best);
    });
    const totalImportance = importance.reduce((a, b) => a + b, 0);
    const candidates = new Map<number, { bm25: number; covered: number; matched: boolean[] }>();
    words.forEach((word, w) => {
      // Per document, the best-scoring feature of this word.
      const best = new Map<number, number>();
      for (const feature of word.features) {
        const posting = this.#postings.get(feature);
        if (!posting) continue;
        const idf = this.#idf(feature);
        for (let i = 0; i < posting.docs.length; i++) {
          const doc = posting.docs[i];
          const tf = posting.tf[i];
          const score = (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.#lengths[doc]) / this.#avgLength));
          const earlier = best.get(doc);
          if (earlier === undefined || score > earlier) best.set(doc, score);
        }
      }
      for (const [doc, score] of best) {
        let candidate = candidates.get(doc);
        if (!candidate) candidates.set(doc, (candidate = { bm25: 0, covered: 0, matched: new Array<boolean>(words.length).fill(false) }));
        candidate.bm25 += word.weight * score;
        candidate.covered += importance[w];
        candidate.matched[w] = true;
      }
    });
    for (const doc of this.#nearest(vector, Math.max(k * 4, 20))) {
      if (!candidates.has(doc)) candidates.set(doc, { bm25: 0, covered: 0, matched: new Array<boolean>(words.length).fill(false) });
    }
    // The best BM25 a document could reach: every word at its highest idf, tf saturated.
    let bm25Ceiling = 0;
    words.forEach((word) => {
      let idf = 0;
      for (const feature of word.features) idf = Math.max(idf, this.#idf(feature));
      bm25Ceiling += word.weight * idf * (K1 + 1);
    });
    const fusion = this.#fusion;
    const results: ScoredDocument[] = [];
    for (const [doc, candidate] of candidates) {
      const coverage = totalImportance > 0 ? candidate.covered / totalImportance : 0;
      const lexical = bm25Ceiling > 0 ? Math.min(1, candidate.bm25 / bm25Ceiling) : 0;
      const cos = this.#cosine(vector, doc);
      const score = fusion.coverage * coverage + fusion.lexical * lexical + fusion.vector * Math.min(1, Math.max(0, cos) / fusion.vectorScale);
      if (score < minScore) continue;
      results.push({
        doc,
        score,
        coverage,
        lexical,
        vector: cos,
        matched: words.filter((_, w) => candidate.matched[w]).map((word) => word.token),
        missing: words.filter((_, w) => !candidate.matched[w]).map((word) => word.token),
      });
    }
    results.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return results.slice(0, k);
  }
}
