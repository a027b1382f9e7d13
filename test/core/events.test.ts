import { describe, expect, it } from 'vitest';
import { EventBus } from '../../core/index.js';

describe('event bus', () => {
  it('on() returns its own unsubscribe; once() fires once; a throwing listener is isolated', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    const off = bus.on('cache:miss', (e) => seen.push(`on:${e.reason}`));
    bus.once('cache:miss', (e) => seen.push(`once:${e.reason}`));
    bus.on('cache:miss', () => {
      throw new Error('listener bug');
    });
    bus.emit('cache:miss', { requestId: '1', reason: 'a' });
    bus.emit('cache:miss', { requestId: '2', reason: 'b' });
    off();
    bus.emit('cache:miss', { requestId: '3', reason: 'c' });
    expect(seen).toEqual(['on:a', 'once:a', 'on:b']);
    expect(bus.listenerCount('cache:miss')).toBe(1);
  });
});
