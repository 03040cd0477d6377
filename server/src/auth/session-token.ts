import { randomBytes } from 'node:crypto';

/** A new revocable session token: `r:` + 32 lowercase hex characters (16 random bytes), as Parse issues. */
export function newSessionToken(): string {
  return `r:${randomBytes(16).toString('hex')}`;
}

/** Revocable tokens start with `r:`; anything else is a legacy token (upgradeToRevocableSession). */
export function isRevocableToken(token: string): boolean {
  return token.startsWith('r:');
}
