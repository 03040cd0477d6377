import { createHash, randomBytes } from 'node:crypto';

/**
 * Byte sources and sinks for the conformance suite, all streaming: a 100 MB case never holds the file in
 * memory, it is compared by SHA-256 on both ends.
 */

/** `size` random bytes in `chunkSize` pieces; `sha256()` is the digest of what was yielded so far. */
export function randomSource(size: number, chunkSize = 1 << 20): AsyncIterable<Buffer> & { sha256(): string } {
  const hash = createHash('sha256');
  let digest: string | undefined;
  return {
    async *[Symbol.asyncIterator]() {
      for (let sent = 0; sent < size; sent += chunkSize) {
        const chunk = randomBytes(Math.min(chunkSize, size - sent));
        hash.update(chunk);
        yield chunk;
      }
    },
    sha256: () => (digest ??= hash.digest('hex')),
  };
}

/** Yields `bytes` in pieces of `pieceSize`, so small files still cross piece boundaries. */
export async function* sourceOf(bytes: Uint8Array, pieceSize = 64 * 1024): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    yield Buffer.from(bytes.subarray(offset, offset + pieceSize));
  }
}

/** Reads a stream to its end: byte count and SHA-256, without keeping the bytes. */
export async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Reads a (small) stream into one Buffer. */
export async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Yields `head`, then throws: a client that disconnects mid-upload. */
export async function* failingSource(head: Uint8Array): AsyncGenerator<Buffer> {
  yield Buffer.from(head);
  throw new Error('connection reset by peer');
}

/**
 * Yields `head`, then aborts `controller` and waits, as a socket does, until told to stop (`return()`);
 * `stopped` tells whether the store did tell it.
 */
export function stallingSource(
  head: Uint8Array,
  controller: AbortController,
): AsyncIterable<Buffer> & { stopped(): boolean } {
  let stopped = false;
  let release: ((result: IteratorResult<Buffer>) => void) | undefined;
  let sentHead = false;
  const iterator: AsyncIterator<Buffer> = {
    next: () => {
      if (!sentHead) {
        sentHead = true;
        return Promise.resolve({ done: false, value: Buffer.from(head) });
      }
      queueMicrotask(() => controller.abort(new Error('client went away')));
      return new Promise((resolve) => (release = resolve));
    },
    return: () => {
      stopped = true;
      release?.({ done: true, value: undefined });
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, stopped: () => stopped };
}
