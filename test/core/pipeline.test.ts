import { describe, expect, it } from 'vitest';
import { collectReply, composePipeline, createReplyMeta, createRequest, KobzaError, orderMiddleware, replayText, type Middleware } from '../../core/index.js';

const request = () => createRequest({ messages: [{ role: 'user', content: 'Привіт' }] }, { model: 'm' });
const answer = (text: string) => async (req: { id: string; model: string }) => replayText(text, createReplyMeta({ requestId: req.id, source: 'provider', model: req.model }));

function recorder(name: string, stage: Middleware['stage'], trace: string[]): Middleware {
  return {
    name,
    stage,
    async handle(req, next) {
      trace.push(`${name}:before`);
      const reply = await next();
      trace.push(`${name}:after`);
      return reply;
    },
  };
}

describe('pipeline', () => {
  it('orders by stage, then by registration order inside a stage', async () => {
    const trace: string[] = [];
    const list = [
      recorder('rank', 'generate', trace),
      recorder('cache', 'cache', trace),
      recorder('limit', 'guard', trace),
      recorder('stream', 'deliver', trace),
      recorder('limit2', 'guard', trace),
    ];
    const handle = composePipeline(orderMiddleware(list), answer('ok'));
    await handle(request());
    expect(trace).toEqual(['stream:before', 'limit:before', 'limit2:before', 'cache:before', 'rank:before', 'rank:after', 'cache:after', 'limit2:after', 'limit:after', 'stream:after']);
  });

  it('refuses a second call of next()', async () => {
    const twice: Middleware = {
      name: 'twice',
      stage: 'guard',
      async handle(_req, next) {
        await next();
        return next();
      },
    };
    const handle = composePipeline([twice], answer('ok'));
    await expect(handle(request())).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('called next() twice') });
  });

  it('lets next.fork run the rest of the pipeline many times with derived requests', async () => {
    const seen: number[] = [];
    const fan: Middleware = {
      name: 'fan',
      stage: 'generate',
      async handle(req, next) {
        const replies = await Promise.all([1, 2, 3].map((seed) => next.fork({ ...req, options: { ...req.options, seed } })));
        const texts = await Promise.all(replies.map(async (r) => (await collectReply(r)).text));
        return replayText(texts.join('|'), replies[0].meta);
      },
    };
    const handle = composePipeline([fan], async (req) => {
      seen.push(req.options.seed ?? -1);
      return replayText(`s${req.options.seed}`, createReplyMeta({ requestId: req.id, source: 'provider', model: req.model }));
    });
    const { text } = await collectReply(await handle(request()));
    expect(text).toBe('s1|s2|s3');
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it('passes a modified request down and errors up to one place', async () => {
    const rewrite: Middleware = {
      name: 'rewrite',
      stage: 'guard',
      handle: (req, next) => next({ ...req, model: 'other' }),
    };
    const failing: Middleware = {
      name: 'failing',
      stage: 'cache',
      handle: () => {
        throw new KobzaError('RATE_LIMITED', 'slow down');
      },
    };
    let model = '';
    const ok = composePipeline([rewrite], async (req) => {
      model = req.model;
      return replayText('x', createReplyMeta({ requestId: req.id, source: 'provider', model: req.model }));
    });
    await ok(request());
    expect(model).toBe('other');
    await expect(composePipeline([rewrite, failing], answer('x'))(request())).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('rejects a middleware with an unknown stage', () => {
    expect(() => composePipeline([{ name: 'odd', stage: 'later' as never, handle: (_r, n) => n() }], answer('x'))).toThrow(/unknown stage "later"/);
  });
});
