import { describe, expect, it } from 'vitest';
import { EventBus, type KobzaEventName } from '../../core/index.js';

const miss = (reason: string) => ({ requestId: reason, reason });

describe('event bus', () => {
  it('on() returns its own unsubscribe; once() fires once; a throwing listener is isolated', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = bus.on('cache:miss', (e) => seen.push(`on:${e.reason}`));
    bus.once('cache:miss', (e) => seen.push(`once:${e.reason}`));
    bus.on('cache:miss', () => {
      throw new Error('listener bug');
    });
    bus.emit('cache:miss', miss('a'));
    bus.emit('cache:miss', miss('b'));
    off();
    bus.emit('cache:miss', miss('c'));
    expect(seen).toEqual(['on:a', 'once:a', 'on:b']);
    expect(bus.listenerCount('cache:miss')).toBe(1);
  });

  it('once() fires exactly once across several emits, even when its listener emits the same event again', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    bus.once('cache:miss', (e) => {
      heard.push(e.reason);
      bus.emit('cache:miss', miss(`inner-${e.reason}`));
    });
    for (const reason of ['a', 'b', 'c']) bus.emit('cache:miss', miss(reason));
    expect(heard).toEqual(['a']);
    expect(bus.listenerCount('cache:miss')).toBe(0);
  });

  it('the unsubscribe of a once() listener cancels it before it fires', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    const cancel = bus.once('cache:miss', (e) => heard.push(e.reason));
    cancel();
    bus.emit('cache:miss', miss('a'));
    expect(heard).toEqual([]);
    expect(bus.listenerCount('cache:miss')).toBe(0);
  });

  it('unsubscribing during an emit: that emit still reaches everyone it started with, the next one does not', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    let offSecond: () => void = () => {};
    const offFirst = bus.on('cache:miss', (e) => {
      heard.push(`first:${e.reason}`);
      offFirst(); // a listener removing itself
      offSecond(); // …and a later one
    });
    offSecond = bus.on('cache:miss', (e) => heard.push(`second:${e.reason}`));
    bus.on('cache:miss', (e) => heard.push(`third:${e.reason}`));
    bus.emit('cache:miss', miss('a'));
    bus.emit('cache:miss', miss('b'));
    expect(heard).toEqual(['first:a', 'second:a', 'third:a', 'third:b']);
    expect(bus.listenerCount('cache:miss')).toBe(1);
  });

  it('a throwing listener is reported with its event, and the listeners after it still run', () => {
    const reported: [string, KobzaEventName][] = [];
    const bus = new EventBus({ onListenerError: (err, event) => reported.push([(err as Error).message, event]) });
    const heard: string[] = [];
    bus.on('cache:hit', () => {
      throw new Error('listener bug');
    });
    bus.once('cache:hit', () => {
      throw new Error('once bug');
    });
    bus.on('cache:hit', (e) => heard.push(e.requestId));
    expect(() => bus.emit('cache:hit', { requestId: 'r1', similarity: 1, exact: true })).not.toThrow();
    bus.emit('cache:hit', { requestId: 'r2', similarity: 1, exact: true });
    expect(heard).toEqual(['r1', 'r2']);
    expect(reported).toEqual([
      ['listener bug', 'cache:hit'],
      ['once bug', 'cache:hit'],
      ['listener bug', 'cache:hit'],
    ]);
  });

  it('unsubscribing one of two subscriptions of the same function keeps the other', () => {
    const bus = new EventBus();
    let count = 0;
    const listener = () => void count++;
    const off = bus.on('cache:miss', listener);
    bus.on('cache:miss', listener);
    off();
    off(); // twice is harmless
    bus.emit('cache:miss', miss('a'));
    expect(count).toBe(1);
  });
});
