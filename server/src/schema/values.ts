/**
 * The normalized in-memory form of Parse values. Every layer between the REST codec (at the edge)
 * and the storage adapters (each with its own codec) passes these.
 */

/** A reference to another object: `{"__type":"Pointer"}` on the wire. */
export class Pointer {
  constructor(
    readonly className: string,
    readonly objectId: string,
  ) {}
}

/** A stored file. Only `name` is persisted; `url` is computed when the value is encoded. */
export class ParseFile {
  constructor(readonly name: string) {}
}

export class GeoPoint {
  constructor(
    readonly latitude: number,
    readonly longitude: number,
  ) {}
}

/** A closed ring of `[latitude, longitude]` pairs, as Parse's REST form has them. */
export class Polygon {
  constructor(readonly coordinates: ReadonlyArray<readonly [number, number]>) {}
}

/** Binary data, kept as base64 (the wire form) to avoid copying on the common paths. */
export class Bytes {
  constructor(readonly base64: string) {}
}

/**
 * A full object embedded where a pointer was (`include` results): `{"__type":"Object"}` on the wire.
 * Produced by `core` on the read path only; never stored.
 */
export class EmbeddedObject {
  constructor(
    readonly className: string,
    readonly objectId: string,
    readonly fields: Readonly<Record<string, unknown>>,
  ) {}
}

export type ParseValue =
  | null
  | boolean
  | number
  | string
  | Date
  | Pointer
  | ParseFile
  | GeoPoint
  | Polygon
  | Bytes
  | ParseValue[]
  | ParseObjectValue;

export interface ParseObjectValue {
  [key: string]: ParseValue;
}

/** Per-entity permissions; keys are `*`, a user objectId or `role:<name>`. Only `true` flags are kept. */
export type ACL = Record<string, { read?: true; write?: true }>;

/** True for a plain JSON-like object (not an array, Date or one of the value classes above). */
export function isPlainObject(value: unknown): value is ParseObjectValue {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
