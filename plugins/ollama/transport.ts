/**
 * The HTTP transport under the `ollama` client: a `fetch` built on node:http so the
 * provider controls what global fetch does not let it control —
 * - a real TCP connect timeout (Ollama sends headers only with the first token, after the
 *   model loaded, so "time to headers" cannot stand in for "time to connect");
 * - a per-request AbortSignal (the client has none), honoured for the whole body;
 * - NDJSON validation: the client skips lines that are not JSON with a console warning,
 *   the provider must fail such a stream instead;
 * - its own keep-alive pool, destroyed on close, so nothing lingers after the kernel stops.
 */
import http from 'node:http';
import https from 'node:https';

/** Raised when the TCP connection is not established within `connectMs`. */
export class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError';
  constructor(readonly host: string, readonly timeoutMs: number) {
    super(`could not connect to ${host} within ${timeoutMs} ms`);
  }
}

/** Raised when the upstream closes the connection before the body ended. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  constructor(readonly afterBytes: number) {
    super(afterBytes > 0 ? 'the upstream closed the connection mid-stream' : 'the upstream closed the connection before answering');
  }
}

/** Raised when a line of an NDJSON stream is not JSON. */
export class MalformedStreamError extends Error {
  override readonly name = 'MalformedStreamError';
  constructor(readonly line: string) {
    super(`the upstream sent a line that is not JSON: ${JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line)}`);
  }
}

/** What the transport learned about one exchange, for error messages. */
export interface ExchangeReport {
  /** Response status, once headers arrived. */
  status?: number;
  /** Body bytes received. */
  bytes: number;
  /** The `error` field of an `{"error": …}` line seen in an NDJSON stream. */
  streamError?: string;
  /** True once an NDJSON line with `done: true` went by. */
  sawDone: boolean;
}

export interface TransportOptions {
  connectMs: number;
  /** Extra headers on every request (e.g. a proxy's Authorization). */
  headers?: Record<string, string>;
}

type FetchFunction = typeof fetch;

/**
 * A keep-alive HTTP(S) pool with per-exchange fetch functions.
 * @example
 * const transport = new OllamaTransport({ connectMs: 5000 });
 * const report = transport.newReport();
 * const client = new Ollama({ host, fetch: transport.fetchFor(controller.signal, report) });
 */
export class OllamaTransport {
  readonly #httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' });
  readonly #httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: 1000, scheduling: 'lifo' });
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  newReport(): ExchangeReport {
    return { bytes: 0, sawDone: false };
  }

  /** Sockets this transport holds (active and idle), for leak checks. */
  openSockets(): number {
    let count = 0;
    for (const agent of [this.#httpAgent, this.#httpsAgent]) {
      for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) count += list?.length ?? 0;
    }
    return count;
  }

  /** A fetch whose requests also end when `signal` aborts, reporting into `report`. */
  fetchFor(signal: AbortSignal, report: ExchangeReport): FetchFunction {
    const transport = this;
    return function ollamaFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
      return transport.#exchange(String(input instanceof Request ? input.url : input), init ?? {}, signal, report);
    } as FetchFunction;
  }

  /** Closes every pooled connection. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  #exchange(url: string, init: RequestInit, signal: AbortSignal, report: ExchangeReport): Promise<Response> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers: Record<string, string> = { ...this.#options.headers };
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : String(init.body);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const signals = [signal, init.signal].filter((s): s is AbortSignal => s != null);
    const connectMs = this.#options.connectMs;

    return new Promise<Response>((resolve, reject) => {
      let settled = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const aborted = signals.find((s) => s.aborted);
      if (aborted) return reject(abortReason(aborted));

      const request = (secure ? https : http).request(target, {
        method: init.method ?? 'GET',
        headers,
        agent: secure ? this.#httpsAgent : this.#httpAgent,
      });
      const onAbort = (event: Event) => {
        const reason = abortReason(event.target as AbortSignal);
        request.destroy(reason);
        if (!settled) {
          settled = true;
          reject(reason);
        }
      };
      const detach = () => {
        clearTimeout(connectTimer);
        for (const s of signals) s.removeEventListener('abort', onAbort);
      };
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });

      request.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(() => request.destroy(new ConnectTimeoutError(target.origin, connectMs)), connectMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      request.on('error', (err) => {
        detach();
        if (!settled) {
          settled = true;
          reject(err);
        }
      });
      request.on('response', (response) => {
        clearTimeout(connectTimer);
        report.status = response.statusCode;
        settled = true;
        const validate = (response.headers['content-type'] ?? '').includes('ndjson');
        const stream = bodyStream(response, request, validate, report, detach);
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(response.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
          else if (value !== undefined) responseHeaders.set(key, value);
        }
        const status = response.statusCode ?? 502;
        const nullBody = status === 204 || status === 304 || init.method === 'HEAD';
        resolve(new Response(nullBody ? null : stream, { status, statusText: response.statusMessage, headers: responseHeaders }));
      });
      request.end(body);
    });
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The response body as a web stream. Chunks are queued here and handed out on demand, so
 * data that arrived before a failure is still read before the failure surfaces (a web
 * stream's `error()` would drop it). NDJSON bodies are passed on line by line, each line
 * checked to be JSON.
 */
function bodyStream(response: http.IncomingMessage, request: http.ClientRequest, validate: boolean, report: ExchangeReport, onEnd: () => void): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const queue: Uint8Array[] = [];
  let pendingLine = '';
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  /** Queues the complete lines of `text`; false when one is not JSON. */
  function queueLines(text: string, last: boolean): boolean {
    pendingLine += text;
    const lines = pendingLine.split('\n');
    pendingLine = last ? '' : (lines.pop() ?? '');
    let valid = '';
    for (const raw of lines) {
      const line = raw.trim();
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        if (valid) queue.push(encoder.encode(valid));
        failure = new MalformedStreamError(line);
        return false;
      }
      if (value && typeof value === 'object') {
        const record = value as { error?: unknown; done?: unknown };
        if (record.error !== undefined) report.streamError = String(record.error);
        if (record.done === true) report.sawDone = true;
      }
      valid += `${line}\n`;
    }
    if (valid) queue.push(encoder.encode(valid));
    return true;
  }

  response.on('data', (chunk: Buffer) => {
    if (ended) return;
    report.bytes += chunk.length;
    if (!validate) queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
    else if (!queueLines(decoder.decode(chunk, { stream: true }), false)) {
      ended = true;
      request.destroy();
    }
    if (queue.length > 16) response.pause();
    notify();
  });
  response.on('end', () => {
    if (ended) return;
    ended = true;
    if (validate) queueLines(decoder.decode(), true);
    onEnd();
    notify();
  });
  response.on('close', () => {
    onEnd();
    if (!ended) {
      ended = true;
      // Closed without 'end': an abort (the signal's reason) or the peer went away.
      failure = request.destroyed && request.errored ? request.errored : new ConnectionClosedError(report.bytes);
    }
    notify();
  });
  response.on('error', () => {
    // Reported through 'close' above; listening keeps the error from being unhandled.
  });

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          const next = queue.shift();
          if (next) {
            if (queue.length < 4 && response.isPaused()) response.resume();
            controller.enqueue(next);
            return;
          }
          if (failure) return controller.error(failure);
          if (ended) return controller.close();
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
      },
      cancel() {
        ended = true;
        request.destroy();
        onEnd();
      },
    },
    { highWaterMark: 0 },
  );
}
