/**
 * API-key checks. Keys are compared as SHA-256 digests with `timingSafeEqual`, against
 * every configured key without stopping at the first match, so neither the length nor the
 * position of a key leaks through timing. Keys are never logged; a caller is identified by
 * the key's index (`key#0`), or by IP address when it sent none.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match ? match[1].trim() : undefined;
}

/**
 * A set of accepted keys.
 * @example
 * const keys = new ApiKeySet(['s3cret-key-1']);
 * keys.match('s3cret-key-1'); // 0
 */
export class ApiKeySet {
  readonly #digests: Buffer[];
  readonly #tenants: (string | undefined)[];

  /** Plain keys, or `{ key, tenant }` entries whose requests belong to a tenant. */
  constructor(keys: readonly (string | { key: string; tenant: string })[]) {
    this.#digests = keys.map((k) => digest(typeof k === 'string' ? k : k.key));
    this.#tenants = keys.map((k) => (typeof k === 'string' ? undefined : k.tenant));
  }

  /** Whether any key names a tenant. */
  get hasTenants(): boolean {
    return this.#tenants.some((t) => t !== undefined);
  }

  /** The tenant the key at `index` names, if any. */
  tenantOf(index: number): string | undefined {
    return index >= 0 ? this.#tenants[index] : undefined;
  }

  /** Whether any key is configured (no keys = no authentication). */
  get required(): boolean {
    return this.#digests.length > 0;
  }

  /** Index of the matching key, or -1. Constant time in the presented token. */
  match(token: string | undefined): number {
    if (token === undefined) return -1;
    const presented = digest(token);
    let found = -1;
    for (let i = 0; i < this.#digests.length; i++) {
      if (timingSafeEqual(presented, this.#digests[i]) && found === -1) found = i;
    }
    return found;
  }
}
