import { ErrorCode, ParseError } from '../errors/index.js';

/**
 * Resolves a requested inclusive range against a file of `size` bytes: `[start, end]` with `end` clamped to
 * the last byte, or `undefined` when no byte is in range (a start past the end, an empty file). A negative,
 * fractional or reversed range is refused (162); the HTTP layer answers 416 before it gets here.
 */
export function resolveRange(
  request: { readonly start?: number; readonly end?: number },
  size: number,
): { start: number; end: number } | undefined {
  const start = request.start ?? 0;
  const end = request.end ?? Number.MAX_SAFE_INTEGER;
  if (!isOffset(start) || !isOffset(end) || start > end) {
    throw new ParseError(ErrorCode.INVALID_VALUE, { message: 'Invalid byte range.' });
  }
  const last = Math.min(end, size - 1);
  return start > last ? undefined : { start, end: last };
}

function isOffset(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** An iterable that yields nothing (a range with no bytes in it). */
export const NO_BYTES: AsyncIterable<Uint8Array> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};
