/**
 * Nearest-neighbour search over cached questions' vectors. Small caches use an exact cosine
 * scan over one contiguous Float32Array (no native code, exact results); above `annAbove`
 * vectors the index moves to a usearch HNSW graph, which stays fast at 100k entries. Both
 * forms save to and load from one file, so a restart does not re-embed or re-insert.
 */
import { renameSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import usearch from 'usearch';

const { Index, MetricKind, ScalarKind } = usearch;
type UsearchIndex = InstanceType<typeof Index>;

export type VectorQuantization = 'f32' | 'f16' | 'i8';

export interface VectorIndexOptions {
  dimensions: number;
  /** Switch from the exact scan to the ANN graph when the index grows past this many vectors. */
  annAbove: number;
  /** How usearch stores vectors (f16 halves memory at no measurable recall cost). */
  quantization: VectorQuantization;
  /** HNSW graph degree. */
  connectivity: number;
  /** Candidate list size while inserting (higher = better graph, slower build). */
  expansionAdd: number;
  /** Candidate list size while searching (higher = better recall, slower search). */
  expansionSearch: number;
}

/**
 * Measured on 100k QQP questions with the built-in embedder (bench/cache.ts): M=32 and
 * ef=192 reach recall@1 ≥ 0.99 against exact search; M=16 needs ef=256 and is slower.
 */
export const DEFAULT_VECTOR_INDEX_OPTIONS: Omit<VectorIndexOptions, 'dimensions'> = {
  annAbove: 2000,
  quantization: 'f16',
  connectivity: 32,
  expansionAdd: 128,
  expansionSearch: 192,
};

export interface VectorMatch {
  label: number;
  /** Cosine similarity in [-1, 1]. */
  similarity: number;
}

const EXACT_MAGIC = 'KOBZA-EXACT-1';

function cosineOfUnit(a: Float32Array, matrix: Float32Array, offset: number, dims: number): number {
  let dot = 0;
  for (let i = 0; i < dims; i++) dot += a[i] * matrix[offset + i];
  return dot;
}

/**
 * A vector index keyed by integer labels, exact while small and ANN when large.
 * Vectors must be L2-normalised (the Embedder contract).
 * @example
 * const index = new VectorIndex({ dimensions: 256, ...DEFAULT_VECTOR_INDEX_OPTIONS });
 * index.add(1, vector);
 * index.search(query, 5); // [{ label: 1, similarity: 0.97 }]
 */
export class VectorIndex {
  readonly options: VectorIndexOptions;
  // Exact form: row i of `#matrix` holds the vector of `#labels[i]`.
  #matrix: Float32Array;
  #labels: number[] = [];
  #rowOf = new Map<number, number>();
  // ANN form, once the index outgrew `annAbove`.
  #ann: UsearchIndex | undefined;
  #annLabels = new Set<number>();

  constructor(options: VectorIndexOptions) {
    this.options = options;
    this.#matrix = new Float32Array(options.dimensions * 64);
  }

  /** `exact` or `ann`. */
  get mode(): 'exact' | 'ann' {
    return this.#ann ? 'ann' : 'exact';
  }

  get size(): number {
    return this.#ann ? this.#annLabels.size : this.#labels.length;
  }

  has(label: number): boolean {
    return this.#ann ? this.#annLabels.has(label) : this.#rowOf.has(label);
  }

  #newAnn(): UsearchIndex {
    const quantization = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 }[this.options.quantization];
    return new Index({
      dimensions: this.options.dimensions,
      metric: MetricKind.Cos,
      quantization,
      connectivity: this.options.connectivity,
      expansion_add: this.options.expansionAdd,
      expansion_search: this.options.expansionSearch,
      multi: false,
    });
  }

  #checkDimensions(vector: Float32Array): void {
    if (vector.length !== this.options.dimensions) {
      throw new Error(`vector has ${vector.length} dimensions, the index expects ${this.options.dimensions}`);
    }
  }

  /** Adds (or replaces) one vector. */
  add(label: number, vector: Float32Array): void {
    this.addMany([label], [vector]);
  }

  /** Adds many vectors at once (the ANN form inserts them in one multi-threaded batch). */
  addMany(labels: readonly number[], vectors: readonly Float32Array[]): void {
    if (labels.length === 0) return;
    for (const vector of vectors) this.#checkDimensions(vector);
    for (const label of labels) if (this.has(label)) this.remove(label);
    if (!this.#ann && this.#labels.length + labels.length > this.options.annAbove) this.#promote();
    if (this.#ann) {
      const dims = this.options.dimensions;
      const flat = new Float32Array(labels.length * dims);
      vectors.forEach((v, i) => flat.set(v, i * dims));
      this.#ann.add(BigUint64Array.from(labels.map((l) => BigInt(l))), flat, labels.length > 64 ? 0 : 1);
      for (const label of labels) this.#annLabels.add(label);
      return;
    }
    const dims = this.options.dimensions;
    const needed = (this.#labels.length + labels.length) * dims;
    if (needed > this.#matrix.length) {
      const grown = new Float32Array(Math.max(needed, this.#matrix.length * 2));
      grown.set(this.#matrix.subarray(0, this.#labels.length * dims));
      this.#matrix = grown;
    }
    labels.forEach((label, i) => {
      const row = this.#labels.length;
      this.#matrix.set(vectors[i], row * dims);
      this.#labels.push(label);
      this.#rowOf.set(label, row);
    });
  }

  /** Moves every vector from the exact matrix into a fresh ANN graph. */
  #promote(): void {
    const ann = this.#newAnn();
    const count = this.#labels.length;
    if (count > 0) {
      const dims = this.options.dimensions;
      ann.add(BigUint64Array.from(this.#labels.map((l) => BigInt(l))), this.#matrix.slice(0, count * dims), 0);
    }
    this.#annLabels = new Set(this.#labels);
    this.#ann = ann;
    this.#matrix = new Float32Array(0);
    this.#labels = [];
    this.#rowOf.clear();
  }

  /** Removes a vector; returns whether it was there. */
  remove(label: number): boolean {
    if (this.#ann) {
      if (!this.#annLabels.delete(label)) return false;
      this.#ann.remove(BigInt(label));
      return true;
    }
    const row = this.#rowOf.get(label);
    if (row === undefined) return false;
    // Swap the last row into the hole so the matrix stays contiguous.
    const dims = this.options.dimensions;
    const last = this.#labels.length - 1;
    if (row !== last) {
      this.#matrix.copyWithin(row * dims, last * dims, (last + 1) * dims);
      const moved = this.#labels[last];
      this.#labels[row] = moved;
      this.#rowOf.set(moved, row);
    }
    this.#labels.pop();
    this.#rowOf.delete(label);
    return true;
  }

  /** The `k` nearest vectors, most similar first. */
  search(vector: Float32Array, k: number): VectorMatch[] {
    this.#checkDimensions(vector);
    if (this.size === 0 || k <= 0) return [];
    if (this.#ann) {
      const matches = this.#ann.search(vector, Math.min(k, this.#annLabels.size), 1);
      const found: VectorMatch[] = [];
      for (let i = 0; i < matches.keys.length; i++) {
        // usearch's cosine distance is 1 − cos.
        found.push({ label: Number(matches.keys[i]), similarity: 1 - matches.distances[i] });
      }
      return found;
    }
    const dims = this.options.dimensions;
    const best: VectorMatch[] = [];
    for (let row = 0; row < this.#labels.length; row++) {
      const similarity = cosineOfUnit(vector, this.#matrix, row * dims, dims);
      if (best.length < k) {
        best.push({ label: this.#labels[row], similarity });
        best.sort((a, b) => b.similarity - a.similarity);
      } else if (similarity > best[best.length - 1].similarity) {
        best[best.length - 1] = { label: this.#labels[row], similarity };
        best.sort((a, b) => b.similarity - a.similarity);
      }
    }
    return best;
  }

  /** Removes every vector (keeps the mode). */
  clear(): void {
    if (this.#ann) {
      this.#ann = this.#newAnn();
      this.#annLabels.clear();
    }
    this.#labels = [];
    this.#rowOf.clear();
  }

  /** Writes the index to `file` atomically (a temp file, then rename). */
  save(file: string): void {
    const temp = `${file}.${process.pid}.tmp`;
    if (this.#ann) {
      this.#ann.save(temp);
    } else {
      const dims = this.options.dimensions;
      const header = Buffer.from(JSON.stringify({ magic: EXACT_MAGIC, dimensions: dims, labels: this.#labels }) + '\n');
      const body = Buffer.from(this.#matrix.buffer, this.#matrix.byteOffset, this.#labels.length * dims * 4);
      const size = Buffer.alloc(4);
      size.writeUInt32LE(header.length);
      writeFileSync(temp, Buffer.concat([size, header, body]));
    }
    renameSync(temp, file);
  }

  /**
   * Loads an index saved by `save`. `labels` are the labels the caller expects in it (the
   * ANN file does not list its keys, so the caller's manifest does).
   */
  static load(file: string, options: VectorIndexOptions, mode: 'exact' | 'ann', labels: readonly number[]): VectorIndex {
    const index = new VectorIndex(options);
    if (!existsSync(file)) throw new Error(`index file ${file} is missing`);
    if (mode === 'ann') {
      const ann = index.#newAnn();
      ann.load(file);
      if (ann.size() !== labels.length) throw new Error(`index file ${file} holds ${ann.size()} vectors, the manifest lists ${labels.length}`);
      index.#ann = ann;
      index.#annLabels = new Set(labels);
      index.#matrix = new Float32Array(0);
      return index;
    }
    const data = readFileSync(file);
    const headerLength = data.readUInt32LE(0);
    const header = JSON.parse(data.subarray(4, 4 + headerLength).toString('utf8')) as { magic: string; dimensions: number; labels: number[] };
    if (header.magic !== EXACT_MAGIC || header.dimensions !== options.dimensions) throw new Error(`index file ${file} is not an exact index of ${options.dimensions} dimensions`);
    const body = data.subarray(4 + headerLength);
    const floats = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    if (floats.length !== header.labels.length * options.dimensions) throw new Error(`index file ${file} is truncated`);
    index.#matrix = floats.length > 0 ? floats : new Float32Array(options.dimensions * 64);
    index.#labels = [...header.labels];
    header.labels.forEach((label, row) => index.#rowOf.set(label, row));
    const expected = new Set(labels);
    if (expected.size !== header.labels.length || header.labels.some((l) => !expected.has(l))) throw new Error(`index file ${file} does not match its manifest`);
    return index;
  }

  /** Deletes a saved index file, if present. */
  static remove(file: string): void {
    rmSync(file, { force: true });
  }
}
