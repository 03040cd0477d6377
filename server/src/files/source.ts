import { ErrorCode, ParseError } from '../errors/index.js';
import type { FileWrite } from './adapter.js';

/**
 * The bytes of one upload as Buffers, with the checks every store needs while streaming: `maxBytes`
 * (ParseError 116 as soon as it is exceeded, before the extra bytes are stored), the abort signal (noticed
 * even while the source is waiting for data), and the source's own failure (130, original as `cause`).
 * When iteration stops early the source is told to stop too (a node `Readable` is destroyed).
 */
export class MeteredSource implements AsyncIterable<Buffer> {
  /** Bytes read so far. */
  bytes = 0;

  constructor(private readonly file: Pick<FileWrite, 'source' | 'maxBytes' | 'signal'>) {
    const { maxBytes } = file;
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
      throw new ParseError(ErrorCode.INVALID_VALUE, { message: 'maxBytes must be a non-negative integer.' });
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    const { signal, maxBytes } = this.file;
    if (signal?.aborted === true) throw aborted(signal);
    const iterator = this.file.source[Symbol.asyncIterator]();
    let exhausted = false;
    try {
      for (;;) {
        const step = await nextOrAbort(iterator, signal);
        if (step.done === true) {
          exhausted = true;
          return;
        }
        const chunk = toBuffer(step.value);
        this.bytes += chunk.length;
        if (maxBytes !== undefined && this.bytes > maxBytes) {
          throw new ParseError(ErrorCode.OBJECT_TOO_LARGE, {
            message: `The file is larger than the maximum of ${maxBytes} bytes.`,
            httpStatus: 413,
          });
        }
        yield chunk;
      }
    } catch (error) {
      if (error instanceof ParseError) throw error;
      throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'Could not read the upload.', cause: error });
    } finally {
      // Not awaited: a generator source with a pending next() would only settle its return() afterwards.
      if (!exhausted) Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }
}

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'The upload source yielded something not bytes.' });
}

function aborted(signal: AbortSignal): ParseError {
  return new ParseError(ErrorCode.FILE_SAVE_ERROR, { message: 'The upload was aborted.', cause: signal.reason });
}

async function nextOrAbort(
  iterator: AsyncIterator<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<Uint8Array>> {
  if (signal === undefined) return iterator.next();
  if (signal.aborted) throw aborted(signal);
  const next = iterator.next();
  let onAbort: (() => void) | undefined;
  const abortion = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(aborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([next, abortion]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    next.catch(() => undefined); // the source may fail after we gave up on it
  }
}
