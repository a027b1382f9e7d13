import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectReply,
  createReplyMeta,
  definePlugin,
  Kernel,
  KobzaError,
  parseConfig,
  replayText,
  type CacheEntryRating,
  type CacheModeration,
  type Rating,
} from '../../../core/index.js';
import feedbackPlugin from '../../../plugins/feedback/index.js';

/** A provider that answers every question, and a pretend cache that "hits" questions starting with `cached:`. */
const fakes = definePlugin({
  name: 'fakes',
  register(ctx) {
    ctx.provide('LlmProvider', {
      id: 'fake',
      chat: async (request) => replayText('generated', createReplyMeta({ requestId: request.id, source: 'provider', model: request.model })),
    });
    ctx.provide('Middleware', {
      name: 'pretend-cache',
      stage: 'cache',
      async handle(request, next) {
        const question = request.messages.at(-1)!.content;
        if (!question.startsWith('cached:')) return next();
        const meta = createReplyMeta({ requestId: request.id, source: 'cache', model: request.model });
        meta.cache = { similarity: 1, exact: true, key: `entry-${question}` };
        return replayText('from cache', meta);
      },
    });
  },
});

const rated: { key: string; rating: Rating; conversationId: string }[] = [];
const moderation: CacheModeration = {
  async rate(key, rating, conversationId): Promise<CacheEntryRating> {
    rated.push({ key, rating, conversationId });
    const downs = new Set(rated.filter((r) => r.key === key && r.rating === 'down').map((r) => r.conversationId)).size;
    return { ups: rated.filter((r) => r.key === key && r.rating === 'up').length, downs, quarantined: downs >= 2 };
  },
  quarantine: async () => true,
  restore: async () => true,
  forget: async () => true,
  isQuarantined: () => false,
  list: async () => [],
};
const withModeration = definePlugin({ name: 'moderation', register: (ctx) => ctx.provide('CacheModeration', moderation) });

let kernel: Kernel | undefined;
afterEach(async () => {
  await kernel?.stop();
  kernel = undefined;
  rated.length = 0;
});

async function boot(feedbackBlock: string, extra = ''): Promise<Kernel> {
  const config = parseConfig(`assistant:\n  model: m\nplugins:\n  fakes: {}\n${extra}  feedback: ${feedbackBlock}\n`, { file: 'test.yaml' });
  kernel = await Kernel.create(config, {
    logger: pino({ level: 'silent' }),
    builtins: { fakes: async () => fakes, feedback: async () => feedbackPlugin, moderation: async () => withModeration },
  });
  return kernel;
}

async function ask(k: Kernel, question: string, conversationId?: string): Promise<string> {
  const request = k.createRequest({ messages: [{ role: 'user', content: question }], conversationId });
  await collectReply(await k.handle(request));
  return request.id;
}

describe('feedback plugin', () => {
  it('stores a rating with the question, the source and the cache entry; unknown ids are NOT_FOUND', async () => {
    const k = await boot('{}');
    const generated = await ask(k, 'Коли вступ?');
    const cached = await ask(k, 'cached:Коли вступ?');
    const feedback = k.resolve('Feedback');

    const up = await feedback.rate({ requestId: generated, rating: 'up' });
    expect(up.record).toMatchObject({ requestId: generated, rating: 'up', question: 'Коли вступ?', source: 'provider' });
    expect(up.record.cacheEntry).toBeUndefined();
    const down = await feedback.rate({ requestId: cached, rating: 'down', comment: '  wrong date  ' });
    expect(down.record).toMatchObject({ source: 'cache', cacheEntry: 'entry-cached:Коли вступ?', comment: 'wrong date' });
    // No cache moderation is configured: the rating is stored, nothing else happens.
    expect(down.entry).toBeUndefined();

    const latest = await feedback.latest();
    expect(latest.map((r) => r.requestId).sort()).toEqual([generated, cached].sort());
    const missing = await feedback.rate({ requestId: 'no-such-id', rating: 'down' }).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(KobzaError);
    expect((missing as KobzaError).code).toBe('NOT_FOUND');
  });

  it('passes a rating of a cached answer to CacheModeration with the conversation it came from', async () => {
    const k = await boot('{}', '  moderation: {}\n');
    const first = await ask(k, 'cached:fees', 'chat-1');
    const second = await ask(k, 'cached:fees', 'chat-2');
    const generated = await ask(k, 'fees?', 'chat-3');
    const feedback = k.resolve('Feedback');
    expect((await feedback.rate({ requestId: first, rating: 'down' })).entry).toEqual({ ups: 0, downs: 1, quarantined: false });
    expect((await feedback.rate({ requestId: second, rating: 'down' })).entry).toEqual({ ups: 0, downs: 2, quarantined: true });
    await feedback.rate({ requestId: generated, rating: 'down' });
    expect(rated).toEqual([
      { key: 'entry-cached:fees', rating: 'down', conversationId: 'chat-1' },
      { key: 'entry-cached:fees', rating: 'down', conversationId: 'chat-2' },
    ]);
  });

  it("counts a front door's voter when the adapter named no conversation, and the conversation when it did", async () => {
    const k = await boot('{}', '  moderation: {}\n');
    const anonymous = [await ask(k, 'cached:fees'), await ask(k, 'cached:fees')];
    const inChat = await ask(k, 'cached:fees', 'chat-9');
    const feedback = k.resolve('Feedback');
    for (const requestId of anonymous) await feedback.rate({ requestId, rating: 'down', voter: 'ip:abc' });
    await feedback.rate({ requestId: inChat, rating: 'down', voter: 'ip:abc' });
    expect(rated.map((r) => r.conversationId)).toEqual(['ip:abc', 'ip:abc', 'chat-9']);
    // Without a voter, an unnamed conversation (the request's own id) is all there is.
    await feedback.rate({ requestId: anonymous[0], rating: 'up' });
    expect(rated.at(-1)?.conversationId).toBe(anonymous[0]);
  });

  it('keeps only the newest `remember` answers ratable, and keeps ratings across a restart in SQLite', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kobza-feedback-')), 'feedback.sqlite');
    let k = await boot(`{ remember: 2, store: "sqlite://${file}" }`);
    const oldest = await ask(k, 'one');
    const middle = await ask(k, 'two');
    await ask(k, 'three');
    const feedback = k.resolve('Feedback');
    expect(feedback.served(oldest)).toBeUndefined();
    await expect(feedback.rate({ requestId: oldest, rating: 'up' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await feedback.rate({ requestId: middle, rating: 'down', comment: 'x'.repeat(5000) });
    await k.stop();

    k = await boot(`{ store: "sqlite://${file}", maxCommentChars: 10 }`);
    const [kept] = await k.resolve('Feedback').latest();
    expect(kept).toMatchObject({ requestId: middle, rating: 'down', question: 'two' });
    expect(kept.comment).toHaveLength(2000);
  });
});
