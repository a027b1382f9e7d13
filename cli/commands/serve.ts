/**
 * `kobza serve`: starts every configured front door (HTTP, Telegram) and runs until
 * SIGINT/SIGTERM, then drains in-flight requests and stops. A config without a front door is
 * an error: serving nothing is never what the operator meant.
 */
import type { Command } from 'commander';
import { KobzaError, type Kernel } from '../../core/index.js';
import { bootKernel, DEFAULT_CONFIG, reportFatal, stopOnSignals } from '../boot.js';

/** The built-in plugins that open a front door `serve` can run. */
export const FRONT_DOORS = { http: 'the HTTP API', telegram: 'a Telegram bot' } as const;

/** Throws CONFIG_INVALID when the kernel has no non-interactive adapter to start. */
export function requireFrontDoor(kernel: Kernel, configPath: string): void {
  const interactive = kernel.plugins.filter((p) => p.definition.interactive).length;
  if (kernel.resolveAll('Adapter').length - interactive > 0) return;
  const offers = Object.entries(FRONT_DOORS).map(([name, what]) => `plugins.${name} (${what})`).join(' or ');
  throw new KobzaError('CONFIG_INVALID', `${configPath}: no front door is enabled, so serve would answer nobody; add ${offers} to the config, or talk to it with \`kobza chat\``);
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('Start Kobza with the adapters in the config (HTTP API, Telegram bot)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action(async (options: { config: string }) => {
      let kernel: Kernel | undefined;
      try {
        kernel = await bootKernel(options.config, { adapters: 'non-interactive' });
        requireFrontDoor(kernel, options.config);
        const running = kernel;
        stopOnSignals(running, () => {
          running.logger.info('stopped');
          process.exitCode = 0;
          setTimeout(() => process.exit(0), 200).unref();
        });
        await running.start();
        running.logger.info({ config: options.config, plugins: running.plugins.map((p) => p.block.name) }, 'Kobza is running');
      } catch (err) {
        const code = reportFatal(err);
        await kernel?.stop().catch(() => undefined);
        process.exit(code);
      }
    });
}
