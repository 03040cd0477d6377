import { createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * Compact JWS signing for the providers' credentials: RS256 (a Google service account's OAuth assertion)
 * and ES256 (APNs provider tokens, raw r||s signature as JOSE requires).
 */
export function signJwt(options: {
  alg: 'RS256' | 'ES256';
  key: KeyObject;
  header?: Record<string, unknown>;
  claims: Record<string, unknown>;
}): string {
  const header = base64url(JSON.stringify({ alg: options.alg, typ: 'JWT', ...options.header }));
  const claims = base64url(JSON.stringify(options.claims));
  const input = `${header}.${claims}`;
  const signature =
    options.alg === 'RS256'
      ? sign('sha256', Buffer.from(input), options.key)
      : sign('sha256', Buffer.from(input), { key: options.key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}

export function privateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

export function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}
