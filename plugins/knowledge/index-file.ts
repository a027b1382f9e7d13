/**
 * The knowledge index saved beside the configured store (`data/kobza.sqlite.knowledge`), so
 * a restart — or a rebuild after a source changed — analyses only the passages whose text
 * changed. Entries are keyed by a hash of a passage's title and text and tied to the
 * analyser's key (the embedder's fingerprint, the lexicon, the deployment's vocabulary): a
 * file written under another key is ignored and rebuilt.
 *
 * Layout: `KBIX`, a format number, the length of a JSON header (the analyser key, the
 * feature table, per passage its hash, length and feature count), then the vectors
 * (Float32), the feature ids (Int32) and their counts (Float32), each 4-byte aligned.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DocumentFeatures, IndexedText } from './retrieval.js';

const MAGIC = 'KBIX';
const FORMAT = 1;

interface Header {
  key: string;
  dimensions: number;
  features: string[];
  /** [hash, length, feature count] per passage. */
  docs: [string, number, number][];
}

/**
 * The content hash a passage is stored under.
 * @example
 * contentHash({ title: 'Гуртожитки', text: 'Вул. Садова, 12.' }) // '3f0c…' (16 hex digits)
 */
export function contentHash(document: IndexedText): string {
  return createHash('sha1')
    .update(document.title ?? '')
    .update('\u0000')
    .update(document.text)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Analysed passages by content hash: what the last build knew, and what this one adds.
 * @example
 * const store = await AnalysisStore.load('data/kobza.sqlite.knowledge', analyzer.key, 256);
 * store.get(contentHash(passage)) // DocumentFeatures | undefined
 */
export class AnalysisStore {
  readonly key: string;
  readonly dimensions: number;
  readonly #entries = new Map<string, DocumentFeatures>();
  /** Passages found (reused) and analysed since the last `resetCounts`. */
  reused = 0;
  analysed = 0;

  constructor(key: string, dimensions: number) {
    this.key = key;
    this.dimensions = dimensions;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(hash: string): DocumentFeatures | undefined {
    const found = this.#entries.get(hash);
    if (found) this.reused++;
    return found;
  }

  set(hash: string, features: DocumentFeatures): void {
    if (!this.#entries.has(hash)) this.analysed++;
    this.#entries.set(hash, features);
  }

  resetCounts(): void {
    this.reused = 0;
    this.analysed = 0;
  }

  /** Keeps only these hashes (the passages of the current sources). */
  retain(hashes: Iterable<string>): void {
    const keep = new Set(hashes);
    for (const hash of this.#entries.keys()) if (!keep.has(hash)) this.#entries.delete(hash);
  }

  /**
   * Reads a saved store; a missing, damaged or differently keyed file gives an empty one.
   * @example
   * const store = await AnalysisStore.load(file, analyzer.key, 256);
   */
  static async load(file: string | undefined, key: string, dimensions: number): Promise<AnalysisStore> {
    const store = new AnalysisStore(key, dimensions);
    if (!file) return store;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return store;
    }
    try {
      if (bytes.toString('latin1', 0, 4) !== MAGIC || bytes.readUInt32LE(4) !== FORMAT) return store;
      const headerLength = bytes.readUInt32LE(8);
      const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as Header;
      if (header.key !== key || header.dimensions !== dimensions) return store;
      let offset = align(12 + headerLength);
      const copy = (count: number, Kind: Float32ArrayConstructor | Int32ArrayConstructor) => {
        const chunk = new Uint8Array(count * 4); // a copy, 4-byte aligned
        chunk.set(bytes.subarray(offset, offset + count * 4));
        const view = new Kind(chunk.buffer);
        offset += count * 4;
        return view;
      };
      const totalFeatures = header.docs.reduce((sum, d) => sum + d[2], 0);
      const vectors = copy(header.docs.length * dimensions, Float32Array) as Float32Array;
      const ids = copy(totalFeatures, Int32Array) as Int32Array;
      const counts = copy(totalFeatures, Float32Array) as Float32Array;
      let at = 0;
      header.docs.forEach(([hash, length, featureCount], i) => {
        const features: string[] = new Array(featureCount);
        const tf: number[] = new Array(featureCount);
        for (let f = 0; f < featureCount; f++) {
          features[f] = header.features[ids[at + f]];
          tf[f] = counts[at + f];
        }
        at += featureCount;
        store.#entries.set(hash, { features, counts: tf, length, vector: vectors.subarray(i * dimensions, (i + 1) * dimensions) });
      });
      return store;
    } catch {
      return new AnalysisStore(key, dimensions);
    }
  }

  /** Writes the store (to a temporary file, then renamed over the old one). */
  async save(file: string): Promise<void> {
    const table = new Map<string, number>();
    const docs: Header['docs'] = [];
    let totalFeatures = 0;
    for (const [hash, entry] of this.#entries) {
      docs.push([hash, entry.length, entry.features.length]);
      totalFeatures += entry.features.length;
      for (const feature of entry.features) if (!table.has(feature)) table.set(feature, table.size);
    }
    const header = Buffer.from(JSON.stringify({ key: this.key, dimensions: this.dimensions, features: [...table.keys()], docs } satisfies Header), 'utf8');
    const start = align(12 + header.length);
    const bytes = Buffer.alloc(start + (docs.length * this.dimensions + totalFeatures * 2) * 4);
    bytes.write(MAGIC, 0, 'latin1');
    bytes.writeUInt32LE(FORMAT, 4);
    bytes.writeUInt32LE(header.length, 8);
    header.copy(bytes, 12);
    const vectors = new Float32Array(bytes.buffer, bytes.byteOffset + start, docs.length * this.dimensions);
    const ids = new Int32Array(bytes.buffer, bytes.byteOffset + start + vectors.byteLength, totalFeatures);
    const counts = new Float32Array(bytes.buffer, bytes.byteOffset + start + vectors.byteLength + ids.byteLength, totalFeatures);
    let i = 0;
    let at = 0;
    for (const entry of this.#entries.values()) {
      vectors.set(entry.vector, i++ * this.dimensions);
      for (let f = 0; f < entry.features.length; f++) {
        ids[at] = table.get(entry.features[f])!;
        counts[at++] = entry.counts[f];
      }
    }
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`; // two kernels in one process may save at once
    await writeFile(temporary, bytes);
    await rename(temporary, file);
  }
}

const align = (n: number) => (n + 3) & ~3;
