import type { Document } from 'mongodb';
import type { Condition, LatLng, SortKey } from '../../../query/index.js';
import { SCORE_FIELD, SCORE_KEY, isScoreSort, searchOf } from '../../../query/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import { projectionFor } from './document.js';
import { storedPath } from './keys.js';

/**
 * Geo and full-text conditions → MongoDB operators, as parse-server writes them (spec/mongo-layout.md
 * §2.8): GeoPoints are stored `[longitude, latitude]`, so `$nearSphere` / `$box` / `$polygon` /
 * `$centerSphere` take legacy coordinate pairs (answered by the lazily created `2d` index), Polygon fields
 * are GeoJSON (`$geoIntersects` with a GeoJSON point, `2dsphere`), and `$text` is a top-level operator
 * answered by the collection's one text index. Also the `$meta: "textScore"` sort and projection.
 */

export type GeoTextCondition = Extract<
  Condition,
  { kind: 'nearSphere' | 'withinBox' | 'withinPolygon' | 'withinSphere' | 'polygonContains' | 'text' }
>;

function pair(point: LatLng): [number, number] {
  return [point.longitude, point.latitude];
}

export function geoTextFilter(schema: ClassSchema, condition: GeoTextCondition): Document {
  if (condition.kind === 'text') {
    const search: Document = { $search: condition.term };
    if (condition.language !== undefined) search['$language'] = condition.language;
    if (condition.caseSensitive) search['$caseSensitive'] = true;
    if (condition.diacriticSensitive) search['$diacriticSensitive'] = true;
    return { $text: search };
  }
  const key = storedPath(schema, condition.path);
  switch (condition.kind) {
    case 'nearSphere':
      return {
        [key]: {
          $nearSphere: pair(condition.point),
          ...(condition.maxDistance === undefined ? {} : { $maxDistance: condition.maxDistance }),
        },
      };
    case 'withinBox': {
      const { southwest: a, northeast: b } = condition;
      const low = { latitude: Math.min(a.latitude, b.latitude), longitude: Math.min(a.longitude, b.longitude) };
      const high = { latitude: Math.max(a.latitude, b.latitude), longitude: Math.max(a.longitude, b.longitude) };
      return { [key]: { $within: { $box: [pair(low), pair(high)] } } };
    }
    case 'withinPolygon':
      return { [key]: { $geoWithin: { $polygon: condition.vertices.map(pair) } } };
    case 'withinSphere':
      return { [key]: { $geoWithin: { $centerSphere: [pair(condition.center), condition.radius] } } };
    case 'polygonContains':
      return { [key]: { $geoIntersects: { $geometry: { type: 'Point', coordinates: pair(condition.point) } } } };
  }
}

const TEXT_SCORE = { $meta: 'textScore' } as const;

/**
 * The sort document, with `$score` as `{score: {$meta: "textScore"}}` (always best match first, as
 * parse-server sends it whatever the direction); `undefined` for no sort.
 */
export function sortDocument(schema: ClassSchema, sort: readonly SortKey[] | undefined): Document | undefined {
  if (sort === undefined || sort.length === 0) return undefined;
  const document: Document = {};
  for (const key of sort) {
    if (isScoreSort(key)) document[SCORE_FIELD] = TEXT_SCORE;
    else document[storedPath(schema, key.path)] = key.direction;
  }
  return document;
}

/**
 * The find projection for `keys`, where `$score` (with a `$text` condition) adds the relevance as `score`
 * (`{$meta: "textScore"}` alone keeps every field, so it also works without other keys).
 */
export function searchProjection(
  schema: ClassSchema,
  query: { keys: readonly string[] | undefined; where: Condition },
): Document | undefined {
  const { keys, where } = query;
  if (keys === undefined || !keys.includes(SCORE_KEY)) return projectionFor(schema, keys);
  const base = projectionFor(
    schema,
    keys.filter((key) => key !== SCORE_KEY),
  );
  return searchOf(where).text === undefined ? base : { ...base, [SCORE_FIELD]: TEXT_SCORE };
}
