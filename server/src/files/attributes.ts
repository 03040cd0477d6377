import { ErrorCode, ParseError } from '../errors/index.js';

/** Upper bound on metadata + tags of one file (JSON size), so a header cannot bloat every stat. */
const MAX_ATTRIBUTES_BYTES = 64 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Validated metadata and tags, as fresh null-prototype-free plain objects. */
export interface FileAttributes {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>> | undefined;
}

/**
 * Checks a file's metadata and tags: string → string, no prototype-polluting keys (105), no `.` or a
 * leading `$` (121: MongoDB cannot store them, and one store must not accept what another refuses), and at
 * most 64 KiB in all (116).
 */
export function checkFileAttributes(input: {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  /** A key the store keeps for itself (GridFS: `_strata`). */
  readonly reservedKey?: string;
}): FileAttributes {
  const metadata = copyMap(input.metadata, 'metadata', input.reservedKey) ?? {};
  const tags = copyMap(input.tags, 'tags', input.reservedKey);
  if (Buffer.byteLength(JSON.stringify({ metadata, tags })) > MAX_ATTRIBUTES_BYTES) {
    throw new ParseError(ErrorCode.OBJECT_TOO_LARGE, { message: 'File metadata and tags are too large.' });
  }
  return { metadata, tags };
}

function copyMap(value: unknown, what: string, reservedKey: string | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: `File ${what} must be an object.` });
  }
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key.length === 0 || FORBIDDEN_KEYS.has(key) || key === reservedKey) {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid file ${what} key: ${key}` });
    }
    if (key.includes('.') || key.startsWith('$')) throw new ParseError(ErrorCode.INVALID_NESTED_KEY);
    if (typeof entry !== 'string') {
      throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `File ${what} values must be strings.` });
    }
    out[key] = entry;
  }
  return out;
}
