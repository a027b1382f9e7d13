/**
 * Streaming: decides how a reply's text flows to adapters. It sits in the outermost stage
 * (`deliver`), so it shapes every reply — fresh from the provider, replayed from the cache
 * or from ranking — the same way:
 * - `stream: false` → adapters get the whole answer in one chunk (the kernel reserves
 *   `enabled` for switching a plugin off altogether, which leaves provider chunks as they are);
 * - tiny chunks are coalesced (`minChars`, `maxDelayMs`) so a Telegram edit or an SSE frame
 *   carries a few words, not one token;
 * - the replay pace of finished answers (`replay: instant | paced`, `charsPerSecond`) is
 *   published to the inner plugins as `request.metadata.replayCharsPerSecond` before the
 *   rest of the pipeline runs; the cache and ranking read it when they replay.
 * The text is never changed: streaming on and off give the same final answer.
 * The kernel, not this plugin, emits `reply:first-chunk`.
 */
import { z } from 'zod';
import { definePlugin, type Middleware, type Reply } from '../../core/index.js';

export const streamingConfigSchema = z.strictObject({
  /** false → the whole answer arrives as one chunk (after the model finished). */
  stream: z.boolean().default(true),
  /** Chunks shorter than this are held back and merged with the next ones (0 = pass through). */
  minChars: z.number().int().min(0).default(12),
  /** A held-back chunk is sent anyway after this long, so a slow model still shows progress. */
  maxDelayMs: z.number().int().min(0).default(80),
  /** How finished answers (cache hits, ranked answers) are replayed: at once, or paced like typing. */
  replay: z.enum(['instant', 'paced']).default('instant'),
  /** Replay speed when `replay: paced`. */
  charsPerSecond: z.number().positive().default(400),
});

export type StreamingConfig = z.output<typeof streamingConfigSchema>;


/**
 * Collects every chunk and yields the whole text once (nothing when the text is empty).
 * @example
 * for await (const all of wholeAnswer(reply.chunks)) send(all);
 */
export async function* wholeAnswer(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  if (text.length > 0) yield text;
}

/**
 * Merges chunks shorter than `minChars` with the following ones; a held-back piece is
 * released after `maxDelayMs` even if no more text arrived. Order and text are preserved.
 * @example
 * const merged = coalesceChunks(reply.chunks, { minChars: 12, maxDelayMs: 80 });
 */
export function coalesceChunks(chunks: AsyncIterable<string>, options: { minChars: number; maxDelayMs: number }): AsyncIterable<string> {
  if (options.minChars <= 0) return chunks;
  return {
    [Symbol.asyncIterator]() {
      const source = chunks[Symbol.asyncIterator]();
      let buffer = '';
      let heldSince = 0;
      let pending: Promise<IteratorResult<string>> | undefined;
      let finished = false;

      const nextSourceChunk = () => (pending ??= source.next());

      async function pull(): Promise<IteratorResult<string>> {
        while (!finished) {
          let result: IteratorResult<string> | 'timeout';
          if (buffer.length === 0 || options.maxDelayMs === 0) {
            result = await nextSourceChunk();
          } else {
            // Wait for more text, but not past the held-back piece's deadline.
            const wait = Math.max(0, heldSince + options.maxDelayMs - Date.now());
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<'timeout'>((resolve) => {
              timer = setTimeout(() => resolve('timeout'), wait);
            });
            try {
              result = await Promise.race([nextSourceChunk(), timeout]);
            } finally {
              clearTimeout(timer);
            }
          }
          if (result === 'timeout') {
            const out = buffer;
            buffer = '';
            return { value: out, done: false };
          }
          pending = undefined;
          if (result.done) {
            finished = true;
            break;
          }
          if (result.value.length === 0) continue;
          if (buffer.length === 0) heldSince = Date.now();
          buffer += result.value;
          if (buffer.length >= options.minChars) {
            const out = buffer;
            buffer = '';
            return { value: out, done: false };
          }
        }
        if (buffer.length > 0) {
          const out = buffer;
          buffer = '';
          return { value: out, done: false };
        }
        return { value: undefined, done: true };
      }

      return {
        next: pull,
        async return(): Promise<IteratorResult<string>> {
          // The consumer stopped early: let the source clean up (abort the upstream call).
          finished = true;
          buffer = '';
          if (pending) {
            // A source chunk is still awaited; its generator closes once that settles.
            pending.catch(() => undefined);
            source.return?.().catch(() => undefined);
          } else {
            await source.return?.();
          }
          return { value: undefined, done: true };
        },
      };
    },
  };
}

/**
 * The streaming middleware.
 * @example
 * ctx.provide('Middleware', createStreamingMiddleware({ stream: true, minChars: 12, maxDelayMs: 80, replay: 'paced', charsPerSecond: 400 }));
 */
export function createStreamingMiddleware(config: StreamingConfig): Middleware {
  return {
    name: 'streaming',
    stage: 'deliver',
    async handle(request, next): Promise<Reply> {
      const streamed = config.stream && request.stream;
      // A collected answer gains nothing from a paced replay, so pacing applies only to streams.
      const pace = streamed && config.replay === 'paced' ? config.charsPerSecond : 0;
      const reply = await next({ ...request, metadata: { ...request.metadata, replayCharsPerSecond: pace } });
      const chunks = streamed ? coalesceChunks(reply.chunks, config) : wholeAnswer(reply.chunks);
      return { chunks, meta: reply.meta };
    },
  };
}

export default definePlugin({
  name: 'streaming',
  configSchema: streamingConfigSchema,
  register(ctx, config) {
    ctx.provide('Middleware', createStreamingMiddleware(config));
  },
});
