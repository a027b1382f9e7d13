/**
 * What a browser could forge, refused before anything else runs (the way Ollama guards its
 * port):
 * - **Origin.** A browser page on another site can POST to a local Kobza without a CORS
 *   preflight (`text/plain` bodies are parsed as JSON, for `curl -d`). Browsers always
 *   send `Origin` on such a request, so a request whose `Origin` is not an allowed origin
 *   (`cors.origins`; none by default) is refused with 403 FORBIDDEN_ORIGIN. Requests
 *   without `Origin` — curl, SDKs, servers — are not browsers' and pass.
 * - **Host.** DNS rebinding points an attacker's name at 127.0.0.1; the browser then sends
 *   `Host: attacker.example`. While bound to a loopback address, only loopback names
 *   (`localhost`, `127.x.x.x`, `[::1]`, any port) and `allowedHosts` are served; others get
 *   403 FORBIDDEN_HOST.
 *
 * Both run on every request, so they are string compares and set lookups; a Host header
 * seen before is answered from a small memo without parsing it again.
 */
import { KobzaError } from '../../core/index.js';
import type { HttpConfig } from './config.js';

const LOOPBACK_BINDS = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);
/** Distinct allowed Host headers remembered (ports vary); beyond it they are parsed each time. */
const HOST_MEMO_SIZE = 256;

/** True when `host` (the bind address) is a loopback address. */
export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_BINDS.has(host) || host.startsWith('127.');
}

function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/** The name part of a Host header, lowercased: `[::1]:8787` → `[::1]`, `Localhost:80` → `localhost`. */
export function hostName(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']');
    return end < 0 ? lower : lower.slice(0, end + 1);
  }
  const colon = lower.indexOf(':');
  return colon < 0 ? lower : lower.slice(0, colon);
}

const IPV4_LOOPBACK = /^127(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** `localhost`, `*.localhost`, `127.x.x.x`, `[::1]`. */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || IPV4_LOOPBACK.test(name);
}

/** Decides per request; `undefined` = pass. */
export interface FrontDoor {
  check(origin: string | undefined, host: string | undefined, requestId: string): KobzaError | undefined;
}

/**
 * True when `origin` is this server's own (`http://127.0.0.1:8787` for `Host: 127.0.0.1:8787`):
 * the chat page Kobza serves at `/` calls the API from there. The Host itself is checked
 * next (loopback or `allowedHosts`), so a rebinding name cannot pass as "same origin".
 */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const at = origin.indexOf('://');
  if (at < 0) return false;
  const scheme = origin.slice(0, at);
  return (scheme === 'http' || scheme === 'https') && origin.length - at - 3 === host.length && origin.slice(at + 3).toLowerCase() === host.toLowerCase();
}

/**
 * Builds the checks from the config.
 * @example
 * const door = frontDoor(config);
 * const refused = door.check(request.headers.origin, request.headers.host, request.id);
 */
export function frontDoor(config: Pick<HttpConfig, 'cors' | 'host' | 'allowedHosts'>): FrontDoor {
  const configured = config.cors ? config.cors.origin : undefined;
  const anyOrigin = configured === true;
  const origins = new Set<string>(configured === undefined || configured === true ? [] : (typeof configured === 'string' ? [configured] : configured).map(normalizeOrigin));
  const guardHost = isLoopbackBind(config.host) || config.allowedHosts.length > 0;
  const extraHosts = new Set(config.allowedHosts.map((h) => h.trim().toLowerCase()));
  const allowedHosts = new Set<string>();

  const hostAllowed = (host: string): boolean => {
    if (allowedHosts.has(host)) return true;
    const lower = host.trim().toLowerCase();
    const name = hostName(lower);
    const ok = isLoopbackName(name) || extraHosts.has(name) || extraHosts.has(lower);
    if (ok && allowedHosts.size < HOST_MEMO_SIZE) allowedHosts.add(host);
    return ok;
  };

  return {
    check(origin, host, requestId) {
      if (origin !== undefined && !anyOrigin && !origins.has(origin) && !sameOrigin(origin, host) && !origins.has(normalizeOrigin(origin))) {
        return new KobzaError('FORBIDDEN_ORIGIN', `origin ${JSON.stringify(origin.slice(0, 100))} is not allowed; a browser page may call Kobza only from an origin listed in plugins.http.cors.origins`, {
          requestId,
        });
      }
      if (guardHost && host !== undefined && !hostAllowed(host)) {
        return new KobzaError('FORBIDDEN_HOST', `host ${JSON.stringify(host.slice(0, 100))} is not allowed; use localhost or 127.0.0.1, or list the name in plugins.http.allowedHosts`, {
          requestId,
        });
      }
      return undefined;
    },
  };
}
