/**
 * The Ollama hosts of one provider: requests go to the host with the fewest in flight
 * (ties rotate), and a host that refused a connection is skipped for a cool-down — unless
 * every candidate is cooling, in which case the one that cools soonest is tried anyway.
 */
import { redactUrl } from '../../core/index.js';

export interface OllamaHost {
  /** Normalised base URL, e.g. `http://127.0.0.1:11434` (credentials included: for the client only). */
  readonly url: string;
  /** The URL as logs and messages show it: credentials redacted (`http://[redacted]@gpu-1:11434`). */
  readonly label: string;
  inFlight: number;
  /** `Date.now()` until which the host is skipped. */
  coolingUntil: number;
}

/**
 * Normalises a host the way `OLLAMA_HOST` is read: a scheme is optional (`http` assumed,
 * port 11434 when none), a trailing slash is dropped.
 * @example
 * normaliseHost('gpu-1:11434') // 'http://gpu-1:11434'
 */
export function normaliseHost(host: string): string {
  let text = host.trim();
  const explicitScheme = text.includes('://');
  if (text.startsWith(':')) text = `127.0.0.1${text}`;
  const url = new URL(explicitScheme ? text : `http://${text}`);
  if (!url.port && !explicitScheme) url.port = '11434';
  return `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Picks hosts for requests.
 * @example
 * const pool = new HostPool(['http://a:11434', 'http://b:11434'], 30_000);
 * const host = pool.pick(new Set());
 */
export class HostPool {
  readonly hosts: readonly OllamaHost[];
  readonly #coolDownMs: number;
  #rotation = 0;

  constructor(urls: readonly string[], coolDownMs: number) {
    this.hosts = urls.map((url) => ({ url, label: redactUrl(url), inFlight: 0, coolingUntil: 0 }));
    this.#coolDownMs = coolDownMs;
  }

  /** The best host not in `tried`, or undefined when every host was tried. */
  pick(tried: ReadonlySet<OllamaHost>, now = Date.now()): OllamaHost | undefined {
    const count = this.hosts.length;
    const start = this.#rotation++ % count;
    let best: OllamaHost | undefined;
    for (let i = 0; i < count; i++) {
      const host = this.hosts[(start + i) % count];
      if (tried.has(host)) continue;
      if (!best || this.#better(host, best, now)) best = host;
    }
    return best;
  }

  #better(a: OllamaHost, b: OllamaHost, now: number): boolean {
    const aCooling = a.coolingUntil > now;
    const bCooling = b.coolingUntil > now;
    if (aCooling !== bCooling) return !aCooling;
    if (aCooling) return a.coolingUntil < b.coolingUntil;
    return a.inFlight < b.inFlight;
  }

  /** Skips the host for the cool-down period. */
  coolDown(host: OllamaHost, now = Date.now()): void {
    host.coolingUntil = now + this.#coolDownMs;
  }

  /** Ends a cool-down early (the host answered). */
  recovered(host: OllamaHost): void {
    host.coolingUntil = 0;
  }
}
