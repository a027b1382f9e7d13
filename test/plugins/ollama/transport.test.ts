/**
 * The transport's fetch sends the headers it is given as `new Headers(init.headers)` would
 * (names lowercased, values trimmed, repeats joined), plus the configured extra headers.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { OllamaTransport } from '../../../plugins/ollama/transport.js';

let server: http.Server | undefined;
let transport: OllamaTransport | undefined;

afterEach(async () => {
  transport?.close();
  transport = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function echoHeaders(): Promise<{ url: string; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.end('{}'));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

describe('ollama transport: request headers', () => {
  it('sends a plain header record as a Headers object would, with the configured headers', async () => {
    const { url, seen } = await echoHeaders();
    transport = new OllamaTransport({ connectMs: 5000, headers: { 'x-proxy-key': 'k1' } });
    const fetch = transport.fetchFor(new AbortController().signal, transport.newReport());
    const response = await fetch(`${url}/api/chat`, { method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json', 'X-Spaced': '  v  ', 'X-Twice': 'a', 'x-twice': 'b' } as unknown as HeadersInit });
    expect(await response.text()).toBe('{}');
    expect(seen[0]['content-type']).toBe('application/json');
    expect(seen[0]['x-proxy-key']).toBe('k1');
    expect(seen[0]['x-spaced']).toBe('v');
    expect(seen[0]['x-twice']).toBe('a, b');
    expect(seen[0]['content-length']).toBe('7');
  });

  it('sends a Headers object and header pairs too', async () => {
    const { url, seen } = await echoHeaders();
    transport = new OllamaTransport({ connectMs: 5000 });
    const fetch = transport.fetchFor(new AbortController().signal, transport.newReport());
    await (await fetch(`${url}/a`, { headers: new Headers({ 'X-One': '1' }) })).text();
    await (await fetch(`${url}/b`, { headers: [['X-Two', ' 2 ']] })).text();
    expect(seen[0]['x-one']).toBe('1');
    expect(seen[1]['x-two']).toBe('2');
  });
});
