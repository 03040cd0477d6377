import { ErrorCode, ParseError } from '../../errors/index.js';
import { Bytes, EmbeddedObject, GeoPoint, ParseFile, Pointer, Polygon, isPlainObject } from '../../schema/index.js';
import type { FieldType, ParseObjectValue, ParseValue } from '../../schema/index.js';

/**
 * The SQLite value codec. Top-level fields of a declared type live in typed columns; everything else
 * (Object and Array values, GeoPoints, Polygons, undeclared fields) is JSON in which special values are
 * written as their Parse REST JSON, with keys in a fixed order so that equal values have equal text.
 * That canonical text is what conditions, `addUnique` and `remove` compare.
 */

/** A JSON value as stored (after `toJson`). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A value bound to or read from a SQLite column. */
export type SqlValue = null | number | string | bigint | Buffer;

function badValue(what: string): ParseError {
  return new ParseError(ErrorCode.INCORRECT_TYPE, { message: `Cannot store ${what}.` });
}

/** Encodes a normalized value as JSON with REST JSON for special values (pointer keys in Parse's order). */
export function toJson(value: ParseValue | undefined): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw badValue(`the number ${value}`);
      return value;
    case 'object':
      break;
    default:
      throw badValue(`a value of type ${typeof value}`);
  }
  if (Array.isArray(value)) return value.map((item) => toJson(item));
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw badValue('an invalid Date');
    return { __type: 'Date', iso: value.toISOString() };
  }
  if (value instanceof Pointer || value instanceof EmbeddedObject) {
    return { __type: 'Pointer', className: value.className, objectId: value.objectId };
  }
  if (value instanceof ParseFile) return { __type: 'File', name: value.name };
  if (value instanceof GeoPoint) return { __type: 'GeoPoint', latitude: value.latitude, longitude: value.longitude };
  if (value instanceof Polygon) {
    return { __type: 'Polygon', coordinates: value.coordinates.map(([lat, lng]) => [lat, lng]) };
  }
  if (value instanceof Bytes) return { __type: 'Bytes', base64: value.base64 };
  if (!isPlainObject(value)) throw badValue('an object of an unknown kind');
  const out: { [key: string]: JsonValue } = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = toJson(item);
  }
  return out;
}

/** The canonical text of a value: equal values (Mongo's BSON equality) have equal text. */
export function canonicalText(value: ParseValue): string {
  return JSON.stringify(toJson(value));
}

function isNumberPair(item: unknown): item is [number, number] {
  return Array.isArray(item) && item.length === 2 && typeof item[0] === 'number' && typeof item[1] === 'number';
}

/** Decodes JSON written by `toJson` (or by hand: unknown shapes stay plain data) back to normalized values. */
export function fromJson(json: unknown): ParseValue {
  if (json === null || json === undefined) return null;
  if (typeof json === 'string' || typeof json === 'number' || typeof json === 'boolean') return json;
  if (Array.isArray(json)) return json.map((item) => fromJson(item));
  if (typeof json !== 'object') return null;
  const record = json as Record<string, unknown>;
  const special = decodeSpecial(record);
  if (special !== undefined) return special;
  const out: ParseObjectValue = {};
  for (const [key, item] of Object.entries(record)) out[key] = fromJson(item);
  return out;
}

function decodeSpecial(record: Record<string, unknown>): ParseValue | undefined {
  switch (record['__type']) {
    case 'Date': {
      const date = typeof record['iso'] === 'string' ? new Date(record['iso']) : undefined;
      return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
    }
    case 'Pointer':
      return typeof record['className'] === 'string' && typeof record['objectId'] === 'string'
        ? new Pointer(record['className'], record['objectId'])
        : undefined;
    case 'File':
      return typeof record['name'] === 'string' ? new ParseFile(record['name']) : undefined;
    case 'GeoPoint':
      return typeof record['latitude'] === 'number' && typeof record['longitude'] === 'number'
        ? new GeoPoint(record['latitude'], record['longitude'])
        : undefined;
    case 'Polygon': {
      const coordinates = record['coordinates'];
      return Array.isArray(coordinates) && coordinates.every(isNumberPair) ? new Polygon(coordinates) : undefined;
    }
    case 'Bytes':
      return typeof record['base64'] === 'string' ? new Bytes(record['base64']) : undefined;
    default:
      return undefined;
  }
}

/** Parses stored JSON text; text that is not JSON (hand-edited data) reads as null instead of crashing. */
export function parseJsonText(text: unknown): ParseValue {
  if (typeof text !== 'string') return null;
  try {
    return fromJson(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The SQLite column type of a declared field, or `undefined` when the field has no column (Relation, ACL). */
export function columnSqlType(type: FieldType): string | undefined {
  switch (type.type) {
    case 'String':
    case 'Pointer':
    case 'File':
    case 'Bytes':
    case 'Object':
    case 'Array':
    case 'GeoPoint':
    case 'Polygon':
      return 'TEXT';
    case 'Number':
      return 'REAL';
    case 'Boolean':
    case 'Date':
      return 'INTEGER';
    default:
      return undefined;
  }
}

/** True for field types whose column holds JSON text. */
export function isJsonColumn(type: FieldType): boolean {
  return type.type === 'Object' || type.type === 'Array' || type.type === 'GeoPoint' || type.type === 'Polygon';
}

function mismatch(field: string, type: FieldType): ParseError {
  return new ParseError(ErrorCode.INCORRECT_TYPE, { message: `schema mismatch for ${field}; expected ${type.type}` });
}

/** Encodes a non-null value for a typed column; throws 111 when the value does not fit the declared type. */
export function encodeColumn(field: string, type: FieldType, value: ParseValue): SqlValue {
  switch (type.type) {
    case 'String':
      if (typeof value === 'string') return value;
      break;
    case 'Number':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'Boolean':
      if (typeof value === 'boolean') return value ? 1 : 0;
      break;
    case 'Date':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
      break;
    case 'Pointer':
      if ((value instanceof Pointer || value instanceof EmbeddedObject) && value.className === type.targetClass) {
        return value.objectId;
      }
      break;
    case 'File':
      if (value instanceof ParseFile) return value.name;
      break;
    case 'Bytes':
      if (value instanceof Bytes) return value.base64;
      break;
    case 'Object':
      if (isPlainObject(value)) return JSON.stringify(toJson(value));
      break;
    case 'Array':
      if (Array.isArray(value)) return JSON.stringify(toJson(value));
      break;
    case 'GeoPoint':
      if (value instanceof GeoPoint) return JSON.stringify(toJson(value));
      break;
    case 'Polygon':
      if (value instanceof Polygon) return JSON.stringify(toJson(value));
      break;
    default:
      break;
  }
  throw mismatch(field, type);
}

/** Decodes a non-null typed column value. Values of an unexpected SQL type are passed through as found. */
export function decodeColumn(type: FieldType, raw: SqlValue): ParseValue {
  if (raw === null) return null;
  if (typeof raw === 'bigint') return Number(raw);
  if (Buffer.isBuffer(raw)) return new Bytes(raw.toString('base64'));
  switch (type.type) {
    case 'Boolean':
      return typeof raw === 'number' ? raw !== 0 : raw;
    case 'Date':
      return typeof raw === 'number' ? new Date(raw) : raw;
    case 'Pointer':
      return typeof raw === 'string' ? new Pointer(type.targetClass, raw) : raw;
    case 'File':
      return typeof raw === 'string' ? new ParseFile(raw) : raw;
    case 'Bytes':
      return typeof raw === 'string' ? new Bytes(raw) : raw;
    case 'Object':
    case 'Array':
    case 'GeoPoint':
    case 'Polygon':
      return parseJsonText(raw);
    default:
      return raw;
  }
}
