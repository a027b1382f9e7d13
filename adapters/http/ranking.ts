/**
 * How a ranked answer (`meta.source: ranking`) shows its judging over HTTP: the
 * `x-kobza-ranking` header on every ranked chat response, streamed or not, and a `ranking`
 * field with every draft's scores in non-streamed JSON bodies.
 *
 * Header format: `winner=<index>; score=<0..1>; reason=<URL-encoded sentence>`, e.g.
 * `winner=1; score=0.82; reason=%231%20scored%200.82%2C%20ahead%20of%20%230%20(0.61)`.
 * Ranking judges every draft before the winner's first chunk, and the HTTP adapter sends
 * headers only once that first chunk is in hand, so streamed answers carry it too.
 * (The same name on a request — `x-kobza-ranking: on|off` — asks for or forbids ranking.)
 */
import type { FastifyReply } from 'fastify';
import type { ReplyMeta, ReplyRanking } from '../../core/index.js';

const REASON_LIMIT = 300;

/**
 * The `x-kobza-ranking` value ('' when the answer was not ranked).
 * @example
 * rankingHeaderValue({ winner: 2, score: 0.8, reason: '#2 scored 0.80', ... }) // 'winner=2; score=0.8; reason=%232%20scored%200.80'
 */
export function rankingHeaderValue(ranking: ReplyRanking | undefined): string {
  if (!ranking) return '';
  return `winner=${ranking.winner}; score=${ranking.score}; reason=${encodeURIComponent(ranking.reason.slice(0, REASON_LIMIT))}`;
}

/** Sets `x-kobza-ranking` when the answer was ranked. */
export function setRankingHeader(reply: FastifyReply, meta: ReplyMeta): void {
  const value = rankingHeaderValue(meta.ranking);
  if (value) reply.header('x-kobza-ranking', value);
}

/** What a JSON body says about a ranked answer. */
export interface RankingField {
  winner: number;
  score: number;
  reason: string;
  policy: string;
  candidates: { index: number; status: string; score?: number; scores?: Record<string, number>; vetoedBy?: string[] }[];
}

/** `{ ranking }` for a JSON body when the answer was ranked, else `{}`. */
export function rankingField(meta: ReplyMeta): { ranking?: RankingField } {
  const ranking = meta.ranking;
  if (!ranking) return {};
  return {
    ranking: {
      winner: ranking.winner,
      score: ranking.score,
      reason: ranking.reason,
      policy: ranking.policy,
      candidates: ranking.candidates.map((c) => ({
        index: c.index,
        status: c.status,
        ...(c.score !== undefined ? { score: c.score } : {}),
        ...(c.scores ? { scores: c.scores } : {}),
        ...(c.vetoedBy?.length ? { vetoedBy: c.vetoedBy } : {}),
      })),
    },
  };
}

/** The `ranking` field for a fast-json-stringify response schema. */
export const rankingFieldSchema = {
  type: 'object',
  properties: {
    winner: { type: 'integer' },
    score: { type: 'number' },
    reason: { type: 'string' },
    policy: { type: 'string' },
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          status: { type: 'string' },
          score: { type: 'number' },
          scores: { type: 'object', additionalProperties: { type: 'number' } },
          vetoedBy: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;
