/**
 * Knowledge plugin: answers grounded in the deployment's own documents and FAQ, with
 * sources — and answers even when no model is reachable. Two middleware:
 *
 * 1. `knowledge` (stage `guard`, before the cache): stamps `metadata.knowledgeVersion` (the
 *    semantic cache puts it in its namespace, so an edited document retires the answers
 *    built on it); serves a curated FAQ answer when the question verifies as the same as
 *    one of its `q` (core/text `compareQuestions`, the cache's own verifier) — replayed as
 *    a stream, `meta.source = 'faq'`, never reaching the cache; refuses politely when
 *    nothing is relevant and `whenNotFound: refuse`; attaches `meta.sources`; and when the
 *    provider fails with UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT before any text, answers
 *    extractively from the best passage, saying the model is unavailable.
 * 2. `knowledge-grounding` (stage `generate`, after the cache): gives the model the top
 *    passages as numbered sources in the system context with the instruction to cite [n].
 *    It runs after the cache so the passages never change the cache key of a question.
 */
import path from 'node:path';
import {
  createReplyMeta,
  definePlugin,
  involvesTools,
  isKobzaError,
  KobzaError,
  replayText,
  type ChatRequest,
  type FaqVariants,
  type KnowledgeSearch,
  type Middleware,
  type PluginBlock,
  type Reply,
  type ReplyMeta,
} from '../../core/index.js';
import { needsContext, type TextOptions } from '../../core/text/index.js';
import { extractiveAnswer, groundingText, languageOf, notCoveredText, refusalText, sourceRef, withSystemText } from './answers.js';
import { knowledgeConfigSchema, type KnowledgeConfig } from './config.js';
import { KnowledgeIndex, type PassageMatch } from './knowledge-index.js';
import { AnalysisStore } from './index-file.js';
import { loadSources } from './sources.js';
import { foldersToWatch, watchFolders } from './watch.js';

export { knowledgeConfigSchema, type KnowledgeConfig } from './config.js';
export { KnowledgeIndex, type PassageMatch, type FaqMatch } from './knowledge-index.js';
export { loadSources, type KnowledgeBase, type Passage } from './sources.js';
export { evaluateKnowledge, parseQuestions, type KnowledgeEvalResult, type LabelledQuestion } from './evaluate.js';

/** Errors after which the documents answer instead of the model. */
const MODEL_DOWN = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']);

/** Where a knowledge config keeps its index file, if anywhere (see `indexFile` in config.ts). */
export function knowledgeIndexPath(config: Pick<KnowledgeConfig, 'indexFile'>, kobza: { dir: string; plugins: readonly PluginBlock[] }): string | undefined {
  if (config.indexFile === false) return undefined;
  if (config.indexFile) return path.resolve(kobza.dir, config.indexFile);
  for (const block of kobza.plugins) {
    const store = block.enabled === false ? undefined : block.settings.store;
    if (typeof store !== 'string' || !store.startsWith('sqlite://')) continue;
    const file = store.slice('sqlite://'.length);
    if (file && file !== ':memory:') return `${path.resolve(kobza.dir, file)}.knowledge`;
  }
  return undefined;
}

export interface OpenKnowledgeOptions {
  configFile: string;
  configDir: string;
  lineOf(at: readonly (string | number)[]): number;
  pluginName?: string;
  onProgress?(done: number, total: number): void;
  /** The index file to start from (and, with `save`, to write back when anything changed). */
  indexFile?: string;
  save?: boolean;
  /** A failed save is passed here (else thrown). */
  onSaveError?(err: Error): void;
  /** The analyses of a previous build in this process (a watch reload); else read from `indexFile`. */
  store?: AnalysisStore;
}

/**
 * Loads the sources of a knowledge config and indexes them — analysing only passages the
 * index file (or the previous build) does not already hold.
 * @example
 * const index = await openKnowledgeIndex(config, { configFile: 'config/default.yaml', configDir: 'config', lineOf: kobzaConfig.lineOf, indexFile: 'data/kobza.sqlite.knowledge', save: true });
 * index.analysed // passages analysed by this build (0 when nothing changed)
 */
export async function openKnowledgeIndex(config: KnowledgeConfig, where: OpenKnowledgeOptions): Promise<KnowledgeIndex> {
  const base = await loadSources(config.sources, { ...where, maxPassageChars: config.maxPassageChars });
  const text = textOptionsOf(config);
  const store = where.store ?? (await AnalysisStore.load(where.indexFile, KnowledgeIndex.analyzerKey({ dimensions: config.dimensions, text }), config.dimensions));
  const before = store.size;
  const index = KnowledgeIndex.build(base, { dimensions: config.dimensions, text, annAbove: config.annAbove, onProgress: where.onProgress, store });
  if (where.save && where.indexFile && (index.analysed > 0 || store.size !== before)) {
    try {
      await store.save(where.indexFile);
    } catch (err) {
      // The file only saves work at the next start: without it the index is still complete.
      if (!where.onSaveError) throw err;
      where.onSaveError(err as Error);
    }
  }
  return index;
}

/** One TextOptions object per config object, so the compiled text model is shared (modelFor memoises per object). */
const textOptions = new WeakMap<KnowledgeConfig, TextOptions>();
function textOptionsOf(config: KnowledgeConfig): TextOptions {
  let text = textOptions.get(config);
  if (!text) textOptions.set(config, (text = { entities: config.entities, synonyms: config.synonyms }));
  return text;
}

/**
 * The index as the core contracts others use: a search for the operator console, and the
 * FAQ's `q` variants as groups of the same question (the semantic cache's aliases).
 */
export function knowledgeServices(index: KnowledgeIndex): { search: KnowledgeSearch; variants: FaqVariants } {
  return {
    search: {
      search: (question, limit) =>
        index.retrieve(question, limit).map(({ passage, score }) => ({ id: passage.id, title: passage.title, ...(passage.url ? { url: passage.url } : {}), score, text: passage.text, kind: passage.kind })),
    },
    variants: { groups: () => index.base.faq.map((entry) => entry.questions).filter((questions) => questions.length > 1) },
  };
}

/** The last message when it is the user's, else undefined. */
function questionOf(request: ChatRequest): string | undefined {
  const last = request.messages[request.messages.length - 1];
  if (!last || last.role !== 'user' || (last.images && last.images.length > 0)) return undefined;
  const text = last.content.trim();
  return text || undefined;
}

/** Does the question lean on earlier turns («а скільки це коштує?»)? Then a FAQ answer may not fit. */
function isFollowUp(request: ChatRequest, question: string): boolean {
  return request.messages.some((m, i) => i < request.messages.length - 1 && m.role !== 'system') && needsContext(question);
}

/** A reply that yields `first`, then the rest of `iterator`, passing an early stop on. */
async function* resumeAfter(first: IteratorResult<string>, iterator: AsyncIterator<string>): AsyncGenerator<string> {
  let finished = first.done === true;
  try {
    if (finished) return;
    yield first.value;
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}

export default definePlugin({
  name: 'knowledge',
  configSchema: knowledgeConfigSchema,
  async register(ctx, config) {
    const indexFile = knowledgeIndexPath(config, ctx.config);
    const where: OpenKnowledgeOptions = {
      configFile: ctx.config.file,
      configDir: ctx.config.dir,
      lineOf: ctx.config.lineOf,
      pluginName: ctx.name,
      indexFile,
      save: true,
      onSaveError: (err) => ctx.logger.warn({ err, indexFile }, 'knowledge: cannot write the index file; the next start analyses every passage again'),
    };
    const store = await AnalysisStore.load(where.indexFile, KnowledgeIndex.analyzerKey({ dimensions: config.dimensions, text: textOptionsOf(config) }), config.dimensions);
    // The index in use; a watch reload puts a new one here (requests already running keep theirs).
    let index = await openKnowledgeIndex(config, { ...where, store });
    const language = ctx.config.assistant.language;
    ctx.logger.debug({ passages: index.base.passages.length, faq: index.base.faq.length, version: index.version, analysed: index.analysed, reused: index.reused, indexFile: where.indexFile }, 'knowledge base indexed');
    if (config.watch) {
      let reloading: Promise<void> | undefined;
      let again = false;
      const reload = async () => {
        try {
          const next = await openKnowledgeIndex(config, { ...where, store });
          watching.add(foldersToWatch(config.sources, ctx.config.dir, next.base.paths));
          if (next.version === index.version) return;
          const previous = index.version;
          index = next;
          ctx.logger.info({ version: next.version, previous, analysed: next.analysed, reused: next.reused }, 'knowledge: sources changed; index rebuilt');
        } catch (err) {
          // A source being edited may be broken for a moment: the last good index stays.
          ctx.logger.warn({ err }, 'knowledge: sources changed but could not be re-read; keeping the previous index');
        }
      };
      const onChange = () => {
        if (reloading) {
          again = true;
          return;
        }
        reloading = reload().finally(() => {
          reloading = undefined;
          if (again) {
            again = false;
            onChange();
          }
        });
      };
      const watching = watchFolders(foldersToWatch(config.sources, ctx.config.dir, index.base.paths), config.watchDebounceMs, onChange, (err, folder) =>
        ctx.logger.warn({ err, folder }, 'knowledge: cannot watch a source folder'),
      );
      ctx.onClose(async () => {
        watching.close();
        await reloading;
      });
    }

    /** Retrieval for a question; the index remembers it, so both middleware share one search. */
    const retrieve = (question: string): readonly PassageMatch[] => index.retrieve(question, config.topK, config.minScore);

    const fixedReply = (request: ChatRequest, text: string, init: { source: ReplyMeta['source']; sources?: ReplyMeta['sources']; extra: Record<string, unknown> }): Reply => {
      const meta = createReplyMeta({ requestId: request.id, source: init.source, model: request.model });
      meta.doneReason = 'stop';
      meta.flags.noCache = true;
      if (init.sources) meta.sources = init.sources;
      meta.extra.knowledge = { version: index.version, ...init.extra };
      const pace = request.metadata.replayCharsPerSecond;
      return replayText(text, meta, request.stream ? { charsPerSecond: typeof pace === 'number' ? pace : 0, signal: request.signal } : { chunkChars: Infinity, signal: request.signal });
    };

    const answerWithoutModel = (request: ChatRequest, question: string, matches: readonly PassageMatch[], cause: KobzaError): Reply => {
      if (!config.extractive || matches.length === 0) throw cause;
      // Only text that agrees with the question is quoted; a near miss is no answer.
      const answer = extractiveAnswer(question, matches, languageOf(question, language), textOptionsOf(config));
      if (!answer) throw cause;
      ctx.logger.warn({ reqId: request.id, code: cause.code, passage: answer.passage.id }, 'knowledge: the model is unavailable; answering from the documents');
      return fixedReply(request, answer.text, { source: answer.source, sources: answer.sources, extra: { extractive: true, cause: cause.code } });
    };

    const knowledge: Middleware = {
      name: 'knowledge',
      stage: 'guard',
      async handle(request, next) {
        request.metadata.knowledgeVersion = index.version;
        const question = questionOf(request);
        if (question === undefined) return next();
        // A JSON answer, or one where the model may call the client's tools, is the model's to write.
        const plain = request.metadata.format === undefined && !involvesTools(request);
        if (config.faq && plain && !isFollowUp(request, question)) {
          const faq = index.matchFaq(question);
          if (faq) {
            const ref = faq.entry.url ? { id: faq.entry.id, title: faq.entry.questions[0], url: faq.entry.url } : { id: faq.entry.id, title: faq.entry.questions[0] };
            return fixedReply(request, faq.entry.answer, { source: 'faq', sources: [ref], extra: { faq: faq.entry.id, variant: faq.variant, similarity: faq.comparison.similarity } });
          }
        }
        const matches = retrieve(question);
        if (matches.length === 0 && config.whenNotFound === 'refuse' && plain) {
          return fixedReply(request, refusalText(language, config.contact), { source: 'knowledge', extra: { refused: true } });
        }
        let reply: Reply;
        let first: IteratorResult<string>;
        let iterator: AsyncIterator<string>;
        try {
          reply = await next();
          iterator = reply.chunks[Symbol.asyncIterator]();
          // The model may fail before its first token (connect, load, first-token timeout).
          first = await iterator.next();
        } catch (err) {
          if (plain && isKobzaError(err) && MODEL_DOWN.has(err.code) && !request.signal.aborted) return answerWithoutModel(request, question, matches, err);
          throw err;
        }
        if (matches.length > 0 && !reply.meta.sources) reply.meta.sources = matches.map((m) => sourceRef(m.passage));
        return { chunks: resumeAfter(first, iterator), meta: reply.meta };
      },
    };

    const grounding: Middleware = {
      name: 'knowledge-grounding',
      stage: 'generate',
      async handle(request, next) {
        const question = questionOf(request);
        if (question === undefined) return next();
        const matches = retrieve(question);
        const lang = languageOf(question, language);
        const system = matches.length > 0 ? groundingText(matches, lang) : notCoveredText(lang);
        return next({ ...request, messages: withSystemText(request.messages, system) });
      },
    };

    ctx.provide('Middleware', knowledge);
    ctx.provide('Middleware', grounding);
    const { search, variants } = knowledgeServices(index);
    ctx.provide('KnowledgeSearch', search);
    ctx.provide('FaqVariants', variants);
  },
});
