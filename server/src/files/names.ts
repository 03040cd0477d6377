import { ErrorCode, ParseError } from '../errors/index.js';

/** Longer names are refused; parse-server's longest is a 256-char directory + 33-char prefix + 128-char name. */
const MAX_NAME_LENGTH = 1024;
/** Most filesystems' limit on one path component, in bytes. */
const MAX_SEGMENT_BYTES = 255;
// Any C0/C1 control character, and line/paragraph separators that break headers and logs.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * Refuses (ParseError 122 INVALID_FILE_NAME) a stored name that is not a plain relative key: empty or
 * over-long, absolute, with `\`, control characters, empty segments, or a segment starting with `.` (which
 * covers `.` and `..`, and reserves dot-names for a store's own bookkeeping). The files route sanitizes
 * names before this; the check is defence in depth. `/` separates parse-server's directory prefix
 * (`dir/sub/name`).
 */
export function assertSafeFileName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw invalid('Filename not provided.');
  if (name.length > MAX_NAME_LENGTH) throw invalid('Filename too long.');
  if (CONTROL.test(name)) throw invalid('Filename contains control characters.');
  if (name.includes('\\')) throw invalid('Filename contains a backslash.');
  for (const segment of name.split('/')) {
    // An empty segment means a leading `/` (absolute), a trailing `/` or `//`.
    if (segment.length === 0) throw invalid('Filename has an empty path segment.');
    if (segment.startsWith('.')) throw invalid('Filename segments may not start with a dot.');
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) throw invalid('Filename segment too long.');
  }
}

function invalid(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_FILE_NAME, { message });
}
