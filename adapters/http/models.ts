/**
 * Model management, proxied to the upstream in Ollama's wire format: `POST /api/pull` and
 * `POST /api/create` (NDJSON progress streamed through as it arrives, or one
 * `{"status":"success"}` with `stream: false`), `POST /api/show`, `GET /api/ps`,
 * `DELETE /api/delete`, `POST /api/copy`. They bypass the pipeline (no cache, ranking or
 * chat limits): nothing is generated.
 *
 * Who may call: `/api/show` and `/api/ps` follow the normal API-key rules. The routes that
 * change the upstream (pull, create, delete, copy) need an admin key (`http.adminKeys`) sent
 * as `Authorization: Bearer <key>`: without one 401, with a plain API key 403. When no admin
 * key is configured they are served only when Kobza has no `apiKeys` and is bound to
 * loopback (the laptop default: whoever can reach it could run `ollama` anyway); otherwise 403.
 *
 * A provider without model management (OpenAI-compatible) answers the changing routes with
 * 501 NOT_IMPLEMENTED; `/api/show` and `/api/ps` then fall back to the model list (and an
 * empty list of loaded models), as before.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { KobzaError, wrapError, type ModelAdmin, type ModelProgress, type PluginContext } from '../../core/index.js';
import { ApiKeySet, bearerToken } from './api-keys.js';
import { errorBody, parseBody, unsupported } from './error-shapes.js';
import { isLoopbackName } from './front-door.js';
import { boundedJson } from './request-fields.js';
import { disconnectSignal } from './kernel-call.js';
import { listUpstreamModels } from './upstream.js';
import type { RouteDeps } from './server.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Needs an admin key (`http.adminKeys`); checked by the route itself, not by the API-key hook. */
    kobzaAdmin?: boolean;
  }
}

const nameFields = {
  model: z.string().min(1).max(500).optional(),
  name: z.string().min(1).max(500).optional(),
};

const pullSchema = z.looseObject({ ...nameFields, insecure: z.boolean().nullable().optional(), stream: z.boolean().nullable().optional() });
const text = z.string().max(100_000);
/** Ollama's documented create fields; others are dropped (they would reach the upstream unchecked). */
const createSchema = z.looseObject({
  ...nameFields,
  from: z.string().min(1).max(500).optional(),
  quantize: z.string().max(50).optional(),
  template: text.optional(),
  system: text.optional(),
  license: z.union([text, z.array(text).max(20)]).optional(),
  parameters: z.record(z.string().max(100), boundedJson).optional(),
  messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: text })).max(100).optional(),
  adapters: z.record(z.string().max(500), z.string().max(200)).optional(),
  files: z.record(z.string().max(500), z.string().max(200)).optional(),
  stream: z.boolean().nullable().optional(),
});
const CREATE_FIELDS = ['from', 'quantize', 'template', 'system', 'license', 'parameters', 'messages', 'adapters', 'files'] as const;
const showSchema = z.looseObject({ ...nameFields, verbose: z.boolean().nullable().optional() });
const deleteSchema = z.looseObject(nameFields);
const copySchema = z.looseObject({ source: z.string().min(1).max(500), destination: z.string().min(1).max(500) });

/**
 * True for an interface only this machine can reach: the front door's strict check
 * (`127.0.0.1.evil.example` is not loopback), plus the bare `::1` a bind address may be.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase();
  return name === '::1' || isLoopbackName(name);
}

/** True when an `Origin` header names a page served from this machine. */
function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function modelName(body: { model?: string; name?: string }, requestId: string): string {
  const name = body.model ?? body.name;
  if (!name) throw unsupported('model', 'expected a model name', requestId);
  return name;
}

/**
 * The admin check of one deployment: which keys it accepts, and what it does without any.
 * @example
 * const guard = adminGuard(config);
 * guard(request); // throws UNAUTHORIZED / FORBIDDEN, or returns
 */
export function adminGuard(config: RouteDeps['config']): (request: FastifyRequest) => void {
  const admins = new ApiKeySet(config.adminKeys);
  const users = new ApiKeySet(config.apiKeys);
  const openOnLoopback = !admins.required && !users.required && isLoopbackHost(config.host);
  return function checkAdmin(request) {
    if (openOnLoopback) {
      // Without keys, only this machine's own programs may manage models: a web page elsewhere
      // could otherwise send a form-encoded POST (no preflight) to 127.0.0.1. Browsers always
      // name the page in `Origin`; the ollama CLI and clients send none.
      const origin = request.headers.origin;
      if (origin === undefined || isLoopbackOrigin(origin)) return;
      throw new KobzaError('FORBIDDEN', 'model management without admin keys is not served to web pages of other origins', { requestId: request.id });
    }
    if (!admins.required) {
      throw new KobzaError('FORBIDDEN', 'model management is off: set http.adminKeys (it is open without keys only on a loopback-bound Kobza without apiKeys)', { requestId: request.id });
    }
    const token = bearerToken(request.headers.authorization);
    if (admins.match(token) >= 0) return;
    if (users.match(token) >= 0) throw new KobzaError('FORBIDDEN', 'this API key may not manage models: send an admin key (http.adminKeys)', { requestId: request.id });
    throw new KobzaError('UNAUTHORIZED', 'model management needs an admin key: send Authorization: Bearer <admin key>', { requestId: request.id });
  };
}

function adminOf(ctx: PluginContext, requestId: string): ModelAdmin | undefined {
  const provider = ctx.tryResolve('LlmProvider');
  if (!provider) throw new KobzaError('UPSTREAM_UNAVAILABLE', 'no LLM provider is configured', { requestId });
  return provider.modelAdmin;
}

function requireAdmin(ctx: PluginContext, what: string, requestId: string): ModelAdmin {
  const admin = adminOf(ctx, requestId);
  if (!admin) throw new KobzaError('NOT_IMPLEMENTED', `${what}: the configured provider cannot manage models (only the ollama provider can)`, { requestId });
  return admin;
}

/**
 * Sends a progress stream the way Ollama does. The first line is awaited before any byte
 * goes out, so a failure up to then gets its status and JSON body; a later one ends the
 * stream with an `{"error": …}` line (which the `ollama` client throws).
 */
async function sendProgress(progress: AsyncIterable<ModelProgress>, stream: boolean, request: FastifyRequest, reply: FastifyReply) {
  const iterator = progress[Symbol.asyncIterator]();
  let first: IteratorResult<ModelProgress>;
  try {
    first = await iterator.next();
  } catch (err) {
    throw wrapError(err, request.id);
  }
  if (!stream) {
    let last = first.done ? undefined : first.value;
    try {
      for (let step = first; !step.done; step = await iterator.next()) last = step.value;
    } catch (err) {
      throw wrapError(err, request.id);
    }
    if (last?.status !== 'success') throw new KobzaError('UPSTREAM_BAD_RESPONSE', 'the upstream ended without success', { requestId: request.id });
    return reply.type('application/json; charset=utf-8').send(last);
  }
  async function* lines(): AsyncGenerator<string> {
    try {
      for (let step = first; !step.done; step = await iterator.next()) yield `${JSON.stringify(step.value)}\n`;
    } catch (err) {
      yield `${JSON.stringify(errorBody(wrapError(err, request.id), 'ollama'))}\n`;
    } finally {
      await iterator.return?.();
    }
  }
  return reply.type('application/x-ndjson').header('cache-control', 'no-cache').header('x-accel-buffering', 'no').send(Readable.from(lines(), { objectMode: false }));
}

/** Registers the model-management routes. */
export function registerModelRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { ctx } = deps;
  const checkAdmin = adminGuard(deps.config);
  const listTimeoutMs = deps.config.readyTimeoutMs * 3;
  // The API-key hook leaves these to the admin check (kobzaAdmin), which runs before the body is read.
  const admin = {
    config: { kobzaAdmin: true },
    preParsing: async function adminOnly<P>(request: FastifyRequest, _reply: FastifyReply, payload: P): Promise<P> {
      checkAdmin(request);
      return payload;
    },
  };

  app.post('/api/pull', admin, async function pull(request, reply) {
    const body = parseBody(pullSchema, request.body, request.id);
    const model = modelName(body, request.id);
    const progress = requireAdmin(ctx, 'pull', request.id).pull({ model, ...(body.insecure ? { insecure: true } : {}) }, disconnectSignal(reply));
    return sendProgress(progress, body.stream !== false, request, reply);
  });

  app.post('/api/create', admin, async function create(request, reply) {
    const body = parseBody(createSchema, request.body, request.id);
    const model = modelName(body, request.id);
    const fields: { model: string } & Record<string, unknown> = { model };
    for (const key of CREATE_FIELDS) if (body[key] !== undefined) fields[key] = body[key];
    const progress = requireAdmin(ctx, 'create', request.id).create(fields, disconnectSignal(reply));
    return sendProgress(progress, body.stream !== false, request, reply);
  });

  app.delete('/api/delete', admin, async function deleteModel(request, reply) {
    const body = parseBody(deleteSchema, request.body, request.id);
    await requireAdmin(ctx, 'delete', request.id).delete(modelName(body, request.id), disconnectSignal(reply)).catch((err: unknown) => Promise.reject(wrapError(err, request.id)));
    return reply.code(200).send();
  });

  app.post('/api/copy', admin, async function copy(request, reply) {
    const body = parseBody(copySchema, request.body, request.id);
    await requireAdmin(ctx, 'copy', request.id).copy(body.source, body.destination, disconnectSignal(reply)).catch((err: unknown) => Promise.reject(wrapError(err, request.id)));
    return reply.code(200).send();
  });

  app.post('/api/show', async function show(request, reply) {
    const body = parseBody(showSchema, request.body, request.id);
    const name = modelName(body, request.id);
    const upstream = adminOf(ctx, request.id);
    if (upstream) {
      try {
        return await upstream.show({ model: name, ...(body.verbose ? { verbose: true } : {}) }, disconnectSignal(reply));
      } catch (err) {
        throw wrapError(err, request.id);
      }
    }
    const models = await listUpstreamModels(ctx, request.id, AbortSignal.timeout(listTimeoutMs));
    const found = models.find((m) => m.name === name || m.model === name || m.name === `${name}:latest`);
    if (!found) throw new KobzaError('MODEL_NOT_FOUND', `model ${JSON.stringify(name.slice(0, 100))} not found`, { requestId: request.id, details: { param: 'model' } });
    return { modelfile: '', parameters: '', template: '', details: found.details ?? {}, model_info: {}, capabilities: ['completion'], modified_at: found.modifiedAt ?? new Date(0).toISOString() };
  });

  app.get('/api/ps', async function runningModels(request, reply) {
    const upstream = adminOf(ctx, request.id);
    if (!upstream) return { models: [] };
    try {
      return { models: await upstream.running(disconnectSignal(reply)) };
    } catch (err) {
      throw wrapError(err, request.id);
    }
  });
}
