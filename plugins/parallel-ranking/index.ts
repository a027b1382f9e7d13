/**
 * Parallel ranking (stage `generate`): for hard questions, draft several answers at once
 * with spread sampling, judge them with every registered scorer, and return the best as a
 * replayed stream. The judge is pluggable — the built-in scorers (language, refusal,
 * repetition, truncation, coverage, length, consensus, forbidden, substance, overclaim,
 * directness) are registered with `ctx.provide('Scorer', …)` exactly like a user's, and any scorer
 * another plugin adds is used too.
 *
 * `meta.source` is `ranking`; `meta.ranking` (core's ReplyRanking: `winner`, `score`,
 * `reason`, every draft's scores) is set before the first chunk, so the HTTP adapter can
 * send it as a header; `ranking:candidate` and `ranking:chosen` events report the same. A refused or
 * truncated winner (every draft was bad) is flagged so the cache does not keep it.
 */
import {
  definePlugin,
  KobzaError,
  replayText,
  createReplyMeta,
  type Candidate,
  type ChatRequest,
  type EventBus,
  type Middleware,
  type Next,
  type RankingCandidate,
  type Reply,
  type Scorer,
} from '../../core/index.js';
import type { Logger } from 'pino';
import { rankingConfigSchema, type RankingConfig } from './config.js';
import { collectDraft, runDrafts, type Draft } from './generate.js';
import { decideRanking, hardQuestionDetector } from './policy.js';
import { rankCandidates, type CandidateVerdict, type RankingVerdict, type WeightedScorer } from './rank.js';
import { builtinScorers } from './scorers/index.js';

export { rankingConfigSchema, type RankingConfig } from './config.js';
export { rankCandidates, normalizeScore, compareVerdicts, type WeightedScorer, type CandidateVerdict, type RankingVerdict } from './rank.js';
export { builtinScorers } from './scorers/index.js';
export { hardQuestionDetector, decideRanking, DEFAULT_COMPARISON_WORDS } from './policy.js';
export { runDrafts, draftOptions, type Draft, type DraftPlan } from './generate.js';

/**
 * Pairs each scorer with its weight: the config's `weights` override, else the scorer's own
 * `weight`, else 1. A weight of 0 keeps the scorer's vetoes but not its score.
 * @example
 * weightScorers(ctx.resolveAll('Scorer'), { polite: 2 })
 */
export function weightScorers(scorers: readonly Scorer[], overrides: Readonly<Record<string, number>>): WeightedScorer[] {
  return scorers.map((scorer) => ({ scorer, weight: overrides[scorer.name] ?? scorer.weight ?? 1 }));
}

/** What a draft looks like in `meta.ranking.candidates` (core's RankingCandidate). */
export type DraftReport = RankingCandidate;

function reportDraft(draft: Draft, verdict: CandidateVerdict | undefined): DraftReport {
  const report: DraftReport = {
    index: draft.index,
    status: draft.status,
    options: { temperature: draft.options.temperature, top_p: draft.options.top_p, seed: draft.options.seed },
    chars: draft.text.length,
    durationMs: draft.durationMs,
  };
  if (verdict) {
    report.score = Math.round(verdict.score * 1000) / 1000;
    report.scores = verdict.scores;
    if (Object.keys(verdict.reasons).length) report.reasons = verdict.reasons;
    if (verdict.vetoedBy.length) report.vetoedBy = verdict.vetoedBy;
  }
  if (draft.error) report.error = { code: draft.error.code, message: draft.error.message };
  return report;
}

interface RankingDeps {
  config: RankingConfig;
  events: EventBus;
  logger: Logger;
  /** The scorers to use for a request (resolved at request time, so late registrations count). */
  scorers: () => WeightedScorer[];
}

/**
 * The ranking middleware.
 * @example
 * ctx.provide('Middleware', createRankingMiddleware({ config, events: ctx.events, logger: ctx.logger, scorers: () => weightScorers(ctx.resolveAll('Scorer'), config.weights) }));
 */
export function createRankingMiddleware(deps: RankingDeps): Middleware {
  const { config, events, logger } = deps;
  const isHard = hardQuestionDetector(config.hard);
  const plan = {
    count: config.candidates,
    concurrency: config.concurrency ?? config.candidates,
    deadlineMs: config.deadlineMs,
    variants: config.sampling.variants,
    seeds: config.sampling.seeds,
  };

  async function rankedReply(request: ChatRequest, next: Next, policy: string): Promise<Reply> {
    const startedAt = Date.now();
    const { drafts, deadlineHit } = await runDrafts(request, (draft) => collectDraft(next.fork(draft)), plan);
    const done = drafts.filter((d) => d.status === 'done' && d.meta);
    if (done.length === 0) {
      for (const draft of drafts) {
        if (draft.status === 'skipped') continue;
        events.emit('ranking:candidate', { requestId: request.id, index: draft.index, score: 0, scores: {}, error: draft.error?.message, durationMs: draft.durationMs });
      }
      const first = drafts.find((d) => d.status === 'failed')?.error ?? drafts.find((d) => d.error)?.error;
      throw first ?? new KobzaError('UPSTREAM_BAD_RESPONSE', 'no ranking candidate was produced', { requestId: request.id });
    }

    const siblings = done.map((d) => d.text);
    const candidates: Candidate[] = done.map((d) => ({ index: d.index, text: d.text, meta: d.meta!, options: d.options, siblings }));
    const verdict: RankingVerdict = await rankCandidates(candidates, request, deps.scorers(), { scorerTimeoutMs: config.scorerTimeoutMs });
    const byIndex = new Map(verdict.ranked.map((v) => [v.index, v]));
    for (const draft of drafts) {
      if (draft.status === 'skipped') continue;
      const v = byIndex.get(draft.index);
      events.emit('ranking:candidate', {
        requestId: request.id,
        index: draft.index,
        score: v?.score ?? 0,
        scores: v?.scores ?? {},
        vetoedBy: v?.vetoedBy.length ? v.vetoedBy.join(',') : undefined,
        error: draft.error?.message,
        durationMs: draft.durationMs,
      });
    }
    for (const verdictOf of verdict.ranked) {
      for (const [name, why] of Object.entries(verdictOf.skipped)) logger.warn({ reqId: request.id, scorer: name, candidate: verdictOf.index }, `scorer left out: ${why}`);
    }

    const winnerVerdict = verdict.ranked[0];
    const winner = candidates[verdict.winner];
    events.emit('ranking:chosen', { requestId: request.id, index: winner.index, score: winnerVerdict.score, candidates: candidates.length, reason: verdict.reason });

    const meta = createReplyMeta({ requestId: request.id, source: 'ranking', model: winner.meta.model || request.model, startedAt });
    meta.doneReason = winner.meta.doneReason;
    meta.usage = { ...winner.meta.usage };
    if (winner.meta.timings.upstream) meta.timings.upstream = { ...winner.meta.timings.upstream };
    meta.flags = { ...winner.meta.flags };
    const vetoes = winnerVerdict.vetoedBy;
    if (vetoes.includes('refusal')) meta.flags.refusal = true;
    if (vetoes.includes('truncation') || winner.meta.doneReason === 'length' || !winner.meta.complete) meta.flags.truncated = true;
    // A winner that is vetoed at all is the best of a bad lot: serve it, never cache it.
    if (vetoes.length > 0) meta.flags.noCache = true;
    const usage = done.reduce(
      (sum, d) => ({ promptTokens: sum.promptTokens + (d.meta?.usage.promptTokens ?? 0), completionTokens: sum.completionTokens + (d.meta?.usage.completionTokens ?? 0) }),
      { promptTokens: 0, completionTokens: 0 },
    );
    meta.ranking = {
      winner: winner.index,
      policy,
      score: Math.round(winnerVerdict.score * 1000) / 1000,
      reason: verdict.reason,
      deadlineHit,
      draftMs: Date.now() - startedAt,
      usage,
      candidates: drafts.map((d) => reportDraft(d, byIndex.get(d.index))),
    };
    logger.debug({ reqId: request.id, chosen: winner.index, reason: verdict.reason, deadlineHit }, 'ranked answer chosen');
    const pace = request.metadata.replayCharsPerSecond ?? 0;
    return replayText(winner.text, meta, { charsPerSecond: Number.isFinite(pace) && pace > 0 ? pace : 0, signal: request.signal });
  }

  return {
    name: 'parallel-ranking',
    stage: 'generate',
    async handle(request, next) {
      const decision = decideRanking(request, config.when, isHard);
      if (!decision.rank) return next();
      return rankedReply(request, next, decision.reason);
    },
  };
}

export default definePlugin({
  name: 'parallel-ranking',
  configSchema: rankingConfigSchema,
  register(ctx, config) {
    for (const scorer of builtinScorers(config.scorers)) ctx.provide('Scorer', scorer);
    ctx.provide('Middleware', 
      createRankingMiddleware({
        config,
        events: ctx.events,
        logger: ctx.logger,
        scorers: () => weightScorers(ctx.resolveAll('Scorer'), config.weights),
      }),
    );
    ctx.onReady(() => {
      const known = new Set(ctx.resolveAll('Scorer').map((s) => s.name));
      for (const name of Object.keys(config.weights)) {
        if (!known.has(name)) ctx.logger.warn({ scorer: name, known: [...known] }, `plugins.${ctx.name}.weights names a scorer that no plugin registers`);
      }
    });
  },
});
