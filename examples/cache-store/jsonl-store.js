/**
 * A custom Kobza cache store, written the way a user writes one: plain ES-module
 * JavaScript, types from JSDoc only, no build step.
 *
 * `jsonl-store` keeps every key in one append-only JSON Lines file: each `set` appends
 * `{"ns","key","value","expiresAt"}`, each `delete` a tombstone, each `clear` a clear mark.
 * On start the file is replayed into memory; when dead lines outnumber live ones the file
 * is rewritten (compacted). Easy to read, diff and back up — meant for one process; for
 * several Kobza processes on one cache use `redis://`.
 *
 * A store plugin fills the `CacheStore` slot with a factory; the semantic cache (and the
 * memory plugin) then use it whenever their own `store:` key is left out (see ./kobza.yaml):
 *
 *   plugins:
 *     jsonl-store:
 *       module: ./jsonl-store.js
 *       file: data/cache.jsonl
 *     semantic-cache: {}
 */
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** @typedef {import('kobza').CacheStore} CacheStore */
/** @typedef {import('kobza').CacheStoreFactory} CacheStoreFactory */
/** @typedef {import('kobza').PluginDefinition} PluginDefinition */
/** @typedef {{ value: unknown, expiresAt: number }} Slot */

export const configSchema = z.strictObject({
  /** The JSON Lines file, relative to the config file's folder. */
  file: z.string({ error: 'expected a file path such as data/cache.jsonl' }).min(1, { error: 'expected a file path such as data/cache.jsonl' }),
  /** Rewrite the file when it holds this many times more lines than live keys. */
  compactRatio: z.number({ error: 'expected a number ≥ 2' }).min(2, { error: 'expected a number ≥ 2' }).default(3),
});

/**
 * One JSON Lines file, replayed into a Map of namespace → key → slot. Writes are appended
 * in order through one promise chain, so a crash loses at most the line being written.
 */
export class JsonlLog {
  /** @type {Map<string, Map<string, Slot>>} */
  namespaces = new Map();
  lines = 0;
  /** @type {Promise<void>} */
  #writes = Promise.resolve();

  /**
   * @param {string} file absolute path
   * @param {number} compactRatio
   */
  constructor(file, compactRatio) {
    this.file = file;
    this.compactRatio = compactRatio;
  }

  /** Reads the file (a missing file is an empty store; a torn last line is skipped). */
  async load() {
    await mkdir(path.dirname(this.file), { recursive: true });
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        continue; // a line torn by a crash
      }
      this.lines++;
      this.#apply(record);
    }
  }

  /** @param {{ ns: string, key?: string, value?: unknown, expiresAt?: number, deleted?: boolean, clear?: boolean }} record */
  #apply(record) {
    const space = this.space(record.ns);
    if (record.clear) space.clear();
    else if (record.deleted) space.delete(/** @type {string} */ (record.key));
    else space.set(/** @type {string} */ (record.key), { value: record.value, expiresAt: record.expiresAt ?? 0 });
  }

  /** @param {string} ns */
  space(ns) {
    let space = this.namespaces.get(ns);
    if (!space) {
      space = new Map();
      this.namespaces.set(ns, space);
    }
    return space;
  }

  /**
   * Applies a change in memory at once and appends it to the file in order.
   * @param {{ ns: string, key?: string, value?: unknown, expiresAt?: number, deleted?: boolean, clear?: boolean }} record
   */
  write(record) {
    this.#apply(record);
    const line = `${JSON.stringify(record)}\n`;
    this.#writes = this.#writes.then(async () => {
      await appendFile(this.file, line);
      this.lines++;
      if (this.lines > 100 && this.lines > this.compactRatio * this.liveCount()) await this.#compact();
    });
    return this.#writes;
  }

  liveCount() {
    let count = 0;
    const now = Date.now();
    for (const space of this.namespaces.values()) for (const slot of space.values()) if (!slot.expiresAt || slot.expiresAt > now) count++;
    return count;
  }

  /** Rewrites the file with live keys only (to a temp file, then rename). */
  async #compact() {
    const now = Date.now();
    const lines = [];
    for (const [ns, space] of this.namespaces) {
      for (const [key, slot] of space) {
        if (slot.expiresAt && slot.expiresAt <= now) space.delete(key);
        else lines.push(JSON.stringify({ ns, key, value: slot.value, expiresAt: slot.expiresAt }));
      }
    }
    const temp = `${this.file}.tmp`;
    await writeFile(temp, lines.length ? `${lines.join('\n')}\n` : '');
    await rename(temp, this.file);
    this.lines = lines.length;
  }

  /** Resolves when every change so far is on disk. */
  flushed() {
    return this.#writes;
  }
}

/**
 * A CacheStore over one namespace of a log.
 * @param {JsonlLog} log
 * @param {string} ns
 * @returns {CacheStore}
 */
export function namespaceStore(log, ns) {
  /** @param {string} key */
  const live = (key) => {
    const slot = log.space(ns).get(key);
    if (!slot) return undefined;
    if (slot.expiresAt && slot.expiresAt <= Date.now()) return undefined;
    return slot;
  };
  return {
    async get(key) {
      // A copy, so a caller that mutates what it got does not change the store behind its back.
      const slot = live(key);
      return slot === undefined ? undefined : structuredClone(/** @type {any} */ (slot.value));
    },
    async set(key, value, ttlMs) {
      await log.write({ ns, key, value, expiresAt: ttlMs && ttlMs > 0 ? Date.now() + ttlMs : 0 });
    },
    async delete(key) {
      const existed = live(key) !== undefined;
      if (log.space(ns).has(key)) await log.write({ ns, key, deleted: true });
      return existed;
    },
    async clear() {
      await log.write({ ns, clear: true });
    },
    async *entries(prefix) {
      for (const [key] of [...log.space(ns)]) {
        if (prefix && !key.startsWith(prefix)) continue;
        const slot = live(key);
        if (slot) yield /** @type {[string, unknown]} */ ([key, structuredClone(slot.value)]);
      }
    },
    async close() {
      await log.flushed();
    },
  };
}

/** @type {PluginDefinition} */
export default {
  name: 'jsonl-store',
  configSchema,
  provides: ['CacheStore'],
  register(ctx, config) {
    const settings = /** @type {import('zod').output<typeof configSchema>} */ (config);
    const file = path.resolve(ctx.config.dir, settings.file);
    const log = new JsonlLog(file, settings.compactRatio);
    /** @type {Promise<void> | undefined} */
    let loading;
    /** @type {CacheStoreFactory} */
    const factory = {
      describe: () => `jsonl://${file}`,
      async open(namespace) {
        loading ??= log.load();
        await loading;
        return namespaceStore(log, namespace);
      },
    };
    ctx.provide('CacheStore', factory);
    ctx.onClose(() => log.flushed());
  },
};
