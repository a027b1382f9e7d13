/**
 * Keep the hits: where Kobza holds the conversation (memory plugin: Telegram, console), a
 * self-contained, impersonal question is answered without the history, so its answer is
 * shareable and a FAQ question asked after small talk in one chat is served from the cache
 * in another. Follow-ups and personal questions still get the history (and stay private).
 * A frozen memory store costs the history, never the answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PluginDefinition } from '../../../core/index.js';
import memoryPlugin from '../../../plugins/memory/index.js';
import { bootCache, stopKernels } from '../semantic-cache/helpers.js';
import { startControllableRedis, type ControllableRedis } from '../../helpers/redis.js';
import { echoReply, startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';

let ollama: OllamaStandIn;
let redis: ControllableRedis | undefined;

beforeEach(async () => {
  ollama = await startOllamaStandIn({ reply: echoReply });
});

afterEach(async () => {
  redis?.resume();
  await stopKernels();
  await ollama.close();
  await redis?.stop();
  redis = undefined;
});

const FAQ = 'Скільки коштує навчання на контракті?';

async function bootChat(memory: Record<string, unknown> = {}) {
  const booted = await bootCache({ ollamaUrl: ollama.url, extra: { memory: memoryPlugin as PluginDefinition }, extraSettings: { memory } });
  const say = (chat: string, text: string) => booted.ask(text, { conversationId: chat, metadata: { useMemory: true } });
  return { ...booted, say };
}

describe('memory: standalone questions', () => {
  it('a FAQ question after small talk in one chat is served from the cache in another; personal data stays in its chat', async () => {
    const { say } = await bootChat();
    await say('tg:alice', 'Привіт! Мене звати Олена Коваль, мій телефон +380501234567');
    const alice = await say('tg:alice', FAQ);
    expect(alice.text).toBe(`Answer to: ${FAQ}`); // answered without her history
    await say('tg:bob', 'Добрий день, я Богдан');
    const bob = await say('tg:bob', FAQ);
    expect(bob.meta.source).toBe('cache');
    expect(bob.text).toBe(`Answer to: ${FAQ}`);
    // A personal question gets the history, and is never served to the other chat.
    const mine = await say('tg:alice', 'Як мене звати?');
    expect(mine.text).toContain('Олена Коваль');
    const bobs = await say('tg:bob', 'Як мене звати?');
    expect(bobs.meta.source).toBe('provider');
    expect(bobs.text).not.toContain('Олена');
  });

  it('a follow-up still gets the history (and its answer stays in its chat)', async () => {
    const { say } = await bootChat();
    await say('tg:1', 'Чи є гуртожиток?');
    const followUp = await say('tg:1', 'А скільки це коштує?');
    expect(followUp.text).toContain('[context: user: Чи є гуртожиток?');
    await say('tg:2', 'Чи є гуртожиток?');
    expect((await say('tg:2', 'А скільки це коштує?')).meta.source).toBe('provider');
  });

  it('standaloneQuestions: false puts the history in front of every question', async () => {
    const { say } = await bootChat({ standaloneQuestions: false });
    await say('tg:1', 'Мене звати Олена');
    expect((await say('tg:1', FAQ)).text).toContain('Мене звати Олена');
  });

  it('a frozen memory store (SIGSTOP) costs the history, not the answer', async () => {
    redis = await startControllableRedis();
    const { say, kernel } = await bootChat({ store: redis.url, storeTimeoutMs: 150 });
    const errors: string[] = [];
    kernel.events.on('store:error', (e) => errors.push(e.owner));
    await say('tg:1', 'Чи є гуртожиток?');
    redis.pause();
    const answer = await say('tg:1', 'А скільки це коштує?');
    expect(redis.isPaused()).toBe(true);
    expect(answer.text).toBe('Answer to: А скільки це коштує?'); // no history: the store did not answer
    expect(errors).toContain('memory');
  });
});
