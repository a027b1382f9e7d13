import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collectReply, configErrorMap, definePlugin, isKobzaError, KobzaError, type KobzaEvents, type Scorer } from '../../../core/index.js';
import { rankingConfigSchema } from '../../../plugins/parallel-ranking/index.js';
import type { StandInRequest } from '../../servers/ollama.js';
import { bootWithStandIn, drain } from './stand-in-kernel.js';

const QUESTION = 'Порівняй навчання на бакалавраті та магістратурі: скільки триває кожне?';
const RUSSIAN = 'Обучение на бакалавриате длится четыре года, а в магистратуре полтора года.';
const GOOD = 'Навчання на бакалавраті триває 3 роки 10 місяців, а на магістратурі — 1 рік 4 місяці. Обидві програми можна поєднати, якщо вступати одразу після бакалаврату.';
const TRUNCATED = 'Навчання на бакалавраті триває 3 роки 10 місяців, а на магістратурі зазвичай';
const LONG = `${'Навчання в університеті складається з кількох етапів і багатьох важливих подробиць. '.repeat(12)}Кінець.`;

/** Draft i is told apart by its sampling temperature (0.3, 0.7, 1.0 by default). */
function byTemperature(answers: Record<string, string>) {
  return (request: StandInRequest) => answers[String(request.body?.options?.temperature)] ?? GOOD;
}

function chatCalls(ollama: { calls: { path: string; body: any; clientClosed: boolean }[] }) {
  return ollama.calls.filter((c) => c.path === '/api/chat');
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('parallel-ranking against the Ollama stand-in', () => {
  it('drafts N candidates at once with spread sampling and replays the best one as a ranking reply', async () => {
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3 }', {
      parallel: 4,
      tokenDelayMs: 2,
      reply: byTemperature({ '0.3': RUSSIAN, '0.7': GOOD, '1': TRUNCATED }),
    });
    const seen: { candidates: KobzaEvents['ranking:candidate'][]; chosen: KobzaEvents['ranking:chosen'][] } = { candidates: [], chosen: [] };
    kernel.events.on('ranking:candidate', (e) => seen.candidates.push(e));
    kernel.events.on('ranking:chosen', (e) => seen.chosen.push(e));

    const reply = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }], options: { seed: 40 } }));
    const chunks = await drain(reply);

    expect(chunks.join('')).toBe(GOOD);
    expect(chunks.length).toBeGreaterThan(1);
    expect(ollama.count('/api/chat')).toBe(3);
    expect(ollama.maxActive).toBe(3);
    const options = chatCalls(ollama).map((c) => c.body.options);
    expect(options.map((o) => o.temperature).sort()).toEqual([0.3, 0.7, 1]);
    expect(options.map((o) => o.seed).sort()).toEqual([40, 41, 42]);

    const meta = reply.meta;
    expect(meta.source).toBe('ranking');
    expect(meta.complete).toBe(true);
    expect(meta.flags.refusal).toBeUndefined();
    expect(meta.flags.truncated).toBeUndefined();
    const ranking = meta.ranking as { chosen: number; reason: string; policy: string; candidates: { index: number; status: string; vetoedBy?: string[]; scores: Record<string, number> }[] };
    expect(ranking.chosen).toBe(1);
    expect(ranking.policy).toBe('policy: always');
    expect(ranking.reason).toContain('#1');
    expect(ranking.candidates.map((c) => c.status)).toEqual(['done', 'done', 'done']);
    expect(ranking.candidates[0].vetoedBy).toContain('language');
    expect(ranking.candidates[2].vetoedBy).toContain('truncation');
    expect(Object.keys(ranking.candidates[1].scores)).toEqual(expect.arrayContaining(['language', 'refusal', 'repetition', 'truncation', 'coverage', 'length', 'consensus', 'forbidden']));

    expect(seen.candidates.map((e) => e.index).sort()).toEqual([0, 1, 2]);
    expect(seen.candidates.find((e) => e.index === 0)?.vetoedBy).toContain('language');
    expect(seen.chosen).toHaveLength(1);
    expect(seen.chosen[0]).toMatchObject({ requestId: reply.meta.requestId, index: 1, candidates: 3 });
  });

  it('keeps to the concurrency limit', async () => {
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3, concurrency: 2 }', { parallel: 4, tokenDelayMs: 3 });
    const { meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    expect(meta.source).toBe('ranking');
    expect(ollama.count('/api/chat')).toBe(3);
    expect(ollama.maxActive).toBe(2);
  });

  it('at the deadline ranks what has finished and aborts the rest (the stand-in sees closed connections)', async () => {
    const short = 'Бакалаврат триває 4 роки, магістратура — 1,5 року.';
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3, deadlineMs: 300 }', {
      parallel: 4,
      tokenDelayMs: 25,
      reply: byTemperature({ '0.3': short, '0.7': LONG, '1': LONG }),
    });
    const { text, meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    expect(text).toBe(short);
    const ranking = meta.ranking as { deadlineHit: boolean; chosen: number; candidates: { status: string; error?: { code: string } }[] };
    expect(ranking.deadlineHit).toBe(true);
    expect(ranking.chosen).toBe(0);
    expect(ranking.candidates.map((c) => c.status)).toEqual(['done', 'aborted', 'aborted']);
    expect(ranking.candidates[1].error?.code).toBe('ABORTED');
    await ollama.idle(5000);
    const closed = chatCalls(ollama).map((c) => ({ temperature: c.body.options.temperature, closed: c.clientClosed }));
    expect(closed.sort((a, b) => a.temperature - b.temperature)).toEqual([
      { temperature: 0.3, closed: false },
      { temperature: 0.7, closed: true },
      { temperature: 1, closed: true },
    ]);
  });

  it('when nothing has finished by the deadline, takes the first draft to finish and aborts the others', async () => {
    const short = 'Бакалаврат триває 4 роки, а магістратура півтора року.';
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3, deadlineMs: 1 }', {
      parallel: 4,
      tokenDelayMs: 20,
      reply: byTemperature({ '0.3': LONG, '0.7': short, '1': LONG }),
    });
    const { text, meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    expect(text).toBe(short);
    expect((meta.ranking as { candidates: { status: string }[] }).candidates.map((c) => c.status)).toEqual(['aborted', 'done', 'aborted']);
    await ollama.idle(5000);
    expect(chatCalls(ollama).filter((c) => c.clientClosed)).toHaveLength(2);
  });

  it('aborting the request aborts every candidate', async () => {
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3 }', { parallel: 4, tokenDelayMs: 20, reply: () => LONG });
    const client = new AbortController();
    const pending = kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }], signal: client.signal }));
    await waitFor(() => ollama.active === 3, 'three generations');
    client.abort();
    const error = await pending.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isKobzaError(error, 'ABORTED')).toBe(true);
    await ollama.idle(5000);
    expect(chatCalls(ollama).map((c) => c.clientClosed)).toEqual([true, true, true]);
  });

  it('drops a failed candidate and ranks the rest', async () => {
    const { kernel } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3 }', {
      parallel: 4,
      reply: byTemperature({ '0.3': RUSSIAN, '0.7': GOOD, '1': GOOD }),
      fault: (request) => (request.body?.options?.temperature === 0.7 ? 'http500' : undefined),
    });
    const candidateEvents: KobzaEvents['ranking:candidate'][] = [];
    kernel.events.on('ranking:candidate', (e) => candidateEvents.push(e));
    const { text, meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    const ranking = meta.ranking as { chosen: number; candidates: { status: string; error?: { code: string } }[] };
    expect(text).toBe(GOOD);
    expect(ranking.chosen).toBe(2);
    expect(ranking.candidates.map((c) => c.status)).toEqual(['done', 'failed', 'done']);
    expect(ranking.candidates[1].error?.code).toMatch(/^UPSTREAM_/);
    expect(candidateEvents.find((e) => e.index === 1)?.error).toBeTruthy();
  });

  it('when every candidate fails, throws the first error with its code (as a plain request would)', async () => {
    const { kernel } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 3 }', { fault: 'http500' });
    const plain = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }], metadata: { ranking: 'off' } })).catch((err: unknown) => err);
    const ranked = await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })).catch((err: unknown) => err);
    expect(isKobzaError(plain)).toBe(true);
    expect(isKobzaError(ranked)).toBe(true);
    expect((ranked as KobzaError).code).toBe((plain as KobzaError).code);
    expect((ranked as KobzaError).code).not.toBe('INTERNAL');
  });

  it('flags a refused winner (every draft refused) so the cache will not keep it', async () => {
    const { kernel } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 2 }', { reply: () => 'Як модель ШІ, я не можу відповісти на це питання.' });
    const { meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    expect(meta.source).toBe('ranking');
    expect(meta.flags.refusal).toBe(true);
    expect(meta.flags.noCache).toBe(true);
  });

  it('flags a winner the provider cut at num_predict as truncated', async () => {
    const { kernel } = await bootWithStandIn('  parallel-ranking: { when: always, candidates: 2 }', { reply: () => GOOD });
    const { meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }], options: { num_predict: 5 } })));
    expect(meta.doneReason).toBe('length');
    expect(meta.flags.truncated).toBe(true);
  });

  it('policy hard: ranks comparisons (uk, ru, en), several questions and long messages; passes plain ones through; metadata overrides', async () => {
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: hard, candidates: 3, hard: { minChars: 200 } }', { reply: () => GOOD });
    const ask = async (content: string, metadata: Record<string, unknown> = {}) => {
      const before = ollama.count('/api/chat');
      const { meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content }], metadata })));
      return { source: meta.source, calls: ollama.count('/api/chat') - before };
    };
    expect(await ask('Скільки коштує гуртожиток?')).toEqual({ source: 'provider', calls: 1 });
    expect(await ask('Чи дають стипендію, якщо всі оцінки відмінно?')).toEqual({ source: 'provider', calls: 1 });
    expect(await ask('У чому відмінність бакалаврату від магістратури?')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('Чим відрізняється бакалаврат від магістратури?')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('Порівняй денну і заочну форму')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('В чем разница между бюджетом и контрактом?')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('Compare the dormitories, please')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('Budget vs contract: which one is cheaper')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('Де гуртожиток? Скільки він коштує?')).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask(`Розкажіть про вступ. ${'Я хочу вступити на магістратуру після коледжу і не знаю, що робити. '.repeat(3)}`)).toEqual({ source: 'ranking', calls: 3 });
    expect(await ask('Порівняй денну і заочну форму', { ranking: 'off' })).toEqual({ source: 'provider', calls: 1 });
    expect(await ask('Скільки коштує гуртожиток?', { ranking: 'on' })).toEqual({ source: 'ranking', calls: 3 });
  });

  it('policy never: not even a comparison is ranked, unless the request forces it', async () => {
    const { kernel, ollama } = await bootWithStandIn('  parallel-ranking: { when: never }', { reply: () => GOOD });
    await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Порівняй бакалаврат і магістратуру' }] })));
    expect(ollama.count('/api/chat')).toBe(1);
    await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: 'Привіт' }], metadata: { ranking: 'on' } })));
    expect(ollama.count('/api/chat')).toBe(4);
  });

  it('uses scorers that other plugins register, with weights from the config', async () => {
    const seenRequests: string[] = [];
    const preferHot: Scorer = {
      name: 'prefer-hot',
      score(candidate, request) {
        seenRequests.push(request.id);
        return candidate.options.temperature === 1 ? 1 : { score: 0, veto: true, reason: 'not the hot draft' };
      },
    };
    const custom = definePlugin({ name: 'hot', configSchema: z.strictObject({}), register: (ctx) => ctx.provide('Scorer', preferHot) });
    const { kernel } = await bootWithStandIn('  hot: {}\n  parallel-ranking: { when: always, weights: { prefer-hot: 5 } }', { reply: byTemperature({ '0.3': GOOD, '0.7': GOOD, '1': `${GOOD} Ще одне речення.` }) }, { hot: custom });
    const { text, meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    expect(text).toBe(`${GOOD} Ще одне речення.`);
    expect((meta.ranking as { chosen: number }).chosen).toBe(2);
    expect(seenRequests).toHaveLength(3);
  });

  it('leaves out a scorer that throws, and still ranks', async () => {
    const broken = definePlugin({ name: 'broken', register: (ctx) => ctx.provide('Scorer', { name: 'broken', score: () => { throw new Error('boom'); } }) });
    const { kernel } = await bootWithStandIn('  broken: {}\n  parallel-ranking: { when: always, candidates: 3 }', { reply: byTemperature({ '0.3': RUSSIAN, '0.7': GOOD, '1': TRUNCATED }) }, { broken });
    const { text, meta } = await collectReply(await kernel.handle(kernel.createRequest({ messages: [{ role: 'user', content: QUESTION }] })));
    expect(text).toBe(GOOD);
    expect((meta.ranking as { candidates: { scores: Record<string, number> }[] }).candidates[1].scores.broken).toBeUndefined();
  });

  it('gives the same ranked text with streaming on and off', async () => {
    const answers = byTemperature({ '0.3': RUSSIAN, '0.7': GOOD, '1': TRUNCATED });
    const on = await bootWithStandIn('  streaming: { stream: true, minChars: 4 }\n  parallel-ranking: { when: always }', { reply: answers });
    const off = await bootWithStandIn('  streaming: { stream: false }\n  parallel-ranking: { when: always }', { reply: answers });
    const ask = { messages: [{ role: 'user' as const, content: QUESTION }] };
    const streamed = await drain(await on.kernel.handle(on.kernel.createRequest(ask)));
    const whole = await drain(await off.kernel.handle(off.kernel.createRequest(ask)));
    expect(whole).toEqual([GOOD]);
    expect(streamed.join('')).toBe(GOOD);
  });
});

describe('parallel-ranking config', () => {
  it('has the documented defaults', () => {
    const config = rankingConfigSchema.parse({});
    expect(config).toMatchObject({ when: 'hard', candidates: 3, deadlineMs: 20_000, sampling: { seeds: 'spread' } });
    expect(config.scorers.coverage.weight).toBeGreaterThan(config.scorers.length.weight);
  });

  it('rejects bad values with "expected …" messages', () => {
    const bad = rankingConfigSchema.safeParse({ when: 'sometimes', candidates: 0, scorers: { length: { min: 500, max: 100 } } }, { error: configErrorMap });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(expect.arrayContaining(['when: expected always, never or hard', 'candidates: expected a number 1 or more']));
    expect(messages.some((m) => m.startsWith('scorers.length.max: expected max to be greater than min'))).toBe(true);
    expect(rankingConfigSchema.safeParse({ scorers: { nope: {} } }).success).toBe(false);
  });
});
