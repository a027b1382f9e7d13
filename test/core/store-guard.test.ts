import { describe, expect, it } from 'vitest';
import { EventBus, guardStore, isKobzaError, openKeyvStore, type CacheStore, type KobzaEvents } from '../../core/index.js';

function recordingLogger() {
  const lines: { level: 'warn' | 'info'; msg: string; store?: string }[] = [];
  return {
    lines,
    logger: {
      warn: (obj: { store?: string }, msg: string) => void lines.push({ level: 'warn', msg, store: obj.store }),
      info: (obj: { store?: string }, msg: string) => void lines.push({ level: 'info', msg, store: obj.store }),
    } as never,
  };
}

describe('guardStore', () => {
  it('a hanging store fails within the timeout; one warning per outage; every failure counted; recovery logged', async () => {
    let hang = true;
    const inner: CacheStore = {
      get: (async () => (hang ? new Promise(() => {}) : 'v')) as CacheStore['get'],
      set: async () => {},
      delete: async () => true,
      clear: async () => {},
    };
    const events = new EventBus();
    const errors: KobzaEvents['store:error'][] = [];
    events.on('store:error', (e) => errors.push(e));
    const { lines, logger } = recordingLogger();
    const store = guardStore(inner, { timeoutMs: 30, description: 'redis://user:pw@10.0.0.1:6379', owner: 'test', logger, events });
    for (let i = 0; i < 3; i++) {
      const err = await store.get('k').catch((e: unknown) => e);
      expect(isKobzaError(err, 'STORE_UNAVAILABLE')).toBe(true);
    }
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatchObject({ owner: 'test', operation: 'get', timedOut: true, store: 'redis://[redacted]@10.0.0.1:6379' });
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(store.health()).toMatchObject({ status: 'degraded', errors: 3 });
    expect(store.degraded).toBe(true);
    hang = false;
    expect(await store.get('k')).toBe('v');
    expect(store.health().status).toBe('ok');
    expect(lines.at(-1)).toMatchObject({ level: 'info' });
    hang = true;
    await store.get('k').catch(() => undefined);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2); // a new outage, a new warning
  });

  it('a write the store refuses is reported and counted, not silent', async () => {
    const events = new EventBus();
    const errors: KobzaEvents['store:error'][] = [];
    events.on('store:error', (e) => errors.push(e));
    const { lines, logger } = recordingLogger();
    const store = guardStore(await openKeyvStore('memory', 'ns'), { timeoutMs: 2000, description: 'memory', owner: 'test', logger, events });
    // Keyv cannot serialise a symbol and refuses the write.
    const err = await store.set('b', Symbol('unstorable')).catch((e: unknown) => e);
    expect(isKobzaError(err, 'STORE_UNAVAILABLE')).toBe(true);
    expect(errors).toEqual([expect.objectContaining({ operation: 'set', timedOut: false, message: expect.stringContaining('cannot be serialized') })]);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });
});
