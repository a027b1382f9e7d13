/**
 * The console front door (`kobza chat`): type a question, watch the answer stream in.
 * Keeps the conversation through the memory plugin until `/reset`. With piped stdin it
 * answers each line in turn and finishes at end of input.
 */
import { randomUUID } from 'node:crypto';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { definePlugin, isKobzaError, wrapError, type Adapter, type ChatMessage, type PluginContext } from '../../core/index.js';

export const consoleConfigSchema = z.strictObject({
  /** The prompt shown in a terminal. */
  prompt: z.string().default('› '),
  /** Remember earlier turns (needs the memory plugin; without it, kept in this process). */
  memory: z.boolean().default(true),
});

export type ConsoleConfig = z.output<typeof consoleConfigSchema>;

export interface ConsoleStreams {
  input: Readable;
  output: Writable;
  errors: Writable;
  /** Whether input is an interactive terminal (prompts, Ctrl+C aborts a generation). */
  interactive: boolean;
}

const HELP = 'Commands: /reset — forget this conversation, /help — this text, /exit — quit. Ctrl+C stops an answer.';

/** A console adapter; `finished` resolves when the input ends or the user types /exit. */
export interface ConsoleAdapter extends Adapter {
  readonly finished: Promise<void>;
}

/**
 * Builds the console adapter over the given streams.
 * @example
 * const adapter = createConsoleAdapter(ctx, config, { input: process.stdin, output: process.stdout, errors: process.stderr, interactive: true });
 */
export function createConsoleAdapter(ctx: PluginContext, config: ConsoleConfig, streams: ConsoleStreams): ConsoleAdapter {
  const conversationId = `console:${randomUUID()}`;
  let localHistory: ChatMessage[] = [];
  let current: AbortController | undefined;
  let rl: readline.Interface | undefined;
  let closed = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const write = (text: string) => streams.output.write(text);

  async function ask(question: string): Promise<void> {
    const memory = config.memory ? ctx.tryResolve('ConversationMemory') : undefined;
    const messages: ChatMessage[] = [...(config.memory && !memory ? localHistory : []), { role: 'user', content: question }];
    current = new AbortController();
    const request = ctx.createRequest({
      messages,
      conversationId,
      stream: true,
      signal: current.signal,
      metadata: { adapter: 'console', useMemory: Boolean(memory) },
    });
    let answer = '';
    try {
      const reply = await ctx.handle(request);
      for await (const chunk of reply.chunks) {
        answer += chunk;
        write(chunk);
      }
      write('\n');
      if (config.memory && !memory) localHistory = [...localHistory, { role: 'user' as const, content: question }, { role: 'assistant' as const, content: answer }].slice(-20);
    } catch (err) {
      const error = wrapError(err, request.id);
      if (answer) write('\n');
      if (error.code === 'ABORTED') streams.errors.write('(stopped)\n');
      else streams.errors.write(`error [${error.code}]: ${error.message}\n`);
    } finally {
      current = undefined;
    }
  }

  async function command(line: string): Promise<boolean> {
    const [name] = line.split(/\s+/);
    switch (name) {
      case '/reset': {
        localHistory = [];
        await ctx.tryResolve('ConversationMemory')?.reset(conversationId);
        write('(conversation cleared)\n');
        return true;
      }
      case '/help':
        write(`${HELP}\n`);
        return true;
      case '/exit':
      case '/quit':
        rl?.close();
        return true;
      default:
        return false;
    }
  }

  return {
    name: 'console',
    finished,
    async start() {
      rl = readline.createInterface({ input: streams.input, output: streams.interactive ? streams.output : undefined, terminal: streams.interactive, prompt: config.prompt });
      rl.once('close', () => {
        closed = true;
      });
      if (streams.interactive) {
        write(`Kobza — model ${ctx.config.assistant.model}. ${HELP}\n`);
        rl.on('SIGINT', () => {
          if (current) current.abort();
          else rl?.close();
        });
        rl.prompt();
      }
      const lines = rl[Symbol.asyncIterator]();
      void (async () => {
        try {
          for (let next = await lines.next(); !next.done; next = await lines.next()) {
            const line = next.value.trim();
            if (line) {
              if (!(line.startsWith('/') && (await command(line)))) await ask(line);
            }
            if (streams.interactive && !closed) rl?.prompt();
          }
        } catch (err) {
          if (!isKobzaError(err)) streams.errors.write(`console: ${(err as Error).message}\n`);
        } finally {
          finish();
        }
      })();
    },
    async stop() {
      current?.abort();
      rl?.close();
    },
  };
}

export default definePlugin({
  name: 'console',
  configSchema: consoleConfigSchema,
  interactive: true,
  register(ctx, config) {
    ctx.provide('Adapter', createConsoleAdapter(ctx, config, { input: process.stdin, output: process.stdout, errors: process.stderr, interactive: Boolean(process.stdin.isTTY) }));
  },
});
