import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), the kind every
 * authenticator app reads from an `otpauth://` URI. Secrets are kept base32-encoded (RFC 4648, no padding).
 */
const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new random 160-bit secret, base32-encoded. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** The URI an authenticator app scans (or the admin pastes) to add the account. */
export function totpUri(options: { secret: string; account: string; issuer: string }): string {
  const label = encodeURIComponent(`${options.issuer}:${options.account}`);
  const params = new URLSearchParams({ secret: options.secret, issuer: options.issuer, digits: String(DIGITS) });
  return `otpauth://totp/${label}?${params.toString()}`;
}

/** The code for the step containing `atMs`. */
export function totpCode(options: { secret: string; atMs: number }): string {
  return hotp(base32Decode(options.secret), Math.floor(options.atMs / 1000 / STEP_SECONDS));
}

/**
 * Whether `code` is valid now, accepting one step either side for clock drift (RFC 6238 §5.2). The
 * comparison is constant-time; a malformed code or secret is simply invalid.
 */
export function verifyTotp(options: { secret: string; code: string; atMs: number }): boolean {
  const code = options.code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(code)) return false;
  let key: Buffer;
  try {
    key = base32Decode(options.secret);
  } catch {
    return false;
  }
  const step = Math.floor(options.atMs / 1000 / STEP_SECONDS);
  let ok = false;
  for (const candidate of [step - 1, step, step + 1]) {
    // No early exit: every candidate is compared, so timing does not tell which one matched.
    if (timingSafeEqual(Buffer.from(hotp(key, candidate)), Buffer.from(code))) ok = true;
  }
  return ok;
}

/** RFC 4226 HOTP with dynamic truncation. */
function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', key).update(message).digest();
  const offset = (digest[digest.length - 1] as number) & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** DIGITS).padStart(DIGITS, '0');
}

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 (case-insensitive, spaces and padding ignored); throws on any other character. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  if (clean.length === 0) throw new TypeError('empty base32 secret');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index === -1) throw new TypeError('invalid base32 character');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
