/**
 * Questions an operator declared the same (`kobza cache alias "<q1>" "<q2>"`, the complement
 * of `forget`): an entry stored for one answers the other, and a paraphrase of one the
 * verifier accepts counts as a paraphrase of the other. Kept in the store (`aliases`, and an
 * `aliases-version` other processes poll), so an alias taught on one process holds on all.
 * Groups given when the cache opens (the knowledge plugin's FAQ variants) join them in
 * memory only: they come from the deployment's files, not from the store.
 */
import type { CacheStore } from '../../core/index.js';
import { compareQuestions, normalize, type TextOptions } from '../../core/text/index.js';
import { shortHash } from './scope.js';

type Stored = Record<string, { questions: [string, string] }>;

/** One alias as taught. */
export interface AliasResult {
  questions: [string, string];
  /** False when the two were already aliases (directly or through others). */
  added: boolean;
}

/**
 * The aliases of one store, as last loaded; taught pairs join into groups (A = B and B = C
 * make A = C).
 * @example
 * const aliases = new QuestionAliases(store, (task) => feed.serial(task));
 * await aliases.add('Де бібла?', 'Де знаходиться бібліотека?');
 * aliases.of('де бібла') // ['Де знаходиться бібліотека?']
 */
export class QuestionAliases {
  readonly #store: CacheStore;
  readonly #serial: <T>(task: () => Promise<T>) => Promise<T>;
  /** Normal form → every other question of its group, as taught. */
  #groups = new Map<string, string[]>();
  #count = 0;
  #version = 0;
  /** Pairs from the groups given at start (not stored). */
  readonly #fixed: [string, string][];

  constructor(store: CacheStore, serial: <T>(task: () => Promise<T>) => Promise<T>, groups: readonly (readonly string[])[] = []) {
    this.#store = store;
    this.#serial = serial;
    this.#fixed = groups.flatMap((group) => group.slice(1).map((q): [string, string] => [group[0], q]));
    if (this.#fixed.length) this.#build([]);
  }

  /** Taught pairs (not counting the groups given at start). */
  get size(): number {
    return this.#count;
  }

  /** The other questions of `question`'s group (none for nearly every question: no work then). */
  of(question: string): readonly string[] {
    if (this.#groups.size === 0) return [];
    return this.#groups.get(normalize(question)) ?? [];
  }

  /** Is `question` the same as `stored` through an alias: equal to, or accepted by the verifier against, one of its aliases? */
  sameVia(question: string, stored: string, text: TextOptions): boolean {
    const others = this.of(stored);
    if (others.length === 0) return false;
    const normal = normalize(question);
    return others.some((other) => normalize(other) === normal || compareQuestions(question, other, text).same);
  }

  async load(): Promise<void> {
    this.#version = (await this.#store.get<number>('aliases-version')) ?? 0;
    const stored = (await this.#store.get<Stored>('aliases')) ?? {};
    this.#build(Object.values(stored).map((s) => s.questions));
  }

  /** Loads the aliases again if another process taught one. */
  async refresh(): Promise<void> {
    if (((await this.#store.get<number>('aliases-version')) ?? 0) !== this.#version) await this.load();
  }

  /** Teaches that two questions are the same. */
  async add(a: string, b: string): Promise<AliasResult> {
    const questions: [string, string] = [a.trim(), b.trim()];
    const known = normalize(questions[0]) === normalize(questions[1]) || this.of(questions[0]).some((q) => normalize(q) === normalize(questions[1]));
    if (known) return { questions, added: false };
    const key = shortHash([normalize(questions[0]), normalize(questions[1])].sort().join('\u0000'));
    await this.#serial(async () => {
      const stored = (await this.#store.get<Stored>('aliases')) ?? {};
      stored[key] = { questions };
      await this.#store.set('aliases', stored);
      await this.#store.set('aliases-version', ((await this.#store.get<number>('aliases-version')) ?? 0) + 1);
    });
    await this.load();
    return { questions, added: true };
  }

  /** The store was cleared. */
  reset(): void {
    this.#build([]);
    this.#version = 0;
  }

  /** Joins the taught pairs into groups (union of normal forms). */
  #build(taught: readonly [string, string][]): void {
    const pairs = this.#fixed.length ? [...this.#fixed, ...taught] : taught;
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(x, root);
      return root;
    };
    const texts = new Map<string, string>();
    for (const pair of pairs) {
      for (const q of pair) {
        const n = normalize(q);
        if (!parent.has(n)) parent.set(n, n);
        if (!texts.has(n)) texts.set(n, q);
      }
      parent.set(find(normalize(pair[0])), find(normalize(pair[1])));
    }
    const members = new Map<string, string[]>();
    for (const n of parent.keys()) {
      const root = find(n);
      members.set(root, [...(members.get(root) ?? []), n]);
    }
    this.#groups = new Map();
    for (const group of members.values()) {
      for (const n of group) this.#groups.set(n, group.filter((m) => m !== n).map((m) => texts.get(m)!));
    }
    this.#count = taught.length;
  }
}
