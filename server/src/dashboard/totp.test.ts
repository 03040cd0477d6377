import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32Decode, base32Encode, newTotpSecret, totpCode, totpUri, verifyTotp } from './totp.js';

// RFC 6238 appendix B, SHA1 rows: the key is ASCII "12345678901234567890"; codes are the last 6 digits.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));
const RFC_VECTORS: ReadonlyArray<[number, string]> = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  for (const [seconds, expected] of RFC_VECTORS) {
    it(`matches the RFC vector at t=${seconds}`, () => {
      assert.equal(totpCode({ secret: RFC_SECRET, atMs: seconds * 1000 }), expected);
    });
  }

  it('accepts the neighbouring steps only', () => {
    const secret = newTotpSecret();
    const at = 1_700_000_000_000;
    const code = totpCode({ secret, atMs: at });
    assert.equal(verifyTotp({ secret, code, atMs: at }), true);
    assert.equal(verifyTotp({ secret, code, atMs: at + 30_000 }), true);
    assert.equal(verifyTotp({ secret, code, atMs: at - 30_000 }), true);
    assert.equal(verifyTotp({ secret, code, atMs: at + 90_000 }), false);
  });

  it('rejects malformed codes and secrets without throwing', () => {
    const secret = newTotpSecret();
    for (const code of ['', '12345', '1234567', 'abcdef', '12 34 5x']) {
      assert.equal(verifyTotp({ secret, code, atMs: 0 }), false);
    }
    assert.equal(verifyTotp({ secret: '!!!', code: '123456', atMs: 0 }), false);
  });

  it('round-trips base32 and builds an otpauth URI', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    assert.deepEqual(base32Decode(base32Encode(bytes)), bytes);
    assert.throws(() => base32Decode('A1'));
    assert.match(
      totpUri({ secret: 'ABC', account: 'ann', issuer: 'Strata' }),
      /^otpauth:\/\/totp\/Strata%3Aann\?secret=ABC&issuer=Strata&digits=6$/,
    );
  });
});
