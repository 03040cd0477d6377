import type { OutputObject, SaveResult } from '../core/index.js';
import { RelationRef } from '../core/index.js';
import { EmbeddedObject, encodeValue } from '../schema/index.js';
import type { EncodeOptions, ParseValue } from '../schema/index.js';

/**
 * Objects to REST JSON (types.md §2): top-level `createdAt` / `updatedAt` are bare ISO strings, every
 * other date is Date JSON, Relation fields are `{"__type":"Relation"}`, included objects
 * `{"__type":"Object"}` with their own timestamps as bare strings.
 */
export function encodeObject(object: OutputObject, options: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { objectId: object.objectId };
  if (object.createdAt !== undefined) out['createdAt'] = object.createdAt.toISOString();
  if (object.updatedAt !== undefined) out['updatedAt'] = object.updatedAt.toISOString();
  if (object.ACL !== undefined) out['ACL'] = object.ACL;
  encodeFieldsInto(out, object.fields, options);
  return out;
}

/** A save's response body: the timestamps, operation results and server-set fields (types.md §5). */
export function encodeSaveResult(
  result: SaveResult,
  options: EncodeOptions & { created: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = options.created
    ? { objectId: result.objectId, createdAt: (result.createdAt ?? result.updatedAt).toISOString() }
    : { updatedAt: result.updatedAt.toISOString() };
  encodeFieldsInto(out, result.fields, options);
  return out;
}

function encodeFieldsInto(out: Record<string, unknown>, fields: Record<string, unknown>, options: EncodeOptions): void {
  for (const name in fields) out[name] = encodeOutputValue(fields[name], options);
}

function encodeOutputValue(value: unknown, options: EncodeOptions): unknown {
  // Most fields are strings, numbers and booleans: they leave as they are (a hot path of every find).
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof RelationRef) return { __type: 'Relation', className: value.className };
  if (value instanceof EmbeddedObject) return encodeEmbedded(value, options);
  if (Array.isArray(value)) return value.map((item) => encodeOutputValue(item, options));
  return encodeValue(value as ParseValue, options);
}

function encodeEmbedded(embedded: EmbeddedObject, options: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { __type: 'Object', className: embedded.className, objectId: embedded.objectId };
  for (const name in embedded.fields) {
    const value = embedded.fields[name];
    if ((name === 'createdAt' || name === 'updatedAt') && value instanceof Date) out[name] = value.toISOString();
    else if (name === 'ACL') out[name] = value;
    else out[name] = encodeOutputValue(value, options);
  }
  return out;
}
