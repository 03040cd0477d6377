import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { ErrorCode, ParseError } from '../../errors/index.js';

/** How long fetched keys are trusted before they are fetched again. */
const CACHE_MS = 60 * 60 * 1000;
/** A token naming an unknown key may trigger a refetch (keys rotate), but not more often than this. */
const REFETCH_COOLDOWN_MS = 60 * 1000;

interface CachedKeys {
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly fetchedAt: number;
}

/**
 * The public keys an OpenID provider publishes at its JWKS URL, fetched over HTTP(S) and cached per
 * instance (no module state). Keys are looked up by `kid`; an unknown `kid` refetches once per cooldown.
 */
export class JwksClient {
  private cached: CachedKeys | undefined;
  private inflight: Promise<CachedKeys> | undefined;

  constructor(
    private readonly options: {
      readonly jwksUri: string;
      readonly now: () => Date;
      readonly fetch?: typeof fetch;
    },
  ) {}

  /** The key with this id; rejects with 101 when the provider does not publish it. */
  async key(kid: string): Promise<KeyObject> {
    const now = this.options.now().getTime();
    let current = this.cached;
    if (current === undefined || now - current.fetchedAt >= CACHE_MS) current = await this.refresh();
    let found = current.keys.get(kid);
    if (found === undefined && now - current.fetchedAt >= REFETCH_COOLDOWN_MS) {
      current = await this.refresh();
      found = current.keys.get(kid);
    }
    if (found === undefined) {
      throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, { message: `Unknown key id ${kid} in the id token.` });
    }
    return found;
  }

  private refresh(): Promise<CachedKeys> {
    this.inflight ??= this.download().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async download(): Promise<CachedKeys> {
    const doFetch = this.options.fetch ?? fetch;
    let body: unknown;
    try {
      const response = await doFetch(this.options.jwksUri, { headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = await response.json();
    } catch (err) {
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
        message: 'Could not fetch the identity provider keys.',
        cause: err,
      });
    }
    const keys = new Map<string, KeyObject>();
    const list = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
    for (const jwk of Array.isArray(list) ? list : []) {
      if (typeof jwk !== 'object' || jwk === null) continue;
      const kid = (jwk as { kid?: unknown }).kid;
      if (typeof kid !== 'string') continue;
      try {
        keys.set(kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
      } catch {
        // A key type we cannot use (e.g. an encryption key) is skipped, not fatal.
      }
    }
    const cached = { keys, fetchedAt: this.options.now().getTime() };
    this.cached = cached;
    return cached;
  }
}
