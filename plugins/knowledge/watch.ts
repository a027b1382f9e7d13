/**
 * `watch: true`: the folders that hold the sources (and the fixed part of each glob) are
 * watched; after a quiet `debounceMs` the sources are re-read and the index rebuilt — only
 * changed passages re-analysed. Folders, not files, because editors save by writing a new
 * file and renaming it over the old one, which a watch on the old file would miss.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

const GLOB_CHARS = /[*?[{]/;

/**
 * The folders to watch for a list of source patterns (resolved against `baseDir`) and the files they matched.
 * @example
 * foldersToWatch(['../knowledge/*.md'], '/srv/kobza/config', []) // ['/srv/kobza/knowledge']
 */
export function foldersToWatch(patterns: readonly string[], baseDir: string, files: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const pattern of patterns) {
    const segments = path.resolve(baseDir, pattern).split(path.sep);
    const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
    folders.add(firstGlob < 0 ? path.dirname(segments.join(path.sep)) : segments.slice(0, firstGlob).join(path.sep) || path.sep);
  }
  for (const file of files) folders.add(path.dirname(path.resolve(baseDir, file)));
  return [...folders].sort();
}

/** A running watch; `close` stops it (and any reload still waiting for quiet). */
export interface SourceWatch {
  /** Watches these folders too (new folders that a glob now matches). */
  add(folders: readonly string[]): void;
  close(): void;
}

/**
 * Calls `onChange` once things have been quiet for `debounceMs` after a change in any folder.
 * @example
 * const watching = watchFolders(['/srv/kobza/knowledge'], 300, () => reload(), (err) => logger.warn({ err }));
 */
export function watchFolders(folders: readonly string[], debounceMs: number, onChange: () => void, onError: (err: Error, folder: string) => void): SourceWatch {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onChange();
    }, debounceMs);
    timer.unref?.();
  };
  const add = (list: readonly string[]) => {
    for (const folder of list) {
      if (watchers.has(folder) || closed) continue;
      try {
        const watcher = watch(folder, { persistent: false }, changed);
        watcher.on('error', (err) => onError(err, folder));
        watchers.set(folder, watcher);
      } catch (err) {
        onError(err as Error, folder);
      }
    }
  };
  add(folders);
  return {
    add,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
