/**
 * Converts between the SDK's values and Parse's REST JSON: `Date` ⇄ `{__type:'Date', iso}`, top-level
 * `createdAt`/`updatedAt` strings → `Date`, included objects (`__type:'Object'`) back to pointers on the
 * way out. Other `__type` values (Pointer, File, GeoPoint, Polygon, Bytes, Relation) pass through as is.
 */

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies `key` without ever touching a prototype (`__proto__` becomes an own property). */
function put(out: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true });
  else out[key] = value;
}

/** SDK value → REST JSON. */
export function encode(value: unknown): unknown {
  if (value instanceof Date) return { __type: 'Date', iso: value.toISOString() };
  if (Array.isArray(value)) return value.map(encode);
  if (!isPlainObject(value)) return value;
  // Builders (e.g. the ACL builder) say what they stand for.
  if (typeof value['toJSON'] === 'function') return encode((value['toJSON'] as () => unknown)());
  if (value['__type'] === 'Object') {
    return { __type: 'Pointer', className: value['className'], objectId: value['objectId'] };
  }
  const out: Json = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (item !== undefined) put(out, key, encode(item));
  }
  return out;
}

/** REST JSON → SDK value. `record` marks an object whose `createdAt`/`updatedAt` are ISO strings. */
export function decode(value: unknown, record = false): unknown {
  if (Array.isArray(value)) return value.map((item) => decode(item));
  if (!isPlainObject(value)) return value;
  const type = value['__type'];
  if (type === 'Date' && typeof value['iso'] === 'string') return new Date(value['iso']);
  if (type !== undefined && type !== 'Object') return value;
  const asRecord = record || type === 'Object';
  const out: Json = {};
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (asRecord && (key === 'createdAt' || key === 'updatedAt') && typeof item === 'string') {
      put(out, key, new Date(item));
    } else {
      put(out, key, decode(item));
    }
  }
  return out;
}

/** Decodes a stored object (`createdAt`/`updatedAt` become Dates). */
export function decodeRecord<T>(value: unknown): T {
  return decode(value, true) as T;
}
