/**
 * Model management for the Ollama stand-in, in Ollama's documented wire format:
 * `POST /api/pull` and `POST /api/create` (NDJSON progress ending with
 * `{"status":"success"}`, or that one object with `stream: false`; a failure after the
 * first line is an `{"error": …}` line, as Ollama sends it), `POST /api/show`, `GET /api/ps`,
 * `DELETE /api/delete` (200 with an empty body, 404 `{"error":"model 'x' not found"}`),
 * `POST /api/copy`. The models it has change as a test pulls, copies and deletes.
 */
import type http from 'node:http';

/** A name as Ollama stores it (`name` → `name:latest`). */
export function fullName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

/** Models whose pull fails after "pulling manifest" (like a name the registry lacks). */
export const UNKNOWN_TO_REGISTRY = /does-not-exist/;

export interface ModelShelfOptions {
  /** The models the stand-in was given (read each time: a test may change them). */
  base: () => readonly string[];
  /** Pause between progress lines (ms). Default 0. */
  progressDelayMs?: () => number;
  /** Answers with JSON. */
  sendJson(res: http.ServerResponse, status: number, value: unknown): void;
}

/** The stand-in's list of models, and the routes that manage it. */
export class ModelShelf {
  readonly #added = new Set<string>();
  readonly #removed = new Set<string>();
  /** Models a generation used, most recent first (what `/api/ps` lists). */
  readonly #loaded: string[] = [];
  readonly #options: ModelShelfOptions;

  constructor(options: ModelShelfOptions) {
    this.#options = options;
  }

  /** The models there now: the given ones, less the deleted, plus the pulled, copied, created. */
  get names(): string[] {
    const names = this.#options.base().map(fullName).filter((n) => !this.#removed.has(n));
    for (const added of this.#added) if (!names.includes(added)) names.push(added);
    return names;
  }

  has(name: string): boolean {
    return this.names.includes(fullName(name));
  }

  /** True when a test deleted the model (and did not bring it back). */
  deleted(name: string): boolean {
    return this.#removed.has(fullName(name));
  }

  #add(name: string): void {
    const full = fullName(name);
    this.#removed.delete(full);
    this.#added.add(full);
  }

  /** Notes that a generation used `name` (it is "loaded" now). */
  touch(name: string): void {
    if (!name) return;
    const full = fullName(name);
    const at = this.#loaded.indexOf(full);
    if (at >= 0) this.#loaded.splice(at, 1);
    this.#loaded.unshift(full);
  }

  entry(name: string) {
    const full = fullName(name);
    return {
      name: full,
      model: full,
      modified_at: '2025-01-01T00:00:00Z',
      size: 4_683_087_332,
      digest: digestOf(full),
      details: { parent_model: '', format: 'gguf', family: 'qwen2', families: ['qwen2'], parameter_size: '7.6B', quantization_level: 'Q4_K_M' },
    };
  }

  /** Serves a model-management route; false when `path` is not one. */
  route(method: string, path: string, body: any, res: http.ServerResponse): boolean | Promise<void> {
    const { sendJson } = this.#options;
    const name = String(body?.model ?? body?.name ?? '');
    if (method === 'GET' && path === '/api/ps') {
      sendJson(res, 200, {
        models: this.#loaded.map((loaded) => ({ ...this.entry(loaded), expires_at: '2099-01-01T00:00:00Z', size_vram: 4_683_087_332, context_length: 4096 })),
      });
      return true;
    }
    if (method === 'POST' && path === '/api/show') {
      if (!this.has(name)) sendJson(res, 404, { error: `model '${name}' not found` });
      else sendJson(res, 200, this.#show(name));
      return true;
    }
    if (method === 'DELETE' && path === '/api/delete') {
      if (!name || !this.has(name)) {
        sendJson(res, 404, { error: `model '${name}' not found` });
        return true;
      }
      this.#added.delete(fullName(name));
      this.#removed.add(fullName(name));
      res.writeHead(200, { 'content-length': 0 });
      res.end();
      return true;
    }
    if (method === 'POST' && path === '/api/copy') {
      const source = String(body?.source ?? '');
      const destination = String(body?.destination ?? '');
      if (!this.has(source)) sendJson(res, 404, { error: `model '${source}' not found` });
      else if (!destination) sendJson(res, 400, { error: 'destination name is required' });
      else {
        this.#add(destination);
        res.writeHead(200, { 'content-length': 0 });
        res.end();
      }
      return true;
    }
    if (method === 'POST' && path === '/api/pull') return this.#pull(name, body?.stream !== false, res);
    if (method === 'POST' && path === '/api/create') return this.#create(name, body ?? {}, res);
    return false;
  }

  #show(name: string) {
    const entry = this.entry(name);
    return {
      license: '',
      modelfile: `FROM ${entry.name}`,
      parameters: 'stop "<|im_end|>"',
      template: '{{ .Prompt }}',
      details: entry.details,
      model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': 32768 },
      capabilities: ['completion'],
      modified_at: entry.modified_at,
    };
  }

  async #pull(name: string, stream: boolean, res: http.ServerResponse): Promise<void> {
    const full = fullName(name);
    const digest = digestOf(full);
    const total = 4_683_087_332;
    const lines: unknown[] = [{ status: 'pulling manifest' }];
    if (UNKNOWN_TO_REGISTRY.test(name)) lines.push({ error: 'pull model manifest: file does not exist' });
    else {
      for (const completed of [0, total / 4, total / 2, total]) lines.push({ status: `pulling ${digest.slice(7, 19)}`, digest, total, completed });
      lines.push({ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' });
    }
    await this.#answer(lines, stream, res, () => {
      this.#add(full);
    });
  }

  async #create(name: string, body: any, res: http.ServerResponse): Promise<void> {
    const from = typeof body.from === 'string' ? body.from : '';
    if (!name) return this.#options.sendJson(res, 400, { error: 'model name is required' });
    if (from && !this.has(from)) return this.#options.sendJson(res, 404, { error: `model '${from}' not found` });
    const lines: unknown[] = [{ status: 'gathering model components' }, { status: `using existing layer ${digestOf(fullName(from || name))}` }];
    if (typeof body.system === 'string') lines.push({ status: 'creating new layer sha256:system' });
    lines.push({ status: 'writing manifest' }, { status: 'success' });
    await this.#answer(lines, body.stream !== false, res, () => {
      this.#add(name);
    });
  }

  /** NDJSON progress (or the last line alone without streaming); `onSuccess` when it succeeded. */
  async #answer(lines: unknown[], stream: boolean, res: http.ServerResponse, onSuccess: () => void): Promise<void> {
    const failed = lines.some((line) => (line as { error?: string }).error !== undefined);
    if (!stream) {
      const last = lines.at(-1) as { error?: string };
      if (!failed) onSuccess();
      return this.#options.sendJson(res, failed ? 500 : 200, last);
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const line of lines) {
      if (res.destroyed) return;
      res.write(`${JSON.stringify(line)}\n`);
      const pause = this.#options.progressDelayMs?.() ?? 0;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
    if (!failed) onSuccess();
    res.end();
  }
}

function digestOf(full: string): string {
  return `sha256:${Buffer.from(full).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}
