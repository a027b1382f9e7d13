/**
 * The `ollama` provider and tools: definitions go out as Ollama's `tools`, the model's
 * `message.tool_calls` (arguments as an object) come back as `meta.toolCalls` with
 * `doneReason: 'tool_calls'`, and tool turns go out in Ollama's shape (`tool_name`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ToolDefinition } from '../../../core/index.js';
import { ask, bootOllama, standIn, stopAll } from './helpers.js';

afterEach(stopAll);

const weather: ToolDefinition = { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const question = { role: 'user' as const, content: 'What is the weather in Odesa?' };

describe('ollama provider: tools', () => {
  it('passes tools on and ends the reply with the model’s calls, numbered, and no text', async () => {
    const ollama = await standIn();
    const { kernel } = await bootOllama(`host: ${ollama.url}`);
    const { text, meta, error } = await ask(kernel, kernel.createRequest({ messages: [question], tools: [weather] }));
    expect(error).toBeUndefined();
    expect(text).toBe('');
    expect(meta?.toolCalls).toEqual([{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Odesa"}' }]);
    expect(meta?.doneReason).toBe('tool_calls');
    expect(meta?.complete).toBe(true);
    expect(ollama.calls.find((c) => c.path === '/api/chat')!.body.tools).toEqual([weather]);
  });

  it('sends tool turns in Ollama’s shape and answers with text after the result', async () => {
    const ollama = await standIn();
    const { kernel } = await bootOllama(`host: ${ollama.url}`);
    const messages = [
      question,
      { role: 'assistant' as const, content: '', tool_calls: [{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Odesa"}' }] },
      { role: 'tool' as const, content: '21 °C', tool_call_id: 'call_0', name: 'get_weather' },
    ];
    const { text, meta } = await ask(kernel, kernel.createRequest({ messages, tools: [weather] }));
    expect(text).toBe('Answer to: What is the weather in Odesa? [tool: 21 °C]');
    expect(meta?.toolCalls).toBeUndefined();
    expect(meta?.doneReason).toBe('stop');
    const sent = ollama.calls.find((c) => c.path === '/api/chat')!.body.messages;
    expect(sent.slice(-2)).toEqual([
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Odesa' } } }] },
      { role: 'tool', content: '21 °C', tool_name: 'get_weather' },
    ]);
  });

  it('leaves the tools out when the tool choice is none', async () => {
    const ollama = await standIn();
    const { kernel } = await bootOllama(`host: ${ollama.url}`);
    const { text, meta } = await ask(kernel, kernel.createRequest({ messages: [question], tools: [weather], toolChoice: 'none' }));
    expect(text).toBe('Answer to: What is the weather in Odesa?');
    expect(meta?.toolCalls).toBeUndefined();
    expect(ollama.calls.find((c) => c.path === '/api/chat')!.body.tools).toBeUndefined();
  });
});
