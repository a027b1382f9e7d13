/**
 * Requests with tools or tool turns are recognised in one place (`involvesTools`), and the
 * semantic cache and ranking check it themselves, so a front door that forgets to mark
 * such a request (Telegram, the console, a custom adapter) still bypasses both.
 */
import { describe, expect, it } from 'vitest';
import { createRequest, involvesTools, type ChatMessage, type ToolDefinition } from '../../core/index.js';
import { scopeOf } from '../../plugins/semantic-cache/scope.js';
import { decideRanking } from '../../plugins/parallel-ranking/policy.js';

const tool: ToolDefinition = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const question: ChatMessage = { role: 'user', content: 'What is the weather in Kherson?' };
const callTurn: ChatMessage = { role: 'assistant', content: '', tool_calls: [{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Kherson"}' }] };
const resultTurn: ChatMessage = { role: 'tool', content: '18 °C', tool_call_id: 'call_0', name: 'get_weather' };
const scope = { followUps: 'context' as const, contextTurns: 2 };
const hard = () => ({ rank: true, reason: 'hard' });

describe('involvesTools', () => {
  it('is true for offered tools, an assistant tool call or a tool result, and false otherwise', () => {
    expect(involvesTools({ messages: [question], tools: [tool] })).toBe(true);
    expect(involvesTools({ messages: [question, callTurn] })).toBe(true);
    expect(involvesTools({ messages: [question, resultTurn] })).toBe(true);
    expect(involvesTools({ messages: [question], tools: [] })).toBe(false);
    expect(involvesTools({ messages: [question, { role: 'assistant', content: 'Hi' }, question] })).toBe(false);
  });

  it('createRequest keeps tools and the tool choice, and drops an empty tool list', () => {
    const request = createRequest({ messages: [question], tools: [tool], toolChoice: 'required' }, { model: 'm' });
    expect(request.tools).toEqual([tool]);
    expect(request.toolChoice).toBe('required');
    expect('tools' in createRequest({ messages: [question], tools: [] }, { model: 'm' })).toBe(false);
  });
});

describe('the cache and ranking leave tool requests alone without any metadata', () => {
  it('scopeOf: not cacheable with tools or with tool turns; cacheable without', () => {
    expect(scopeOf(createRequest({ messages: [question], tools: [tool] }, { model: 'm' }), scope)).toEqual({ cacheable: false, reason: 'tools' });
    expect(scopeOf(createRequest({ messages: [question, callTurn, resultTurn, { role: 'user', content: 'And tomorrow?' }] }, { model: 'm' }), scope)).toEqual({ cacheable: false, reason: 'tools' });
    expect(scopeOf(createRequest({ messages: [question] }, { model: 'm' }), scope).cacheable).toBe(true);
  });

  it('decideRanking: never ranks a tool request, even when policy or request force it on', () => {
    const withTools = createRequest({ messages: [question], tools: [tool], metadata: { ranking: 'on' } }, { model: 'm' });
    expect(decideRanking(withTools, 'always', hard).rank).toBe(false);
    const withResult = createRequest({ messages: [question, callTurn, resultTurn] }, { model: 'm' });
    expect(decideRanking(withResult, 'always', hard)).toEqual({ rank: false, reason: 'the request involves tools' });
    expect(decideRanking(createRequest({ messages: [question] }, { model: 'm' }), 'always', hard).rank).toBe(true);
  });
});
