/**
 * The value types of Parse's data model as the SDK hands them to you: records are plain objects, dates are
 * JS `Date`s, and the other special values keep Parse's own JSON shape (`{ __type: 'Pointer', ... }`), so
 * what you read can be written back unchanged. These are also the types `strata types` imports.
 */

declare const target: unique symbol;

/** Fields every stored object has (`createdAt`/`updatedAt` decoded to `Date`). */
export interface SystemFields {
  readonly objectId: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Who may read and write one object: `*` (public), a user's objectId, or `role:<name>`. */
export interface ACL {
  [userIdOrRole: string]: { read?: boolean; write?: boolean };
}

/** A stored object of class `T` as the server returns it. */
export type Stored<T> = T & SystemFields & { ACL?: ACL };

/**
 * A reference to an object of another class. When the field was `include`d in a query, the pointed-to
 * object's fields are present too (`__type` is then `'Object'`), so `todo.owner?.username` reads naturally.
 */
export type Pointer<T = unknown> = {
  readonly __type: 'Pointer' | 'Object';
  readonly className: string;
  readonly objectId: string;
  /** Type-level only: the class this pointer points to. */
  readonly [target]?: T;
} & Partial<T & Omit<SystemFields, 'objectId'>>;

/** A many-to-many relation field; members are changed with `addRelation`/`removeRelation`. */
export interface Relation<T = unknown> {
  readonly __type: 'Relation';
  readonly className: string;
  /** Type-level only: the class of the related objects. */
  readonly [target]?: T;
}

/** A file stored on the server, as referenced from an object field. */
export interface StrataFile {
  readonly __type: 'File';
  readonly name: string;
  /** Recomputed by the server on every read. */
  readonly url?: string;
}

export interface GeoPoint {
  readonly __type: 'GeoPoint';
  readonly latitude: number;
  readonly longitude: number;
}

/** A closed polygon; each coordinate is `[latitude, longitude]` as in Parse's REST API. */
export interface Polygon {
  readonly __type: 'Polygon';
  readonly coordinates: ReadonlyArray<readonly [number, number]>;
}

/** Raw bytes, base64-encoded. */
export interface Bytes {
  readonly __type: 'Bytes';
  readonly base64: string;
}

/**
 * A pointer to `className/objectId`.
 *
 * @example
 * await todos.create({ title: 'Buy milk', owner: pointer<User>('_User', user.objectId) });
 */
export function pointer<T = unknown>(className: string, objectId: string): Pointer<T> {
  return { __type: 'Pointer', className, objectId } as Pointer<T>;
}

/** @example geoPoint(40.7, -74.0) */
export function geoPoint(latitude: number, longitude: number): GeoPoint {
  return { __type: 'GeoPoint', latitude, longitude };
}

/** @example polygon([[0, 0], [0, 1], [1, 1]]) */
export function polygon(coordinates: ReadonlyArray<readonly [number, number]>): Polygon {
  return { __type: 'Polygon', coordinates };
}

/** Wraps bytes for a `Bytes` field. @example bytes(new TextEncoder().encode('hi')) */
export function bytes(data: Uint8Array): Bytes {
  let binary = '';
  for (const byte of data) binary += String.fromCharCode(byte);
  return { __type: 'Bytes', base64: btoa(binary) };
}
