/**
 * `kobza serve`: starts every configured front door (HTTP, Telegram) and runs until
 * SIGINT/SIGTERM, then drains in-flight requests and stops.
 */
import type { Command } from 'commander';
import { bootKernel, DEFAULT_CONFIG, reportFatal, stopOnSignals } from '../boot.js';

export function register(program: Command): void {
  program
    .command('serve', { isDefault: true })
    .description('Start Kobza with the adapters in the config (HTTP API, Telegram bot)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .action(async (options: { config: string }) => {
      try {
        const kernel = await bootKernel(options.config, { adapters: 'non-interactive' });
        stopOnSignals(kernel, () => {
          kernel.logger.info('stopped');
          process.exitCode = 0;
          setTimeout(() => process.exit(0), 200).unref();
        });
        await kernel.start();
        const adapters = kernel.plugins.filter((p) => !p.definition.interactive).length;
        if (kernel.resolveAll('Adapter').length === 0 || adapters === 0) {
          kernel.logger.warn('no front door is enabled: add plugins.http or plugins.telegram to the config, or use `kobza chat`');
        }
        kernel.logger.info({ config: options.config, plugins: kernel.plugins.map((p) => p.block.name) }, 'Kobza is running');
      } catch (err) {
        process.exit(reportFatal(err));
      }
    });
}
