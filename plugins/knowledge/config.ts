/**
 * The knowledge plugin's config block (`plugins.knowledge`): where the documents are, how
 * many passages the model sees, and what happens when nothing relevant is found.
 */
import { z } from 'zod';

const wordGroups = z.array(z.array(z.string({ error: 'expected a word or phrase' }).min(1), { error: 'expected a list of names' }).min(1, { error: 'expected at least one name' }), {
  error: 'expected a list of lists of names, e.g. [[ФІТ, факультет інформаційних технологій]]',
});

export const knowledgeConfigSchema = z.strictObject({
  /** Files or globs (`*`, `**`, `?`), relative to the config file: .md/.markdown/.txt/.html/.htm pages, .yaml/.yml/.json FAQ files. */
  sources: z
    .array(z.string({ error: 'expected a file path or glob such as ../knowledge/*.md' }).min(1, { error: 'expected a file path or glob such as ../knowledge/*.md' }), {
      error: 'expected a list of files or globs, e.g. [../knowledge/faq.yaml, ../knowledge/*.md]',
    })
    .min(1, { error: 'expected at least one file or glob' }),
  /** Passages given to the model. */
  topK: z.number({ error: 'expected a number of passages' }).int({ error: 'expected a whole number of passages' }).min(1, { error: 'expected at least 1 passage' }).max(20, { error: 'expected at most 20 passages' }).default(4),
  /** A passage is relevant when its score (0..1) reaches this. */
  minScore: z.number({ error: 'expected a score between 0 and 1' }).min(0, { error: 'expected a score between 0 and 1' }).max(1, { error: 'expected a score between 0 and 1' }).default(0.4),
  /** Nothing relevant found: `model` answers, told the documents do not cover it; `refuse` sends a fixed polite message. */
  whenNotFound: z.enum(['model', 'refuse'], { error: 'expected model or refuse' }).default('model'),
  /** Who to ask when the documents do not answer (named in the refusal), e.g. an e-mail or a phone number. */
  contact: z.string({ error: 'expected a contact such as admissions@example.edu' }).min(1, { error: 'expected a contact such as admissions@example.edu' }).optional(),
  /** Curated FAQ answers are served directly when the question verifies as the same. */
  faq: z.boolean({ error: 'expected true or false' }).default(true),
  /** Answer from the documents, without the model, when the model is unreachable. */
  extractive: z.boolean({ error: 'expected true or false' }).default(true),
  /** Longest passage, in characters; longer sections are split at paragraph ends. */
  maxPassageChars: z.number({ error: 'expected a number of characters' }).int().min(200, { error: 'expected at least 200 characters' }).max(8000, { error: 'expected at most 8000 characters' }).default(1200),
  /** Dimensions of the built-in embedder's vectors. */
  dimensions: z.number({ error: 'expected a number of dimensions' }).int().min(32, { error: 'expected at least 32 dimensions' }).max(4096, { error: 'expected at most 4096 dimensions' }).default(256),
  /** Above this many passages the vector side uses a usearch HNSW graph instead of an exact scan. */
  annAbove: z.number({ error: 'expected a number of passages' }).int().min(0, { error: 'expected 0 or more passages' }).default(2000),
  /**
   * Where the analysed index is kept between runs, relative to the config file. Default:
   * beside the config's first `sqlite://` store (`../data/kobza.sqlite` → `../data/kobza.sqlite.knowledge`);
   * `false`: not kept (every start analyses every passage).
   */
  indexFile: z.union([z.string().min(1, { error: 'expected a file path' }), z.literal(false)], { error: 'expected a file path or false' }).optional(),
  /** Re-read the sources when a file changes (`serve` picks up edits without a restart). */
  watch: z.boolean({ error: 'expected true or false' }).default(false),
  /** Quiet time after the last change before the sources are re-read. */
  watchDebounceMs: z.number({ error: 'expected milliseconds' }).int().min(0, { error: 'expected 0 or more milliseconds' }).max(60_000, { error: 'expected at most 60000 ms' }).default(300),
  /** Domain entities and synonyms for the verifier and the retriever (as in semantic-cache). */
  entities: wordGroups.default([]),
  synonyms: wordGroups.default([]),
});

export type KnowledgeConfig = z.output<typeof knowledgeConfigSchema>;
