import type { Condition, FieldPath, LatLng } from '../../query/index.js';
import { literal } from './names.js';

/**
 * Geo conditions → SQL. GeoPoints are JSON text (`{"__type":"GeoPoint","latitude":…,"longitude":…}`) in
 * their column; every test first narrows by a latitude/longitude range on
 * `json_extract(<column>, '$.latitude' | '$.longitude')`, the exact expressions of the index
 * `ensureGeoIndex` builds, so SQLite can answer the range from that index, and then applies the exact
 * test with the SQL functions of `geo-functions.ts` (haversine distance, planar polygon, spherical
 * polygon), which share their geometry with the in-memory matcher.
 */

export type GeoCondition = Extract<
  Condition,
  { kind: 'nearSphere' | 'withinBox' | 'withinPolygon' | 'withinSphere' | 'polygonContains' }
>;

/** Where a value sits as JSON: `doc` is an SQL expression (a column), `path` a JSON path into it. */
export interface JsonSlot {
  readonly doc: string;
  readonly path: string;
}

export interface GeoSqlTools {
  readonly bind: (value: unknown) => string;
  /** The JSON slot of the value at `path`, or `undefined` when the path is a typed (non-JSON) column. */
  readonly jsonSlot: (path: FieldPath) => JsonSlot | undefined;
}

const DEG = 180 / Math.PI;
/** Widens every prefilter a little so rounding can never drop a point the exact test accepts. */
const MARGIN = 1e-9;

/** The SQL for one coordinate of the GeoPoint in a slot (the same text as the index expression). */
export function coordinateSql(slot: JsonSlot, coordinate: 'latitude' | 'longitude'): string {
  return `json_extract(${slot.doc}, ${literal(`${slot.path}.${coordinate}`)})`;
}

interface Bounds {
  readonly minLat: number;
  readonly maxLat: number;
  /** Absent when every longitude may qualify (near a pole, or across the antimeridian). */
  readonly minLng?: number;
  readonly maxLng?: number;
}

/** A latitude/longitude rectangle containing the spherical cap of `radius` radians around `center`. */
function capBounds(center: LatLng, radius: number): Bounds {
  const spread = radius * DEG;
  const minLat = center.latitude - spread;
  const maxLat = center.latitude + spread;
  if (minLat <= -90 || maxLat >= 90) return { minLat: Math.max(-90, minLat), maxLat: Math.min(90, maxLat) };
  const ratio = Math.sin(radius) / Math.cos(center.latitude / DEG);
  if (ratio >= 1) return { minLat, maxLat };
  const lngSpread = Math.asin(ratio) * DEG;
  const minLng = center.longitude - lngSpread;
  const maxLng = center.longitude + lngSpread;
  if (minLng < -180 || maxLng > 180) return { minLat, maxLat };
  return { minLat, maxLat, minLng, maxLng };
}

function rangeSql(slot: JsonSlot, bounds: Bounds, tools: GeoSqlTools): string {
  const lat = coordinateSql(slot, 'latitude');
  const lng = coordinateSql(slot, 'longitude');
  const parts = [`${lat} BETWEEN ${tools.bind(bounds.minLat - MARGIN)} AND ${tools.bind(bounds.maxLat + MARGIN)}`];
  if (bounds.minLng !== undefined && bounds.maxLng !== undefined) {
    parts.push(`${lng} BETWEEN ${tools.bind(bounds.minLng - MARGIN)} AND ${tools.bind(bounds.maxLng + MARGIN)}`);
  } else {
    parts.push(`${lng} IS NOT NULL`);
  }
  return parts.join(' AND ');
}

/** `geo_distance` from `center` to the GeoPoint in the slot, in radians. */
export function distanceSql(slot: JsonSlot, center: LatLng, tools: GeoSqlTools): string {
  return `geo_distance(${tools.bind(center.latitude)}, ${tools.bind(center.longitude)}, ${coordinateSql(slot, 'latitude')}, ${coordinateSql(slot, 'longitude')})`;
}

function withinCap(slot: JsonSlot, cap: { center: LatLng; radius: number }, tools: GeoSqlTools): string {
  const range = rangeSql(slot, capBounds(cap.center, cap.radius), tools);
  return `(${range} AND ${distanceSql(slot, cap.center, tools)} <= ${tools.bind(cap.radius)})`;
}

function boundsOf(points: readonly LatLng[]): Bounds {
  const lats = points.map((p) => p.latitude);
  const lngs = points.map((p) => p.longitude);
  return { minLat: Math.min(...lats), maxLat: Math.max(...lats), minLng: Math.min(...lngs), maxLng: Math.max(...lngs) };
}

export function geoSql(condition: GeoCondition, tools: GeoSqlTools): string {
  const slot = tools.jsonSlot(condition.path);
  if (slot === undefined) return '0';
  switch (condition.kind) {
    case 'nearSphere':
      if (condition.maxDistance === undefined) {
        const range = rangeSql(slot, { minLat: -90, maxLat: 90 }, tools);
        return `(${range} AND ${isGeoPointSql(slot)})`;
      }
      return withinCap(slot, { center: condition.point, radius: condition.maxDistance }, tools);
    case 'withinSphere':
      return withinCap(slot, { center: condition.center, radius: condition.radius }, tools);
    case 'withinBox':
      return `(${rangeSql(slot, boundsOf([condition.southwest, condition.northeast]), tools)})`;
    case 'withinPolygon': {
      const vertices = JSON.stringify(condition.vertices.map((p) => [p.latitude, p.longitude]));
      const range = rangeSql(slot, boundsOf(condition.vertices), tools);
      return `(${range} AND geo_in_polygon(${coordinateSql(slot, 'latitude')}, ${coordinateSql(slot, 'longitude')}, ${tools.bind(vertices)}))`;
    }
    case 'polygonContains':
      return `geo_polygon_contains(json_extract(${slot.doc}, ${literal(slot.path)}), ${tools.bind(condition.point.latitude)}, ${tools.bind(condition.point.longitude)})`;
  }
}

/** A GeoPoint value (not just any object with coordinates) sits in the slot. */
function isGeoPointSql(slot: JsonSlot): string {
  return `json_extract(${slot.doc}, ${literal(`${slot.path}.__type`)}) = 'GeoPoint'`;
}
