/**
 * Model management through Kobza with the official `ollama` client: pull (progress
 * streamed through, and `stream: false`), create, show, ps, delete, copy proxied to the
 * Ollama stand-in; admin keys for the routes that change the upstream; 501 from a provider
 * that cannot manage models.
 */
import { Ollama } from 'ollama';
import { afterEach, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../servers/openai-compatible.js';
import { jsonOf, startKobza, stopKobzas } from './helpers.js';

let openAiStandIn: OpenAiStandIn | undefined;
afterEach(async () => {
  await stopKobzas();
  await openAiStandIn?.close();
  openAiStandIn = undefined;
});

const ADMIN = 'kobza-admin-key-0001';
const USER = 'kobza-user-key-0001';
const asAdmin = (url: string) => new Ollama({ host: url, headers: { Authorization: `Bearer ${ADMIN}` } });

describe('model management proxied to Ollama', () => {
  it('streams pull progress as Ollama sends it, then the pulled model is listed', async () => {
    const kobza = await startKobza({ http: { adminKeys: [ADMIN] } });
    const client = asAdmin(kobza.url);
    const lines: { status: string; digest?: string; total?: number; completed?: number }[] = [];
    for await (const progress of await client.pull({ model: 'llama3.2', stream: true })) lines.push(progress);
    expect(lines[0].status).toBe('pulling manifest');
    const layers = lines.filter((l) => l.digest);
    expect(layers.length).toBe(4);
    expect(layers.map((l) => l.completed)).toEqual([0, layers[0].total! / 4, layers[0].total! / 2, layers[0].total]);
    expect(lines.at(-1)).toEqual({ status: 'success' });
    expect(kobza.ollama.calls.find((c) => c.path === '/api/pull')?.body).toMatchObject({ name: 'llama3.2', stream: true });
    expect((await client.list()).models.map((m) => m.name)).toContain('llama3.2:latest');

    // `stream: false` (the client's default): one object once it is done.
    expect(await client.pull({ model: 'phi3' })).toEqual({ status: 'success' });
    expect((await client.list()).models.map((m) => m.name)).toContain('phi3:latest');
  });

  it('ends a pull that fails mid-way with an {"error"} line the client throws', async () => {
    const kobza = await startKobza({ http: { adminKeys: [ADMIN] } });
    const seen: string[] = [];
    const failure = await (async () => {
      for await (const progress of await asAdmin(kobza.url).pull({ model: 'does-not-exist', stream: true })) seen.push(progress.status);
    })().catch((err: unknown) => err);
    expect(seen).toEqual(['pulling manifest']);
    expect(String((failure as Error).message)).toContain('pull model manifest: file does not exist');
  });

  it('shows, lists loaded models, copies, creates and deletes', async () => {
    const kobza = await startKobza({ http: { adminKeys: [ADMIN] } });
    const client = asAdmin(kobza.url);
    const shown = await client.show({ model: 'qwen2.5:7b' });
    expect(shown).toMatchObject({ modelfile: 'FROM qwen2.5:7b', template: '{{ .Prompt }}', capabilities: ['completion'] });
    expect(shown.details).toMatchObject({ family: 'qwen2' });
    await expect(client.show({ model: 'ghost' })).rejects.toMatchObject({ status_code: 404, error: "model 'ghost' not found" });

    expect((await client.ps()).models).toEqual([]);
    await client.chat({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }] });
    const running = await client.ps();
    expect(running.models.map((m) => m.name)).toEqual(['qwen2.5:7b']);
    expect(running.models[0]).toHaveProperty('size_vram');

    expect(await client.copy({ source: 'qwen2.5:7b', destination: 'kobza-backup' })).toEqual({ status: 'success' });
    await expect(client.copy({ source: 'ghost', destination: 'x' })).rejects.toMatchObject({ status_code: 404 });

    const created: string[] = [];
    for await (const progress of await client.create({ model: 'kobza-uk', from: 'qwen2.5:7b', system: 'Відповідай українською.', stream: true })) created.push(progress.status);
    expect(created.at(-1)).toBe('success');
    expect(kobza.ollama.calls.find((c) => c.path === '/api/create')?.body).toMatchObject({ model: 'kobza-uk', from: 'qwen2.5:7b', system: 'Відповідай українською.' });
    expect(await client.create({ model: 'kobza-en', from: 'qwen2.5:7b' })).toEqual({ status: 'success' });
    // `from` is a model name to Ollama: Kobza never looks for it as a file on its own machine
    // (the Node client would; this request is sent without it).
    const probe = await fetch(`${kobza.url}/api/create`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ model: 'probe', from: 'package.json', stream: false }) });
    expect(probe.status).toBe(404);
    expect(await jsonOf(probe)).toEqual({ error: "model 'package.json' not found", code: 'MODEL_NOT_FOUND' });

    expect((await client.list()).models.map((m) => m.name)).toEqual(['qwen2.5:7b', 'kobza-backup:latest', 'kobza-uk:latest', 'kobza-en:latest']);
    expect(await client.delete({ model: 'kobza-backup' })).toEqual({ status: 'success' });
    const again = await client.delete({ model: 'kobza-backup' }).catch((err: unknown) => err);
    expect(again).toMatchObject({ status_code: 404, error: "model 'kobza-backup' not found" });
    expect((await client.list()).models.map((m) => m.name)).not.toContain('kobza-backup:latest');
  });
});

describe('who may manage models', () => {
  it('asks for an admin key: 401 without one, 403 with a plain API key; show and ps take a plain key', async () => {
    const kobza = await startKobza({ http: { apiKeys: [USER], adminKeys: [ADMIN] } });
    const anonymous = await new Ollama({ host: kobza.url }).pull({ model: 'llama3.2' }).catch((err: unknown) => err);
    expect(anonymous).toMatchObject({ status_code: 401 });
    const user = new Ollama({ host: kobza.url, headers: { Authorization: `Bearer ${USER}` } });
    await expect(user.delete({ model: 'qwen2.5:7b' })).rejects.toMatchObject({ status_code: 403 });
    const res = await fetch(`${kobza.url}/api/copy`, { method: 'POST', headers: { authorization: `Bearer ${USER}` }, body: JSON.stringify({ source: 'qwen2.5:7b', destination: 'x' }) });
    expect(res.status).toBe(403);
    expect((await jsonOf(res)).code).toBe('FORBIDDEN');
    expect(kobza.ollama.count('/api/pull') + kobza.ollama.count('/api/delete') + kobza.ollama.count('/api/copy')).toBe(0);

    expect((await user.show({ model: 'qwen2.5:7b' })).details).toMatchObject({ family: 'qwen2' });
    expect(await user.ps()).toEqual({ models: [] });
    await expect(new Ollama({ host: kobza.url }).ps()).rejects.toMatchObject({ status_code: 401 });
    // The admin key manages models even where API keys are required.
    expect(await asAdmin(kobza.url).copy({ source: 'qwen2.5:7b', destination: 'x' })).toEqual({ status: 'success' });
  });

  it('without admin keys: open on a loopback Kobza without API keys, refused once API keys exist', async () => {
    const open = await startKobza();
    expect(await new Ollama({ host: open.url }).copy({ source: 'qwen2.5:7b', destination: 'y' })).toEqual({ status: 'success' });
    // …but not to a web page elsewhere (a form post needs no preflight), only to this machine's.
    // The front door refuses a foreign Origin on every route before the admin rule is asked.
    const forged = await fetch(`${open.url}/api/pull`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: JSON.stringify({ model: 'x' }) });
    expect(forged.status).toBe(403);
    expect((await jsonOf(forged)).code).toBe('FORBIDDEN_ORIGIN');
    // Another local page (a dev server on :3000) is another origin too; only Kobza's own page passes.
    const otherLocal = await fetch(`${open.url}/api/copy`, { method: 'POST', headers: { origin: 'http://localhost:3000' }, body: JSON.stringify({ source: 'qwen2.5:7b', destination: 'z' }) });
    expect(otherLocal.status).toBe(403);
    const own = await fetch(`${open.url}/api/copy`, { method: 'POST', headers: { origin: new URL(open.url).origin }, body: JSON.stringify({ source: 'qwen2.5:7b', destination: 'z' }) });
    expect(own.status).toBe(200);
    expect(open.ollama.count('/api/pull')).toBe(0);

    const keyed = await startKobza({ http: { apiKeys: [USER] } });
    const refused = await new Ollama({ host: keyed.url, headers: { Authorization: `Bearer ${USER}` } }).copy({ source: 'qwen2.5:7b', destination: 'y' }).catch((err: unknown) => err);
    expect(refused).toMatchObject({ status_code: 403 });
    expect((refused as Error).message).toMatch(/http\.adminKeys/);
  });

  it('with any origin allowed (cors.origins: true), still manages models only for pages on this machine', async () => {
    const kobza = await startKobza({ http: { cors: { origins: true } } });
    const remove = (origin: string) => fetch(`${kobza.url}/api/delete`, { method: 'DELETE', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'qwen2.5:7b' }) });
    for (const origin of ['http://127.0.0.1.evil.example', 'http://127.0.0.1.evil.example:8787', 'http://localhost.evil.example', 'https://evil.example']) {
      const refused = await remove(origin);
      expect(refused.status).toBe(403);
      expect((await jsonOf(refused)).code).toBe('FORBIDDEN');
    }
    expect(kobza.ollama.count('/api/delete')).toBe(0);
    // A page on this machine (another port) passes the guard.
    expect((await remove('http://127.0.0.1:3000')).status).toBe(200);
    expect(kobza.ollama.count('/api/delete')).toBe(1);
  });

  it('answers 501 when the provider cannot manage models; show and ps fall back to the model list', async () => {
    openAiStandIn = await startOpenAiStandIn();
    const kobza = await startKobza({ ollama: { enabled: false }, plugins: { 'openai-compatible': { baseURL: openAiStandIn.url, retries: 0 } } });
    const client = new Ollama({ host: kobza.url });
    const failure = await client.pull({ model: 'llama3.2' }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ status_code: 501 });
    const res = await fetch(`${kobza.url}/api/delete`, { method: 'DELETE', body: JSON.stringify({ model: 'qwen2.5:7b' }) });
    expect(res.status).toBe(501);
    expect((await jsonOf(res)).code).toBe('NOT_IMPLEMENTED');
    expect(await client.ps()).toEqual({ models: [] });
  });
});
