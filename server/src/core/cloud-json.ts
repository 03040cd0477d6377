import type { CloudObjectJSON } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { EmbeddedObject, decodeDate, decodeValue, encodeValue } from '../schema/index.js';
import type { ACL, EncodeOptions, ParseValue } from '../schema/index.js';
import { decodeACL } from './decode-write.js';
import { RelationRef } from './output.js';
import type { OutputObject } from './output.js';
import type { WriteInput } from './write-input.js';

/**
 * Objects between core's normalized form and the REST JSON hooks speak (cloud/types.ts): an object as a hook
 * sees it, the object a beforeSave sees before the write (stored object plus the pending changes), and the
 * objects an afterFind / beforeFind hands back.
 */

/** Without a request (internal calls), file URLs carry only the name. */
export const BARE_FILE_URLS: EncodeOptions = { fileURL: (name) => name };

/** An output object as REST JSON plus `className` (top-level timestamps as ISO strings, like the wire). */
export function objectToJSON(object: OutputObject, options: EncodeOptions): CloudObjectJSON {
  const out: Record<string, unknown> = { className: object.className, objectId: object.objectId };
  if (object.createdAt !== undefined) out['createdAt'] = object.createdAt.toISOString();
  if (object.updatedAt !== undefined) out['updatedAt'] = object.updatedAt.toISOString();
  if (object.ACL !== undefined) out['ACL'] = object.ACL;
  for (const name of Object.keys(object.fields)) out[name] = valueToJSON(object.fields[name], options);
  return out as CloudObjectJSON;
}

export function valueToJSON(value: unknown, options: EncodeOptions): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof RelationRef) return { __type: 'Relation', className: value.className };
  if (Array.isArray(value)) return value.map((item) => valueToJSON(item, options));
  if (value instanceof EmbeddedObject) {
    const out: Record<string, unknown> = { __type: 'Object', className: value.className, objectId: value.objectId };
    for (const name of Object.keys(value.fields)) {
      const field = value.fields[name];
      out[name] =
        (name === 'createdAt' || name === 'updatedAt') && field instanceof Date
          ? field.toISOString()
          : valueToJSON(field, options);
    }
    return out;
  }
  return encodeValue(value as ParseValue, options);
}

const OWN_KEYS = new Set(['className', 'objectId', 'createdAt', 'updatedAt', 'ACL', '__type']);

/**
 * An object a hook returned (afterFind results, beforeFind answers) back into an output object. Included
 * objects (`{"__type":"Object"}` with fields) stay embedded and Relation fields stay relation references.
 */
export function objectFromJSON(json: CloudObjectJSON, options: { className: string; maxDepth: number }): OutputObject {
  const objectId = json.objectId;
  if (typeof objectId !== 'string' || objectId === '') {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'A cloud trigger returned an object without objectId.' });
  }
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(json)) {
    if (OWN_KEYS.has(name)) continue;
    fields[name] = valueFromJSON(json[name], options.maxDepth);
  }
  const acl: ACL | undefined = json['ACL'] === undefined ? undefined : decodeACL(json['ACL']);
  return {
    className: typeof json.className === 'string' ? json.className : options.className,
    objectId,
    ...(json.createdAt === undefined ? {} : { createdAt: timestamp(json.createdAt) }),
    ...(json.updatedAt === undefined ? {} : { updatedAt: timestamp(json.updatedAt) }),
    ...(acl === undefined ? {} : { ACL: acl }),
    fields,
  };
}

function timestamp(value: unknown): Date {
  if (value !== null && typeof value === 'object') return decodeDate((value as { iso?: unknown }).iso);
  return decodeDate(value);
}

function valueFromJSON(value: unknown, maxDepth: number): unknown {
  if (value === null || typeof value !== 'object') return decodeValue(value, { maxDepth });
  if (Array.isArray(value)) return value.map((item) => valueFromJSON(item, maxDepth));
  const record = value as Record<string, unknown>;
  if (record['__type'] === 'Relation' && typeof record['className'] === 'string') {
    return new RelationRef(record['className']);
  }
  if (record['__type'] === 'Object' && typeof record['className'] === 'string') {
    const inner = objectFromJSON(record as CloudObjectJSON, { className: record['className'], maxDepth });
    const fields: Record<string, unknown> = { ...inner.fields };
    if (inner.createdAt !== undefined) fields['createdAt'] = inner.createdAt;
    if (inner.updatedAt !== undefined) fields['updatedAt'] = inner.updatedAt;
    if (inner.ACL !== undefined) fields['ACL'] = inner.ACL;
    return new EmbeddedObject(inner.className, inner.objectId, fields);
  }
  return decodeValue(value, { maxDepth });
}

/**
 * The object a beforeSave sees (spec/cloud.md §2): the stored object (update) or nothing (create), with the
 * write's values and operations applied as the write will apply them. Relation operations are left out.
 */
export function pendingObjectJSON(options: {
  className: string;
  base: CloudObjectJSON | undefined;
  input: WriteInput;
  encode: EncodeOptions;
}): CloudObjectJSON {
  const { input, encode } = options;
  const out: Record<string, unknown> =
    options.base === undefined ? { className: options.className } : { ...options.base };
  for (const [path, write] of Object.entries(input.fields)) {
    const current = readPath(out, path);
    switch (write.op) {
      case 'set':
        writePath(out, path, encodeValue(write.value, encode));
        break;
      case 'unset':
        writePath(out, path, undefined);
        break;
      case 'increment':
        writePath(out, path, (typeof current === 'number' ? current : 0) + write.amount);
        break;
      case 'add':
        writePath(out, path, [...asArray(current), ...write.objects.map((o) => encodeValue(o, encode))]);
        break;
      case 'addUnique': {
        const next = [...asArray(current)];
        for (const item of write.objects.map((o) => encodeValue(o, encode))) {
          if (!next.some((existing) => JSON.stringify(existing) === JSON.stringify(item))) next.push(item);
        }
        writePath(out, path, next);
        break;
      }
      case 'remove': {
        const removed = write.objects.map((o) => JSON.stringify(encodeValue(o, encode)));
        writePath(
          out,
          path,
          asArray(current).filter((item) => !removed.includes(JSON.stringify(item))),
        );
        break;
      }
      default:
        break;
    }
  }
  if (input.ACL !== undefined) out['ACL'] = input.ACL;
  return out as CloudObjectJSON;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function readPath(target: Record<string, unknown>, path: string): unknown {
  let node: unknown = target;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = Object.hasOwn(node, part) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** Sets (or with `undefined` removes) `a.b.c`, copying the nested objects it passes through. */
function writePath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    const next = node[key];
    const copy: Record<string, unknown> =
      next !== null && typeof next === 'object' && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
    node[key] = copy;
    node = copy;
  }
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}
