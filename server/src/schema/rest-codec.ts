import { ErrorCode, ParseError } from '../errors/index.js';
import { Bytes, EmbeddedObject, GeoPoint, ParseFile, Pointer, Polygon, isPlainObject } from './values.js';
import type { ParseObjectValue, ParseValue } from './values.js';

/**
 * The REST JSON codec for values: `{"__type":"Date","iso":…}` and friends to the normalized in-memory
 * form and back. It runs on every request, so it is a pair of plain recursive functions: no closures
 * or regular expressions are created per call.
 */

export interface DecodeOptions {
  /** Deepest allowed nesting of arrays and objects (a scalar is depth 0, `[1]` depth 1). Default 64. */
  readonly maxDepth?: number;
  /**
   * The error to throw when `maxDepth` is exceeded. Default: 107 "Nested data is too deep". The query
   * parser passes its own (102) so that a deep `where` value reports like a deep `where`.
   */
  readonly tooDeep?: { readonly code: ErrorCode; readonly message: string };
}

export interface EncodeOptions {
  /** The public URL of a stored file, e.g. `name => `${serverURL}/files/${appId}/${name}``. */
  readonly fileURL: (name: string) => string;
}

export const DEFAULT_DECODE_MAX_DEPTH = 64;

const TOO_DEEP = { code: ErrorCode.INVALID_JSON, message: 'Nested data is too deep' } as const;

/**
 * Decodes a REST JSON value into its normalized form. Objects carrying `__op` are plain data here:
 * update operators are the schema layer's business, not the codec's.
 *
 * @example
 * decodeValue({ __type: 'Date', iso: '2024-05-01T10:00:00.000Z' }); // → Date
 * decodeValue({ __type: 'Pointer', className: '_User', objectId: 'abc' }); // → Pointer
 */
export function decodeValue(json: unknown, options: DecodeOptions = {}): ParseValue {
  return decodeAt(json, 0, {
    maxDepth: options.maxDepth ?? DEFAULT_DECODE_MAX_DEPTH,
    tooDeep: options.tooDeep ?? TOO_DEEP,
  });
}

interface DecodeLimits {
  readonly maxDepth: number;
  readonly tooDeep: { readonly code: ErrorCode; readonly message: string };
}

function decodeAt(json: unknown, depth: number, limits: DecodeLimits): ParseValue {
  switch (typeof json) {
    case 'string':
    case 'boolean':
      return json;
    case 'number':
      if (Number.isFinite(json)) return json;
      throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'Numbers must be finite' });
    case 'object':
      break;
    default:
      throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `Invalid value of type ${typeof json}` });
  }
  if (json === null) return null;
  if (depth >= limits.maxDepth) throw new ParseError(limits.tooDeep.code, { message: limits.tooDeep.message });
  if (Array.isArray(json)) {
    const out: ParseValue[] = new Array<ParseValue>(json.length);
    for (let i = 0; i < json.length; i++) out[i] = decodeAt(json[i], depth + 1, limits);
    return out;
  }
  if (!isPlainObject(json)) throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'Invalid value' });
  const record = json as Record<string, unknown>;
  if (Object.hasOwn(record, '__type')) return decodeTyped(record);
  const out: ParseObjectValue = {};
  for (const key of Object.keys(record)) {
    const child = record[key];
    assertAllowedKey(key, child);
    out[key] = decodeAt(child, depth + 1, limits);
  }
  return out;
}

/**
 * Keys that could reach an object's prototype are refused outright, with Parse's message for its
 * `requestKeywordDenylist` defaults. Refusing (rather than skipping) keeps decoded data equal to what
 * the client sent, and lets plain `{}` objects with ordinary assignment be safe.
 */
export function assertAllowedKey(key: string, value: unknown): void {
  if (key === '__proto__' || key === 'constructor') {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, {
      message: `Prohibited keyword in request data: {"key":"${key}"}.`,
    });
  }
  if (key === '_bsontype' && value === 'Code') {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, {
      message: 'Prohibited keyword in request data: {"key":"_bsontype","value":"Code"}.',
    });
  }
}

function invalid(typeName: string): ParseError {
  return new ParseError(ErrorCode.INCORRECT_TYPE, { message: `This is not a valid ${typeName}` });
}

function decodeTyped(record: Record<string, unknown>): ParseValue {
  const type = record['__type'];
  switch (type) {
    case 'Date':
      return decodeDate(record['iso']);
    case 'Pointer':
    case 'Object':
      // SDKs send whole objects where a pointer goes; only the reference is kept.
      return decodePointer(record, type);
    case 'File': {
      const name = record['name'];
      if (typeof name !== 'string' || name.length === 0) throw invalid('File');
      return new ParseFile(name);
    }
    case 'GeoPoint':
      return decodeGeoPoint(record['latitude'], record['longitude']);
    case 'Polygon':
      return decodePolygon(record['coordinates']);
    case 'Bytes': {
      const base64 = record['base64'];
      if (typeof base64 !== 'string') throw invalid('Bytes');
      return new Bytes(base64);
    }
    default:
      throw new ParseError(ErrorCode.INCORRECT_TYPE, {
        message: typeof type === 'string' ? `Invalid __type: ${type}` : 'Invalid __type',
      });
  }
}

/** Parses an ISO-8601 date string; throws 111 "This is not a valid Date" otherwise. */
export function decodeDate(iso: unknown): Date {
  if (typeof iso !== 'string') throw invalid('Date');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw invalid('Date');
  return date;
}

function decodePointer(record: Record<string, unknown>, type: 'Pointer' | 'Object'): Pointer {
  const className = record['className'];
  if (typeof className !== 'string' || className.length === 0) throw invalid(type);
  const objectId = record['objectId'];
  if (typeof objectId !== 'string' || objectId.length === 0) {
    throw new ParseError(ErrorCode.INVALID_POINTER, {
      message: `This is not a valid ${type}: objectId must be a string`,
    });
  }
  return new Pointer(className, objectId);
}

function checkLatitude(latitude: unknown): number {
  if (typeof latitude !== 'number' || !Number.isFinite(latitude)) throw invalid('GeoPoint');
  if (latitude < -90 || latitude > 90) {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `GeoPoint latitude out of bounds: ${latitude}` });
  }
  return latitude;
}

function checkLongitude(longitude: unknown): number {
  if (typeof longitude !== 'number' || !Number.isFinite(longitude)) throw invalid('GeoPoint');
  if (longitude < -180 || longitude > 180) {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: `GeoPoint longitude out of bounds: ${longitude}` });
  }
  return longitude;
}

function decodeGeoPoint(latitude: unknown, longitude: unknown): GeoPoint {
  return new GeoPoint(checkLatitude(latitude), checkLongitude(longitude));
}

function decodePolygon(coordinates: unknown): Polygon {
  if (!Array.isArray(coordinates) || coordinates.length < 3) {
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'Polygon must have at least 3 values' });
  }
  const ring: Array<readonly [number, number]> = [];
  for (const pair of coordinates as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) throw invalid('Polygon');
    ring.push([checkLatitude(pair[0]), checkLongitude(pair[1])]);
  }
  if (countDistinct(ring, 3) < 3)
    throw new ParseError(ErrorCode.INCORRECT_TYPE, { message: 'Polygon must have at least 3 distinct points' });
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first !== undefined && !samePoint(first, last)) ring.push([first[0], first[1]]);
  return new Polygon(ring);
}

/** Counts distinct points, stopping once `enough` are found (polygons are usually small, so a scan is fine). */
function countDistinct(ring: ReadonlyArray<readonly [number, number]>, enough: number): number {
  let distinct = 0;
  for (let i = 0; i < ring.length && distinct < enough; i++) {
    const point = ring[i];
    if (point === undefined) continue;
    let seen = false;
    for (let j = 0; j < i && !seen; j++) seen = samePoint(point, ring[j]);
    if (!seen) distinct++;
  }
  return distinct;
}

function samePoint(a: readonly [number, number], b: readonly [number, number] | undefined): boolean {
  return b !== undefined && a[0] === b[0] && a[1] === b[1];
}

/**
 * Encodes a normalized value as REST JSON. Files get their `url` from `options.fileURL`; an
 * `EmbeddedObject` becomes `{"__type":"Object",…}` with its fields encoded (its top-level `createdAt`
 * and `updatedAt` as plain ISO strings, as on any object Parse returns).
 *
 * @example
 * encodeValue(new Date(0), { fileURL }); // → { __type: 'Date', iso: '1970-01-01T00:00:00.000Z' }
 */
export function encodeValue(value: ParseValue | EmbeddedObject, options: EncodeOptions): unknown {
  return encodeUnknown(value, options);
}

function encodeUnknown(value: unknown, options: EncodeOptions): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = encodeUnknown(value[i], options);
    return out;
  }
  if (value instanceof Date) return { __type: 'Date', iso: value.toISOString() };
  if (value instanceof Pointer) return { __type: 'Pointer', className: value.className, objectId: value.objectId };
  if (value instanceof ParseFile) return { __type: 'File', name: value.name, url: options.fileURL(value.name) };
  if (value instanceof GeoPoint) return { __type: 'GeoPoint', latitude: value.latitude, longitude: value.longitude };
  if (value instanceof Polygon) return { __type: 'Polygon', coordinates: value.coordinates.map(copyPair) };
  if (value instanceof Bytes) return { __type: 'Bytes', base64: value.base64 };
  if (value instanceof EmbeddedObject) return encodeEmbedded(value, options);
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) setOwn(out, key, encodeUnknown(record[key], options));
  return out;
}

function copyPair(pair: readonly [number, number]): [number, number] {
  return [pair[0], pair[1]];
}

function encodeEmbedded(value: EmbeddedObject, options: EncodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { __type: 'Object', className: value.className, objectId: value.objectId };
  for (const key of Object.keys(value.fields)) {
    if (key === '__type' || key === 'className' || key === 'objectId') continue;
    const field = value.fields[key];
    const isTimestamp = (key === 'createdAt' || key === 'updatedAt') && field instanceof Date;
    setOwn(out, key, isTimestamp ? field.toISOString() : encodeUnknown(field, options));
  }
  return out;
}

/** Stored data may predate our key checks (an existing parse-server database); never let a key reach the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
