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
import {
  createReplyMeta,
  definePlugin,
  isKobzaError,
  KobzaError,
  replayText,
  type ChatRequest,
  type Middleware,
  type Reply,
  type ReplyMeta,
} from '../../core/index.js';
import { needsContext, type TextOptions } from '../../core/text/index.js';
import { extractiveAnswer, groundingText, languageOf, notCoveredText, refusalText, sourceRef, withSystemText } from './answers.js';
import { knowledgeConfigSchema, type KnowledgeConfig } from './config.js';
import { KnowledgeIndex, type PassageMatch } from './knowledge-index.js';
import { loadSources } from './sources.js';

export { knowledgeConfigSchema, type KnowledgeConfig } from './config.js';
export { KnowledgeIndex, type PassageMatch, type FaqMatch } from './knowledge-index.js';
export { loadSources, type KnowledgeBase, type Passage } from './sources.js';
export { evaluateKnowledge, parseQuestions, type KnowledgeEvalResult, type LabelledQuestion } from './evaluate.js';

/** Errors after which the documents answer instead of the model. */
const MODEL_DOWN = new Set(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']);

/**
 * Loads the sources of a knowledge config and indexes them.
 * @example
 * const index = await openKnowledgeIndex(config, { configFile: 'config/default.yaml', configDir: 'config', lineOf: kobzaConfig.lineOf });
 */
export async function openKnowledgeIndex(
  config: KnowledgeConfig,
  where: { configFile: string; configDir: string; lineOf(at: readonly (string | number)[]): number; pluginName?: string; onProgress?(done: number, total: number): void },
): Promise<KnowledgeIndex> {
  const base = await loadSources(config.sources, { ...where, maxPassageChars: config.maxPassageChars });
  const text: TextOptions = { entities: config.entities, synonyms: config.synonyms };
  return KnowledgeIndex.build(base, { dimensions: config.dimensions, text, annAbove: config.annAbove, onProgress: where.onProgress });
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
    const index = await openKnowledgeIndex(config, { configFile: ctx.config.file, configDir: ctx.config.dir, lineOf: ctx.config.lineOf, pluginName: ctx.name });
    const version = index.version;
    const language = ctx.config.assistant.language;
    ctx.logger.debug({ passages: index.base.passages.length, faq: index.base.faq.length, version }, 'knowledge base indexed');

    /** Retrieval for a question; the index remembers it, so both middleware share one search. */
    const retrieve = (question: string): readonly PassageMatch[] => index.retrieve(question, config.topK, config.minScore);

    const fixedReply = (request: ChatRequest, text: string, init: { source: ReplyMeta['source']; sources?: ReplyMeta['sources']; extra: Record<string, unknown> }): Reply => {
      const meta = createReplyMeta({ requestId: request.id, source: init.source, model: request.model });
      meta.doneReason = 'stop';
      meta.flags.noCache = true;
      if (init.sources) meta.sources = init.sources;
      meta.extra.knowledge = { version, ...init.extra };
      const pace = request.metadata.replayCharsPerSecond;
      return replayText(text, meta, request.stream ? { charsPerSecond: typeof pace === 'number' ? pace : 0, signal: request.signal } : { chunkChars: Infinity, signal: request.signal });
    };

    const answerWithoutModel = (request: ChatRequest, question: string, matches: readonly PassageMatch[], cause: KobzaError): Reply => {
      if (!config.extractive || matches.length === 0) throw cause;
      const lang = languageOf(question, language);
      const { text, sources } = extractiveAnswer(question, matches, lang);
      ctx.logger.warn({ reqId: request.id, code: cause.code, passage: matches[0].passage.id }, 'knowledge: the model is unavailable; answering from the documents');
      return fixedReply(request, text, { source: matches[0].passage.kind === 'faq' ? 'faq' : 'knowledge', sources, extra: { extractive: true, cause: cause.code } });
    };

    const knowledge: Middleware = {
      name: 'knowledge',
      stage: 'guard',
      async handle(request, next) {
        request.metadata.knowledgeVersion = version;
        const question = questionOf(request);
        if (question === undefined) return next();
        const plain = request.metadata.format === undefined;
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
  },
});
