/**
 * `kobza knowledge index | search "<question>" | stats` and `kobza eval knowledge`: the
 * knowledge plugin's sources, read from a config's `plugins.knowledge` block without
 * booting a kernel — so they work with no model reachable (the built-in embedder).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { KobzaError, loadConfigFile, validateAt, formatProblem, type ConfigProblem } from '../../core/index.js';
import { evaluateKnowledge, knowledgeConfigSchema, knowledgeIndexPath, openKnowledgeIndex, parseQuestions, type KnowledgeConfig, type KnowledgeIndex } from '../../plugins/knowledge/index.js';
import { DEFAULT_CONFIG, reportFatal } from '../boot.js';
import { commandGroup } from '../command-groups.js';

/** The validated `plugins.knowledge` block of a config file, and its index. */
async function openFromConfig(configPath: string, progress = false): Promise<{ config: KnowledgeConfig; index: KnowledgeIndex; ms: number; indexFile?: string }> {
  const file = await loadConfigFile(configPath);
  const block = file.plugins.find((b) => b.name === 'knowledge');
  if (!block) throw new KobzaError('CONFIG_INVALID', `${file.file}:1: plugins.knowledge: the config has no knowledge plugin; add plugins.knowledge.sources`);
  const problems: ConfigProblem[] = [];
  const config = validateAt(knowledgeConfigSchema, block.settings, ['plugins', block.name], file.file, file, problems);
  if (!config) throw new KobzaError('CONFIG_INVALID', problems.map(formatProblem).join('\n'));
  let bar: cliProgress.SingleBar | undefined;
  const started = performance.now();
  const indexFile = knowledgeIndexPath(config, file);
  const index = await openKnowledgeIndex(config, {
    indexFile,
    // Only `kobza knowledge index` writes the index file; the other commands read it.
    save: progress,
    configFile: file.file,
    configDir: file.dir,
    lineOf: file.lineOf,
    pluginName: block.name,
    onProgress: progress
      ? (done, total) => {
          if (!bar) {
            bar = new cliProgress.SingleBar({ format: 'indexing [{bar}] {value}/{total} passages', stream: process.stderr, hideCursor: true, noTTYOutput: false }, cliProgress.Presets.shades_classic);
            bar.start(total, 0);
          }
          bar.update(done);
        }
      : undefined,
  });
  bar?.stop();
  return { config, index, ms: performance.now() - started, indexFile };
}

function run(action: () => Promise<void>): Promise<void> {
  return action().catch((err: unknown) => {
    process.exitCode = reportFatal(err);
  });
}

const fixed = (n: number, digits = 3) => n.toFixed(digits);

export function register(program: Command): void {
  const knowledge = commandGroup(program, 'knowledge', 'Index and search the knowledge plugin’s documents');

  knowledge
    .command('index')
    .description('Read and index the sources (progress bar); print what was indexed')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action((flags: { config: string }) =>
      run(async () => {
        const { index, ms, indexFile } = await openFromConfig(flags.config, true);
        const base = index.base;
        process.stdout.write(`indexed ${base.passages.length} passages (${base.faq.length} FAQ entries) from ${base.files.length} files in ${Math.round(ms)} ms; version ${base.version}\n`);
        process.stdout.write(`analysed ${index.analysed} passages, ${index.reused} unchanged since the last index; ${indexFile ? `index file ${path.relative(process.cwd(), indexFile) || indexFile}` : 'no index file (set plugins.knowledge.indexFile or a sqlite:// store)'}\n`);
      }),
    );

  knowledge
    .command('search')
    .description('Ranked passages for a question, with scores and why (and the FAQ entry it verifies as, if any)')
    .argument('<question>', 'the question')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .option('-k, --top <n>', 'passages to show', '5')
    .option('--json', 'print one JSON object')
    .action((question: string, flags: { config: string; top: string; json?: boolean }) =>
      run(async () => {
        const { config, index } = await openFromConfig(flags.config);
        const faq = config.faq ? index.matchFaq(question) : undefined;
        const matches = index.retrieve(question, Math.max(1, Number(flags.top) || 5));
        const abstention = index.abstention(question, config.minScore);
        const relevant = (score: number) => score >= config.minScore && abstention === undefined;
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({
              faq: faq ? { id: faq.entry.id, variant: faq.variant, reason: faq.comparison.reason } : null,
              minScore: config.minScore,
              abstention: abstention ?? null,
              passages: matches.map((m) => ({ id: m.passage.id, title: m.passage.title, file: `${m.passage.file}:${m.passage.line}`, score: m.score, coverage: m.coverage, lexical: m.lexical, vector: m.vector, matched: m.matched, missing: m.missing, relevant: relevant(m.score) })),
            })}\n`,
          );
          return;
        }
        const out = process.stdout;
        out.write(faq ? `FAQ: ${faq.entry.id} — verified as «${faq.variant}» (${faq.comparison.reason})\n` : 'FAQ: no entry verifies as this question\n');
        if (matches.length === 0) out.write('no passages\n');
        if (abstention) out.write(`abstains: ${abstention} — no passage is given to the model\n`);
        matches.forEach((m, i) => {
          const mark = relevant(m.score) ? ' ' : '×';
          out.write(`${mark}${i + 1}. ${fixed(m.score)}  ${m.passage.title}  [${m.passage.id}]  ${m.passage.file}:${m.passage.line}\n`);
          out.write(`     coverage ${fixed(m.coverage, 2)}  bm25 ${fixed(m.lexical, 2)}  cosine ${fixed(m.vector, 2)}  matched: ${m.matched.join(', ') || '—'}  missing: ${m.missing.join(', ') || '—'}\n`);
          out.write(`     ${m.passage.text.replace(/\s+/g, ' ').slice(0, 140)}${m.passage.text.length > 140 ? '…' : ''}\n`);
        });
        out.write(abstention ? '(× = not given to the model: the check abstains)\n' : `(× = below minScore ${config.minScore}: not given to the model)\n`);
      }),
    );

  knowledge
    .command('stats')
    .description('Files, passages, FAQ entries and the version of the knowledge base')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .option('--json', 'print one JSON object')
    .action((flags: { config: string; json?: boolean }) =>
      run(async () => {
        const { index, ms } = await openFromConfig(flags.config);
        const base = index.base;
        const lengths = base.passages.filter((p) => p.kind === 'page').map((p) => p.text.length);
        const stats = {
          version: base.version,
          files: base.files.length,
          passages: base.passages.length,
          pagePassages: lengths.length,
          faqEntries: base.faq.length,
          faqQuestions: base.faq.reduce((sum, e) => sum + e.questions.length, 0),
          meanPassageChars: lengths.length ? Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length) : 0,
          longestPassageChars: lengths.length ? Math.max(...lengths) : 0,
          indexMs: Math.round(ms),
        };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ ...stats, fileHashes: base.files })}\n`);
          return;
        }
        for (const [key, value] of Object.entries(stats)) process.stdout.write(`${key.padEnd(20)} ${value}\n`);
        for (const f of base.files) process.stdout.write(`  ${f.hash}  ${f.file}\n`);
      }),
    );

  commandGroup(program, 'eval', 'Measure plugins on labelled datasets')
    .command('knowledge')
    .description('Retrieval quality of the knowledge plugin on labelled questions (JSON Lines {question, expect})')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .requiredOption('-q, --questions <file>', 'JSON Lines: {"question": "...", "expect": "<text fragment>" | null}')
    .option('--json', 'print one JSON object with every figure on the last line')
    .action((flags: { config: string; questions: string; json?: boolean }) =>
      run(async () => {
        const { config, index } = await openFromConfig(flags.config);
        const questions = parseQuestions(await readFile(flags.questions, 'utf8'), flags.questions);
        const result = evaluateKnowledge(index, questions, { minScore: config.minScore, faq: config.faq });
        const out = process.stdout;
        out.write(`${result.questions} questions (${result.answerable} answerable, ${result.outOfScope} out of scope), minScore ${config.minScore}\n`);
        out.write(`hit@1 ${fixed(result.hitAt1)}  hit@5 ${fixed(result.hitAt5)}  MRR ${fixed(result.mrr)}  abstain ${fixed(result.abstain)}  faqWrong ${result.faqWrong}\n`);
        for (const f of result.failures) out.write(`  miss: ${f.question} → ${f.expect === null ? 'null (out of scope)' : JSON.stringify(f.expect)}; got ${f.faq ? `FAQ ${f.faq}, ` : ''}${f.got.slice(0, 3).join(', ') || 'nothing'}\n`);
        if (flags.json) {
          const { failures, ...figures } = result;
          out.write(`${JSON.stringify({ ...figures, misses: failures.length })}\n`);
        }
      }),
    );
}
