/**
 * Judging: runs every scorer on every candidate and combines the results. Vetoes come
 * first — a vetoed candidate loses to any candidate that is not vetoed — then the weighted
 * mean of the scores decides. A scorer that throws or times out is left out for that
 * candidate (and the reason recorded), so one buggy custom scorer cannot sink a request.
 */
import type { Candidate, ChatRequest, Scorer, ScoreResult } from '../../core/index.js';

/** A scorer with the weight it gets in the combination. */
export interface WeightedScorer {
  scorer: Scorer;
  weight: number;
}

/** One candidate's verdict. */
export interface CandidateVerdict {
  index: number;
  /** Weighted mean of the scores, in [0, 1]. */
  score: number;
  /** Scorer name → score in [0, 1]. */
  scores: Record<string, number>;
  /** Scorer name → the reason it gave (only scorers that gave one). */
  reasons: Record<string, string>;
  /** Names of the scorers that vetoed this candidate. */
  vetoedBy: string[];
  /** Scorer name → why it was left out (threw, timed out). */
  skipped: Record<string, string>;
}

export interface RankingVerdict {
  /** Index (into the candidates given) of the winner. */
  winner: number;
  /** Best first. */
  ranked: CandidateVerdict[];
  /** A sentence saying why the winner won. */
  reason: string;
}

export interface RankOptions {
  /** A scorer slower than this is left out for the candidate. Default 2000. */
  scorerTimeoutMs?: number;
}

/** Clamps whatever a scorer returned into a ScoreResult with a score in [0, 1]. */
export function normalizeScore(value: number | ScoreResult): ScoreResult {
  const result: ScoreResult = typeof value === 'number' ? { score: value } : { ...value };
  const score = Number(result.score);
  result.score = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  return result;
}

function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  if (!(ms > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`scorer "${name}" took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function judge(candidate: Candidate, request: ChatRequest, scorers: readonly WeightedScorer[], options: RankOptions): Promise<CandidateVerdict> {
  const verdict: CandidateVerdict = { index: candidate.index, score: 0, scores: {}, reasons: {}, vetoedBy: [], skipped: {} };
  const results = await Promise.all(
    scorers.map(async ({ scorer }) => {
      try {
        const value = await withTimeout(Promise.resolve().then(() => scorer.score(candidate, request)), options.scorerTimeoutMs ?? 2000, scorer.name);
        return { ok: true as const, result: normalizeScore(value) };
      } catch (err) {
        return { ok: false as const, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
  let weighted = 0;
  let totalWeight = 0;
  scorers.forEach(({ scorer, weight }, i) => {
    const outcome = results[i];
    if (!outcome.ok) {
      verdict.skipped[scorer.name] = outcome.error;
      return;
    }
    const { score, veto, reason } = outcome.result;
    verdict.scores[scorer.name] = Math.round(score * 1000) / 1000;
    if (reason) verdict.reasons[scorer.name] = reason;
    if (veto) verdict.vetoedBy.push(scorer.name);
    weighted += weight * score;
    totalWeight += weight;
  });
  verdict.score = totalWeight > 0 ? weighted / totalWeight : 0;
  return verdict;
}

/** Best first: not vetoed before vetoed, then higher score, then fewer vetoes, then earlier. */
export function compareVerdicts(a: CandidateVerdict, b: CandidateVerdict): number {
  const vetoA = a.vetoedBy.length > 0 ? 1 : 0;
  const vetoB = b.vetoedBy.length > 0 ? 1 : 0;
  if (vetoA !== vetoB) return vetoA - vetoB;
  if (Math.abs(a.score - b.score) > 1e-9) return b.score - a.score;
  if (a.vetoedBy.length !== b.vetoedBy.length) return a.vetoedBy.length - b.vetoedBy.length;
  return a.index - b.index;
}

function explain(ranked: readonly CandidateVerdict[], scorers: readonly WeightedScorer[]): string {
  const [winner, runnerUp] = ranked;
  const format = (n: number) => n.toFixed(2);
  if (!runnerUp) return `#${winner.index} was the only candidate (score ${format(winner.score)})`;
  const parts: string[] = [];
  const vetoed = ranked.filter((v) => v.vetoedBy.length > 0 && v !== winner);
  if (winner.vetoedBy.length > 0) {
    parts.push(`every candidate was vetoed; #${winner.index} scored best (${format(winner.score)}) despite ${winner.vetoedBy.join(', ')}`);
  } else {
    // The terms that separated the winner from the runner-up most, by weighted difference.
    const leads = scorers
      .map(({ scorer, weight }) => {
        const mine = winner.scores[scorer.name];
        const theirs = runnerUp.scores[scorer.name];
        return { name: scorer.name, mine, theirs, gain: mine === undefined || theirs === undefined ? 0 : weight * (mine - theirs) };
      })
      .filter((lead) => lead.gain > 0.001)
      .sort((a, b) => b.gain - a.gain)
      .slice(0, 2)
      .map((lead) => `${lead.name} ${format(lead.mine)} vs ${format(lead.theirs)}`);
    const versus = runnerUp.vetoedBy.length > 0 ? `#${runnerUp.index} (vetoed)` : `#${runnerUp.index} (${format(runnerUp.score)})`;
    parts.push(`#${winner.index} scored ${format(winner.score)}, ahead of ${versus}${leads.length ? ` on ${leads.join(', ')}` : ''}`);
  }
  for (const v of vetoed) {
    const why = v.vetoedBy.map((name) => (v.reasons[name] ? `${name}: ${v.reasons[name]}` : name)).join('; ');
    parts.push(`#${v.index} vetoed by ${why}`);
  }
  return parts.join('; ');
}

/**
 * Scores candidates and picks the best.
 * @example
 * const verdict = await rankCandidates(candidates, request, [{ scorer: lengthScorer, weight: 0.5 }]);
 * candidates[verdict.winner].text
 */
export async function rankCandidates(candidates: readonly Candidate[], request: ChatRequest, scorers: readonly WeightedScorer[], options: RankOptions = {}): Promise<RankingVerdict> {
  if (candidates.length === 0) throw new Error('rankCandidates needs at least one candidate');
  const verdicts = await Promise.all(candidates.map((candidate) => judge(candidate, request, scorers, options)));
  const ranked = [...verdicts].sort(compareVerdicts);
  const winner = candidates.findIndex((c) => c.index === ranked[0].index);
  return { winner, ranked, reason: explain(ranked, scorers) };
}
