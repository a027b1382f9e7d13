/**
 * `watch: true`: a FAQ file edited on disk while the kernel runs is served without a
 * restart, and the new knowledge version retires cached answers built on the old one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startKobza, stopKobzas } from '../../adapters/http/helpers.js';

afterEach(stopKobzas);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const faq = (answer: string) => `- id: library-hours\n  q: [Коли працює бібліотека?]\n  a: ${answer}\n`;

describe('watch', () => {
  it('serves the edited FAQ answer without a restart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-watch-'));
    dirs.push(dir);
    const file = path.join(dir, 'faq.yaml');
    await writeFile(file, faq('Бібліотека працює з 8:00 до 20:00.'));
    const kobza = await startKobza({ plugins: { knowledge: { sources: [path.join(dir, '*.yaml')], watch: true, watchDebounceMs: 50, indexFile: path.join(dir, 'kb.knowledge') } } });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ask = async () => {
      const { data, response } = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли працює бібліотека?' }] }).withResponse();
      return { text: data.choices[0].message.content, source: response.headers.get('x-kobza-source') };
    };
    expect(await ask()).toEqual({ text: 'Бібліотека працює з 8:00 до 20:00.', source: 'faq' });

    await writeFile(file, faq('Бібліотека працює з 9:00 до 21:00.'));
    // Bounded wait for the watch to pick the change up (no timing threshold is asserted).
    let answer = await ask();
    for (let tries = 0; tries < 200 && answer.text !== 'Бібліотека працює з 9:00 до 21:00.'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await ask();
    }
    expect(answer).toEqual({ text: 'Бібліотека працює з 9:00 до 21:00.', source: 'faq' });
  });

  it('keeps the last good index while a source is broken, and takes the fixed one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-watch-'));
    dirs.push(dir);
    const file = path.join(dir, 'faq.yaml');
    await writeFile(file, faq('Бібліотека працює з 8:00 до 20:00.'));
    const logs: string[] = [];
    const kobza = await startKobza({ plugins: { knowledge: { sources: [file], watch: true, watchDebounceMs: 20, indexFile: false } }, logSink: (line) => logs.push(line), logLevel: 'info' });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ask = async () => (await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли працює бібліотека?' }] })).choices[0].message.content;

    await writeFile(file, '- q: [Коли працює бібліотека?]\n');
    for (let tries = 0; tries < 200 && !logs.some((l) => l.includes('could not be re-read')); tries++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(logs.some((l) => l.includes('could not be re-read'))).toBe(true);
    expect(await ask()).toBe('Бібліотека працює з 8:00 до 20:00.');

    await writeFile(file, faq('Бібліотека працює цілодобово.'));
    let answer = await ask();
    for (let tries = 0; tries < 200 && answer !== 'Бібліотека працює цілодобово.'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await ask();
    }
    expect(answer).toBe('Бібліотека працює цілодобово.');
  });

  it('retires cached answers built on a page that changed on disk', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-watch-'));
    dirs.push(dir);
    const page = path.join(dir, 'sessions.md');
    await writeFile(page, '# Сесії\n\nЗимова сесія триває з 8 по 26 січня.\n');
    const kobza = await startKobza({ plugins: { knowledge: { sources: [path.join(dir, '*.md')], watch: true, watchDebounceMs: 20, indexFile: false }, 'semantic-cache': {} } });
    const openai = new OpenAI({ baseURL: `${kobza.url}/v1`, apiKey: 'x', maxRetries: 0 });
    const ask = async () => (await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли зимова сесія?' }] }).withResponse()).response.headers.get('x-kobza-source');
    expect(await ask()).toBe('provider');
    expect(await ask()).toBe('cache');
    const calls = () => kobza.ollama.calls.filter((c) => c.path === '/api/chat');
    await writeFile(page, '# Сесії\n\nЗимова сесія триває з 9 по 27 січня.\n');
    let source = await ask();
    for (let tries = 0; tries < 200 && source === 'cache'; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      source = await ask();
    }
    expect(source).toBe('provider');
    expect(JSON.stringify(calls().at(-1)?.body)).toContain('з 9 по 27 січня');
    expect(calls()).toHaveLength(2);
  });
});
