import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ErrorCode, ParseError } from '../errors/index.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 16;
const TAG_BYTES = 16;
/** Bytes an encrypted file has beyond its plaintext: IV ‖ auth tag, appended at the end. */
export const ENCRYPTION_OVERHEAD = IV_BYTES + TAG_BYTES;

/**
 * parse-server's GridFS encryption (spec/mongo-layout.md §5), so files either server encrypted are readable
 * by the other: AES-256-GCM; stored bytes = ciphertext ‖ IV (16) ‖ tag (16); the key is the first 32
 * characters of base64(SHA-256(key string)), used as UTF-8 bytes.
 *
 * Neither direction buffers the file. Writing encrypts chunk by chunk and appends IV and tag at the end.
 * Reading fetches the 32-byte trailer first, then decrypts the ciphertext as it streams; GCM can only check
 * the tag once every byte has passed, so a tampered file is detected at the end of a whole-file read (the
 * stream fails there, after the earlier bytes were already handed on). A ranged read decrypts from the
 * start of the file up to the range's end, discarding bytes before it, and cannot check the tag at all.
 */
export function deriveEncryptionKey(key: string): Buffer {
  return Buffer.from(createHash('sha256').update(key).digest('base64').substring(0, 32), 'utf8');
}

/** The stored form of `plaintext`: its ciphertext, then IV, then tag. */
export async function* encryptChunks(plaintext: AsyncIterable<Buffer>, key: Buffer): AsyncGenerator<Buffer> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  for await (const chunk of plaintext) {
    const encrypted = cipher.update(chunk);
    if (encrypted.length > 0) yield encrypted;
  }
  const last = cipher.final();
  yield Buffer.concat([last, iv, cipher.getAuthTag()]);
}

/**
 * Plaintext bytes [start, end] (inclusive) of an encrypted file, given its trailer (IV ‖ tag) and a stream
 * of its ciphertext from byte 0 to at least byte `end`. The tag is checked when the range ends at the last
 * plaintext byte.
 */
export async function* decryptRange(input: {
  readonly key: Buffer;
  readonly trailer: Buffer;
  readonly ciphertext: AsyncIterable<Buffer>;
  readonly start: number;
  readonly end: number;
  readonly plaintextSize: number;
}): AsyncGenerator<Buffer> {
  if (input.trailer.length !== ENCRYPTION_OVERHEAD) throw undecryptable();
  const decipher = createDecipheriv(ALGORITHM, input.key, input.trailer.subarray(0, IV_BYTES));
  decipher.setAuthTag(input.trailer.subarray(IV_BYTES));
  const wholeTail = input.end === input.plaintextSize - 1;
  let position = 0; // plaintext offset of the next decrypted byte
  for await (const chunk of input.ciphertext) {
    const plain = decipher.update(chunk);
    const from = Math.max(0, input.start - position);
    const to = Math.min(plain.length, input.end + 1 - position);
    position += plain.length;
    if (to > from) yield plain.subarray(from, to);
  }
  if (wholeTail) {
    try {
      decipher.final();
    } catch (error) {
      throw undecryptable(error);
    }
  }
}

function undecryptable(cause?: unknown): ParseError {
  return new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
    message: 'Could not decrypt the file (wrong encryption key or damaged file).',
    cause,
  });
}
