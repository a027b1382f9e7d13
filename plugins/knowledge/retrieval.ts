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
import { analyzeQuestion, editDistanceWithin, modelFor, type TextModel, type TextOptions } from '../../core/text/index.js';
import {
  ANSWER_TYPE_OF_INTENT,
  ANSWER_TYPE_WEIGHT,
  documentAnalyzer,
  featuresOf,
  OPTIONAL_WEIGHT,
  SLOT_WEIGHT,
  type DocumentAnalyzer,
  type DocumentFeatures,
  type IndexedText,
} from './document-analysis.js';
import { isFrameWord, isVerbLike } from './question-words.js';

export { documentAnalyzer, type DocumentAnalyzer, type DocumentFeatures, type IndexedText } from './document-analysis.js';

const { Index, MetricKind, ScalarKind } = usearch;
type UsearchIndex = InstanceType<typeof Index>;

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
  /** How documents are analysed (default: passages; FAQ variants are analysed as questions). */
  analyzer?: DocumentAnalyzer;
  /** Features already known for a document (from an index file or an earlier build), if any. */
  analyzed?(doc: number): DocumentFeatures | undefined;
  /** Sees every document's features as the index takes them (to store them). */
  onAnalyzed?(doc: number, features: DocumentFeatures): void;
}

/** A query word: its postings (any one matches), its weight, its importance. */
interface QueryWord {
  token: string;
  /** The answer type the question asks for, not a word of it (left out of matched/missing). */
  answerType?: boolean;
  weight: number;
  /** Weight × the idf of its most common form (a word the corpus never uses weighs the most). */
  importance: number;
  postings: Posting[];
}

/** What a question costs to analyse once: kept per question text (questions repeat). */
interface QueryPlan {
  words: QueryWord[];
  totalImportance: number;
  /** The best BM25 a document could reach: every word at its highest idf, tf saturated. */
  bm25Ceiling: number;
  /**
   * Bits of the words that name something specific the corpus has elsewhere (a word only a
   * few documents use): a document without them is about another thing that shares the
   * question's other words («медичний факультет» vs a list of faculties and a «медична довідка»).
   */
  specific: number;
  /** Bits of the question's degree levels (bachelor, master, PhD). */
  degrees: number;
  /** The question's degree levels that no document names (see abstention.ts). */
  unnamedDegrees: string[];
  vector: Float32Array;
}

/** A feature's documents and, per document, its BM25 part (idf and length folded in at build time). */
interface Posting {
  docs: Int32Array;
  impact: Float32Array;
  idf: number;
}

const PLAN_CACHE_LIMIT = 1024;
/** Documents listed by all kept merged postings together (8 bytes each: 16 MB). */
const MERGED_ENTRIES_LIMIT = 2_000_000;

/** Letters two stems must share before one may be another form of the other. */
const STEM_PREFIX = 4;

/** A word whose idf is at least this share of an unseen word's names something specific. */
const SPECIFIC_IDF_SHARE = 0.7;
/** A document without the question's specific word keeps this share of its score. */
const MISSING_SPECIFIC_FACTOR = 0.7;
/** A document naming only other degree levels than the question's keeps this share. */
const OTHER_DEGREE_FACTOR = 0.75;

/** The coverage from which a document's cosine counts in full (below, in proportion). */
const VECTOR_FULL_COVERAGE = 0.4;

const K1 = 1.2;
const B = 0.75;
/**
 * A hybrid lexical + vector index over a fixed list of texts.
 * @example
 * const index = new HybridIndex([{ title: 'Гуртожитки', text: 'Проживання коштує 1 500 грн на місяць.' }]);
 * index.search('скільки коштує общага', 3)[0].doc // 0
 */
export class HybridIndex {
  readonly size: number;
  readonly #model: TextModel;
  readonly #analyzer: DocumentAnalyzer;
  readonly #fusion: FusionWeights;
  readonly #postings = new Map<string, Posting>();
  /** Scratch per document, reused by every search (one search runs at a time: it is synchronous). */
  readonly #bm25: Float64Array;
  readonly #covered: Float64Array;
  readonly #partial: Float64Array;
  readonly #matched: Uint32Array;
  readonly #wordBest: Float64Array;
  readonly #seen: Uint8Array;
  readonly #candidates: Int32Array;
  readonly #touched: Int32Array;
  readonly #vectors: Float32Array;
  readonly #dimensions: number;
  readonly #plans = new Map<string, QueryPlan>();
  /** Merged postings of multi-feature words, oldest first, and how many entries they hold. */
  readonly #merged = new Map<string, Posting>();
  #mergedEntries = 0;
  readonly #postingIds = new Map<Posting, number>();
  /** Spelling keys of the corpus by first letter, for words the corpus does not have as written. */
  readonly #keysByInitial = new Map<string, string[]>();
  /** Stems of the corpus by their first {@link STEM_PREFIX} letters, for other forms of a word. */
  readonly #stemsByPrefix = new Map<string, string[]>();
  /** The idf of a feature no document has. */
  readonly #unseenIdf: number;
  /** 1 for a document that names a degree level (any). */
  readonly #hasDegree: Uint8Array;
  #ann: UsearchIndex | undefined;

  /**
   * `documents` are analysed here unless `options.analyzed` already holds their features
   * (an index file, an earlier build): then only the missing ones are.
   */
  constructor(documents: readonly IndexedText[], options: HybridIndexOptions = {}) {
    const n = documents.length;
    this.size = n;
    this.#model = modelFor(options.text);
    this.#dimensions = options.dimensions ?? 256;
    this.#fusion = options.fusion ?? DEFAULT_FUSION;
    this.#vectors = new Float32Array(n * this.#dimensions);
    this.#bm25 = new Float64Array(n);
    this.#covered = new Float64Array(n);
    this.#partial = new Float64Array(n);
    this.#matched = new Uint32Array(n);
    this.#wordBest = new Float64Array(n);
    this.#seen = new Uint8Array(n);
    this.#candidates = new Int32Array(n);
    this.#touched = new Int32Array(n);
    this.#unseenIdf = Math.log(1 + (n + 0.5) / 0.5);
    const analyzer = options.analyzer ?? documentAnalyzer({ dimensions: this.#dimensions, text: options.text });
    this.#analyzer = analyzer;
    const lengths = new Float32Array(n);
    const building = new Map<string, { docs: number[]; tf: number[] }>();
    let total = 0;
    for (let doc = 0; doc < n; doc++) {
      const analysed = options.analyzed?.(doc) ?? analyzer.analyze(documents[doc]);
      options.onAnalyzed?.(doc, analysed);
      for (let f = 0; f < analysed.features.length; f++) {
        let posting = building.get(analysed.features[f]);
        if (!posting) building.set(analysed.features[f], (posting = { docs: [], tf: [] }));
        posting.docs.push(doc);
        posting.tf.push(analysed.counts[f]);
      }
      lengths[doc] = analysed.length;
      total += analysed.length;
      this.#vectors.set(analysed.vector, doc * this.#dimensions);
      if (options.onProgress && ((doc + 1) % 64 === 0 || doc + 1 === n)) options.onProgress(doc + 1, n);
    }
    const avgLength = n ? Math.max(1, total / n) : 1;
    const lengthNorm = K1 * (1 - B);
    const lengthScale = (K1 * B) / avgLength;
    // A word's stem and spelling key (often its concept too) mostly list the same documents
    // the same number of times: such features share one posting, which a search reads once.
    const shared = new Map<string, { tf: number[]; posting: Posting }[]>();
    const same = (a: number[], b: ArrayLike<number>) => a.length === b.length && a.every((v, i) => v === b[i]);
    for (const [feature, { docs, tf }] of building) {
      const df = docs.length;
      const signature = `${df}:${docs[0]}:${docs[df - 1]}:${docs[df >> 1]}:${tf[0]}`;
      const twins = shared.get(signature) ?? [];
      const twin = twins.find((t) => same(docs, t.posting.docs) && same(tf, t.tf));
      if (twin) {
        this.#postings.set(feature, twin.posting);
        continue;
      }
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const impact = new Float32Array(df);
      for (let i = 0; i < df; i++) impact[i] = (idf * tf[i] * (K1 + 1)) / (tf[i] + lengthNorm + lengthScale * lengths[docs[i]]);
      const posting = { docs: Int32Array.from(docs), impact, idf };
      this.#postings.set(feature, posting);
      this.#postingIds.set(posting, this.#postingIds.size);
      twins.push({ tf, posting });
      shared.set(signature, twins);
    }
    this.#hasDegree = new Uint8Array(n);
    for (const [feature, posting] of this.#postings) {
      if (feature.startsWith('d:')) for (const doc of posting.docs) this.#hasDegree[doc] = 1;
      if (feature.startsWith('s:') && feature.length >= 2 + STEM_PREFIX) {
        const prefix = feature.slice(2, 2 + STEM_PREFIX);
        const list = this.#stemsByPrefix.get(prefix) ?? [];
        list.push(feature.slice(2));
        this.#stemsByPrefix.set(prefix, list);
      }
      if (!feature.startsWith('k:') || feature.length < 7) continue;
      const list = this.#keysByInitial.get(feature[2]) ?? [];
      list.push(feature.slice(2));
      this.#keysByInitial.set(feature[2], list);
    }
    // The graph only proposes candidates (every candidate's cosine is then computed exactly
    // from the Float32 vectors), so it stores 8-bit vectors: half the build time, a third of
    // the search time of 32-bit ones, the same candidates in practice.
    if (n > (options.annAbove ?? 2000)) {
      const ann = new Index({ dimensions: this.#dimensions, metric: MetricKind.Cos, quantization: ScalarKind.I8, connectivity: 16, expansion_add: 128, expansion_search: 64, multi: false });
      ann.add(BigUint64Array.from({ length: n }, (_, i) => BigInt(i)), this.#vectors, 0);
      this.#ann = ann;
    }
  }

  /** The question's words, postings and vector: analysed once per question text. */
  #plan(question: string): QueryPlan {
    const cached = this.#plans.get(question);
    if (cached) {
      // Most recently used last: the oldest is the first key.
      this.#plans.delete(question);
      this.#plans.set(question, cached);
      return cached;
    }
    const words: QueryWord[] = [];
    const seen = new Set<string>();
    const analysis = analyzeQuestion(question, this.#model);
    let totalImportance = 0;
    let bm25Ceiling = 0;
    let specific = 0;
    let degrees = 0;
    const unnamedDegrees: string[] = [];
    for (const word of featuresOf(analysis)) {
      if (seen.has(word.features[0]) || words.length === 32) continue; // one bit per word in #matched
      seen.add(word.features[0]);
      let weight = word.slot ? SLOT_WEIGHT : word.optional ? OPTIONAL_WEIGHT : 1;
      const postings: Posting[] = [];
      let commonest = Infinity;
      let rarest = 0;
      for (const feature of word.features) {
        const posting = this.#postings.get(feature);
        if (posting && !postings.includes(posting)) {
          postings.push(posting);
          commonest = Math.min(commonest, posting.idf);
        }
        rarest = Math.max(rarest, posting?.idf ?? this.#unseenIdf);
      }
      // A word the corpus never uses may still be there in another script: a loanword or a
      // name spelled a little differently («volleyball» / «волейбол», keys voleibal / voleibol).
      if (postings.length === 0 && !word.slot) {
        for (const posting of this.#nearSpellings(word.features)) {
          postings.push(posting);
          commonest = Math.min(commonest, posting.idf);
        }
      }
      // Another form of the word whose light stem is a little longer or shorter: «кімнаті» /
      // «кімнати» (кімнат / кімн), «зараховують» / «зарахування» (зарахов / зарах). It widens
      // what the word finds without lowering its importance.
      if (!word.slot) for (const posting of this.#stemForms(word.features[0].slice(2))) if (!postings.includes(posting)) postings.push(posting);
      // A verb the corpus never uses («займатися», «пообідати», «play») asks how, not what:
      // the topic is in the nouns beside it. It weighs as an optional word, so it neither
      // sinks the passage that has the topic nor carries an out-of-scope question alone.
      const verb = !word.slot && isVerbLike(word.token);
      if (!word.slot && (isFrameWord(word.token) || (verb && postings.length === 0))) weight = Math.min(weight, OPTIONAL_WEIGHT);
      const importance = weight * (commonest === Infinity ? this.#unseenIdf : commonest);
      if (weight === 1 && commonest !== Infinity && commonest >= SPECIFIC_IDF_SHARE * this.#unseenIdf) specific |= 1 << words.length;
      if (word.features[0].startsWith('d:')) degrees |= 1 << words.length;
      if (word.features[0].startsWith('d:') && postings.length === 0) unnamedDegrees.push(word.token);
      words.push({ token: word.token, weight, importance, postings: postings.length > 1 ? [this.#mergedPosting(postings)] : postings });
      totalImportance += importance;
      bm25Ceiling += weight * rarest * (K1 + 1);
    }
    const answerType = analysis.slots.intent && ANSWER_TYPE_OF_INTENT[analysis.slots.intent];
    const answerPosting = answerType ? this.#postings.get(`a:${answerType}`) : undefined;
    if (answerType && answerPosting && words.length < 32) {
      const importance = ANSWER_TYPE_WEIGHT * answerPosting.idf;
      words.push({ token: answerType, answerType: true, weight: ANSWER_TYPE_WEIGHT, importance, postings: [answerPosting] });
      totalImportance += importance;
      bm25Ceiling += ANSWER_TYPE_WEIGHT * answerPosting.idf * (K1 + 1);
    }
    const plan = { words, totalImportance, bm25Ceiling, specific, degrees, unnamedDegrees, vector: this.#analyzer.embed(analysis) };
    if (this.#plans.size >= PLAN_CACHE_LIMIT) this.#plans.delete(this.#plans.keys().next().value!);
    this.#plans.set(question, plan);
    return plan;
  }

  /**
   * One posting for a word's several features (stem, concepts, near spellings): each document
   * once, with its best part. Words recur across questions far more than questions do, so
   * merged postings are kept (within a budget of entries).
   */
  #mergedPosting(postings: readonly Posting[]): Posting {
    const key = postings.map((p) => this.#postingIds.get(p)).join(',');
    const cached = this.#merged.get(key);
    if (cached) return cached;
    let docs = postings[0].docs;
    let impact = postings[0].impact;
    for (let p = 1; p < postings.length; p++) {
      const other = postings[p];
      const outDocs = new Int32Array(docs.length + other.docs.length);
      const outImpact = new Float32Array(outDocs.length);
      let i = 0;
      let j = 0;
      let n = 0;
      while (i < docs.length || j < other.docs.length) {
        const a = i < docs.length ? docs[i] : Infinity;
        const b = j < other.docs.length ? other.docs[j] : Infinity;
        if (a === b) {
          outDocs[n] = a;
          outImpact[n++] = Math.max(impact[i++], other.impact[j++]);
        } else if (a < b) {
          outDocs[n] = a;
          outImpact[n++] = impact[i++];
        } else {
          outDocs[n] = b;
          outImpact[n++] = other.impact[j++];
        }
      }
      docs = outDocs.subarray(0, n);
      impact = outImpact.subarray(0, n);
    }
    const merged = { docs: docs.slice(), impact: impact.slice(), idf: Math.min(...postings.map((p) => p.idf)) };
    this.#mergedEntries += merged.docs.length;
    while (this.#mergedEntries > MERGED_ENTRIES_LIMIT && this.#merged.size > 0) {
      const [oldest, posting] = this.#merged.entries().next().value!;
      this.#merged.delete(oldest);
      this.#mergedEntries -= posting.docs.length;
    }
    this.#merged.set(key, merged);
    return merged;
  }

  /**
   * Postings of corpus stems that extend the stem, or that it extends, by up to three letters
   * (the shorter at least four letters long, five in Latin script: the verifier's own
   * «one stem extends the other» partnership).
   */
  #stemForms(stem: string): Posting[] {
    const latin = /^[a-z]/.test(stem);
    const least = latin ? STEM_PREFIX + 1 : STEM_PREFIX;
    if (stem.length < least) return [];
    const found: Posting[] = [];
    for (const other of this.#stemsByPrefix.get(stem.slice(0, STEM_PREFIX)) ?? []) {
      if (other === stem || Math.abs(other.length - stem.length) > 3 || Math.min(other.length, stem.length) < least) continue;
      if (!(other.startsWith(stem) || stem.startsWith(other))) continue;
      const posting = this.#postings.get(`s:${other}`)!;
      if (!found.includes(posting)) found.push(posting);
    }
    return found;
  }

  /** Postings of corpus spelling keys one edit (two for long words) from the word's own key. */
  #nearSpellings(features: readonly string[]): Posting[] {
    const key = features.find((f) => f.startsWith('k:'))?.slice(2);
    if (!key || key.length < 5) return [];
    const edits = key.length >= 8 ? 2 : 1;
    const found: Posting[] = [];
    for (const other of this.#keysByInitial.get(key[0]) ?? []) {
      if (Math.abs(other.length - key.length) > edits || editDistanceWithin(key, other, edits) > edits) continue;
      const posting = this.#postings.get(`k:${other}`)!;
      if (!found.includes(posting)) found.push(posting);
      if (found.length === 3) break;
    }
    return found;
  }

  #cosine(vector: Float32Array, doc: number): number {
    let dot = 0;
    const vectors = this.#vectors;
    const offset = doc * this.#dimensions;
    for (let i = 0; i < this.#dimensions; i++) dot += vector[i] * vectors[offset + i];
    return dot;
  }

  /** Marks a document as a candidate of this search (its scratch cleared on first touch). */
  #touch(doc: number, count: number): number {
    if (this.#seen[doc]) return count;
    this.#seen[doc] = 1;
    this.#bm25[doc] = 0;
    this.#covered[doc] = 0;
    this.#matched[doc] = 0;
    this.#candidates[count] = doc;
    return count + 1;
  }

  /** Touches the `k` nearest documents by vector (the ANN graph, or an exact scan). */
  #touchNearest(vector: Float32Array, k: number, count: number): number {
    if (this.#ann) {
      const keys = this.#ann.search(vector, Math.min(k, this.size), 1).keys;
      for (let i = 0; i < keys.length; i++) count = this.#touch(Number(keys[i]), count);
      return count;
    }
    // A bounded best-k list, worst first, by cosine.
    const best = new Float64Array(Math.min(k, this.size)).fill(-Infinity);
    const bestDoc = new Int32Array(best.length).fill(-1);
    for (let doc = 0; doc < this.size; doc++) {
      const cos = this.#cosine(vector, doc);
      if (cos <= best[0]) continue;
      let at = 0;
      while (at + 1 < best.length && best[at + 1] < cos) {
        best[at] = best[at + 1];
        bestDoc[at] = bestDoc[at + 1];
        at++;
      }
      best[at] = cos;
      bestDoc[at] = doc;
    }
    for (const doc of bestDoc) if (doc >= 0) count = this.#touch(doc, count);
    return count;
  }

  /**
   * The question's degree levels (bachelor, master, PhD) that no document names.
   * @example
   * index.unnamedDegrees('Скільки коштує аспірантура?') // ['phd'] when no document names a PhD
   */
  unnamedDegrees(question: string): readonly string[] {
    return this.size === 0 ? [] : this.#plan(question).unnamedDegrees;
  }

  /**
   * The best `k` documents for a question, best first (scores below `minScore` dropped).
   * @example
   * index.search('Коли працює бібліотека?', 5, 0.4)
   */
  search(question: string, k: number, minScore = 0): ScoredDocument[] {
    if (this.size === 0 || k <= 0) return [];
    const { words, totalImportance, bm25Ceiling, specific, degrees, vector } = this.#plan(question);
    const hasDegree = this.#hasDegree;
    const bm25 = this.#bm25;
    const covered = this.#covered;
    const matched = this.#matched;
    const wordBest = this.#wordBest;
    const touched = this.#touched;
    const seen = this.#seen;
    const candidates = this.#candidates;
    let count = 0;
    for (let w = 0; w < words.length; w++) {
      const { postings, weight, importance } = words[w];
      const bit = 1 << w;
      if (postings.length === 1) {
        // One posting (the usual case once twins are shared): no best-of to keep.
        const { docs, impact } = postings[0];
        for (let i = 0; i < docs.length; i++) {
          const doc = docs[i];
          if (!seen[doc]) {
            seen[doc] = 1;
            bm25[doc] = 0;
            covered[doc] = 0;
            matched[doc] = 0;
            candidates[count++] = doc;
          }
          matched[doc] |= bit;
          bm25[doc] += weight * impact[i];
          covered[doc] += importance;
        }
        continue;
      }
      // Per document, the best-scoring feature of this word.
      let touchedCount = 0;
      for (let p = 0; p < postings.length; p++) {
        const { docs, impact } = postings[p];
        for (let i = 0; i < docs.length; i++) {
          const doc = docs[i];
          const score = impact[i];
          if (!seen[doc]) {
            seen[doc] = 1;
            bm25[doc] = 0;
            covered[doc] = 0;
            matched[doc] = 0;
            candidates[count++] = doc;
          }
          if (!(matched[doc] & bit)) {
            matched[doc] |= bit;
            wordBest[doc] = score;
            touched[touchedCount++] = doc;
          } else if (score > wordBest[doc]) wordBest[doc] = score;
        }
      }
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i];
        bm25[doc] += weight * wordBest[doc];
        covered[doc] += importance;
      }
    }
    count = this.#touchNearest(vector, Math.max(k * 4, 20), count);
    const fusion = this.#fusion;
    const partial = this.#partial;
    // The lexical part of each candidate, and the k-th best of them: a final score is at
    // least its lexical part, so a candidate that cannot reach that even with a perfect
    // cosine is out without computing its cosine.
    const kth = new Float64Array(k).fill(-Infinity);
    for (let c = 0; c < count; c++) {
      const doc = candidates[c];
      const coverage = totalImportance > 0 ? covered[doc] / totalImportance : 0;
      const lexical = bm25Ceiling > 0 ? Math.min(1, bm25[doc] / bm25Ceiling) : 0;
      const value = fusion.coverage * coverage + fusion.lexical * lexical;
      partial[doc] = value;
      if (value > kth[0]) {
        let at = 0;
        while (at + 1 < k && kth[at + 1] < value) {
          kth[at] = kth[at + 1];
          at++;
        }
        kth[at] = value;
      }
    }
    const floor = Math.max(minScore, kth[0]) - fusion.vector;
    // The k best so far, worst first. The k best by lexical part go first, so the bar a
    // candidate must clear is high before the long tail is looked at.
    const top: { doc: number; score: number; cos: number }[] = [];
    const consider = (doc: number) => {
      const lexicalPart = partial[doc];
      if (lexicalPart < floor || (top.length === k && lexicalPart + fusion.vector < top[0].score)) return;
      const cos = this.#cosine(vector, doc);
      // The cosine of two short texts is high for a shared topic word alone («dog in the
      // dormitory» and the dormitory fee): it counts in full only once the document covers
      // {@link VECTOR_FULL_COVERAGE} of the question's weight.
      const coverage = totalImportance > 0 ? covered[doc] / totalImportance : 0;
      let score = lexicalPart + fusion.vector * Math.min(1, Math.max(0, cos) / fusion.vectorScale) * Math.min(1, coverage / VECTOR_FULL_COVERAGE);
      // A penalty only lowers a score, so the bounds above stay bounds.
      if (specific & ~matched[doc]) score *= MISSING_SPECIFIC_FACTOR;
      if (degrees && !(degrees & matched[doc]) && hasDegree[doc]) score *= OTHER_DEGREE_FACTOR;
      if (score < minScore || (top.length === k && (score < top[0].score || (score === top[0].score && doc > top[0].doc)))) return;
      if (top.length === k) top.shift();
      let at = 0;
      while (at < top.length && (top[at].score < score || (top[at].score === score && top[at].doc > doc))) at++;
      top.splice(at, 0, { doc, score, cos });
    };
    for (let c = 0; c < count; c++) if (partial[candidates[c]] >= kth[0]) consider(candidates[c]);
    for (let c = 0; c < count; c++) {
      const doc = candidates[c];
      seen[doc] = 0;
      if (partial[doc] < kth[0]) consider(doc);
    }
    return top.reverse().map((t) => {
      const coverage = totalImportance > 0 ? covered[t.doc] / totalImportance : 0;
      const lexical = bm25Ceiling > 0 ? Math.min(1, bm25[t.doc] / bm25Ceiling) : 0;
      return {
        doc: t.doc,
        score: t.score,
        coverage,
        lexical,
        vector: t.cos,
        matched: words.filter((word, w) => !word.answerType && matched[t.doc] & (1 << w)).map((word) => word.token),
        missing: words.filter((word, w) => !word.answerType && !(matched[t.doc] & (1 << w))).map((word) => word.token),
      };
    });
  }
}
