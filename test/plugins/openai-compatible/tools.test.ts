/**
 * The `openai-compatible` provider and tools: definitions and `tool_choice` go out in
 * OpenAI's shape, the streamed `delta.tool_calls` fragments (id and name first, arguments
 * in pieces) are joined into `meta.toolCalls`, and tool turns go out with their call ids.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { collectReply, Kernel, parseConfig, type ChatMessage, type ToolDefinition } from '../../../core/index.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../servers/openai-compatible.js';

const MODEL = 'qwen2.5-7b-instruct';
const standIns: OpenAiStandIn[] = [];
const kernels: Kernel[] = [];

afterEach(async () => {
  await Promise.all(kernels.splice(0).map((k) => k.stop()));
  await Promise.all(standIns.splice(0).map((s) => s.close()));
});

async function boot(): Promise<{ kernel: Kernel; server: OpenAiStandIn }> {
  const server = await startOpenAiStandIn();
  standIns.push(server);
  const yaml = `assistant:\n  model: ${MODEL}\nplugins:\n  openai-compatible:\n    baseURL: ${server.url}\n    probeOnStart: false\n`;
  const kernel = await Kernel.create(parseConfig(yaml, { file: 'test.yaml', env: {} }), {
    builtins: { 'openai-compatible': () => import('../../../plugins/openai-compatible/index.js') },
    logger: pino({ level: 'silent' }),
  });
  kernels.push(kernel);
  return { kernel, server };
}

const weather: ToolDefinition = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const question: ChatMessage = { role: 'user', content: 'What is the weather in Mykolaiv?' };

describe('openai-compatible provider: tools', () => {
  it('joins streamed tool-call fragments into meta.toolCalls and passes tools and tool_choice on', async () => {
    const { kernel, server } = await boot();
    const reply = await kernel.handle(kernel.createRequest({ messages: [question], tools: [weather], toolChoice: { name: 'get_weather' } }));
    const { text, meta } = await collectReply(reply);
    expect(text).toBe('');
    expect(meta.toolCalls).toEqual([{ id: 'call_get_weather_0', name: 'get_weather', arguments: '{"city":"Mykolaiv"}' }]);
    expect(meta.doneReason).toBe('tool_calls');
    const body = server.calls.find((c) => c.path === '/v1/chat/completions')!.body;
    expect(body.tools).toEqual([weather]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
  });

  it('sends the assistant’s calls and the tool result with its call id, then streams the text answer', async () => {
    const { kernel, server } = await boot();
    const messages: ChatMessage[] = [
      question,
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_get_weather_0', name: 'get_weather', arguments: '{"city":"Mykolaiv"}' }] },
      { role: 'tool', content: '16 °C', tool_call_id: 'call_get_weather_0', name: 'get_weather' },
    ];
    const { text, meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages, tools: [weather] })));
    expect(text).toBe('Answer to: What is the weather in Mykolaiv? [tool: 16 °C]');
    expect(meta.toolCalls).toBeUndefined();
    expect(meta.doneReason).toBe('stop');
    const sent = server.calls.find((c) => c.path === '/v1/chat/completions')!.body.messages;
    expect(sent.slice(-2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_get_weather_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Mykolaiv"}' } }] },
      { role: 'tool', content: '16 °C', tool_call_id: 'call_get_weather_0' },
    ]);
  });
});
