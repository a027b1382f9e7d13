import { afterEach, describe, expect, it } from 'vitest';
import { abortStateOf, createRequest, isAborted, KobzaError, LazyAbort, replayText, createReplyMeta, setRequestAbort } from '../../core/index.js';

const messages = [{ role: 'user' as const, content: 'Привіт' }];
const Original = globalThis.AbortController;
let made = 0;

/** Counts the AbortControllers made while a test runs. */
function countControllers(): void {
  made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
}

afterEach(() => {
  globalThis.AbortController = Original;
});

describe('LazyAbort', () => {
  it('makes no AbortController until the signal is read', () => {
    countControllers();
    const abort = new LazyAbort();
    expect(abort.aborted).toBe(false);
    abort.abort(new KobzaError('ABORTED', 'gone'));
    expect(abort.aborted).toBe(true);
    expect(made).toBe(0);
    const signal = abort.signal;
    expect(made).toBe(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ code: 'ABORTED', message: 'gone' });
    expect(abort.signal).toBe(signal);
  });

  it('a signal read before the abort fires when it comes, once', () => {
    const abort = new LazyAbort();
    const signal = abort.signal;
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    abort.abort('first');
    abort.abort('second');
    expect(signal.aborted).toBe(true);
    expect(seen).toEqual(['first']);
  });
});

describe('a request with a LazyAbort', () => {
  it('reads aborts without making the signal; reading `signal` makes it, aborted with the reason', () => {
    const shutdown = new Original();
    const request = createRequest({ messages }, { model: 'm', signals: [shutdown.signal] });
    const abort = new LazyAbort();
    countControllers();
    setRequestAbort(request, abort);
    expect(isAborted(request)).toBe(false);
    expect(abortStateOf(request).aborted).toBe(false);
    abort.abort(new KobzaError('ABORTED', 'client gone'));
    expect(isAborted(request)).toBe(true);
    expect(abortStateOf(request).aborted).toBe(true);
    expect(made).toBe(0);
    expect(request.signal.aborted).toBe(true);
    expect(request.signal.reason).toMatchObject({ message: 'client gone' });
    expect(made).toBe(1);
  });

  it('a copy ({ ...request }) carries the signal as a plain property; assigning a signal replaces the lazy one', () => {
    const request = createRequest({ messages }, { model: 'm' });
    const abort = new LazyAbort();
    setRequestAbort(request, abort);
    const copy = { ...request, messages: [] };
    expect(Object.getOwnPropertyDescriptor(copy, 'signal')?.value).toBe(abort.signal);
    expect(Object.keys(request)).toContain('signal');
    const other = new Original();
    request.signal = other.signal;
    abort.abort();
    expect(isAborted(request)).toBe(false);
    other.abort();
    expect(isAborted(request)).toBe(true);
  });

  it('a plain request object (not from createRequest) gets the signal at once', () => {
    const controller = new Original();
    const request = { ...createRequest({ messages }, { model: 'm' }), signal: controller.signal };
    const abort = new LazyAbort();
    setRequestAbort(request, abort);
    expect(request.signal).toBe(abort.signal);
    abort.abort();
    expect(isAborted(request)).toBe(true);
  });

  it('an instant replay checks the abort state before each chunk', async () => {
    const abort = new LazyAbort();
    const reply = replayText('one two three four five six seven eight', createReplyMeta({ requestId: 'r', source: 'cache', model: 'm' }), { chunkChars: 4, abortState: abort });
    const iterator = reply.chunks[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toMatchObject({ done: false });
    abort.abort();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
