import type { ClassSchema, ParseValue } from '../schema/index.js';

/**
 * The typed form of a `where` clause. The REST JSON is parsed and validated into this once (see
 * `parseWhere`); storage adapters translate it to SQL or a MongoDB filter, and `matches` evaluates it
 * in memory. Values are in the normalized in-memory form (`Date`, `Pointer`, ...).
 *
 * Semantics are MongoDB's, as Parse clients expect (spec/queries.md):
 * - `eq` on an Array field matches when the array contains the value (or equals it, for an array value);
 *   `eq` with `null` matches null or missing fields.
 * - `ne` / `nin` also match objects that lack the field.
 * - comparisons on an Array field match when any element satisfies them.
 */

/** A field name followed by sub-keys into Object fields: `["meta", "score"]` for `meta.score`. */
export type FieldPath = readonly [string, ...string[]];

export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte';

export type Condition =
  | { readonly kind: 'and'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'or'; readonly conditions: readonly Condition[] }
  | { readonly kind: 'nor'; readonly conditions: readonly Condition[] }
  /** Matches everything (`{}`) or nothing (e.g. an empty `$in`, resolved by the parser). */
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'eq'; readonly path: FieldPath; readonly value: ParseValue }
  | { readonly kind: 'ne'; readonly path: FieldPath; readonly value: ParseValue }
  | { readonly kind: 'compare'; readonly path: FieldPath; readonly op: CompareOp; readonly value: ParseValue }
  | { readonly kind: 'in'; readonly path: FieldPath; readonly values: readonly ParseValue[] }
  | { readonly kind: 'nin'; readonly path: FieldPath; readonly values: readonly ParseValue[] }
  /** Array field contains every value. */
  | { readonly kind: 'all'; readonly path: FieldPath; readonly values: readonly ParseValue[] }
  | { readonly kind: 'exists'; readonly path: FieldPath; readonly exists: boolean }
  /**
   * `pattern` is a JavaScript RegExp source (the parser has already expanded `\Q...\E` quoting);
   * `flags` is a subset of `imsux` (Parse's `x` is expanded by the parser, not passed on).
   */
  | { readonly kind: 'regex'; readonly path: FieldPath; readonly pattern: string; readonly flags: string }
  /**
   * Objects whose ACL lets one of `entities` read (`access: 'read'`) or write. An object without an
   * ACL is public. `*` should be among the entities for anyone but the master key.
   */
  | { readonly kind: 'acl'; readonly access: 'read' | 'write'; readonly entities: readonly string[] }
  /** Objects that are members of `ownerClass`'s Relation `field` on the owner `owningId` (`$relatedTo`). */
  | { readonly kind: 'relatedTo'; readonly ownerClass: string; readonly field: string; readonly owningId: string }
  // ---- Relational operators (issue 3: $inQuery, $notInQuery, $select, $dontSelect, $containedBy) ----
  /**
   * `$inQuery` (`mode: 'in'`) / `$notInQuery` (`mode: 'notIn'`): the value at `path` is (is not) a
   * pointer to an object of the sub-query's class that its condition matches. `notIn` also matches
   * objects lacking the field. Storage resolves the sub-query itself (see `SubQuery`).
   */
  | { readonly kind: 'inQuery'; readonly path: FieldPath; readonly mode: 'in' | 'notIn'; readonly sub: SubQuery }
  /**
   * `$select` / `$dontSelect`: the value at `path` is (is not) among the values at `key` of the objects
   * the sub-query matches (objects lacking `key` contribute nothing).
   */
  | {
      readonly kind: 'select';
      readonly path: FieldPath;
      readonly mode: 'in' | 'notIn';
      readonly sub: SubQuery;
      readonly key: FieldPath;
    }
  /** `$containedBy`: every element of the array at `path` is one of `values` (an empty or missing array matches). */
  | { readonly kind: 'containedBy'; readonly path: FieldPath; readonly values: readonly ParseValue[] }
  /**
   * Owners whose Relation `field` holds at least one of `relatedIds` (`mode: 'any'`, from equality or
   * `$in` with pointers on a Relation field), or none of them (`mode: 'none'`, from `$ne` / `$nin`).
   */
  | {
      readonly kind: 'relationHas';
      readonly field: string;
      readonly relatedIds: readonly string[];
      readonly mode: 'any' | 'none';
    }
  // ---- Geo and full-text operators (issue 3: $nearSphere, $within, $geoWithin, $geoIntersects, $text) ----
  /**
   * `$nearSphere`: a GeoPoint at `path` within `maxDistance` radians (great-circle, inclusive; no limit when
   * absent) of `point`. At the top level of a find it also orders results nearest first unless an explicit
   * order is given (see `searchOf`).
   */
  | { readonly kind: 'nearSphere'; readonly path: FieldPath; readonly point: LatLng; readonly maxDistance?: number }
  /** `$within: {$box}`: planar (MongoDB legacy 2d) rectangle, edges included; corners are normalized to min/max. */
  | { readonly kind: 'withinBox'; readonly path: FieldPath; readonly southwest: LatLng; readonly northeast: LatLng }
  /** `$geoWithin: {$polygon}`: planar (MongoDB legacy 2d) polygon in the longitude/latitude plane, edges included. */
  | { readonly kind: 'withinPolygon'; readonly path: FieldPath; readonly vertices: readonly LatLng[] }
  /** `$geoWithin: {$centerSphere}` (and `$nearSphere` when counting): great-circle distance ≤ `radius` radians. */
  | { readonly kind: 'withinSphere'; readonly path: FieldPath; readonly center: LatLng; readonly radius: number }
  /** `$geoIntersects: {$point}` on a Polygon field: the polygon (great-circle edges, as MongoDB's 2dsphere) holds the point. */
  | { readonly kind: 'polygonContains'; readonly path: FieldPath; readonly point: LatLng }
  /**
   * `$text: {$search}` on a String field. `term` uses MongoDB's syntax (words match any, `"quoted phrases"`
   * must all appear, `-word` excludes). Never matches in memory (LiveQuery ignores it, as Parse does).
   */
  | {
      readonly kind: 'text';
      readonly path: FieldPath;
      readonly term: string;
      readonly language?: string;
      readonly caseSensitive: boolean;
      readonly diacriticSensitive: boolean;
    };

/** A point of the geo conditions (a `GeoPoint` fits). */
export interface LatLng {
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * A sub-query of `inQuery` / `select`: a class and a condition on it that already carries the caller's
 * permission conditions (core adds them), so storage runs it as is, inside the backend.
 */
export interface SubQuery {
  readonly className: string;
  readonly schema: ClassSchema;
  readonly where: Condition;
}

export interface SortKey {
  readonly path: FieldPath;
  readonly direction: 1 | -1;
}

export const MATCH_ALL: Condition = { kind: 'constant', value: true };
export const MATCH_NONE: Condition = { kind: 'constant', value: false };
