import type { Document } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';
import { Pointer, isPlainObject } from '../../../schema/index.js';
import type { ClassSchema, ParseObjectValue, ParseValue } from '../../../schema/index.js';
import type { StoredObject } from '../../adapter.js';
import { decodeACL, encodeACL } from './acl.js';
import {
  AUTH_DATA_KEY,
  AUTH_DATA_PREFIX,
  METADATA_KEYS,
  POINTER_PREFIX,
  UNRENAMED_KEYS,
  fieldDefinition,
  isPointerField,
  storedKey,
  usesSplitAuthData,
} from './keys.js';
import { decodeInterior, decodeTopLevel, encodeInterior, encodeTopLevel, pointerString } from './values.js';

/**
 * StoredObject ↔ parse-server document (spec/mongo-layout.md §2): the insert document, the decoded
 * object, and the projection for `keys`.
 */

/** The document `insertOne` writes for a new object. */
export function encodeDocument(schema: ClassSchema, object: StoredObject): Document {
  const document: Document = { _id: object.objectId };
  for (const [field, value] of Object.entries(object.fields)) {
    if (value === undefined) continue;
    if (field === 'authData' && usesSplitAuthData(schema)) {
      if (!isPlainObject(value))
        throw new ParseError(ErrorCode.INCORRECT_TYPE, {
          message: 'authData must be an object.',
        });
      for (const [provider, data] of Object.entries(value)) {
        if (data !== null) document[AUTH_DATA_PREFIX + provider] = encodeInterior(data);
      }
      continue;
    }
    if (value instanceof Pointer) {
      document[POINTER_PREFIX + field] = pointerString(value);
    } else if (value === null && isPointerField(schema, field)) {
      // parse-server's create path stores a null pointer under the bare name; readers accept both.
      document[field] = null;
    } else {
      document[storedKey(schema, field)] = encodeTopLevel(field, value);
    }
  }
  if (object.ACL !== undefined) Object.assign(document, encodeACL(object.ACL));
  if (object.createdAt !== undefined) document['_created_at'] = object.createdAt;
  if (object.updatedAt !== undefined) document['_updated_at'] = object.updatedAt;
  return document;
}

function timestamp(raw: unknown): Date | undefined {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw;
  if (typeof raw === 'string') {
    const date = new Date(raw);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

function objectIdOf(raw: unknown): string {
  // Legacy documents may carry an ObjectId `_id`; parse-server reads it back as its hex string.
  const decoded = decodeInterior(raw);
  return typeof decoded === 'string' ? decoded : String(decoded);
}

function decodePointer(schema: ClassSchema, field: string, raw: unknown): Pointer | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'string') return undefined;
  const separator = raw.indexOf('$');
  if (separator < 0) return undefined;
  const className = raw.slice(0, separator);
  const objectId = raw.slice(separator + 1);
  const definition = fieldDefinition(schema, field);
  if (definition?.type === 'Pointer' && definition.targetClass !== className) {
    // parse-server fails the whole read here too; silently returning the wrong class would be worse.
    throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
      message: `Pointer ${schema.className}.${field} points to ${className}, expected ${definition.targetClass}.`,
    });
  }
  return new Pointer(className, objectId);
}

/** A stored document as a StoredObject. Tolerates the legacy shapes of spec/mongo-layout.md §2.5. */
export function decodeDocument(schema: ClassSchema, document: Readonly<Record<string, unknown>>): StoredObject {
  const fields: Record<string, ParseValue> = {};
  const authData: ParseObjectValue = {};
  let hasAuthData = false;
  for (const [key, raw] of Object.entries(document)) {
    if (raw === undefined || METADATA_KEYS.has(key)) continue;
    if (key.startsWith(POINTER_PREFIX)) {
      const field = key.slice(POINTER_PREFIX.length);
      const definition = fieldDefinition(schema, field);
      if (definition !== undefined && definition.type !== 'Pointer') continue;
      const pointer = decodePointer(schema, field, raw);
      if (pointer !== undefined) fields[field] = pointer;
      continue;
    }
    const renamed = Object.hasOwn(UNRENAMED_KEYS, key) ? UNRENAMED_KEYS[key] : undefined;
    if (renamed !== undefined) {
      fields[renamed] = decodeTopLevel(raw, fieldDefinition(schema, renamed));
      continue;
    }
    if (usesSplitAuthData(schema)) {
      const match = AUTH_DATA_KEY.exec(key);
      if (match?.[1] !== undefined) {
        authData[match[1]] = decodeInterior(raw);
        hasAuthData = true;
        continue;
      }
      // authData is rebuilt from `_auth_data_*`; a stray `authData` key is ignored, as parse-server does.
      if (key === 'authData') continue;
    }
    if (key === 'createdAt' || key === 'updatedAt') continue; // legacy timestamps, handled below
    const definition = fieldDefinition(schema, key);
    if (definition?.type === 'Pointer') {
      // The create path's null-pointer quirk (`owner: null`): null pointers are omitted on read.
      if (raw === null || fields[key] !== undefined) continue;
    }
    fields[key] = decodeTopLevel(raw, definition);
  }
  if (hasAuthData) fields['authData'] = authData;
  const object: StoredObject = {
    objectId: objectIdOf(document['_id']),
    fields,
  };
  const createdAt = timestamp(document['_created_at'] ?? document['createdAt']);
  const updatedAt = timestamp(document['_updated_at'] ?? document['updatedAt']);
  if (createdAt !== undefined) object.createdAt = createdAt;
  if (updatedAt !== undefined) object.updatedAt = updatedAt;
  const acl = decodeACL(document);
  if (acl !== undefined) object.ACL = acl;
  return object;
}

/**
 * The driver projection for `keys`, or `undefined` when every key must be fetched (no `keys`, or
 * `_User.authData`, whose providers are separate keys that cannot be named in advance).
 */
export function projectionFor(schema: ClassSchema, keys: readonly string[] | undefined): Document | undefined {
  if (keys === undefined) return undefined;
  if (keys.includes('authData') && usesSplitAuthData(schema)) return undefined;
  const projection: Document = {
    _id: 1,
    _created_at: 1,
    _updated_at: 1,
    _rperm: 1,
    _wperm: 1,
    createdAt: 1,
    updatedAt: 1,
  };
  for (const key of keys) {
    if (key === 'ACL' || key === 'objectId' || key === 'createdAt' || key === 'updatedAt') continue;
    projection[storedKey(schema, key)] = 1;
    if (isPointerField(schema, key)) projection[key] = 1;
  }
  return projection;
}

/** Drops the fields `keys` did not ask for (used when the projection had to fetch everything). */
export function keepKeys(object: StoredObject, keys: readonly string[] | undefined): StoredObject {
  if (keys === undefined) return object;
  const fields: Record<string, ParseValue> = {};
  for (const key of keys) {
    const value = object.fields[key];
    if (value !== undefined) fields[key] = value;
  }
  return { ...object, fields };
}
