/**
 * Model management through the official `ollama` client: pull, create, show, ps, delete,
 * copy — core's ModelAdmin, offered by the Ollama provider as `provider.modelAdmin`.
 *
 * Each call goes to one host (the first reachable one, with the provider's failover on
 * connection failures); with several hosts, manage each host directly. Upstream answers
 * keep Ollama's own message (`model 'x' not found`) under a code: 404 → MODEL_NOT_FOUND,
 * 400 → BAD_REQUEST, anything else → UPSTREAM_BAD_RESPONSE. Progress streams (pull,
 * create) must say something at least every `timeouts.firstTokenMs`.
 */
import { Ollama, type ProgressResponse } from 'ollama';
import { KobzaError, idleWatch, startClassifying, type ModelAdmin, type ModelProgress } from '../../core/index.js';

/** One call the provider ran for us: its value, and the exchange that is still open. */
export interface AdminCall<T> {
  value: T;
  host: string;
  /** The exchange's controller (aborting it ends the HTTP exchange). */
  controller: AbortController;
  /** Releases the host slot; safe to call twice. */
  finish(): void;
}

/**
 * Runs `call` with a client bound to one host under the first-token limit. `keepOpen`:
 * the caller reads a stream afterwards and calls `finish()`.
 */
export type AdminRunner = <T>(signal: AbortSignal, model: string, call: (client: Ollama) => Promise<T>, keepOpen: boolean) => Promise<AdminCall<T>>;

type ProgressStream = AsyncIterable<ProgressResponse> & { abort(): void };

/**
 * The client's portable `create` (the browser build's, which the Node class extends). The
 * Node override first looks for `from` as a file on this machine, which would let a remote
 * caller probe Kobza's file system; to Ollama's API `from` is a model name.
 */
const portableCreate = Object.getPrototypeOf(Ollama.prototype).create as Ollama['create'];

/**
 * An upstream answer turned into a coded error that keeps Ollama's words, so a client sees
 * what it would see from Ollama itself. Anything that is not an HTTP answer (a refused
 * connection, a timeout) goes back to the provider's own classification and failover.
 */
function upstreamAnswer(err: unknown): unknown {
  const name = (err as { name?: unknown })?.name;
  const status = (err as { status_code?: unknown })?.status_code;
  if (name !== 'ResponseError' || typeof status !== 'number') return err;
  const message = (err as Error).message;
  const code = status === 404 ? 'MODEL_NOT_FOUND' : status === 400 ? 'BAD_REQUEST' : 'UPSTREAM_BAD_RESPONSE';
  return new KobzaError(code, message, { cause: err, details: { upstreamStatus: status } });
}

function progressOf(part: ProgressResponse): ModelProgress {
  const progress: ModelProgress = { status: String(part.status ?? '') };
  if (part.digest) progress.digest = part.digest;
  if (typeof part.total === 'number') progress.total = part.total;
  if (typeof part.completed === 'number') progress.completed = part.completed;
  return progress;
}

/**
 * The Ollama ModelAdmin.
 * @example
 * const admin = new OllamaModelAdmin(runner, 60_000);
 * await admin.copy('qwen2.5:7b', 'kobza-backup', AbortSignal.timeout(10_000));
 */
export class OllamaModelAdmin implements ModelAdmin {
  readonly #run: AdminRunner;
  readonly #silenceMs: number;

  constructor(run: AdminRunner, silenceMs: number) {
    this.#run = run;
    this.#silenceMs = silenceMs;
  }

  pull(request: { model: string; insecure?: boolean }, signal: AbortSignal): AsyncIterable<ModelProgress> {
    return this.#progress(signal, request.model, (client) => client.pull({ model: request.model, insecure: request.insecure, stream: true }) as Promise<ProgressStream>);
  }

  create(request: { model: string } & Record<string, unknown>, signal: AbortSignal): AsyncIterable<ModelProgress> {
    const body = { ...request, stream: true as const } as Parameters<Ollama['create']>[0] & { stream: true };
    return this.#progress(signal, typeof request.from === 'string' ? request.from : request.model, (client) => portableCreate.call(client, body) as unknown as Promise<ProgressStream>);
  }

  async show(request: { model: string; verbose?: boolean }, signal: AbortSignal): Promise<Record<string, unknown>> {
    const call = await this.#once(signal, request.model, (client) => client.show({ model: request.model, ...(request.verbose ? { verbose: true } : {}) } as Parameters<Ollama['show']>[0]));
    return call as unknown as Record<string, unknown>;
  }

  async running(signal: AbortSignal): Promise<Record<string, unknown>[]> {
    const list = await this.#once(signal, '', (client) => client.ps());
    return (list.models ?? []) as unknown as Record<string, unknown>[];
  }

  async delete(model: string, signal: AbortSignal): Promise<void> {
    await this.#once(signal, model, (client) => client.delete({ model }));
  }

  async copy(source: string, destination: string, signal: AbortSignal): Promise<void> {
    await this.#once(signal, source, (client) => client.copy({ source, destination }));
  }

  async #once<T>(signal: AbortSignal, model: string, call: (client: Ollama) => Promise<T>): Promise<T> {
    const done = await this.#run(signal, model, (client) => call(client).catch((err: unknown) => Promise.reject(upstreamAnswer(err))), false);
    return done.value;
  }

  /** A progress stream: opened lazily (on the first `next()`), closed when the reader stops. */
  async *#progress(signal: AbortSignal, model: string, open: (client: Ollama) => Promise<ProgressStream>): AsyncGenerator<ModelProgress> {
    const call = await this.#run(signal, model, (client) => open(client).catch((err: unknown) => Promise.reject(upstreamAnswer(err))), true);
    const stream = call.value;
    const silenceMs = this.#silenceMs;
    const idle = idleWatch(silenceMs, () => call.controller.abort(new KobzaError('UPSTREAM_TIMEOUT', `Ollama at ${call.host} said nothing for ${silenceMs} ms (timeouts.firstTokenMs)`)));
    const iterator = stream[Symbol.asyncIterator]();
    let succeeded = false;
    try {
      for (;;) {
        const step = await idle.wait(iterator.next());
        if (step.done) break;
        const progress = progressOf(step.value);
        yield progress;
        if (progress.status === 'success') {
          succeeded = true;
          break;
        }
      }
    } catch (err) {
      const start = startClassifying(upstreamAnswer(err), call.controller.signal, undefined, { host: call.host });
      if ('error' in start) throw start.error;
      // The client throws the `{"error": …}` line of the stream as a plain Error.
      throw start.make('UPSTREAM_BAD_RESPONSE', `Ollama at ${call.host}: ${err instanceof Error ? err.message : String(err)}`).error;
    } finally {
      idle.stop();
      if (!succeeded) stream.abort();
      call.finish();
    }
  }
}
