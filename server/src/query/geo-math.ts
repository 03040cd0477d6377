import type { LatLng } from './ast.js';

/**
 * The geometry behind the geo conditions, shared by the in-memory matcher and the SQLite functions so
 * both give the same answers. Which model each test uses follows MongoDB:
 * - distances (`$nearSphere`, `$centerSphere`) are great-circle distances on a unit sphere, in radians,
 *   by the haversine formula (MongoDB's spherical distance for legacy points);
 * - `$box` and `$polygon` are MongoDB's legacy `2d` operators: planar, in the (longitude, latitude)
 *   plane, with the boundary included;
 * - a Polygon field holding a point (`$geoIntersects`) is `2dsphere` geometry: edges are great-circle
 *   arcs, boundary included.
 * The antimeridian is not special-cased for boxes and planar polygons (MongoDB's 2d plane does not wrap).
 */

const DEG = Math.PI / 180;

/** Great-circle distance between two points, in radians (haversine). */
export function sphericalDistance(a: LatLng, b: LatLng): number {
  const dLat = (b.latitude - a.latitude) * DEG;
  const dLng = (b.longitude - a.longitude) * DEG;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * DEG) * Math.cos(b.latitude * DEG) * Math.sin(dLng / 2) ** 2;
  return 2 * Math.asin(Math.sqrt(Math.min(1, h)));
}

/** Inside the rectangle spanned by two corners (whichever order they come in), edges included. */
export function inBox(point: LatLng, corners: { readonly southwest: LatLng; readonly northeast: LatLng }): boolean {
  const { southwest: a, northeast: b } = corners;
  return (
    point.latitude >= Math.min(a.latitude, b.latitude) &&
    point.latitude <= Math.max(a.latitude, b.latitude) &&
    point.longitude >= Math.min(a.longitude, b.longitude) &&
    point.longitude <= Math.max(a.longitude, b.longitude)
  );
}

/** On the planar segment a–b (x = longitude, y = latitude). */
function onPlanarSegment(p: LatLng, a: LatLng, b: LatLng): boolean {
  const cross =
    (b.longitude - a.longitude) * (p.latitude - a.latitude) - (b.latitude - a.latitude) * (p.longitude - a.longitude);
  if (Math.abs(cross) > 1e-12) return false;
  return inBox(p, { southwest: a, northeast: b });
}

/** Planar point-in-polygon (even-odd ray casting in the longitude/latitude plane), boundary included. */
export function inPlanarPolygon(point: LatLng, vertices: readonly LatLng[]): boolean {
  const n = vertices.length;
  if (n < 3) return false;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = vertices[i] as LatLng;
    const b = vertices[j] as LatLng;
    if (onPlanarSegment(point, a, b)) return true;
    if (a.latitude > point.latitude !== b.latitude > point.latitude) {
      const x = a.longitude + ((point.latitude - a.latitude) * (b.longitude - a.longitude)) / (b.latitude - a.latitude);
      if (point.longitude < x) inside = !inside;
    }
  }
  return inside;
}

/** Latitude (degrees) of the great circle through a and b at longitude `lng` (which lies between them). */
function greatCircleLatitude(a: LatLng, b: LatLng, lng: number): number {
  const span = Math.sin((b.longitude - a.longitude) * DEG);
  if (Math.abs(span) < 1e-15) return Math.max(a.latitude, b.latitude);
  const t =
    (Math.tan(a.latitude * DEG) * Math.sin((b.longitude - lng) * DEG) +
      Math.tan(b.latitude * DEG) * Math.sin((lng - a.longitude) * DEG)) /
    span;
  return Math.atan(t) / DEG;
}

/**
 * Spherical point-in-polygon: counts how many great-circle edges cross the meridian arc running north from
 * the point. Edges take the short way round (so a polygon may straddle the antimeridian); polygons holding
 * a pole are not supported (MongoDB refuses polygons larger than a hemisphere anyway). Vertices and points
 * on an edge count as inside.
 */
export function inSphericalPolygon(point: LatLng, vertices: readonly LatLng[]): boolean {
  const n = vertices.length;
  if (n < 3) return false;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = vertices[j] as LatLng;
    const b = vertices[i] as LatLng;
    if (a.latitude === point.latitude && a.longitude === point.longitude) return true;
    // Longitudes relative to the point, in (-180, 180]: the edge crosses the point's meridian when they
    // have different signs and the edge is not the long way round.
    const da = relativeLongitude(a.longitude - point.longitude);
    const db = relativeLongitude(b.longitude - point.longitude);
    if (da === 0 && db === 0) {
      // A meridian edge through the point's longitude: on it when the latitude lies between.
      if (point.latitude >= Math.min(a.latitude, b.latitude) && point.latitude <= Math.max(a.latitude, b.latitude))
        return true;
      continue;
    }
    if (da >= 0 === db >= 0 || Math.abs(da - db) > 180) continue;
    const crossing = greatCircleLatitude(
      { latitude: a.latitude, longitude: da },
      { latitude: b.latitude, longitude: db },
      0,
    );
    if (Math.abs(crossing - point.latitude) < 1e-9) return true;
    if (crossing > point.latitude) inside = !inside;
  }
  return inside;
}

function relativeLongitude(delta: number): number {
  let d = delta;
  while (d > 180) d -= 360;
  while (d <= -180) d += 360;
  return d;
}
