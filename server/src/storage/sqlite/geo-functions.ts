import type Database from 'better-sqlite3';
import { inPlanarPolygon, inSphericalPolygon, sphericalDistance } from '../../query/index.js';
import type { LatLng } from '../../query/index.js';

/**
 * The SQL functions behind geo queries, registered on each connection. They run the same geometry as the
 * in-memory matcher (`query/geo-math.ts`), so SQLite and LiveQuery agree to the last bit:
 * - `geo_distance(lat1, lng1, lat2, lng2)`: great-circle distance in radians (haversine), NULL when a
 *   coordinate is not a number;
 * - `geo_in_polygon(lat, lng, vertices)`: MongoDB's planar `$polygon`; `vertices` is a JSON array of
 *   `[latitude, longitude]` pairs (a bound parameter, parsed once per distinct text);
 * - `geo_polygon_contains(polygon, lat, lng)`: a stored Polygon value (its JSON text) holds the point, with
 *   great-circle edges as MongoDB's `2dsphere` `$geoIntersects`.
 */

const MAX_CACHED_POLYGONS = 200;

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `[[lat, lng], ...]` → points; `undefined` when the text is not such a list. */
function parseVertices(value: unknown): LatLng[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const points: LatLng[] = [];
  for (const pair of value as unknown[]) {
    if (!Array.isArray(pair) || !isNumber(pair[0]) || !isNumber(pair[1])) return undefined;
    points.push({ latitude: pair[0], longitude: pair[1] });
  }
  return points;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function registerGeoFunctions(db: Database.Database): void {
  const polygons = new Map<string, LatLng[] | undefined>();
  const planarVertices = (text: unknown): LatLng[] | undefined => {
    if (typeof text !== 'string') return undefined;
    if (!polygons.has(text)) {
      if (polygons.size >= MAX_CACHED_POLYGONS) polygons.clear();
      polygons.set(text, parseVertices(parseJson(text)));
    }
    return polygons.get(text);
  };
  // Four coordinates: declared varargs (an SQL signature, not an options-object candidate).
  db.function('geo_distance', { varargs: true, deterministic: true }, (...args: unknown[]) => {
    const [lat1, lng1, lat2, lng2] = args;
    if (!isNumber(lat1) || !isNumber(lng1) || !isNumber(lat2) || !isNumber(lng2)) return null;
    return sphericalDistance({ latitude: lat1, longitude: lng1 }, { latitude: lat2, longitude: lng2 });
  });
  db.function('geo_in_polygon', { deterministic: true }, (lat, lng, vertices) => {
    const points = planarVertices(vertices);
    if (!isNumber(lat) || !isNumber(lng) || points === undefined) return 0;
    return inPlanarPolygon({ latitude: lat, longitude: lng }, points) ? 1 : 0;
  });
  db.function('geo_polygon_contains', { deterministic: true }, (polygon, lat, lng) => {
    if (!isNumber(lat) || !isNumber(lng)) return 0;
    const value = parseJson(polygon);
    const ring =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? parseVertices((value as Record<string, unknown>)['coordinates'])
        : undefined;
    if (ring === undefined) return 0;
    return inSphericalPolygon({ latitude: lat, longitude: lng }, ring) ? 1 : 0;
  });
}
