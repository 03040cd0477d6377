import { ErrorCode, ParseError } from '../errors/index.js';
import { GeoPoint, decodeValue, isPlainObject } from '../schema/index.js';
import type { Condition, FieldPath, LatLng } from './ast.js';

/**
 * Parses the geo operators of one field constraint (spec/queries.md §3, §7; mongo-layout.md §2.8):
 * `$nearSphere` with its `$maxDistance*` companions, `$within: {$box}`, `$geoWithin: {$polygon |
 * $centerSphere}` and `$geoIntersects: {$point}`. Malformed operands → 107; a point with an invalid
 * latitude or longitude → the GeoPoint validation error (111).
 */

/** Radians per unit of each `$maxDistance*` key (Parse's divisors: miles ÷ 3959, kilometers ÷ 6371). */
const MAX_DISTANCE_KEYS: ReadonlyMap<string, number> = new Map([
  ['$maxDistance', 1],
  ['$maxDistanceInRadians', 1],
  ['$maxDistanceInMiles', 1 / 3959],
  ['$maxDistanceInKilometers', 1 / 6371],
]);

function invalidJson(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message });
}

/** A `{"__type":"GeoPoint",...}` operand, validated (111 when out of range); `undefined` when not one. */
function geoPointJson(json: unknown): LatLng | undefined {
  if (!isPlainObject(json) || json['__type'] !== 'GeoPoint') return undefined;
  const value = decodeValue(json);
  return value instanceof GeoPoint ? value : undefined;
}

/** A `[longitude, latitude]` pair, validated like a GeoPoint; `undefined` when not a pair. */
function lngLatPair(json: unknown): LatLng | undefined {
  if (!Array.isArray(json) || json.length !== 2) return undefined;
  const value = decodeValue({ __type: 'GeoPoint', latitude: json[1] as unknown, longitude: json[0] as unknown });
  return value instanceof GeoPoint ? value : undefined;
}

/** `$nearSphere` plus whichever `$maxDistance*` keys sit next to it (the smallest radius wins). */
export function parseNearSphere(path: FieldPath, constraint: Record<string, unknown>): Condition {
  const point = geoPointJson(constraint['$nearSphere']);
  if (point === undefined) throw invalidJson('bad $nearSphere value; it should be a GeoPoint');
  let maxDistance: number | undefined;
  for (const [key, factor] of MAX_DISTANCE_KEYS) {
    if (!Object.hasOwn(constraint, key)) continue;
    const value = constraint[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalidJson(`bad ${key} value`);
    const radians = value * factor;
    maxDistance = maxDistance === undefined ? radians : Math.min(maxDistance, radians);
  }
  return maxDistance === undefined
    ? { kind: 'nearSphere', path, point }
    : { kind: 'nearSphere', path, point, maxDistance };
}

/** A `$maxDistance*` key without `$nearSphere` beside it means nothing: refused rather than ignored. */
export function assertNearSphereBeside(operator: string, constraint: Record<string, unknown>): void {
  if (!Object.hasOwn(constraint, '$nearSphere')) throw invalidJson(`${operator} needs a $nearSphere constraint`);
}

/** `$within: {"$box": [southwest, northeast]}`. */
export function parseWithin(path: FieldPath, operand: unknown): Condition {
  const box = isPlainObject(operand) ? operand['$box'] : undefined;
  if (!Array.isArray(box) || box.length !== 2) throw invalidJson('malformatted $within arg');
  const southwest = geoPointJson(box[0]);
  const northeast = geoPointJson(box[1]);
  if (southwest === undefined || northeast === undefined)
    throw invalidJson('bad $within value; $box needs two GeoPoints');
  return { kind: 'withinBox', path, southwest, northeast };
}

/** `$geoWithin: {"$polygon": [...]}` or `{"$centerSphere": [center, radians]}`. */
export function parseGeoWithin(path: FieldPath, operand: unknown): Condition {
  if (!isPlainObject(operand)) throw invalidJson('bad $geoWithin value');
  if (operand['$polygon'] !== undefined)
    return { kind: 'withinPolygon', path, vertices: polygonVertices(operand['$polygon']) };
  if (operand['$centerSphere'] !== undefined) return centerSphere(path, operand['$centerSphere']);
  throw invalidJson('bad $geoWithin value; use $polygon or $centerSphere');
}

/**
 * Vertices of a `$polygon` operand: GeoPoints, `[longitude, latitude]` pairs, or a Polygon object. As in
 * parse-server, a Polygon object's coordinates are read as `[longitude, latitude]` pairs here too.
 */
function polygonVertices(polygon: unknown): LatLng[] {
  let points: unknown[];
  if (isPlainObject(polygon) && polygon['__type'] === 'Polygon') {
    const coordinates = polygon['coordinates'];
    if (!Array.isArray(coordinates) || coordinates.length < 3) {
      throw invalidJson('bad $geoWithin value; Polygon.coordinates should contain at least 3 lon/lat pairs');
    }
    points = coordinates as unknown[];
  } else if (Array.isArray(polygon)) {
    if (polygon.length < 3) throw invalidJson('bad $geoWithin value; $polygon should contain at least 3 GeoPoints');
    points = polygon as unknown[];
  } else {
    throw invalidJson("bad $geoWithin value; $polygon should be Polygon object or Array of Parse.GeoPoint's");
  }
  return points.map((point) => {
    const vertex = lngLatPair(point) ?? geoPointJson(point);
    if (vertex === undefined) throw invalidJson('bad $geoWithin value');
    return vertex;
  });
}

function centerSphere(path: FieldPath, operand: unknown): Condition {
  if (!Array.isArray(operand) || operand.length < 2) {
    throw invalidJson('bad $geoWithin value; $centerSphere should be an array of Parse.GeoPoint and distance');
  }
  const center = lngLatPair(operand[0]) ?? geoPointJson(operand[0]);
  if (center === undefined) throw invalidJson('bad $geoWithin value; $centerSphere geo point invalid');
  const radius: unknown = operand[1];
  if (typeof radius !== 'number' || !Number.isFinite(radius) || radius < 0) {
    throw invalidJson('bad $geoWithin value; $centerSphere distance invalid');
  }
  return { kind: 'withinSphere', path, center, radius };
}

/** `$geoIntersects: {"$point": GeoPoint}` on a Polygon field. */
export function parseGeoIntersects(path: FieldPath, operand: unknown): Condition {
  const point = isPlainObject(operand) ? geoPointJson(operand['$point']) : undefined;
  if (point === undefined) throw invalidJson('bad $geoIntersect value; $point should be GeoPoint');
  return { kind: 'polygonContains', path, point };
}
