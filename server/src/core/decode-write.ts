import type { FieldWrite, WriteInput } from './write-input.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { Pointer, assertAllowedKey, assertValidNestedKeys, decodeValue } from '../schema/index.js';
import type { ACL, ParseValue } from '../schema/index.js';

/** Keys the server owns: ignored in a write body, as Parse does (types.md §1). */
const IGNORED_KEYS = new Set(['createdAt', 'updatedAt']);

/**
 * Turns a REST write body (types.md §2–§4) into core's `WriteInput`: values decoded to the normalized
 * form, `__op` operations checked, the ACL validated. Every malformed piece answers a Parse error.
 */
export function decodeWriteBody(body: Record<string, unknown>, options: { maxDepth: number }): WriteInput {
  const fields: Record<string, FieldWrite> = {};
  let acl: ACL | undefined;
  let objectId: string | undefined;
  for (const key of Object.keys(body)) {
    const raw = body[key];
    assertAllowedKey(key, raw);
    if (key === 'ACL') {
      acl = decodeACL(raw);
    } else if (key === 'objectId' || key === 'id') {
      objectId = objectIdOf(key, raw);
    } else if (!IGNORED_KEYS.has(key)) {
      fields[key] = decodeFieldWrite(raw, options.maxDepth);
    }
  }
  return {
    fields,
    ...(acl === undefined ? {} : { ACL: acl }),
    ...(objectId === undefined ? {} : { objectId }),
  };
}

/**
 * A client-sent `objectId` (or `id`): only a string can name an object. Anything else (a number, or an
 * object such as `{"toString":1}` that `String()` throws on) is 105, as Parse refuses the key on create.
 */
function objectIdOf(key: string, raw: unknown): string {
  if (typeof raw !== 'string') {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `${key} is an invalid field name.` });
  }
  return raw;
}

function decodeFieldWrite(raw: unknown, maxDepth: number): FieldWrite {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw) && '__op' in raw) {
    return decodeOperation(raw as Record<string, unknown>, maxDepth);
  }
  const value = decodeValue(raw, { maxDepth });
  assertValidNestedKeys(value);
  return { op: 'set', value };
}

function decodeOperation(raw: Record<string, unknown>, maxDepth: number): FieldWrite {
  const op = raw['__op'];
  switch (op) {
    case 'Delete':
      return { op: 'unset' };
    case 'Increment': {
      const amount = raw['amount'];
      if (typeof amount !== 'number' || !Number.isFinite(amount)) {
        throw new ParseError(ErrorCode.INVALID_JSON, { message: 'incrementing must provide a number' });
      }
      return { op: 'increment', amount };
    }
    case 'Add':
    case 'AddUnique':
    case 'Remove': {
      const objects = decodeObjects(raw, maxDepth);
      objects.forEach((o) => assertValidNestedKeys(o));
      return { op: op === 'Add' ? 'add' : op === 'AddUnique' ? 'addUnique' : 'remove', objects };
    }
    case 'AddRelation':
      return { op: 'addRelation', objects: decodePointers(raw, maxDepth) };
    case 'RemoveRelation':
      return { op: 'removeRelation', objects: decodePointers(raw, maxDepth) };
    case 'Batch':
      return decodeBatch(raw, maxDepth);
    default:
      throw new ParseError(ErrorCode.INVALID_JSON, { message: `Unknown operation: ${String(op)}` });
  }
}

function decodeObjects(raw: Record<string, unknown>, maxDepth: number): ParseValue[] {
  const objects = raw['objects'];
  if (!Array.isArray(objects)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'objects to add must be an array' });
  }
  return objects.map((item) => decodeValue(item, { maxDepth }));
}

function decodePointers(raw: Record<string, unknown>, maxDepth: number): Pointer[] {
  return decodeObjects(raw, maxDepth).map((value) => {
    if (!(value instanceof Pointer)) {
      throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Relation operations take pointers.' });
    }
    return value;
  });
}

/** `{"__op":"Batch","ops":[AddRelation, RemoveRelation]}`: relation operations only (108 otherwise). */
function decodeBatch(raw: Record<string, unknown>, maxDepth: number): FieldWrite {
  const ops = raw['ops'];
  if (!Array.isArray(ops)) throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Batch ops must be an array.' });
  const add: Pointer[] = [];
  const remove: Pointer[] = [];
  for (const item of ops) {
    const inner = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    if (inner['__op'] === 'AddRelation') add.push(...decodePointers(inner, maxDepth));
    else if (inner['__op'] === 'RemoveRelation') remove.push(...decodePointers(inner, maxDepth));
    else throw new ParseError(ErrorCode.COMMAND_UNAVAILABLE, { message: 'The Batch operator is not supported yet.' });
  }
  return { op: 'relationBatch', add, remove };
}

/** ACL JSON (types.md §3): entity → {read, write}; only true flags are kept; `*unresolved` → 123. */
export function decodeACL(raw: unknown): ACL {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidACL();
  const acl: ACL = {};
  for (const entity of Object.keys(raw)) {
    assertAllowedKey(entity, undefined);
    if (entity === '*unresolved' || entity.length === 0) throw invalidACL();
    const perms = (raw as Record<string, unknown>)[entity];
    if (perms === null || typeof perms !== 'object' || Array.isArray(perms)) throw invalidACL();
    const entry: { read?: true; write?: true } = {};
    for (const [perm, allowed] of Object.entries(perms)) {
      if ((perm !== 'read' && perm !== 'write') || typeof allowed !== 'boolean') throw invalidACL();
      if (allowed) entry[perm] = true;
    }
    if (entry.read === true || entry.write === true) acl[entity] = entry;
  }
  return acl;
}

function invalidACL(): ParseError {
  return new ParseError(ErrorCode.INVALID_ACL, { message: 'Invalid ACL.' });
}
