/**
 * Where a cached answer is valid. An answer depends on more than the question: the model,
 * the system prompt and the sampling options change it, so entries live in a namespace built
 * from those, and a hit never crosses namespaces. A follow-up question («а скільки це
 * коштує?») depends on the earlier turns too, so it is matched only within the same
 * conversation context.
 */
import { createHash } from 'node:crypto';
import { BoundedMap, memoizeString, type ChatRequest, type GenerationOptions } from '../../core/index.js';
import { needsContext, normalize } from '../../core/text/index.js';

/** Options that change what the model answers (keep_alive, for one, does not). */
export const ANSWER_CHANGING_OPTIONS = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'num_predict',
  'num_ctx',
  'seed',
  'stop',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
] as const satisfies readonly (keyof GenerationOptions)[];

/**
 * True when `options` sets any of ANSWER_CHANGING_OPTIONS (a value other than undefined).
 * Written out key by key: on every request, named reads of the one options shape are
 * ~4× cheaper than a loop of keyed reads (test/plugins/semantic-cache/scope.test.ts
 * holds it to the list).
 * @example
 * hasAnswerChangingOption({ temperature: 0.2 }) // true
 */
export function hasAnswerChangingOption(options: GenerationOptions): boolean {
  return (
    options.temperature !== undefined ||
    options.top_p !== undefined ||
    options.top_k !== undefined ||
    options.min_p !== undefined ||
    options.num_predict !== undefined ||
    options.num_ctx !== undefined ||
    options.seed !== undefined ||
    options.stop !== undefined ||
    options.repeat_penalty !== undefined ||
    options.presence_penalty !== undefined ||
    options.frequency_penalty !== undefined
  );
}

/** The facts a namespace is derived from, kept in entries so operators can read them. */
export interface NamespaceFacts {
  model: string;
  system: string;
  options: Partial<GenerationOptions>;
  /** `metadata.format` (json or a schema): a JSON-mode answer is not a prose answer. */
  format?: unknown;
  /** `metadata.knowledgeVersion`: an edited document retires the answers grounded in it. */
  knowledge?: string;
  /** `metadata.tenant`: tenants never share entries. */
  tenant?: string;
}

/** A question's scope: its namespace and (for follow-ups) its conversation context. */
export interface CacheScope {
  namespace: string;
  /** '' for a self-contained question; a hash of the earlier turns for a follow-up. */
  contextKey: string;
  facts: NamespaceFacts;
}

export type ScopeDecision = { cacheable: true; question: string; scope: CacheScope } | { cacheable: false; reason: string };

/** Short, stable hash (hex) of a string. */
export function shortHash(text: string, length = 24): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** JSON with sorted keys, so equal facts always hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The namespace id of a set of facts.
 * @example
 * namespaceOf({ model: 'qwen2.5:7b', system: 'Ти — помічник ХДУ', options: { temperature: 0 } }) // 'ns-3f…'
 */
export function namespaceOf(facts: NamespaceFacts): string {
  return namespaceOfCanonical(canonicalJson(facts));
}

/** A deployment has a handful of namespaces; their hashes are remembered. */
const namespaceOfCanonical = memoizeString((canonical) => `ns-${shortHash(canonical, 16)}`, 256, 8192);

/** The namespace facts of a request. */
export function namespaceFactsOf(request: ChatRequest): NamespaceFacts {
  const options: Partial<GenerationOptions> = {};
  for (const key of ANSWER_CHANGING_OPTIONS) {
    const value = request.options[key];
    if (value !== undefined) (options as Record<string, unknown>)[key] = value;
  }
  const facts: NamespaceFacts = { model: request.model, system: systemTextOf(request.messages), options };
  if (request.metadata.format !== undefined) facts.format = request.metadata.format;
  if (request.metadata.knowledgeVersion !== undefined) facts.knowledge = request.metadata.knowledgeVersion;
  const tenant = tenantOf(request);
  if (tenant !== undefined) facts.tenant = tenant;
  return facts;
}

/** The request's tenant (`metadata.tenant`), if it names one. */
export function tenantOf(request: ChatRequest): string | undefined {
  const tenant = request.metadata.tenant;
  return typeof tenant === 'string' && tenant !== '' ? tenant : undefined;
}

/** The system messages' text, joined ('' when none). */
export function systemTextOf(messages: ChatRequest['messages']): string {
  let system: string | undefined;
  for (const message of messages) {
    if (message.role !== 'system') continue;
    system = system === undefined ? message.content : `${system}\n${message.content}`;
  }
  return system ?? '';
}

/** The namespace of a request, the facts it is derived from, and its scope as a self-contained question. */
interface KnownNamespace {
  namespace: string;
  facts: NamespaceFacts;
  plainScope: CacheScope;
  /** The same facts plus a knowledge version (`metadata.knowledgeVersion`), by version. */
  byKnowledge?: BoundedMap<string, KnownNamespace>;
}

/**
 * Namespaces of requests with a model, a system prompt and perhaps a knowledge version, but
 * no answer-changing option, no format and no tenant — nearly every request a deployment
 * sees — remembered by model, then by system prompt, then by knowledge version (no key
 * string is built per request).
 */
const plainNamespaces = new BoundedMap<string, BoundedMap<string, KnownNamespace>>(64);

function known(facts: NamespaceFacts): KnownNamespace {
  const namespace = namespaceOf(facts);
  return { namespace, facts, plainScope: { namespace, contextKey: '', facts } };
}

/** The namespace of a request. */
function namespaceOfRequest(request: ChatRequest): KnownNamespace {
  let plain = request.metadata.format === undefined && request.metadata.tenant === undefined;
  if (plain && hasAnswerChangingOption(request.options)) plain = false;
  if (!plain) return known(namespaceFactsOf(request));
  const system = systemTextOf(request.messages);
  const knowledge = request.metadata.knowledgeVersion;
  // Model names and system prompts come from clients: very long ones are not remembered.
  if (system.length + request.model.length > 8192) return known(namespaceFactsOf(request));
  let bySystem = plainNamespaces.get(request.model);
  if (bySystem === undefined) {
    bySystem = new BoundedMap<string, KnownNamespace>(64);
    plainNamespaces.set(request.model, bySystem);
  }
  let entry = bySystem.get(system);
  if (entry === undefined) {
    entry = known({ model: request.model, system, options: {} });
    bySystem.set(system, entry);
  }
  if (knowledge === undefined) return entry;
  // A deployment has one knowledge version at a time (a few while documents are edited).
  entry.byKnowledge ??= new BoundedMap<string, KnownNamespace>(8);
  let versioned = entry.byKnowledge.get(knowledge);
  if (versioned === undefined) {
    versioned = known({ model: request.model, system, options: {}, knowledge });
    entry.byKnowledge.set(knowledge, versioned);
  }
  return versioned;
}

/**
 * The context key of a follow-up: a hash of the last `turns` user/assistant messages before
 * the question, normalised so a changed emoji or case does not matter.
 */
export function contextKeyOf(earlier: readonly { role: string; content: string }[], turns: number): string {
  const recent = earlier.filter((m) => m.role === 'user' || m.role === 'assistant').slice(-turns * 2);
  if (recent.length === 0) return '';
  return `ctx-${shortHash(recent.map((m) => `${m.role}:${normalize(m.content)}`).join('\n'), 16)}`;
}

export interface ScopeOptions {
  /** `context`: a follow-up may hit an entry stored under the same earlier turns; `bypass`: never cached. */
  followUps: 'context' | 'bypass';
  /** Earlier turns (question + answer) that make up a follow-up's context. */
  contextTurns: number;
}

/**
 * Decides whether a request may use the cache, and under which scope.
 * @example
 * const decision = scopeOf(request, { followUps: 'context', contextTurns: 2 });
 * if (!decision.cacheable) return next();
 */
export function scopeOf(request: ChatRequest, options: ScopeOptions): ScopeDecision {
  if (request.metadata.cache === 'off') return { cacheable: false, reason: 'disabled-by-request' };
  // An answer to a request with tools depends on the caller's functions and their results.
  if (request.tools !== undefined && request.tools.length > 0) return { cacheable: false, reason: 'tools' };
  const messages = request.messages;
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') return { cacheable: false, reason: 'no-user-question' };
  let earlierTurns = 0;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message.images && message.images.length > 0) return { cacheable: false, reason: 'images' };
    if (message.role === 'tool' || (message.tool_calls !== undefined && message.tool_calls.length > 0)) return { cacheable: false, reason: 'tools' };
    if (i < messages.length - 1 && message.role !== 'system') earlierTurns++;
  }
  const question = last.content.trim();
  if (!normalize(question)) return { cacheable: false, reason: 'empty-question' };
  let contextKey = '';
  if (earlierTurns > 0 && needsContext(question)) {
    if (options.followUps === 'bypass') return { cacheable: false, reason: 'follow-up' };
    contextKey = contextKeyOf(
      messages.slice(0, -1).filter((m) => m.role !== 'system'),
      options.contextTurns,
    );
  }
  const namespace = namespaceOfRequest(request);
  // A self-contained question shares its namespace's one scope object (scopes are not changed).
  return { cacheable: true, question, scope: contextKey === '' ? namespace.plainScope : { namespace: namespace.namespace, contextKey, facts: namespace.facts } };
}
