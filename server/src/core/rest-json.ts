import type { CloudObjectJSON } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { EmbeddedObject, decodeDate, decodeValue, encodeValue } from '../schema/index.js';
import type { ACL, EncodeOptions, ParseValue } from '../schema/index.js';
import { decodeACL } from './decode-write.js';
import { RelationRef } from './output.js';
import type { OutputObject, SaveResult } from './output.js';

/**
 * The REST JSON codec (types.md §2): core's normalized objects to Parse's JSON and back, the one encoder
 * every door uses (REST responses, LiveQuery events, cloud code's hooks, webhooks). Top-level `createdAt` /
 * `updatedAt` are bare ISO strings, every other date is Date JSON, Relation fields are
 * `{"__type":"Relation"}`, included objects `{"__type":"Object"}` with their own timestamps as bare strings.
 * File URLs come from `EncodeOptions.fileURL` (see `fileURLBuilder`).
 */

/** An object as REST JSON, without `className` (the body of a get, an item of a find). */
export function encodeObject(object: OutputObject, options: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { objectId: object.objectId };
  if (object.createdAt !== undefined) out['createdAt'] = object.createdAt.toISOString();
  if (object.updatedAt !== undefined) out['updatedAt'] = object.updatedAt.toISOString();
  if (object.ACL !== undefined) out['ACL'] = object.ACL;
  encodeFieldsInto(out, object.fields, options);
  return out;
}

/** An object as REST JSON with its `className` first: how hooks, webhooks and LiveQuery events carry it. */
export function objectToJSON(object: OutputObject, options: EncodeOptions): CloudObjectJSON {
  return { className: object.className, ...encodeObject(object, options) } as CloudObjectJSON;
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

/** One field value of an output object as REST JSON. */
export function encodeOutputValue(value: unknown, options: EncodeOptions): unknown {
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

/** Without a request (internal calls), file URLs carry only the name. */
export const BARE_FILE_URLS: EncodeOptions = { fileURL: (name) => name };

/** `<mount URL>/files/<appId>/<encoded name>`, plus `?token=` when file URLs are signed (rest.md §10.1). */
export function fileURLBuilder(options: {
  appId: string;
  fileToken?: (name: string) => string;
}): (mountURL: string | undefined, name: string) => string {
  const appSegment = encodeURIComponent(options.appId);
  const { fileToken } = options;
  return (mountURL, name) => {
    const base = `${mountURL ?? ''}/files/${appSegment}/${encodeFileName(name)}`;
    return fileToken === undefined ? base : `${base}?token=${encodeURIComponent(fileToken(name))}`;
  };
}

/**
 * Names may hold `/` (directories); each segment is URL-encoded on its own. A name is client data and may
 * hold a lone UTF-16 surrogate (`"\ud800"` in JSON), on which encodeURIComponent throws: such a half
 * character is encoded as U+FFFD, which is also what storing it as UTF-8 made of it.
 */
function encodeFileName(name: string): string {
  return name
    .split('/')
    .map((segment) => encodeURIComponent(segment.replace(LONE_SURROGATE, '\ufffd')))
    .join('/');
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const OWN_KEYS = new Set(['className', 'objectId', 'createdAt', 'updatedAt', 'ACL', '__type']);

/**
 * REST JSON of an object (a hook's afterFind results, a beforeFind answer) back into an output object.
 * Included objects (`{"__type":"Object"}` with fields) stay embedded and Relation fields stay relation references.
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
