/**
 * Error bodies hide the addresses Kobza talks to (the upstream, stores) and nothing else: a
 * refused Origin is named as the client sent it, while an upstream failure — in a chat
 * error and in /readyz — never shows the upstream's URL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HIDDEN_ADDRESS, internalHosts, publicMessage } from '../../../adapters/http/error-shapes.js';
import { startOllamaStandIn } from '../../servers/ollama.js';
import { jsonOf, startKobza, stopKobzas } from './helpers.js';

afterEach(stopKobzas);

const CHAT = JSON.stringify({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'Коли вступна кампанія?' }] });

describe('publicMessage', () => {
  const hidden = internalHosts(['http://10.0.0.5:11434', 'localhost:8080']);

  it('hides the configured upstreams and keeps other web addresses', () => {
    expect(publicMessage('Ollama at http://10.0.0.5:11434/api/chat did not answer', hidden)).toBe(`Ollama at ${HIDDEN_ADDRESS} did not answer`);
    expect(publicMessage('(now http://localhost:8080)', hidden)).toBe(`(now ${HIDDEN_ADDRESS})`);
    expect(publicMessage('origin "https://evil.example" is not allowed', hidden)).toBe('origin "https://evil.example" is not allowed');
  });

  it('always hides store URLs and URLs with credentials', () => {
    expect(publicMessage('redis://cache:6379 timed out', hidden)).toBe(`${HIDDEN_ADDRESS} timed out`);
    expect(publicMessage('at https://user:secret@api.example', hidden)).toBe(`at ${HIDDEN_ADDRESS}`);
  });

  it('hides every URL when it is not told which are internal', () => {
    expect(publicMessage('origin "https://evil.example" and http://10.0.0.5:11434')).toBe(`origin "${HIDDEN_ADDRESS}" and ${HIDDEN_ADDRESS}`);
  });
});

describe('error bodies over HTTP', () => {
  it('FORBIDDEN_ORIGIN names the refused origin', async () => {
    const kobza = await startKobza();
    const res = await fetch(`${kobza.url}/v1/chat/completions`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: CHAT });
    expect(res.status).toBe(403);
    const body = await jsonOf(res);
    expect(body.error.code).toBe('FORBIDDEN_ORIGIN');
    expect(body.error.message).toContain('origin "https://evil.example" is not allowed');
  });

  it('an upstream failure names no upstream URL, in a chat error and in /readyz', async () => {
    const down = await startOllamaStandIn();
    await down.close();
    const address = new URL(down.url).host;
    const kobza = await startKobza({ standIn: down });

    const chat = await fetch(`${kobza.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: CHAT });
    expect(chat.status).toBeGreaterThanOrEqual(500);
    const chatBody = await chat.text();
    expect(chatBody).toContain('UPSTREAM_UNAVAILABLE');
    expect(chatBody).not.toContain(address);

    const ready = await fetch(`${kobza.url}/readyz`);
    expect(ready.status).toBe(503);
    const readyBody = await jsonOf(ready);
    expect(JSON.stringify(readyBody)).not.toContain(address);
    expect(readyBody.reason).toContain(`(now ${HIDDEN_ADDRESS})`);
  });
});
