import { Binary, Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';
import { Bytes, GeoPoint, ParseFile, Pointer, Polygon, isPlainObject } from '../../../schema/index.js';
import type { FieldDefinition, ParseObjectValue, ParseValue } from '../../../schema/index.js';

/**
 * The value codec: normalized values ↔ BSON values in parse-server's layout (spec/mongo-layout.md §2.2,
 * §2.3). Top-level values are encoded by their type (pointer string, file name, `[lng, lat]`, GeoJSON,
 * BinData); interior values (inside Object and Array fields) keep the REST-like `__type` shapes, except
 * dates, which become BSON dates.
 */

/** A BSON value as handed to the driver. */
export type BsonValue = unknown;

export function pointerString(pointer: Pointer): string {
  return `${pointer.className}$${pointer.objectId}`;
}

/** GeoJSON polygon with `[lng, lat]` pairs and a closed ring. */
export function polygonToGeoJson(polygon: Polygon): {
  type: 'Polygon';
  coordinates: number[][][];
} {
  const ring = polygon.coordinates.map(([lat, lng]) => [lng, lat]);
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first !== undefined && last !== undefined && (first[0] !== last[0] || first[1] !== last[1])) {
    ring.push([first[0] ?? 0, first[1] ?? 0]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}

function bytesToBinary(bytes: Bytes): Binary {
  return new Binary(Buffer.from(bytes.base64, 'base64'), 0);
}

/** Interior form: what parse-server stores inside Object fields and Array elements. */
export function encodeInterior(value: ParseValue): BsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((item) => encodeInterior(item));
  // Exactly these three keys in this order: BSON sub-document equality is order-sensitive, so Remove,
  // AddUnique and array queries only match pointers stored in this canonical shape.
  if (value instanceof Pointer)
    return {
      __type: 'Pointer',
      className: value.className,
      objectId: value.objectId,
    };
  if (value instanceof ParseFile) return { __type: 'File', name: value.name };
  if (value instanceof GeoPoint)
    return {
      __type: 'GeoPoint',
      latitude: value.latitude,
      longitude: value.longitude,
    };
  if (value instanceof Polygon) {
    return {
      __type: 'Polygon',
      coordinates: value.coordinates.map(([lat, lng]) => [lat, lng]),
    };
  }
  // parse-server mangles nested Bytes into the driver's internals; we store the REST shape instead,
  // which parse-server passes through unchanged.
  if (value instanceof Bytes) return { __type: 'Bytes', base64: value.base64 };
  const out: Record<string, BsonValue> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('$') || key.includes('.')) throw new ParseError(ErrorCode.INVALID_NESTED_KEY);
    out[key] = encodeInterior(item);
  }
  return out;
}

/**
 * Top-level form of a field value. Pointers are not handled here (their key changes too; see
 * `document.ts`). `expiresAt` is coerced to a date for every class, as parse-server does.
 */
export function encodeTopLevel(field: string, value: ParseValue): BsonValue {
  if (value instanceof ParseFile) return value.name;
  if (value instanceof GeoPoint) return [value.longitude, value.latitude];
  if (value instanceof Polygon) return polygonToGeoJson(value);
  if (value instanceof Bytes) return bytesToBinary(value);
  if (field === 'expiresAt' && typeof value === 'string') {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return encodeInterior(value);
}

/** A BSON number wrapper or other scalar BSON type as a plain value, or `undefined` when not one. */
function decodeBsonScalar(raw: object): ParseValue | undefined {
  if (raw instanceof Long) return raw.toNumber();
  if (raw instanceof Double || raw instanceof Int32) return raw.valueOf();
  if (raw instanceof Decimal128) return Number(raw.toString());
  if (raw instanceof ObjectId) return raw.toHexString();
  if (raw instanceof Binary) return new Bytes(Buffer.from(raw.buffer).toString('base64'));
  return undefined;
}

function isNumberPair(raw: unknown): raw is [number, number] {
  return Array.isArray(raw) && raw.length === 2 && typeof raw[0] === 'number' && typeof raw[1] === 'number';
}

/** parse-server's mangled nested Bytes: `{buffer: {0: .., 1: ..}, sub_type, position}`. */
function mangledBytes(raw: Record<string, unknown>): Bytes | undefined {
  const buffer = raw['buffer'];
  const position = raw['position'];
  if (!('sub_type' in raw) || typeof position !== 'number' || buffer === null || typeof buffer !== 'object') {
    return undefined;
  }
  const octets: number[] = [];
  for (let i = 0; i < position; i++) {
    const octet = (buffer as Record<string, unknown>)[String(i)];
    octets.push(typeof octet === 'number' ? octet : 0);
  }
  return new Bytes(Buffer.from(octets).toString('base64'));
}

/** `{__type: ...}` REST shapes (interior values, legacy top-level values) as normalized values. */
function decodeTyped(raw: Record<string, unknown>): ParseValue | undefined {
  switch (raw['__type']) {
    case 'Pointer':
      if (typeof raw['className'] === 'string' && typeof raw['objectId'] === 'string') {
        return new Pointer(raw['className'], raw['objectId']);
      }
      return undefined;
    case 'Date': {
      const iso = raw['iso'];
      if (iso instanceof Date) return iso;
      if (typeof iso === 'string' && !Number.isNaN(new Date(iso).getTime())) return new Date(iso);
      return undefined;
    }
    case 'File':
      return typeof raw['name'] === 'string' ? new ParseFile(raw['name']) : undefined;
    case 'GeoPoint':
      return typeof raw['latitude'] === 'number' && typeof raw['longitude'] === 'number'
        ? new GeoPoint(raw['latitude'], raw['longitude'])
        : undefined;
    case 'Polygon': {
      const coordinates = raw['coordinates'];
      if (!Array.isArray(coordinates) || !coordinates.every(isNumberPair)) return undefined;
      return new Polygon(coordinates.map(([lat, lng]) => [lat, lng] as const));
    }
    case 'Bytes':
      return typeof raw['base64'] === 'string' ? new Bytes(raw['base64']) : undefined;
    default:
      return undefined;
  }
}

/** Any stored value (interior or untyped top-level) as a normalized value. */
export function decodeInterior(raw: unknown): ParseValue {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw !== 'object') return null;
  if (raw instanceof Date) return raw;
  if (Array.isArray(raw)) return raw.map((item) => decodeInterior(item));
  const scalar = decodeBsonScalar(raw);
  if (scalar !== undefined) return scalar;
  const record = raw as Record<string, unknown>;
  const typed = decodeTyped(record) ?? mangledBytes(record);
  if (typed !== undefined) return typed;
  if (!isPlainObject(raw)) return null;
  const out: ParseObjectValue = {};
  for (const [key, item] of Object.entries(record)) {
    if (item !== undefined) out[key] = decodeInterior(item);
  }
  return out;
}

/** A top-level stored value, decoded by the field's schema type (spec/mongo-layout.md §2.2). */
export function decodeTopLevel(raw: unknown, definition: FieldDefinition | undefined): ParseValue {
  switch (definition?.type) {
    case 'File':
      if (typeof raw === 'string') return new ParseFile(raw);
      break;
    case 'GeoPoint':
      if (isNumberPair(raw)) return new GeoPoint(raw[1], raw[0]);
      break;
    case 'Polygon':
      if (isPlainObject(raw) && raw['type'] === 'Polygon' && Array.isArray(raw['coordinates'])) {
        const ring = raw['coordinates'][0];
        if (Array.isArray(ring) && ring.every(isNumberPair)) {
          return new Polygon(ring.map(([lng, lat]) => [lat, lng] as const));
        }
      }
      break;
    case 'Bytes':
      // Some old writers stored the base64 text itself.
      if (typeof raw === 'string') return new Bytes(raw);
      break;
    case 'Date':
      if (typeof raw === 'string' && !Number.isNaN(new Date(raw).getTime())) return new Date(raw);
      break;
    default:
      break;
  }
  return decodeInterior(raw);
}
