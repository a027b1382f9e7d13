import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKeyvStore, type ChatMessage } from '../../../core/index.js';
import { createConversationMemory, trimHistory } from '../../../plugins/memory/index.js';

const turn = (q: string, a: string): ChatMessage[] => [
  { role: 'user', content: q },
  { role: 'assistant', content: a },
];

describe('memory plugin: history rules', () => {
  it('keeps the last N turns and never starts with an orphan answer', () => {
    const history = [...turn('1', 'a'), ...turn('2', 'b'), ...turn('3', 'c')];
    expect(trimHistory(history, 2, 1000).map((m) => m.content)).toEqual(['2', 'b', '3', 'c']);
    expect(trimHistory(history.slice(1), 5, 1000).map((m) => m.content)).toEqual(['2', 'b', '3', 'c']);
  });

  it('drops the oldest turns to fit the token budget but keeps the newest turn', () => {
    const long = 'ж'.repeat(300); // ~100 tokens
    const history = [...turn(long, long), ...turn(long, long), ...turn('коротко', 'так')];
    const kept = trimHistory(history, 10, 250);
    expect(kept.map((m) => m.content)).toEqual([long, long, 'коротко', 'так']);
    expect(trimHistory(history, 10, 60).map((m) => m.content)).toEqual(['коротко', 'так']);
  });

  it('survives a restart with the SQLite store and forgets on reset', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kobza-memory-')), 'memory.sqlite');
    const first = await openKeyvStore(`sqlite://${file}`, 'memory');
    const memory = createConversationMemory(first, { turns: 3, maxTokens: 2000, ttlMs: 0 });
    await Promise.all([memory.append('tg:1', turn('Привіт', 'Вітаю!')), memory.append('tg:1', turn('Скільки коштує?', '25 000 грн'))]);
    await memory.append('tg:2', turn('Hi', 'Hello'));
    await first.close?.();

    const second = await openKeyvStore(`sqlite://${file}`, 'memory');
    const reopened = createConversationMemory(second, { turns: 3, maxTokens: 2000, ttlMs: 0 });
    expect((await reopened.history('tg:1')).map((m) => m.content)).toEqual(['Привіт', 'Вітаю!', 'Скільки коштує?', '25 000 грн']);
    await reopened.reset('tg:1');
    expect(await reopened.history('tg:1')).toEqual([]);
    expect(await reopened.history('tg:2')).toHaveLength(2);
    await second.close?.();
  });
});
