/**
 * Who may see what: the semantic cache's trust model (docs/semantic-cache.md, "What is
 * shared, with whom"). A shared cache is a channel between users, so:
 * - the **shared tier** (context key '') holds only answers generated from nothing but the
 *   deployment's own system prompt and the question, that carry no personal data;
 * - an answer generated with a conversation's earlier turns or a client's own system prompt
 *   is never served to another conversation: a follow-up and a client-system-prompt request
 *   read and write **conversation-scoped** entries (the context key hashes the tenant and
 *   the conversation id); a self-contained, impersonal question in a multi-turn request may
 *   read the shared tier, but its own answer is not kept (see `trustOf`);
 * - a personal question («як мене звати», "what did I say") uses no cache at all;
 * - tenants (`metadata.tenant`) have their own namespaces (scope.ts).
 */
import type { ChatRequest } from '../../core/index.js';
import { isPersonalQuestion } from '../../core/text/index.js';
import { scopeOf, shortHash, tenantOf, type CacheScope, type ScopeOptions } from './scope.js';

/** Where an answer is written: the shared tier, this conversation only, or nowhere. */
export type WriteTier = 'shared' | 'conversation' | 'none';

export type TrustDecision =
  | { cacheable: false; reason: string }
  | {
      cacheable: true;
      question: string;
      /** The scope looked up. */
      read: CacheScope;
      /** Where the answer goes, and under which scope (undefined when `none`). */
      tier: WriteTier;
      write?: CacheScope;
      /** Why this tier (for logs and `cache:miss`). */
      reason: string;
      /** What the user wrote before (this request's earlier user turns and those the memory plugin withheld): an answer repeating a name or number from them is not shared. */
      earlierUserTexts: string[];
    };

export interface TrustOptions extends ScopeOptions {
  /** The deployment's own system prompt (`assistant.systemPrompt`; '' when none). */
  deploymentSystemPrompt: string;
}

/** A conversation's private context key: its tenant, its id and (for a follow-up) its earlier turns. */
export function conversationKeyOf(request: ChatRequest, contextKey: string): string {
  return `conv-${shortHash(`${tenantOf(request) ?? ''}\u0000${request.conversationId}\u0000${contextKey}`, 16)}`;
}

function userTextsOf(messages: readonly { role: string; content: string }[] | undefined): string[] {
  const texts: string[] = [];
  for (const message of messages ?? []) if (message.role === 'user' && typeof message.content === 'string') texts.push(message.content);
  return texts;
}

/**
 * Decides what a request may read from the cache and where its answer may go.
 *
 * | request                                                     | reads                 | writes          |
 * | ----------------------------------------------------------- | --------------------- | --------------- |
 * | personal question                                           | nothing               | nothing         |
 * | deployment system prompt + question, nothing else           | shared                | shared¹         |
 * | earlier turns, self-contained impersonal question           | shared                | nothing         |
 * | earlier turns, follow-up                                    | conversation          | conversation    |
 * | client-supplied system prompt                               | conversation          | conversation    |
 *
 * ¹ unless the answer (or the question) carries personal data; checked when the answer is
 *   written (admission.ts), so a hit pays nothing for it.
 * @example
 * const trust = trustOf(request, { followUps: 'context', contextTurns: 2, deploymentSystemPrompt: '' });
 * if (!trust.cacheable) return next();
 */
export function trustOf(request: ChatRequest, options: TrustOptions): TrustDecision {
  const decision = scopeOf(request, options);
  if (!decision.cacheable) return decision;
  const { question, scope } = decision;
  if (isPersonalQuestion(question)) return { cacheable: false, reason: 'personal' };
  const messages = request.messages;
  let earlierTurns = 0;
  for (let i = 0; i < messages.length - 1; i++) if (messages[i].role !== 'system') earlierTurns++;
  const clientSystem = scope.facts.system !== options.deploymentSystemPrompt;
  const earlierUserTexts = earlierTurns > 0 || request.metadata.withheldHistory !== undefined ? [...userTextsOf(messages.slice(0, -1)), ...userTextsOf(withheld(request))] : [];
  if (scope.contextKey !== '' || clientSystem) {
    const own: CacheScope = { namespace: scope.namespace, contextKey: conversationKeyOf(request, scope.contextKey), facts: scope.facts };
    return { cacheable: true, question, read: own, tier: 'conversation', write: own, reason: scope.contextKey !== '' ? 'follow-up' : 'client-system-prompt', earlierUserTexts };
  }
  if (earlierTurns > 0) return { cacheable: true, question, read: scope, tier: 'none', reason: 'history-in-prompt', earlierUserTexts };
  return { cacheable: true, question, read: scope, tier: 'shared', write: scope, reason: 'context-free', earlierUserTexts };
}

function withheld(request: ChatRequest): { role: string; content: string }[] | undefined {
  const history = request.metadata.withheldHistory;
  return Array.isArray(history) ? (history as { role: string; content: string }[]) : undefined;
}
