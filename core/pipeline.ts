/**
 * Onion-shaped middleware composition. Middleware are ordered by stage
 * (deliver → guard → cache → generate) and, inside a stage, by registration (YAML) order.
 * The terminal step calls the LLM provider. Calling `next` twice is an error; `next.fork`
 * is the explicit way to run the rest of the pipeline several times.
 */
import { KobzaError } from './errors.js';
import { STAGES, type Middleware, type Next } from './contracts.js';
import type { ChatRequest, Reply } from './types.js';

export type Handler = (request: ChatRequest) => Promise<Reply>;

/** Sorts middleware by stage, keeping registration order inside a stage (stable). */
export function orderMiddleware(middleware: readonly Middleware[]): Middleware[] {
  const rank = (m: Middleware) => STAGES.indexOf(m.stage);
  return middleware
    .map((m, index) => ({ m, index }))
    .sort((a, b) => rank(a.m) - rank(b.m) || a.index - b.index)
    .map(({ m }) => m);
}

/**
 * Composes middleware around a terminal handler.
 * @example
 * const handle = composePipeline(orderMiddleware(list), (req) => provider.chat(req));
 * const reply = await handle(request);
 */
export function composePipeline(ordered: readonly Middleware[], terminal: Handler): Handler {
  for (const m of ordered) {
    if (!STAGES.includes(m.stage)) {
      throw new KobzaError('PLUGIN_CONFLICT', `middleware "${m.name}" names unknown stage "${m.stage}"; expected one of ${STAGES.join(', ')}`);
    }
  }
  function dispatch(index: number, request: ChatRequest): Promise<Reply> {
    const middleware = ordered[index];
    if (!middleware) return terminal(request);
    let called = false;
    const next = function next(nextRequest?: ChatRequest): Promise<Reply> {
      if (called) {
        return Promise.reject(new KobzaError('INTERNAL', `middleware "${middleware.name}" called next() twice; use next.fork() to run the rest of the pipeline again`, { requestId: request.id }));
      }
      called = true;
      return dispatch(index + 1, nextRequest ?? request);
    } as Next;
    next.fork = function fork(forkRequest: ChatRequest): Promise<Reply> {
      return dispatch(index + 1, forkRequest);
    };
    try {
      return middleware.handle(request, next);
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return function pipeline(request: ChatRequest): Promise<Reply> {
    return dispatch(0, request);
  };
}
