/**
 * A store outage never blocks an answer: with a real redis-server frozen (SIGSTOP: every
 * call hangs) and killed, new questions — streamed and not — are answered while Redis is
 * still down, each outage is logged once and counted, and the cache recovers when Redis
 * comes back.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KobzaEvents } from '../../../core/index.js';
import { SEMANTIC_CACHE_TOKEN, type SemanticCacheHandle } from '../../../plugins/semantic-cache/index.js';
import { startControllableRedis, type ControllableRedis } from '../../helpers/redis.js';
import { startOllamaStandIn, type OllamaStandIn } from '../../servers/ollama.js';
import { bootCache, stopKernels } from './helpers.js';

let redis: ControllableRedis;
let ollama: OllamaStandIn;

beforeEach(async () => {
  redis = await startControllableRedis({ password: 'secret-pass' });
  ollama = await startOllamaStandIn();
});

afterEach(async () => {
  redis.resume();
  await stopKernels();
  await ollama.close();
  await redis.stop();
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('semantic cache: store outages', () => {
  it('a frozen, then killed Redis: answers go on, one warning per outage, errors counted, recovery', async () => {
    const lines: { level: number; msg: string; store?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const booted = await bootCache({ ollamaUrl: ollama.url, logger, cache: { store: redis.url, storeTimeoutMs: 200, sync: { intervalMs: 50 } } });
    const { ask, kernel } = booted;
    const handle = kernel.container.resolve<SemanticCacheHandle>(SEMANTIC_CACHE_TOKEN);
    const errors: KobzaEvents['store:error'][] = [];
    kernel.events.on('store:error', (e) => errors.push(e));
    const outageWarnings = () => lines.filter((l) => l.level === 40);

    await ask('Де бібліотека?');
    expect((await ask('Де бібліотека?')).meta.source).toBe('cache');
    expect(handle.health()).toMatchObject({ status: 'ok', errors: 0 });

    // 1. Frozen: every call hangs.
    redis.pause();
    const plain = await ask('Коли відкривається бібліотека?', { stream: false });
    const streamed = await ask('Де їдальня?', { stream: true });
    expect(redis.isPaused()).toBe(true); // answered while Redis still answers nothing
    expect(plain.text).toBe('Answer to: Коли відкривається бібліотека?');
    expect(streamed.text).toBe('Answer to: Де їдальня?');
    expect(streamed.meta.complete).toBe(true);
    await until(() => handle.health().status === 'degraded');
    expect(errors.some((e) => e.timedOut && e.owner === 'semantic-cache')).toBe(true);
    // Several calls failed (writes, the sync timer), one warning; the password is not in it.
    await until(() => errors.length >= 3);
    expect(outageWarnings()).toHaveLength(1);
    expect(outageWarnings()[0].store).toBe('redis://[redacted]@127.0.0.1:' + redis.port);
    expect(JSON.stringify(lines)).not.toContain('secret-pass');

    // Back: the cache is used again, and the recovery is logged.
    redis.resume();
    await until(() => handle.health().status === 'ok');
    expect(lines.some((l) => l.level === 30 && /is back/.test(l.msg))).toBe(true);
    await ask('Де деканат?');
    expect((await ask('Де деканат?')).meta.source).toBe('cache');

    // 2. Killed: connections drop and the port refuses. A new outage, a new (single) warning.
    await redis.kill();
    const whileDown = await ask('Де спортзал?', { stream: true });
    expect(whileDown.text).toBe('Answer to: Де спортзал?');
    await until(() => handle.health().status === 'degraded');
    await until(() => errors.length >= 6);
    expect(outageWarnings()).toHaveLength(2);

    await redis.restart();
    await until(() => handle.health().status === 'ok');
    await ask('Де актова зала?');
    expect((await ask('Де актова зала?')).meta.source).toBe('cache');
    expect(handle.health().errors).toBe(errors.length);
  });
});
