/**
 * The in-memory index saved beside the store, so a restarted process loads it and catches up
 * from the change feed instead of rescanning (and re-decoding) every entry. Files:
 * `<base>.json` (the manifest: entries, feed positions, store generation) and one vector file
 * per namespace, `<base>.<namespace>.<snapshot>.vec|usearch`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { emptyState, type NamespaceState, type NamespaceStates } from './namespace-index.js';
import { VectorIndex, type VectorIndexOptions } from './vector-index.js';

interface Manifest {
  version: 2;
  embedder: string;
  generation: string;
  positions: Record<string, number>;
  savedAt: number;
  namespaces: {
    namespace: string;
    nextLabel: number;
    mode: 'exact' | 'ann';
    dimensions?: number;
    vectorFile?: string;
    /** label, id, contextKey, question, createdAt, expiresAt */
    entries: [number, string, string, string, number, number][];
  }[];
}

/** What a snapshot holds besides the index: where the store and the feed were. */
export interface SnapshotState {
  states: NamespaceStates;
  generation: string;
  positions: Map<string, number>;
}

export interface IndexSnapshotOptions {
  /** Base path of the files; undefined = the index is not persisted. */
  indexFile: string | undefined;
  embedderId: string;
  index: Omit<VectorIndexOptions, 'dimensions'>;
  /** Save this long after the last change. */
  saveDelayMs: number;
  logger?: Logger;
}

/**
 * Loads and writes the saved index, and debounces saves.
 * @example
 * const snapshot = new IndexSnapshot({ indexFile: 'cache.sqlite.semantic-cache', embedderId, index, saveDelayMs: 5000 });
 * const saved = snapshot.load(); // SnapshotState | undefined
 */
export class IndexSnapshot {
  readonly options: IndexSnapshotOptions;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: IndexSnapshotOptions) {
    this.options = options;
  }

  /** The manifest's path, undefined when not persisted. */
  get manifestFile(): string | undefined {
    return this.options.indexFile ? `${this.options.indexFile}.json` : undefined;
  }

  /** The saved index, or undefined when there is none, it is unreadable or another embedder made it. */
  load(): SnapshotState | undefined {
    const file = this.manifestFile;
    if (!file || !existsSync(file)) return undefined;
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (manifest.version !== 2 || manifest.embedder !== this.options.embedderId) {
        this.options.logger?.info({ file }, 'semantic cache: saved index was made by another embedder; rebuilding from the store');
        return undefined;
      }
      const states: NamespaceStates = new Map();
      for (const saved of manifest.namespaces) {
        const state = emptyState(saved.namespace, saved.nextLabel);
        for (const [label, id, contextKey, question, createdAt, expiresAt] of saved.entries) {
          state.byLabel.set(label, { label, id, contextKey, question, createdAt, expiresAt, lastUsedAt: createdAt });
          state.byId.set(id, label);
        }
        if (saved.vectorFile && saved.dimensions) {
          state.vectors = VectorIndex.load(path.join(path.dirname(file), saved.vectorFile), { ...this.options.index, dimensions: saved.dimensions }, saved.mode, [...state.byLabel.keys()]);
        }
        states.set(saved.namespace, state);
      }
      return { states, generation: manifest.generation, positions: new Map(Object.entries(manifest.positions)) };
    } catch (err) {
      this.options.logger?.warn({ err, file }, 'semantic cache: saved index is unreadable; rebuilding from the store');
      return undefined;
    }
  }

  /** Writes the snapshot now (atomically: a new manifest names new vector files). */
  write(states: Iterable<NamespaceState>, generation: string, positions: Map<string, number>): void {
    const file = this.manifestFile;
    if (!file) return;
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    const snapshot = randomBytes(4).toString('hex');
    const base = path.basename(this.options.indexFile!);
    const manifest: Manifest = { version: 2, embedder: this.options.embedderId, generation, positions: Object.fromEntries(positions), savedAt: Date.now(), namespaces: [] };
    const written: string[] = [];
    for (const state of states) {
      let vectorFile: string | undefined;
      if (state.vectors && state.vectors.size > 0) {
        vectorFile = `${base}.${state.namespace}.${snapshot}.${state.vectors.mode === 'ann' ? 'usearch' : 'vec'}`;
        state.vectors.save(path.join(dir, vectorFile));
        written.push(vectorFile);
      }
      manifest.namespaces.push({
        namespace: state.namespace,
        nextLabel: state.nextLabel,
        mode: state.vectors?.mode ?? 'exact',
        dimensions: vectorFile ? state.vectors!.options.dimensions : undefined,
        vectorFile,
        entries: vectorFile ? [...state.byLabel.values()].map((e) => [e.label, e.id, e.contextKey, e.question, e.createdAt, e.expiresAt]) : [],
      });
    }
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(manifest));
    renameSync(temp, file);
    // Older snapshots of this index are no longer referenced.
    for (const name of readdirSync(dir)) {
      if (name.startsWith(`${base}.`) && /\.(vec|usearch)$/.test(name) && !written.includes(name)) rmSync(path.join(dir, name), { force: true });
    }
  }

  /** Runs `save` once, `saveDelayMs` after the first call since the last run (no-op when not persisted). */
  schedule(save: () => void): void {
    if (!this.options.indexFile || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.saveNow(save);
    }, this.options.saveDelayMs);
    this.#timer.unref();
  }

  /** Runs `save` now; a failure is logged, not thrown (the store still holds every entry). */
  saveNow(save: () => void): void {
    try {
      save();
    } catch (err) {
      this.options.logger?.warn({ err }, 'semantic cache: could not save the index');
    }
  }

  /** Drops a scheduled save. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
