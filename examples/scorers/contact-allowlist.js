/**
 * A custom Kobza scorer plugin, written the way a user writes one: plain ES-module
 * JavaScript, types from JSDoc only, no build step.
 *
 * `contact-allowlist` guards against the most harmful hallucination of an FAQ bot: an
 * invented e-mail address or website. Every e-mail domain and URL host in a candidate
 * answer must belong to the deployment's own domains; an answer naming any other one is
 * vetoed, so it loses to every answer that does not. Answers without contacts pass.
 *
 * Enable it next to `parallel-ranking` (see ./kobza.yaml):
 *
 *   plugins:
 *     contact-allowlist:
 *       module: ./contact-allowlist.js
 *       domains: [ksu.example]
 */
import { z } from 'zod';

/** @typedef {import('kobza').Scorer} Scorer */
/** @typedef {import('kobza').PluginDefinition} PluginDefinition */

export const configSchema = z.strictObject({
  /** Domains the answers may name; subdomains (mail.ksu.example) count as theirs. */
  domains: z
    .array(z.string({ error: 'expected a domain such as ksu.example' }).min(1, { error: 'expected a domain such as ksu.example' }), { error: 'expected a list of domains, e.g. [ksu.example]' })
    .min(1, { error: 'expected at least one domain' }),
  /** An answer naming another domain loses to any answer that does not. */
  veto: z.boolean({ error: 'expected true or false' }).default(true),
  /** Weight in the ranking (the `parallel-ranking` block's `weights:` can override it). */
  weight: z.number({ error: 'expected a weight (a number ≥ 0)' }).min(0, { error: 'expected a weight ≥ 0' }).default(1),
});

const EMAIL = /[\p{L}\p{N}._%+-]+@([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)/gu;
const URL_HOST = /\b(?:https?:\/\/|www\.)([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)/giu;

/**
 * Every domain an answer names (e-mail domains and URL hosts), lowercase, without `www.`.
 * @param {string} text
 * @returns {string[]}
 * @example
 * namedDomains('Пишіть на vstup@ksu.example або дивіться https://www.ksu.example/vstup') // ['ksu.example']
 */
export function namedDomains(text) {
  const found = new Set();
  for (const match of text.matchAll(EMAIL)) found.add(match[1].toLowerCase().replace(/\.$/, ''));
  for (const match of text.matchAll(URL_HOST)) found.add(match[1].toLowerCase().replace(/^www\./, '').replace(/\.$/, ''));
  return [...found];
}

/**
 * Builds the scorer.
 * @param {z.output<typeof configSchema>} config
 * @returns {Scorer}
 * @example
 * const scorer = createContactAllowlistScorer({ domains: ['ksu.example'], veto: true, weight: 1 });
 */
export function createContactAllowlistScorer(config) {
  const allowed = config.domains.map((d) => d.toLowerCase().replace(/^www\./, ''));
  const isAllowed = (domain) => allowed.some((own) => domain === own || domain.endsWith(`.${own}`));
  return {
    name: 'contact-allowlist',
    weight: config.weight,
    score(candidate) {
      const strangers = namedDomains(candidate.text).filter((domain) => !isAllowed(domain));
      if (strangers.length === 0) return 1;
      return { score: 0, veto: config.veto, reason: `names unknown domains: ${strangers.join(', ')}` };
    },
  };
}

/** @type {PluginDefinition} */
const plugin = {
  name: 'contact-allowlist',
  configSchema,
  register(ctx, config) {
    ctx.provide('Scorer', createContactAllowlistScorer(/** @type {z.output<typeof configSchema>} */ (config)));
  },
};

export default plugin;
