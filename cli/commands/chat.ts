/**
 * `kobza chat`: a console chat with streaming answers. Other front doors in the config are
 * not started. Piped input is answered line by line, then the command exits.
 */
import type { Command } from 'commander';
import type { ConsoleAdapter } from '../../adapters/console/index.js';
import { bootKernel, DEFAULT_CONFIG, reportFatal, stopOnSignals } from '../boot.js';

export function register(program: Command): void {
  program
    .command('chat')
    .description('Chat in the terminal; answers stream in as they are generated (/reset, /help, /exit)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
    .option('-m, --model <name>', 'model to use instead of assistant.model')
    .option('--log-level <level>', 'log level on stderr', 'warn')
    .action(async (options: { config: string; model?: string; logLevel: string }) => {
      try {
        const kernel = await bootKernel(options.config, {
          adapters: 'interactive',
          logToStderr: true,
          logLevel: options.logLevel,
          ensurePlugins: { console: {} },
          // Set before the plugins register, so the start-up probe checks the model this chat uses.
          model: options.model,
        });
        const unhook = stopOnSignals(kernel, () => process.exit(0));
        await kernel.start();
        const adapter = kernel.resolveAll('Adapter').find((a) => a.name === 'console') as ConsoleAdapter | undefined;
        await adapter?.finished;
        unhook();
        await kernel.stop();
        process.exit(0);
      } catch (err) {
        process.exit(reportFatal(err));
      }
    });
}
