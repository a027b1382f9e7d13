import { describe, expect, it } from 'vitest';
import { delay, errorForAbort, KobzaError } from '../../core/index.js';

describe('abort helpers', () => {
  it('a delay resolves, or rejects with the coded reason when aborted', async () => {
    await expect(delay(1, new AbortController().signal)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = delay(10_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(delay(10, AbortSignal.abort(new KobzaError('RATE_LIMITED', 'slow')))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(delay(1)).resolves.toBeUndefined();
    // A timeout signal stands for an upstream that took too long.
    await expect(delay(10_000, AbortSignal.timeout(1))).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });

  it('maps a timeout signal to UPSTREAM_TIMEOUT naming the upstream', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(errorForAbort(signal, 'req-1', 'Ollama')).toMatchObject({ code: 'UPSTREAM_TIMEOUT', requestId: 'req-1', message: 'Ollama did not answer within the time limit' });
  });
});
