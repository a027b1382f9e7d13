/**
 * The namespace a request's scope lands in: remembered for plain requests (model, system
 * prompt, knowledge version), always the one its facts hash to.
 */
import { describe, expect, it } from 'vitest';
import { createRequest, type RequestInit } from '../../../core/index.js';
import { namespaceFactsOf, namespaceOf, scopeOf } from '../../../plugins/semantic-cache/index.js';
import { ANSWER_CHANGING_OPTIONS, hasAnswerChangingOption } from '../../../plugins/semantic-cache/scope.js';

const options = { followUps: 'context', contextTurns: 2 } as const;

function request(init: Partial<RequestInit> = {}) {
  return createRequest({ messages: [{ role: 'user', content: 'Коли починається вступ?' }], ...init }, { model: 'qwen2.5:7b', systemPrompt: 'Ти — помічник університету.' });
}

function scopeOfRequest(init: Partial<RequestInit> = {}) {
  const decision = scopeOf(request(init), options);
  if (!decision.cacheable) throw new Error(`not cacheable: ${decision.reason}`);
  return decision.scope;
}

describe('scopeOf namespaces', () => {
  it('a knowledge version is part of the namespace, remembered per version', () => {
    const plain = scopeOfRequest();
    const v1 = scopeOfRequest({ metadata: { knowledgeVersion: 'kb-1' } });
    const v2 = scopeOfRequest({ metadata: { knowledgeVersion: 'kb-2' } });
    expect(v1.namespace).toBe(namespaceOf(namespaceFactsOf(request({ metadata: { knowledgeVersion: 'kb-1' } }))));
    expect(v1.facts.knowledge).toBe('kb-1');
    expect(plain.facts.knowledge).toBeUndefined();
    expect(new Set([plain.namespace, v1.namespace, v2.namespace]).size).toBe(3);
    // The same facts again: the very same scope object, nothing recomputed.
    expect(scopeOfRequest({ metadata: { knowledgeVersion: 'kb-1' } })).toBe(v1);
    expect(scopeOfRequest()).toBe(plain);
  });

  it('options, format and tenant still get namespaces of their own, with the knowledge version', () => {
    const v1 = scopeOfRequest({ metadata: { knowledgeVersion: 'kb-1' } });
    const warm = scopeOfRequest({ metadata: { knowledgeVersion: 'kb-1' }, options: { temperature: 0.2 } });
    const tenant = scopeOfRequest({ metadata: { knowledgeVersion: 'kb-1', tenant: 'faculty-a' } });
    expect(warm.namespace).not.toBe(v1.namespace);
    expect(tenant.namespace).not.toBe(v1.namespace);
    expect(warm.facts).toMatchObject({ knowledge: 'kb-1', options: { temperature: 0.2 } });
    expect(tenant.facts).toMatchObject({ knowledge: 'kb-1', tenant: 'faculty-a' });
  });
});

describe('hasAnswerChangingOption', () => {
  it('is true for each answer-changing option and false without one', () => {
    for (const key of ANSWER_CHANGING_OPTIONS) {
      expect(hasAnswerChangingOption({ [key]: key === 'stop' ? ['\n'] : 0 }), key).toBe(true);
      expect(hasAnswerChangingOption({ [key]: undefined }), key).toBe(false);
    }
    expect(hasAnswerChangingOption({})).toBe(false);
    expect(hasAnswerChangingOption({ keep_alive: '5m' })).toBe(false);
  });
});
