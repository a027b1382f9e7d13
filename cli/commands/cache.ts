/**
 * `kobza cache …`: operator tools for the semantic cache of a config.
 * - `stats` — entries per namespace, embedder, threshold, store, blocked questions;
 * - `clear --yes` — removes every entry (other processes on the store notice on their next poll);
 * - `export [file]` / `import <file>` — JSON Lines, one entry a line (question, answer,
 *   namespace, context, model, times, namespace facts);
 * - `alias "<q1>" "<q2>"` — teaches that two questions are the same (stored, shared like entries);
 * - `forget "<question>"` — removes the entries that question would hit and blocks those
 *   answers for it for good.
 * Long operations show a progress bar on stderr.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { KobzaError, type Kernel } from '../../core/index.js';
import { problemOfExportedEntry, SEMANTIC_CACHE_TOKEN, type ExportedEntry, type SemanticCache } from '../../plugins/semantic-cache/index.js';
import { bootKernel, DEFAULT_CONFIG, reportFatal } from '../boot.js';
import { commandGroup } from '../command-groups.js';

interface CacheSession {
  kernel: Kernel;
  cache: SemanticCache;
  store: string;
}

async function openSession(configPath: string): Promise<CacheSession> {
  const kernel = await bootKernel(configPath, { adapters: 'none', requireProvider: false, probeUpstream: false, logToStderr: true, logLevel: 'warn', minStoreTimeoutMs: 30_000 });
  if (!kernel.plugins.some((p) => p.block.name === 'semantic-cache')) {
    await kernel.stop();
    throw new KobzaError('CONFIG_INVALID', `${kernel.config.file}: no plugins.semantic-cache block; nothing to manage`);
  }
  const handle = kernel.resolve(SEMANTIC_CACHE_TOKEN);
  const cache = await handle.ready();
  const store = handle.describeStore();
  if (store === 'memory' || store.startsWith('memory')) {
    process.stderr.write('note: this config keeps the cache in memory, so each process has its own; there is nothing to manage from here\n');
  }
  return { kernel, cache, store };
}

/** Runs an action on a session and closes it (saving the index) whatever happens. */
async function withSession(configPath: string, action: (session: CacheSession) => Promise<void>): Promise<void> {
  let session: CacheSession | undefined;
  try {
    session = await openSession(configPath);
    await action(session);
    process.exitCode = 0;
  } catch (err) {
    process.exitCode = reportFatal(err);
  } finally {
    await session?.kernel.stop();
  }
}

function progressBar(label: string): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
}

export function register(program: Command): void {
  const cache = commandGroup(program, 'cache', 'Inspect and manage the semantic cache of a config');

  cache
    .command('stats')
    .description('Entries per namespace, embedder, threshold, store and blocked questions')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .option('--json', 'print one JSON object')
    .action((flags: { config: string; json?: boolean }) =>
      withSession(flags.config, async ({ cache, store }) => {
        const stats = await cache.stats();
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ store, ...stats })}\n`);
          return;
        }
        const out = process.stdout;
        out.write(`store       ${store}\n`);
        out.write(`entries     ${stats.entries}\n`);
        out.write(`embedder    ${stats.embedder} (threshold ${stats.threshold})\n`);
        out.write(`blocked     ${stats.blockedQuestions} question(s) made to forget an answer\n`);
        out.write(`aliases     ${stats.aliases} question pair(s) taught to be the same\n`);
        out.write(`writers     ${stats.writers} process(es) wrote to this store in the last 24 h\n`);
        if (stats.indexFile) out.write(`index file  ${stats.indexFile}\n`);
        for (const ns of stats.namespaces) out.write(`  ${ns.namespace}  ${String(ns.entries).padStart(7)} entries  ${ns.index.padEnd(5)}  model ${ns.model ?? '?'}\n`);
      }),
    );

  cache
    .command('clear')
    .description('Remove every cached answer (and forget-blocks) from the store')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .option('--yes', 'really clear')
    .action((flags: { config: string; yes?: boolean }) =>
      withSession(flags.config, async ({ cache, store }) => {
        if (!flags.yes) {
          process.stdout.write(`would remove ${cache.size} entries from ${store}; run again with --yes\n`);
          return;
        }
        const bar = progressBar('clearing');
        const removed = await cache.clear((done, total) => (done === 0 ? bar.start(total, 0) : bar.update(done)));
        bar.stop();
        process.stdout.write(`removed ${removed} entries from ${store}\n`);
      }),
    );

  cache
    .command('export')
    .description('Write every live entry as JSON Lines (to a file, or stdout)')
    .argument('[file]', 'output file (default: stdout)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action((file: string | undefined, flags: { config: string }) =>
      withSession(flags.config, async ({ cache }) => {
        const output = file ? createWriteStream(file) : process.stdout;
        const bar = file ? progressBar('exporting') : undefined;
        bar?.start(cache.size, 0);
        let count = 0;
        for await (const entry of cache.export((done, total) => {
          bar?.setTotal(total);
          bar?.update(done);
        })) {
          if (!output.write(`${JSON.stringify(entry)}\n`)) await once(output, 'drain');
          count++;
        }
        bar?.stop();
        if (file) {
          (output as ReturnType<typeof createWriteStream>).end();
          await once(output, 'finish');
          process.stderr.write(`exported ${count} entries to ${file}\n`);
        }
      }),
    );

  cache
    .command('import')
    .description('Store entries from a JSON Lines export (keeps namespace, context and expiry)')
    .argument('<file>', 'a file written by `kobza cache export`')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action((file: string, flags: { config: string }) =>
      withSession(flags.config, async ({ cache }) => {
        // Every line is checked before anything is stored: a bad file imports nothing.
        const valid: ExportedEntry[] = [];
        const problems: string[] = [];
        let lineNumber = 0;
        for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
          lineNumber++;
          if (!line.trim()) continue;
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            problems.push(`${file}:${lineNumber}: expected one JSON object per line`);
            continue;
          }
          const problem = problemOfExportedEntry(value);
          if (problem) problems.push(`${file}:${lineNumber}: ${problem}`);
          else valid.push(value as ExportedEntry);
        }
        if (problems.length > 0) {
          const shown = problems.slice(0, 20).join('\n');
          const more = problems.length > 20 ? `\n… and ${problems.length - 20} more` : '';
          throw new KobzaError('BAD_REQUEST', `nothing imported: ${problems.length} invalid ${problems.length === 1 ? 'line' : 'lines'}\n${shown}${more}`, { details: { problems } });
        }
        async function* entries(): AsyncGenerator<ExportedEntry> {
          yield* valid;
        }
        const bar = progressBar('importing');
        bar.start(0, 0);
        const stored = await cache.import(entries(), (done) => {
          bar.setTotal(valid.length);
          bar.update(done);
        });
        bar.stop();
        process.stdout.write(`imported ${stored} entries (expired or forgotten ones skipped)\n`);
      }),
    );

  cache
    .command('forget')
    .description('Remove the answers a question would get from the cache, and never serve them to it again')
    .argument('<question>', 'the question that got a wrong answer')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action((question: string, flags: { config: string }) =>
      withSession(flags.config, async ({ cache }) => {
        const result = await cache.forget(question);
        if (result.removed.length === 0) {
          process.stdout.write(`no cached answer matches «${question}»\n`);
          return;
        }
        for (const entry of result.removed) {
          const preview = entry.answer.length > 80 ? `${entry.answer.slice(0, 77)}...` : entry.answer;
          process.stdout.write(`removed «${entry.question}» → ${preview.replace(/\s+/g, ' ')}\n`);
        }
        process.stdout.write(`«${result.blocked}» will not get ${result.removed.length === 1 ? 'this answer' : 'these answers'} again\n`);
      }),
    );

  cache
    .command('alias')
    .description('Teach the cache that two questions are the same: an answer cached for one serves the other (the complement of forget)')
    .argument('<question>', 'one wording')
    .argument('<same-question>', 'another wording of the same question')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action((question: string, same: string, flags: { config: string }) =>
      withSession(flags.config, async ({ cache }) => {
        const result = await cache.alias(question, same);
        process.stdout.write(result.added ? `«${result.questions[0]}» = «${result.questions[1]}»: one answer serves both\n` : `«${question}» and «${same}» are already the same question\n`);
      }),
    );
}
