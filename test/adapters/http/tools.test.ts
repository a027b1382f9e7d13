/**
 * Tool calls through both APIs with the official clients, streamed and not: the client
 * offers a tool, the stand-in (as a model would) answers with a call in Ollama's format,
 * Kobza hands it back in the client's dialect, the client runs the tool and sends the
 * result as a `tool` message, and the final answer quotes it. Tool requests never touch
 * the semantic cache or ranking.
 */
import { Ollama, type Message } from 'ollama';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterEach, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas, type LiveKobza } from './helpers.js';

afterEach(stopKobzas);

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** The tool the client runs. */
function getWeather(args: { city?: string }): string {
  return `${args.city}: 18 °C, light rain`;
}

const question = 'What is the weather in Kherson?';

function openAiClient(kobza: LiveKobza): OpenAI {
  return new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 10_000 });
}

const upstreamChats = (kobza: LiveKobza) => kobza.ollama.calls.filter((c) => c.path === '/api/chat');

describe('tool calls through /v1/chat/completions (openai client)', () => {
  it('returns the model’s call as message.tool_calls with finish_reason tool_calls, then answers with the tool’s result', async () => {
    const kobza = await startKobza();
    const client = openAiClient(kobza);
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: question }];

    const first = await client.chat.completions.create({ model: 'qwen2.5:7b', messages, tools: [weatherTool], tool_choice: 'auto' });
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    const message = first.choices[0].message;
    expect(message.content).toBeNull();
    expect(message.tool_calls).toHaveLength(1);
    const call = message.tool_calls![0];
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Kherson' });
    // The tool definitions reached Ollama in its own format.
    expect(upstreamChats(kobza)[0].body.tools).toEqual([weatherTool]);

    messages.push(message, { role: 'tool', tool_call_id: call.id, content: getWeather(JSON.parse(call.function.arguments)) });
    const second = await client.chat.completions.create({ model: 'qwen2.5:7b', messages, tools: [weatherTool] });
    expect(second.choices[0].finish_reason).toBe('stop');
    expect(second.choices[0].message.content).toBe(`Answer to: ${question} [tool: Kherson: 18 °C, light rain]`);
    expect(second.choices[0].message.tool_calls).toBeUndefined();
    // Ollama got the assistant's call with arguments as an object, and the tool's result named.
    const sent = upstreamChats(kobza)[1].body.messages;
    expect(sent.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Kherson' } } }] });
    expect(sent.at(-1)).toEqual({ role: 'tool', content: 'Kherson: 18 °C, light rain' });
  });

  it('streams the call as delta.tool_calls (index, id, type, name, arguments as a string) and finish_reason tool_calls', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 1 } });
    const client = openAiClient(kobza);
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: question }];

    const stream = await client.chat.completions.create({ model: 'qwen2.5:7b', messages, tools: [weatherTool], stream: true, stream_options: { include_usage: true } });
    const deltas: NonNullable<OpenAI.Chat.Completions.ChatCompletionChunk['choices'][number]['delta']['tool_calls']> = [];
    let finish: string | null = null;
    let content = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (chunk.usage) usage = chunk.usage;
      if (!choice) continue;
      content += choice.delta.content ?? '';
      deltas.push(...(choice.delta.tool_calls ?? []));
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    expect(finish).toBe('tool_calls');
    expect(content).toBe('');
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'get_weather' } });
    expect(deltas[0].id).toMatch(/^call_/);
    expect(JSON.parse(deltas[0].function!.arguments!)).toEqual({ city: 'Kherson' });
    expect(usage?.total_tokens).toBeGreaterThan(0);

    // The client's own stream helper assembles the same call; the round trip ends in text.
    const helper = client.chat.completions.stream({ model: 'qwen2.5:7b', messages, tools: [weatherTool] });
    const final = await helper.finalChatCompletion();
    const call = final.choices[0].message.tool_calls![0];
    if (call.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('get_weather');
    messages.push({ role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: getWeather(JSON.parse(call.function.arguments)) });
    let text = '';
    for await (const chunk of await client.chat.completions.create({ model: 'qwen2.5:7b', messages, tools: [weatherTool], stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(`Answer to: ${question} [tool: Kherson: 18 °C, light rain]`);
  });

  it('answers with text when the model calls no tool, and tool_choice none hides the tools from the model', async () => {
    const kobza = await startKobza();
    const client = openAiClient(kobza);
    const plain = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Hello there' }], tools: [weatherTool] });
    expect(plain.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Answer to: Hello there' } });
    expect(plain.choices[0].message.tool_calls).toBeUndefined();

    const none = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }], tools: [weatherTool], tool_choice: 'none' });
    expect(none.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: `Answer to: ${question}` } });
    expect(upstreamChats(kobza)[1].body.tools).toBeUndefined();
    expect(kobza.seen[1].toolChoice).toBe('none');
  });
});

describe('tool calls through /api/chat (ollama client)', () => {
  const ollamaTool = weatherTool as unknown as NonNullable<Parameters<Ollama['chat']>[0]['tools']>[number];

  it('returns message.tool_calls with arguments as an object, then answers with the tool’s result', async () => {
    const kobza = await startKobza();
    const client = new Ollama({ host: kobza.url });
    const messages: Message[] = [{ role: 'user', content: question }];

    const first = await client.chat({ model: 'qwen2.5:7b', messages, tools: [ollamaTool], stream: false });
    expect(first.done).toBe(true);
    expect(first.done_reason).toBe('stop');
    expect(first.message.content).toBe('');
    expect(first.message.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Kherson' } } }]);

    const args = first.message.tool_calls![0].function.arguments as { city: string };
    messages.push(first.message, { role: 'tool', content: getWeather(args), tool_name: 'get_weather' });
    const second = await client.chat({ model: 'qwen2.5:7b', messages, tools: [ollamaTool], stream: false });
    expect(second.message.content).toBe(`Answer to: ${question} [tool: Kherson: 18 °C, light rain]`);
    expect(second.message.tool_calls).toBeUndefined();
    const sent = upstreamChats(kobza)[1].body.messages;
    expect(sent.at(-1)).toEqual({ role: 'tool', content: 'Kherson: 18 °C, light rain', tool_name: 'get_weather' });
    // The tool turn is tied to the call it answers, for upstreams that need the id.
    const seen = kobza.seen[1].messages;
    expect(seen.at(-1)!.tool_call_id).toBe(seen.at(-2)!.tool_calls![0].id);
  });

  it('streams the call in a part of its own before the final part', async () => {
    const kobza = await startKobza({ standIn: { tokenDelayMs: 1 } });
    const client = new Ollama({ host: kobza.url });
    const messages: Message[] = [{ role: 'user', content: question }];
    const parts = [];
    for await (const part of await client.chat({ model: 'qwen2.5:7b', messages, tools: [ollamaTool], stream: true })) parts.push(part);
    const withCalls = parts.filter((p) => p.message.tool_calls?.length);
    expect(withCalls).toHaveLength(1);
    expect(withCalls[0].done).toBe(false);
    expect(withCalls[0].message.tool_calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Kherson' } } }]);
    expect(parts.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });

    messages.push(withCalls[0].message, { role: 'tool', content: getWeather({ city: 'Kherson' }), tool_name: 'get_weather' });
    let text = '';
    for await (const part of await client.chat({ model: 'qwen2.5:7b', messages, tools: [ollamaTool], stream: true })) text += part.message.content;
    expect(text).toBe(`Answer to: ${question} [tool: Kherson: 18 °C, light rain]`);
  });
});

describe('tool requests bypass the cache and ranking', () => {
  it('sends a repeated tools request upstream again, while a plain repeat is served from the cache', async () => {
    const kobza = await startKobza({ plugins: { 'semantic-cache': {} } });
    const client = openAiClient(kobza);
    const ask = () => client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Hello there' }], tools: [weatherTool] }).withResponse();
    const first = await ask();
    const again = await ask();
    expect(first.response.headers.get('x-kobza-source')).toBe('provider');
    expect(again.response.headers.get('x-kobza-source')).toBe('provider');
    expect(kobza.ollama.count('/api/chat')).toBe(2);
    expect(kobza.seen[0].metadata).toMatchObject({ cache: 'off', ranking: 'off' });

    // A tool result turn with the same question, through the Ollama API: upstream as well.
    const ollama = new Ollama({ host: kobza.url });
    const turn: Message[] = [
      { role: 'user', content: question },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Kherson' } } }] },
      { role: 'tool', content: '18 °C', tool_name: 'get_weather' },
    ];
    await ollama.chat({ model: 'qwen2.5:7b', messages: turn, stream: false });
    await ollama.chat({ model: 'qwen2.5:7b', messages: turn, stream: false });
    expect(kobza.ollama.count('/api/chat')).toBe(4);

    // The same question without tools is cached: the second one stays in Kobza.
    await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Hello there' }] });
    const cached = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Hello there' }] }).withResponse();
    expect(cached.response.headers.get('x-kobza-source')).toBe('cache');
    expect(kobza.ollama.count('/api/chat')).toBe(5);
  });

  it('leaves a tools request to the model even when the knowledge FAQ could answer it', async () => {
    const kobza = await startKobza({ plugins: { knowledge: { sources: ['knowledge/faq.*.yaml', 'knowledge/pages/*.md'] } } });
    const client = openAiClient(kobza);
    const faq = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є у вас басейн?' }] }).withResponse();
    expect(faq.response.headers.get('x-kobza-source')).toBe('faq');
    expect(kobza.ollama.count('/api/chat')).toBe(0);
    const withTools = await client.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є у вас басейн?' }], tools: [weatherTool] }).withResponse();
    expect(withTools.response.headers.get('x-kobza-source')).toBe('provider');
    expect(withTools.data.choices[0].message.content).toBe('Answer to: Чи є у вас басейн?');
    expect(kobza.ollama.count('/api/chat')).toBe(1);
  });

  it('does not rank a tools request even when ranking is forced on', async () => {
    const kobza = await startKobza({ plugins: { 'parallel-ranking': { when: 'always', candidates: 3 } } });
    const client = openAiClient(kobza);
    const { data, response } = await client.chat.completions
      .create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }], tools: [weatherTool] }, { headers: { 'x-kobza-ranking': 'on' } })
      .withResponse();
    expect(response.headers.get('x-kobza-source')).toBe('provider');
    expect(data.choices[0].finish_reason).toBe('tool_calls');
    expect(kobza.ollama.count('/api/chat')).toBe(1);
  });
});
