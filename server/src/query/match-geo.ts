import { GeoPoint, Polygon } from '../schema/index.js';
import type { Condition, LatLng } from './ast.js';
import { inBox, inPlanarPolygon, inSphericalPolygon, sphericalDistance } from './geo-math.js';

/**
 * The in-memory test of one stored value for a geo condition (LiveQuery's `$nearSphere`, `$within`,
 * `$geoWithin`, `$geoIntersects`); the geometry is `geo-math.ts`. Values that are not GeoPoints (or,
 * for `$geoIntersects`, Polygons) never match, as in MongoDB.
 */

export type GeoCondition = Extract<
  Condition,
  { kind: 'nearSphere' | 'withinBox' | 'withinPolygon' | 'withinSphere' | 'polygonContains' }
>;

export function geoTest(condition: GeoCondition): (value: unknown) => boolean {
  switch (condition.kind) {
    case 'nearSphere': {
      const { point, maxDistance } = condition;
      return (value) =>
        value instanceof GeoPoint && (maxDistance === undefined || sphericalDistance(point, value) <= maxDistance);
    }
    case 'withinSphere': {
      const { center, radius } = condition;
      return (value) => value instanceof GeoPoint && sphericalDistance(center, value) <= radius;
    }
    case 'withinBox':
      return (value) => value instanceof GeoPoint && inBox(value, condition);
    case 'withinPolygon': {
      const { vertices } = condition;
      return (value) => value instanceof GeoPoint && inPlanarPolygon(value, vertices);
    }
    case 'polygonContains': {
      const { point } = condition;
      return (value) => value instanceof Polygon && inSphericalPolygon(point, polygonVertices(value));
    }
  }
}

/** A Polygon value's ring (stored as `[latitude, longitude]` pairs) as points. */
export function polygonVertices(polygon: Polygon): LatLng[] {
  return polygon.coordinates.map(([latitude, longitude]) => ({ latitude, longitude }));
}
