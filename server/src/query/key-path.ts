import { ErrorCode, ParseError } from '../errors/index.js';
import type { FieldPath } from './ast.js';

/** One segment of a field path: a field name, a sub-key of an Object field, or an array index. */
const SEGMENT = /^[A-Za-z0-9_]+$/;
/** A top-level field name as Parse allows it in queries. */
const ROOT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Keys that would reach a prototype if used as property names; never valid in a path. */
function isProhibited(segment: string): boolean {
  return segment === '__proto__' || segment === 'constructor';
}

/**
 * Splits a dot path (`meta.score`, `arr.0`) into a `FieldPath`, or returns `undefined` when it is not
 * a valid name. The first segment must start with a letter; later ones may be array indexes. Names
 * starting with `_` (`_rperm`, `_hashed_password`, ...) are internal and never valid from clients.
 */
export function splitKeyPath(key: string): FieldPath | undefined {
  const segments = key.split('.');
  const root = segments[0];
  if (root === undefined || !ROOT.test(root) || isProhibited(root)) return undefined;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === undefined || !SEGMENT.test(segment) || isProhibited(segment)) return undefined;
  }
  return [root, ...segments.slice(1)];
}

/** Like `splitKeyPath`, throwing 105 "Invalid key name: <key>" (the `where` wording). */
export function whereKeyPath(key: string): FieldPath {
  const path = splitKeyPath(key);
  if (path === undefined) throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${key}` });
  return path;
}

/** Like `splitKeyPath`, throwing 105 "Invalid field name: <key>." (the `order` / `keys` wording). */
export function fieldKeyPath(key: string): FieldPath {
  const path = splitKeyPath(key);
  if (path === undefined) throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid field name: ${key}.` });
  return path;
}
