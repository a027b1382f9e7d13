/**
 * `kobza check`: validates a config (every plugin's block) and probes the upstream. It writes
 * nothing: SQLite stores open in memory and no index file is saved (`writeNothing`).
 * Exit 0 when fine, 1 for config problems (one line each), 2 when the upstream is not
 * usable.
 */
import type { Command } from 'commander';
import { bootKernel, DEFAULT_CONFIG, reportFatal } from '../boot.js';

export function register(program: Command): void {
  program
    .command('check')
    .description('Validate a config file and probe the LLM upstream (exit 0 when fine)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .option('--no-probe', 'only validate the config')
    .action(async (options: { config: string; probe: boolean }) => {
      let code = 0;
      try {
        const kernel = await bootKernel(options.config, { adapters: 'none', logToStderr: true, logLevel: 'error', writeNothing: true });
        process.stdout.write(`${options.config}: config OK (plugins: ${kernel.plugins.map((p) => p.block.name).join(', ')})\n`);
        if (options.probe) {
          const provider = kernel.tryResolve('LlmProvider');
          if (!provider?.probe) {
            process.stdout.write(`upstream: ${provider ? `${provider.id} cannot be probed` : 'no provider'}\n`);
          } else {
            const result = await provider.probe(AbortSignal.timeout(10_000)).catch((err: Error) => ({ ok: false, detail: err.message }));
            process.stdout.write(`upstream (${provider.id}): ${result.ok ? 'OK' : 'NOT OK'} — ${result.detail}\n`);
            if (!result.ok) code = 2;
          }
        }
        await kernel.stop();
      } catch (err) {
        code = reportFatal(err);
      }
      process.exit(code);
    });
}
