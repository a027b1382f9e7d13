import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';
import { evaluateRanking, scorerJudge } from '../../cli/commands/eval-ranking.js';
import { collectReply, isKobzaError, Kernel, loadConfigFile } from '../../core/index.js';
import { weightScorers } from '../../plugins/parallel-ranking/index.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../test/servers/ollama.js';
// @ts-expect-error — a plain-JS plugin without type declarations, imported as a user's module would be.
import contactAllowlist, { createContactAllowlistScorer, namedDomains } from './contact-allowlist.js';

const CONFIG = path.join(import.meta.dirname, 'kobza.yaml');
const silent = pino({ level: 'silent' });
const HONEST = 'Напишіть приймальній комісії на vstup@ksu.example або зателефонуйте за номером 0XX-XXX-XX-XX у робочі дні з 9:00 до 17:00.';
const INVENTED = 'Напишіть приймальній комісії на admission@ksu-university.com або заповніть форму на https://www.ksu-admission.org/apply, і вам відповідять.';

let running: { kernel?: Kernel; ollama?: OllamaStandIn } = {};
afterEach(async () => {
  await running.kernel?.stop();
  await running.ollama?.close();
  running = {};
});

async function bootExample(env: Record<string, string>) {
  const config = await loadConfigFile(CONFIG, { ...env });
  const kernel = await Kernel.create(config, { builtins: BUILTIN_PLUGINS, logger: silent });
  running.kernel = kernel;
  return kernel;
}

describe('examples/scorers/contact-allowlist.js', () => {
  it('finds the domains an answer names', () => {
    expect(namedDomains(HONEST)).toEqual(['ksu.example']);
    expect(namedDomains(INVENTED).sort()).toEqual(['ksu-admission.org', 'ksu-university.com']);
    expect(namedDomains('Без контактів.')).toEqual([]);
  });

  it('vetoes unknown domains and passes own ones, subdomains included', () => {
    const scorer = createContactAllowlistScorer({ domains: ['ksu.example'], veto: true, weight: 1 });
    const score = (text: string) => scorer.score({ index: 0, text, meta: {} as never, options: {}, siblings: [text] }, {} as never);
    expect(score(HONEST)).toBe(1);
    expect(score('Пишіть на lib@mail.ksu.example.')).toBe(1);
    expect(score(INVENTED)).toMatchObject({ score: 0, veto: true, reason: expect.stringContaining('ksu-university.com') });
  });

  it('is a plugin object the kernel loads from the example YAML (module: ./contact-allowlist.js), and ranking uses it', async () => {
    const ollama = await startOllamaStandIn({ parallel: 4, reply: (request) => (request.body?.options?.temperature === 0.3 ? HONEST : INVENTED) });
    running.ollama = ollama;
    const kernel = await bootExample({ OLLAMA_HOST: ollama.url });
    expect(kernel.resolveAll('Scorer').map((s) => s.name)).toContain('contact-allowlist');
    const { text, meta } = await collectReply(
      await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Як зв’язатися з приймальною комісією?' }], metadata: { ranking: 'on' } })),
    );
    expect(text).toBe(HONEST);
    const ranking = meta.ranking as { candidates: { vetoedBy?: string[] }[] };
    expect(ranking.candidates.filter((c) => c.vetoedBy?.includes('contact-allowlist'))).toHaveLength(2);
  });

  it('counts in `kobza eval ranking` with the example config', async () => {
    const kernel = await bootExample({ OLLAMA_HOST: 'http://127.0.0.1:9' });
    const scorers = weightScorers(kernel.resolveAll('Scorer'), { 'contact-allowlist': 2 });
    const report = await evaluateRanking(
      [{ id: 'contacts', question: 'Як зв’язатися з приймальною комісією?', candidates: [INVENTED, HONEST], best: 1 }],
      scorerJudge(kernel, scorers),
    );
    expect(report.top1).toBe(1);
  });

  it('reports a bad config value with the file, line and key', async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'kobza-scorer-'));
    writeFileSync(path.join(dir, 'contact-allowlist.js'), readFileSync(path.join(import.meta.dirname, 'contact-allowlist.js')));
    const file = path.join(dir, 'kobza.yaml');
    writeFileSync(file, 'assistant: { model: m }\nplugins:\n  contact-allowlist:\n    module: ./contact-allowlist.js\n    domains: ksu.example\n');
    const error = await Kernel.create(await loadConfigFile(file, {}), { builtins: BUILTIN_PLUGINS, logger: silent, requireProvider: false }).catch((err: unknown) => err);
    expect(isKobzaError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain(`${file}:5: plugins.contact-allowlist.domains: expected a list of domains`);
  });

  it('exports a plugin definition', () => {
    expect(contactAllowlist).toMatchObject({ name: 'contact-allowlist' });
    expect(typeof contactAllowlist.register).toBe('function');
  });
});
