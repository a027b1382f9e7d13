/**
 * When to rank: `always`, `never`, or only for `hard` questions, with a per-request override
 * (`request.metadata.ranking = 'on' | 'off'`, which the HTTP adapter maps from a header).
 * Ranking costs N generations, so the hard-question detector is deliberately simple and
 * configurable: comparison words, several questions in one message, or a long message.
 */
import { involvesTools, lastUserText, type ChatRequest } from '../../core/index.js';

export interface HardQuestionRules {
  /**
   * Words or phrases that signal a comparison. Matched case-insensitively as whole words;
   * an entry ending in `*` matches any word starting with it (`порівня*`).
   */
  comparisonWords: readonly string[];
  /** This many question marks (or more) in one message make it hard; 0 turns the rule off. */
  minQuestions: number;
  /** A message at least this long is hard; 0 turns the rule off. */
  minChars: number;
}

/** Comparison markers in Ukrainian, Russian and English. */
export const DEFAULT_COMPARISON_WORDS: readonly string[] = [
  // uk
  'порівня*', 'різниц*', 'різнит*', 'відрізня*', 'відмінніст*', 'відмінност*', 'краще чи', 'що краще', 'який кращ*', 'яка кращ*', 'переваги', 'недоліки', 'чи вигідніше',
  // ru
  'сравни*', 'разниц*', 'отлича*', 'отличи*', 'лучше или', 'что лучше', 'какой лучше', 'какая лучше', 'преимущества', 'недостатки',
  // en
  'compare*', 'comparison', 'difference*', 'differ', 'differs', 'vs', 'vs.', 'versus', 'better than', 'which is better', 'pros and cons',
];

/** The outcome of the policy, with the reason reported in `meta.ranking`. */
export interface RankingDecision {
  rank: boolean;
  reason: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles comparison words to one regular expression (letters and digits delimit words).
 * @example
 * comparisonPattern(['порівня*', 'vs']).test('Порівняй бакалаврат і магістратуру') // true
 */
export function comparisonPattern(words: readonly string[]): RegExp | undefined {
  const alternatives = words
    .map((word) => word.trim().toLowerCase())
    .filter((word) => word.length > 0)
    .map((word) => {
      const prefix = word.endsWith('*');
      const body = escapeRegExp(prefix ? word.slice(0, -1) : word).replace(/\s+/g, '\\s+');
      return prefix ? `${body}[\\p{L}\\p{N}'’ʼ-]*` : `${body}(?![\\p{L}\\p{N}])`;
    });
  if (alternatives.length === 0) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})`, 'iu');
}

/**
 * Decides whether a message is a hard question, and why.
 * @example
 * const isHard = hardQuestionDetector({ comparisonWords: DEFAULT_COMPARISON_WORDS, minQuestions: 2, minChars: 280 });
 * isHard('Чим відрізняється бакалаврат від магістратури?') // { rank: true, reason: 'comparison word "відрізняється"' }
 */
export function hardQuestionDetector(rules: HardQuestionRules): (text: string) => RankingDecision {
  const comparison = comparisonPattern(rules.comparisonWords);
  return function detectHardQuestion(text: string): RankingDecision {
    const found = comparison?.exec(text);
    if (found) return { rank: true, reason: `comparison word "${found[0]}"` };
    if (rules.minQuestions > 0) {
      // "??" or "?!" count once: a question is a run of ? (and !) marks.
      const questions = text.match(/[?？]+[!?？]*/g)?.length ?? 0;
      if (questions >= rules.minQuestions) return { rank: true, reason: `${questions} questions in one message` };
    }
    if (rules.minChars > 0 && text.trim().length >= rules.minChars) {
      return { rank: true, reason: `long message (${text.trim().length} ≥ ${rules.minChars} chars)` };
    }
    return { rank: false, reason: 'not a hard question' };
  };
}

/**
 * Applies the per-request override, then the configured policy.
 * @example
 * decideRanking(request, 'hard', isHard) // { rank: false, reason: 'not a hard question' }
 */
export function decideRanking(request: ChatRequest, when: 'always' | 'never' | 'hard', isHard: (text: string) => RankingDecision): RankingDecision {
  // Drafts that call tools cannot be scored as prose (and the caller runs what is called).
  if (involvesTools(request)) return { rank: false, reason: 'the request involves tools' };
  const override = request.metadata.ranking;
  if (override === 'on' || override === true) return { rank: true, reason: 'forced on by the request' };
  if (override === 'off' || override === false) return { rank: false, reason: 'forced off by the request' };
  if (when === 'always') return { rank: true, reason: 'policy: always' };
  if (when === 'never') return { rank: false, reason: 'policy: never' };
  return isHard(lastUserText(request));
}
