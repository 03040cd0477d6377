import { ErrorCode, ParseError } from '../errors/index.js';
import { ROUTABLE_SYSTEM_CLASSES } from './system-classes.js';

/**
 * Class and field name rules (spec/types.md §1, spec/mongo-layout.md §1.2). User-chosen names can never
 * start with `_`, which keeps them apart from the internal storage fields and the system classes.
 */

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;
// Parse leaves this pattern unanchored at the end; anchoring it only rejects names no client produces.
const JOIN_CLASS_PATTERN = /^_Join:([A-Za-z0-9_]+):([A-Za-z0-9_]+)$/;
const JOIN_PREFIX = '_Join:';

/**
 * True for a name a client may address: a user class name, a routable system class or a relation join
 * class (`_Join:<field>:<Class>`).
 */
export function isValidClassName(className: string): boolean {
  return NAME_PATTERN.test(className) || ROUTABLE_SYSTEM_CLASSES.has(className) || JOIN_CLASS_PATTERN.test(className);
}

/** The message Parse gives for an invalid class name (error 103). */
export function invalidClassNameMessage(className: string): string {
  return (
    `Invalid classname: ${className}, classnames can only have alphanumeric characters and _, ` +
    'and must start with an alpha character '
  );
}

/** Throws ParseError 103 unless `isValidClassName(className)`. */
export function assertClassName(className: string): void {
  if (!isValidClassName(className)) {
    throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: invalidClassNameMessage(className) });
  }
}

/**
 * True for a name a client may give a field: `^[A-Za-z][A-Za-z0-9_]*$`, and neither `length` nor
 * `className` (the latter is a real field of `_Hooks`, so it is allowed when `className` is `_Hooks`).
 */
export function isValidFieldName(fieldName: string, className?: string): boolean {
  if (!NAME_PATTERN.test(fieldName)) return false;
  if (fieldName === 'length') return false;
  if (fieldName === 'className' && className !== '_Hooks') return false;
  return true;
}

/**
 * Throws ParseError 105 "Invalid field name: x." unless the field name is valid (for `className` when
 * given).
 *
 * @example
 * assertFieldName('score'); // fine
 * assertFieldName('_secret', 'Post'); // throws 105
 */
export function assertFieldName(fieldName: string, className?: string): void {
  if (!isValidFieldName(fieldName, className)) {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid field name: ${fieldName}.` });
  }
}

/** The join class holding the edges of a Relation field: `_Join:<field>:<ownerClass>`. */
export function joinClassName(options: { ownerClass: string; field: string }): string {
  return `${JOIN_PREFIX}${options.field}:${options.ownerClass}`;
}

/** Splits a join class name back into its parts; `undefined` when it is not one. */
export function parseJoinClassName(className: string): { ownerClass: string; field: string } | undefined {
  if (!className.startsWith(JOIN_PREFIX)) return undefined;
  const match = JOIN_CLASS_PATTERN.exec(className);
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  return { field: match[1], ownerClass: match[2] };
}
