import { describe, expect, it } from 'vitest';
import { errnoCode, followSignal, idleWatch, KobzaError, retryPause, startClassifying, unreachableReason } from '../../core/index.js';

describe('provider kit', () => {
  it('an exchange follows the request signal with the coded reason and releases itself once', () => {
    const request = new AbortController();
    let releases = 0;
    const { controller, release } = followSignal(request.signal, { requestId: 'r1', upstream: 'Ollama', onRelease: () => releases++ });
    request.abort(new DOMException('the time limit passed', 'TimeoutError'));
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toMatchObject({ code: 'UPSTREAM_TIMEOUT', requestId: 'r1', message: 'Ollama did not answer within the time limit' });
    release();
    expect(releases).toBe(1);

    // Released before any abort: a later abort of the request no longer reaches it.
    const later = new AbortController();
    const second = followSignal(later.signal, { onRelease: () => releases++ });
    second.release();
    later.abort();
    expect(second.controller.signal.aborted).toBe(false);
    expect(releases).toBe(2);
  });

  it('classifying starts from the signal’s coded reason, then an already coded error', () => {
    const signal = AbortSignal.abort(new KobzaError('UPSTREAM_TIMEOUT', 'too slow', { details: { limit: 5 } }));
    const fromSignal = startClassifying(new Error('socket hang up'), signal, 'r2', { host: 'h' });
    expect(fromSignal).toMatchObject({ connection: false, error: { code: 'UPSTREAM_TIMEOUT', message: 'too slow', requestId: 'r2', details: { limit: 5, host: 'h' } } });
    const coded = new KobzaError('BAD_REQUEST', 'no');
    expect(startClassifying(coded, new AbortController().signal, 'r2', {})).toEqual({ error: coded, connection: false });
    const open = startClassifying(new Error('boom'), new AbortController().signal, 'r3', { baseURL: 'b' });
    if ('error' in open) throw new Error('expected a maker');
    expect(open.make('UPSTREAM_UNAVAILABLE', 'down', true)).toMatchObject({ connection: true, error: { code: 'UPSTREAM_UNAVAILABLE', message: 'down', requestId: 'r3', details: { baseURL: 'b' }, cause: { message: 'boom' } } });
  });

  it('finds the system error code in a cause chain and says it in words', () => {
    expect(errnoCode(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET', cause: { code: 'ECONNREFUSED' } } }))).toBe('ECONNREFUSED');
    expect(errnoCode(new Error('x'))).toBeUndefined();
    expect(unreachableReason('ECONNREFUSED')).toBe('connection refused');
    expect(unreachableReason('EAI_AGAIN')).toBe('host name not found');
    expect(unreachableReason('EHOSTUNREACH')).toBe('EHOSTUNREACH');
    expect(unreachableReason(undefined)).toBe('connection failed');
  });

  it('a retry pause ends with the coded abort error; the idle watch fires only while waiting', async () => {
    const controller = new AbortController();
    const pausing = retryPause(10_000, controller.signal, 'r4', 'Ollama');
    controller.abort();
    await expect(pausing).rejects.toMatchObject({ code: 'ABORTED', requestId: 'r4' });

    let silences = 0;
    const idle = idleWatch(5, () => silences++);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a consumer holding a chunk
    expect(silences).toBe(0);
    await idle.wait(new Promise((resolve) => setTimeout(resolve, 30)));
    expect(silences).toBe(1);
    idle.stop();
  });
});
