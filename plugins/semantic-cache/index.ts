/**
 * Semantic cache plugin: answers a question from an earlier answer when — and only when —
 * the two questions mean the same thing. Middleware at stage `cache`:
 * 1. scope: namespace from model + system prompt + answer-changing options; follow-ups
 *    («а скільки це коштує?») only match under the same earlier turns;
 * 2. lookup: exact normalised key, then index candidates above the embedder's threshold,
 *    each verified by core/text `compareQuestions` (numbers, degree, negation, time,
 *    intent, entities, content words) — the similarity is a prefilter, not the verdict;
 * 3. hit: the stored answer is replayed as a stream (instant or paced), `meta.source =
 *    'cache'`; miss: the rest of the pipeline runs and the answer is stored only if the
 *    stream completed normally and nothing flagged it (refusal, truncation, noCache).
 */
import path from 'node:path';
import { z } from 'zod';
import {
  createReplyMeta,
  definePlugin,
  guardStore,
  isAbortError,
  abortStateOf,
  isAborted,
  isKobzaError,
  KobzaError,
  observeReply,
  openKeyvStore,
  redactUrl,
  replayText,
  type CacheStore,
  type ChatRequest,
  type Embedder,
  type Middleware,
  type PluginContext,
  type ReplyMeta,
  type StoreHealth,
} from '../../core/index.js';
import type { TextOptions } from '../../core/text/index.js';
import { createHashingEmbedder, createOllamaEmbedder } from './embedders.js';
import { SemanticCache } from './semantic-cache.js';
import { admitAnswer, WriteTracker, writeKeyOf } from './admission.js';
import { trustOf } from './trust.js';
import { DEFAULT_VECTOR_INDEX_OPTIONS } from './vector-index.js';
import { loadVocabulary } from './vocabulary.js';
import { WordVectors } from './word-vectors.js';

export { problemOfExportedEntry } from './records.js';
export { SemanticCache, entryIdOf, type LookupResult, type MatchResult, type ExportedEntry, type CacheStats, type ForgetResult, type EntryRecord } from './semantic-cache.js';
export { createHashingEmbedder, createOllamaEmbedder, cosine } from './embedders.js';
export { scopeOf, namespaceOf, namespaceFactsOf, contextKeyOf, type CacheScope, type NamespaceFacts } from './scope.js';
export { VectorIndex, DEFAULT_VECTOR_INDEX_OPTIONS } from './vector-index.js';
export { trustOf, conversationKeyOf, type TrustDecision, type WriteTier } from './trust.js';

/**
 * Prefilter thresholds calibrated with `kobza eval cache --calibrate` on the labelled dev
 * pairs: the highest cosine that loses none of the paraphrases the verifier accepts.
 * Embedders without a calibrated value get `UNCALIBRATED_THRESHOLD`, low on purpose —
 * verification keeps precision; a low prefilter only costs a few more comparisons.
 */
export const CALIBRATED_THRESHOLDS: Record<string, number> = {
  // Dev pairs: the lowest accepted paraphrase scores 0.47 (calibration at wrong-hit rate 0
  // picks 0.47); 0.45 keeps a margin. QQP 5k: the lowest accepted duplicate scores 0.62.
  builtin: 0.45,
};
export const UNCALIBRATED_THRESHOLD = 0.3;

const wordGroups = z.array(z.array(z.string().min(1)).min(1));

const embedderSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('builtin'),
      /** Vector length of the model-free embedder. */
      dimensions: z.number().int().min(32).max(4096).default(256),
    }),
    z.strictObject({
      type: z.literal('ollama'),
      /** Embedding model served by Ollama, e.g. bge-m3. */
      model: z.string().min(1),
      /** Ollama URL; omitted: the LlmProvider's embed(), else http://127.0.0.1:11434. */
      url: z.url({ error: 'expected a URL such as http://127.0.0.1:11434' }).optional(),
      timeoutMs: z.number().int().positive().default(30_000),
      keepAlive: z.union([z.string(), z.number()], { error: 'expected a duration such as 5m or seconds' }).optional(),
      /**
       * Strong-embedder mode (for a semantic model such as bge-m3): a content word the rules
       * leave without a partner pairs with the other question's word at this cosine or more.
       * The slot vetoes stay hard. Omitted: off.
       */
      wordMatch: z.number().min(0).max(1).optional(),
    }),
    z.strictObject({ type: z.literal('provided') }),
  ],
);

export const semanticCacheConfigSchema = z.strictObject({
  /** Keyv URL: memory, sqlite://path, redis://host:port. Omitted: a registered CacheStore, else memory. */
  store: z.string().min(1).optional(),
  /** Entry lifetime in ms (0 = forever). A hit does not extend it. */
  ttlMs: z.number().int().min(0).default(7 * 24 * 3_600_000),
  /** Most entries kept; the least recently used are evicted beyond it (0 = unlimited). */
  maxEntries: z.number().int().min(0).default(50_000),
  /** Answers of recently hit entries kept in memory, so a repeat hit reads no store (0 = read it every time). */
  heldAnswers: z.number().int().min(0).default(1000),
  /** Cosine prefilter; omitted: the calibrated value of the embedder. */
  threshold: z.number().min(-1).max(1).optional(),
  /** Index candidates verified per lookup. */
  topK: z.number().int().min(1).max(100).default(5),
  /** Only candidates within this much of the best similarity are verified (2 = every candidate above the threshold). */
  candidateMargin: z.number().min(0).max(2).default(0.15),
  /** Omitted: an Embedder another plugin provides, else the built-in one. */
  embedder: embedderSchema.optional(),
  /** `context`: a follow-up hits only under the same earlier turns; `bypass`: follow-ups are never cached. */
  followUps: z.enum(['context', 'bypass']).default('context'),
  /** Earlier turns (question + answer) that make up a follow-up's context. */
  contextTurns: z.number().int().min(1).max(20).default(2),
  /** Replay pace of hits; omitted: the streaming plugin's pace (request.metadata.replayCharsPerSecond), else instant. */
  replay: z
    .strictObject({
      mode: z.enum(['instant', 'paced']).default('instant'),
      charsPerSecond: z.number().positive().default(400),
    })
    .optional(),
  /** Domain entities (faculties, specialties, buildings): each list is every name of one entity. Two questions naming different entities never share an answer. */
  entities: wordGroups.default([]),
  /** Extra synonym groups for the verifier and the built-in embedder. */
  synonyms: wordGroups.default([]),
  /** A vocabulary file (YAML: synonyms, colloquial, glossary, entities), relative to the config file. */
  vocabulary: z.string().min(1).optional(),
  index: z
    .strictObject({
      /** Above this many entries per namespace the exact scan gives way to the usearch ANN graph. */
      annAbove: z.number().int().min(0).default(DEFAULT_VECTOR_INDEX_OPTIONS.annAbove),
      quantization: z.enum(['f32', 'f16', 'i8']).default(DEFAULT_VECTOR_INDEX_OPTIONS.quantization),
      connectivity: z.number().int().min(4).max(64).default(DEFAULT_VECTOR_INDEX_OPTIONS.connectivity),
      expansionAdd: z.number().int().min(8).default(DEFAULT_VECTOR_INDEX_OPTIONS.expansionAdd),
      expansionSearch: z.number().int().min(8).default(DEFAULT_VECTOR_INDEX_OPTIONS.expansionSearch),
      /** Where the index is saved; omitted: beside a SQLite store file, else not saved. */
      path: z.string().min(1).optional(),
    })
    .prefault({}),
  /** 👎 (the `feedback` plugin) from this many different voters (a Telegram chat, an API key, a client address) quarantine an entry: it is served to no one until restored or forgotten. */
  quarantineAfter: z.number().int().min(1).default(3),
  /** Longest a store call may take; beyond it (or on an error) the answer goes on without the cache. */
  storeTimeoutMs: z.number().int().min(1).default(300),
  /** `first`: a context-free answer is shared as soon as it is generated; `agree`: only once two independent generations agree (each question costs two generations). */
  admit: z.enum(['first', 'agree']).default('first'),
  sync: z
    .strictObject({
      /** How often to pick up entries other processes wrote to a shared store (0 = never). */
      intervalMs: z.number().int().min(0).default(500),
    })
    .prefault({}),
});

export type SemanticCacheConfig = z.output<typeof semanticCacheConfigSchema>;

/** The container token under which the plugin publishes its cache (for `kobza cache …`). */
export const SEMANTIC_CACHE_TOKEN = 'SemanticCache';

declare module '../../core/tokens.js' {
  interface Services {
    /** The semantic cache's handle (`kobza cache …`, tests). */
    SemanticCache: SemanticCacheHandle;
  }
}

/** What the plugin publishes under {@link SEMANTIC_CACHE_TOKEN}. */
export interface SemanticCacheHandle {
  /** Resolves once the index is loaded. */
  ready(): Promise<SemanticCache>;
  /** Human-readable store description. */
  describeStore(): string;
  /** The store's state: `degraded` while it fails or times out (answers go on without the cache). */
  health(): StoreHealth;
  /** Resolves once the answers being written behind replies are stored (or a store timeout passed). */
  flush(): Promise<void>;
}

/** The file the index is saved to, if any. */
export function indexPathFor(config: SemanticCacheConfig, configDir: string): string | undefined {
  if (config.index.path) return path.resolve(configDir, config.index.path);
  if (config.store?.startsWith('sqlite://')) {
    const file = config.store.slice('sqlite://'.length);
    if (file && file !== ':memory:') return `${path.resolve(configDir, file)}.semantic-cache`;
  }
  return undefined;
}

function chooseEmbedder(ctx: PluginContext, config: SemanticCacheConfig, text: TextOptions): { embedder: Embedder; kind: string } {
  const chosen = config.embedder;
  if (!chosen) {
    const provided = ctx.tryResolve('Embedder');
    if (provided) return { embedder: provided, kind: 'provided' };
    return { embedder: createHashingEmbedder({ text }), kind: 'builtin' };
  }
  if (chosen.type === 'builtin') return { embedder: createHashingEmbedder({ dimensions: chosen.dimensions, text }), kind: 'builtin' };
  if (chosen.type === 'ollama') {
    return {
      embedder: createOllamaEmbedder({ model: chosen.model, url: chosen.url, timeoutMs: chosen.timeoutMs, keepAlive: chosen.keepAlive, provider: () => ctx.tryResolve('LlmProvider') }),
      kind: `ollama:${chosen.model}`,
    };
  }
  const provided = ctx.tryResolve('Embedder');
  if (!provided) throw new KobzaError('PLUGIN_DEPENDENCY', `plugin "${ctx.name}" has embedder.type: provided, but no enabled plugin provides Embedder`);
  return { embedder: provided, kind: 'provided' };
}

/** Whether a finished reply may be stored. */
export function isCacheable(meta: ReplyMeta, text: string): boolean {
  return (
    meta.complete === true &&
    meta.source !== 'cache' &&
    meta.doneReason !== 'length' &&
    meta.doneReason !== 'abort' &&
    !meta.flags.refusal &&
    !meta.flags.truncated &&
    !meta.flags.noCache &&
    text.trim().length > 0
  );
}

/**
 * The cache's own logger, minus the repeats of an outage: the store guard warns once per
 * outage, so the sync and sweep timers' failures during it go to debug.
 */
function quietDuringOutages(logger: PluginContext['logger']): PluginContext['logger'] {
  const warn = function warn(this: unknown, first: unknown, ...rest: unknown[]) {
    const err = (first as { err?: unknown } | undefined)?.err;
    if (isKobzaError(err, 'STORE_UNAVAILABLE')) return (logger.debug as (...args: unknown[]) => void)(first, ...rest);
    return (logger.warn as (...args: unknown[]) => void)(first, ...rest);
  };
  return new Proxy(logger, { get: (target, key) => (key === 'warn' ? warn : Reflect.get(target, key, target)) });
}

function replayPace(request: ChatRequest, config: SemanticCacheConfig): number {
  if (!request.stream) return 0;
  if (config.replay) return config.replay.mode === 'paced' ? config.replay.charsPerSecond : 0;
  const published = request.metadata.replayCharsPerSecond ?? 0;
  return published > 0 ? published : 0;
}

export default definePlugin({
  name: 'semantic-cache',
  configSchema: semanticCacheConfigSchema,
  async register(ctx, config) {
    // One options object for the verifier and the embedder: core/text memoises per object.
    const lexicon = config.vocabulary ? await loadVocabulary(config.vocabulary, ctx.config.dir) : undefined;
    const text: TextOptions = { entities: config.entities, synonyms: config.synonyms, ...(lexicon ? { lexicon } : {}) };
    const wordMatch = config.embedder?.type === 'ollama' ? config.embedder.wordMatch : undefined;
    const words = wordMatch === undefined ? undefined : new WordVectors();
    if (words) Object.assign(text, { wordSimilarity: words.similarity, wordSimilarityMin: wordMatch });
    let cache: SemanticCache | undefined;
    let opening: Promise<SemanticCache> | undefined;
    // Redacted: a store URL may carry a password, and this description reaches logs and `kobza cache stats`.
    let storeDescription = redactUrl(config.store ?? 'memory');
    let guarded: ReturnType<typeof guardStore> | undefined;
    const writes = new WriteTracker();
    const deploymentSystemPrompt = ctx.config.assistant.systemPrompt ?? '';

    const open = (): Promise<SemanticCache> => {
      opening ??= (async () => {
        const { embedder, kind } = chooseEmbedder(ctx, config, text);
        if (words) words.embedder = embedder;
        let store: CacheStore;
        const factory = config.store ? undefined : ctx.tryResolve('CacheStore');
        if (factory) {
          store = await factory.open('semantic-cache');
          storeDescription = redactUrl(factory.describe());
        } else {
          store = await openKeyvStore(config.store ?? 'memory', 'semantic-cache', ctx.config.dir);
        }
        guarded = guardStore(store, { timeoutMs: config.storeTimeoutMs, description: storeDescription, owner: 'semantic-cache', logger: ctx.logger, events: ctx.events });
        store = guarded;
        const inMemory = !factory && (config.store ?? 'memory').startsWith('memory');
        const threshold = config.threshold ?? CALIBRATED_THRESHOLDS[kind] ?? UNCALIBRATED_THRESHOLD;
        if (config.threshold === undefined && CALIBRATED_THRESHOLDS[kind] === undefined) {
          ctx.logger.info({ embedder: embedder.id, threshold }, 'semantic cache: no calibrated threshold for this embedder; run `kobza eval cache --calibrate` and set threshold');
        }
        cache = await SemanticCache.open({
          store,
          embedder,
          threshold,
          topK: config.topK,
          candidateMargin: config.candidateMargin,
          ttlMs: config.ttlMs,
          maxEntries: config.maxEntries,
          // A store others write to (the CLI beside the server, other processes) with its
          // feed switched off: nothing would tell a held answer that it was forgotten.
          heldAnswers: !inMemory && config.sync.intervalMs === 0 ? 0 : config.heldAnswers,
          text,
          words,
          index: config.index,
          indexFile: indexPathFor(config, ctx.config.dir),
          syncIntervalMs: inMemory ? 0 : config.sync.intervalMs,
          quarantineAfter: config.quarantineAfter,
          // The knowledge plugin's FAQ: each entry's `q` variants are the same question.
          aliasGroups: ctx.tryResolve('FaqVariants')?.groups(),
          logger: quietDuringOutages(ctx.logger),
        });
        ctx.logger.debug({ embedder: embedder.id, threshold, store: storeDescription, entries: cache.size }, 'semantic cache ready');
        return cache;
      })();
      return opening;
    };

    const handle: SemanticCacheHandle = {
      ready: open,
      describeStore: () => storeDescription,
      health: () => guarded?.health() ?? { status: 'ok', store: storeDescription, errors: 0 },
      flush: () => writes.settled(config.storeTimeoutMs),
    };
    ctx.provide(SEMANTIC_CACHE_TOKEN, handle);
    ctx.provide('CacheModeration', {
      rate: async (key, rating, voter) => (await open()).rateEntry(key, rating, voter),
      quarantine: async (key) => (await open()).setQuarantined(key, true),
      restore: async (key) => (await open()).setQuarantined(key, false),
      forget: async (key) => (await open()).forgetEntry(key),
      isQuarantined: (key) => cache?.isQuarantined(key) ?? false,
      list: async (options) => (await open()).listEntries(options),
      alias: async (key, question) => (await open()).aliasEntry(key, question),
    });
    ctx.provide('Health', { name: 'semantic-cache', health: handle.health });
    ctx.onReady(async () => {
      await open();
    });
    ctx.onClose(async () => {
      await writes.settled(config.storeTimeoutMs);
      await cache?.close();
    });

    const middleware: Middleware = {
      name: 'semantic-cache',
      stage: 'cache',
      async handle(request, next) {
        const trust = trustOf(request, { followUps: config.followUps, contextTurns: config.contextTurns, deploymentSystemPrompt });
        if (!trust.cacheable) {
          ctx.events.emit('cache:miss', { requestId: request.id, reason: `bypass:${trust.reason}` });
          return next();
        }
        let semantic: SemanticCache;
        let result;
        try {
          semantic = cache ?? (await open());
          // Read your writes: the answer to this very question, generated a moment ago, may
          // still be written in the background; wait for it, but never longer than a store
          // call may take. Other questions' writes don't hold this one (no write: no key built).
          if (writes.pending > 0 && !guarded?.degraded) {
            const pendingWrite = writes.settledFor(writeKeyOf(trust.read.namespace, trust.question), config.storeTimeoutMs);
            if (pendingWrite) await pendingWrite;
          }
          // The request as the signal's source: a held repeat never makes its (lazy) signal.
          result = await semantic.lookup(trust.question, trust.read, request);
        } catch (err) {
          if (isAbortError(err) || isAborted(request)) throw new KobzaError('ABORTED', 'the request was aborted', { cause: err, requestId: request.id });
          // An outage is logged once by the store guard; anything else here is a bug worth a line.
          if (!isKobzaError(err, 'STORE_UNAVAILABLE')) ctx.logger.warn({ err, reqId: request.id }, 'semantic cache lookup failed; asking the model');
          if (!cache) opening = undefined; // the store was down at start-up: try again next time
          ctx.events.emit('cache:miss', { requestId: request.id, reason: 'store-unavailable' });
          return next();
        }
        if (result.hit) {
          ctx.events.emit('cache:hit', { requestId: request.id, similarity: result.similarity, exact: result.exact, key: result.entry.id });
          const meta = createReplyMeta({ requestId: request.id, source: 'cache', model: result.entry.model || request.model });
          meta.cache = { similarity: result.similarity, exact: result.exact, key: result.entry.id };
          meta.doneReason = 'stop';
          meta.extra.cachedQuestion = result.entry.question;
          meta.extra.cachedAt = result.entry.createdAt;
          if (result.verification) meta.extra.cacheVerification = result.verification;
          // A caller that did not ask for a stream gets the answer as one chunk.
          // Only a paced replay waits on the signal; an instant one checks the abort per chunk.
          const pace = replayPace(request, config);
          if (pace > 0) return replayText(result.entry.answer, meta, { charsPerSecond: pace, signal: request.signal });
          return replayText(result.entry.answer, meta, request.stream ? { abortState: abortStateOf(request) } : { chunkChars: Infinity, abortState: abortStateOf(request) });
        }
        ctx.events.emit('cache:miss', { requestId: request.id, reason: result.reason, bestSimilarity: result.bestSimilarity, vetoedBy: result.vetoedBy });
        const reply = await next();
        if (trust.tier === 'none') return reply;
        return observeReply(reply, {
          onComplete(answer, meta) {
            if (isAborted(request) || !isCacheable(meta, answer)) return;
            // The reply ends now; the write goes on behind it (a slow store never holds an answer).
            const write = admitAnswer({ cache: semantic, trust, answer, model: meta.model || request.model, request, admit: config.admit, logger: ctx.logger }).catch((err: unknown) => {
              if (!isKobzaError(err, 'STORE_UNAVAILABLE')) ctx.logger.warn({ err, reqId: request.id }, 'semantic cache: could not store the answer');
            });
            writes.track(writeKeyOf(trust.read.namespace, trust.question), write);
          },
        });
      },
    };
    ctx.provide('Middleware', middleware);
  },
});
