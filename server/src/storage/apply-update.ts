import { ErrorCode, ParseError } from '../errors/index.js';
import { isPlainObject } from '../schema/index.js';
import type { ParseObjectValue, ParseValue } from '../schema/index.js';
import type { StoredObject, UpdateOp, UpdateSpec } from './adapter.js';
// The canonical text is the SQLite codec's, and it is also MongoDB's equality (key order counts, as in BSON).
import { canonicalText } from './sqlite/value-codec.js';

/** Top-level names an update never touches: they live outside `fields`. */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);

/**
 * Applies an `UpdateSpec` to an object in memory, with MongoDB's operator semantics (`$set`, `$unset`,
 * `$inc`, `$push`, `$addToSet`, `$pullAll`). The SQLite adapter reads, applies and writes back inside one
 * transaction, which makes each update atomic; the MongoDB adapter applies it to the document the atomic
 * `findOneAndUpdate` returned as it was before, to know the state after without a second read. Pure: the
 * input object is not modified.
 */
export function applyUpdate(object: StoredObject, update: UpdateSpec): StoredObject {
  const fields: ParseObjectValue = { ...object.fields };
  for (const [key, op] of Object.entries(update.fields)) {
    const path = key.split('.');
    if (path.length === 1 && RESERVED_FIELDS.has(key)) continue;
    applyAt(fields, path, { op, fullKey: key });
  }
  const next: StoredObject = { objectId: object.objectId, fields, updatedAt: update.updatedAt };
  if (object.createdAt !== undefined) next.createdAt = object.createdAt;
  const acl = update.ACL ?? object.ACL;
  if (acl !== undefined) next.ACL = acl;
  return next;
}

type Container = ParseObjectValue | ParseValue[];

/** One field's operation, with the dotted key it was given under (for error messages). */
interface FieldEdit {
  readonly op: UpdateOp;
  readonly fullKey: string;
}

function read(container: Container, key: string): ParseValue | undefined {
  if (Array.isArray(container)) return /^\d+$/.test(key) ? container[Number(key)] : undefined;
  return Object.hasOwn(container, key) ? container[key] : undefined;
}

/** Stores `entry.value` under `entry.key`; an `undefined` value removes the key. */
function write(container: Container, entry: { key: string; value: ParseValue | undefined }, fullKey: string): void {
  const { key, value } = entry;
  if (Array.isArray(container)) {
    if (!/^\d+$/.test(key)) throw cannotTraverse(fullKey);
    const index = Number(key);
    if (value === undefined) {
      if (index < container.length) container[index] = null; // Mongo's $unset of an element leaves null
      return;
    }
    while (container.length < index) container.push(null);
    container[index] = value;
    return;
  }
  if (value === undefined) delete container[key];
  else container[key] = value;
}

function cannotTraverse(fullKey: string): ParseError {
  return new ParseError(ErrorCode.INCORRECT_TYPE, { message: `Cannot update ${fullKey}: a parent is not an object.` });
}

/** Walks `path`, copying each container on the way so the original object is never changed. */
function applyAt(container: Container, path: readonly string[], edit: FieldEdit): void {
  const { op, fullKey } = edit;
  const [key, ...rest] = path;
  if (key === undefined) return;
  const current = read(container, key);
  if (rest.length === 0) {
    write(container, { key, value: nextValue(current, op, fullKey) }, fullKey);
    return;
  }
  let child: Container;
  if (current === undefined || current === null) {
    if (op.op === 'unset' || op.op === 'remove') return;
    child = {};
  } else if (Array.isArray(current)) {
    child = [...current];
  } else if (isPlainObject(current)) {
    child = { ...current };
  } else {
    throw cannotTraverse(fullKey);
  }
  applyAt(child, rest, edit);
  write(container, { key, value: child }, fullKey);
}

function wrongType(fullKey: string, what: string): ParseError {
  return new ParseError(ErrorCode.INCORRECT_TYPE, { message: `Cannot ${what} ${fullKey}: it has the wrong type.` });
}

/** The field's value after `op`; `undefined` means the field is removed (or stays absent). */
function nextValue(current: ParseValue | undefined, op: UpdateOp, fullKey: string): ParseValue | undefined {
  switch (op.op) {
    case 'set':
      return op.value;
    case 'unset':
      return undefined;
    case 'increment':
      if (current === undefined || current === null) return op.amount;
      if (typeof current !== 'number') throw wrongType(fullKey, 'increment');
      return current + op.amount;
    case 'add':
      return [...arrayOf(current, fullKey, 'add to'), ...op.objects];
    case 'addUnique': {
      const result = [...arrayOf(current, fullKey, 'add to')];
      const seen = new Set(result.map((item) => canonicalText(item)));
      for (const item of op.objects) {
        const text = canonicalText(item);
        if (!seen.has(text)) {
          seen.add(text);
          result.push(item);
        }
      }
      return result;
    }
    case 'remove': {
      if (current === undefined) return undefined;
      const removed = new Set(op.objects.map((item) => canonicalText(item)));
      return arrayOf(current, fullKey, 'remove from').filter((item) => !removed.has(canonicalText(item)));
    }
    default:
      return current;
  }
}

function arrayOf(current: ParseValue | undefined, fullKey: string, what: string): ParseValue[] {
  if (current === undefined || current === null) return [];
  if (!Array.isArray(current)) throw wrongType(fullKey, what);
  return current;
}
