import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWhere, withoutDistanceOrder } from '../../../query/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import { toFilter } from './filter.js';
import { searchProjection, sortDocument } from './geo-text-filter.js';

/**
 * The MongoDB forms of geo and text conditions, exactly as spec/mongo-layout.md §2.8 lists them. FerretDB
 * cannot run them (see the storage conformance suite), so the translation is pinned here.
 */

const schema: ClassSchema = {
  className: 'Place',
  fields: { title: { type: 'String' }, loc: { type: 'GeoPoint' }, area: { type: 'Polygon' } },
};
const point = (latitude: number, longitude: number): Record<string, unknown> => ({
  __type: 'GeoPoint',
  latitude,
  longitude,
});
const filterOf = (where: unknown): unknown => toFilter(schema, parseWhere({ where, schema }));

describe('mongo dialect: geo and text filters', () => {
  it('$nearSphere with its max distance in radians, and its count form', () => {
    const where = { loc: { $nearSphere: point(10, 20), $maxDistanceInKilometers: 100 } };
    assert.deepEqual(filterOf(where), { loc: { $nearSphere: [20, 10], $maxDistance: 100 / 6371 } });
    assert.deepEqual(filterOf({ loc: { $nearSphere: point(10, 20) } }), { loc: { $nearSphere: [20, 10] } });
    const counted = toFilter(schema, withoutDistanceOrder(parseWhere({ where, schema })));
    assert.deepEqual(counted, { loc: { $geoWithin: { $centerSphere: [[20, 10], 100 / 6371] } } });
  });

  it('$within $box, $geoWithin $polygon / $centerSphere, $geoIntersects', () => {
    assert.deepEqual(filterOf({ loc: { $within: { $box: [point(1, 2), point(3, 4)] } } }), {
      loc: {
        $within: {
          $box: [
            [2, 1],
            [4, 3],
          ],
        },
      },
    });
    assert.deepEqual(filterOf({ loc: { $geoWithin: { $polygon: [point(0, 0), point(0, 10), point(10, 0)] } } }), {
      loc: {
        $geoWithin: {
          $polygon: [
            [0, 0],
            [10, 0],
            [0, 10],
          ],
        },
      },
    });
    assert.deepEqual(filterOf({ loc: { $geoWithin: { $centerSphere: [point(10, 20), 0.1] } } }), {
      loc: { $geoWithin: { $centerSphere: [[20, 10], 0.1] } },
    });
    assert.deepEqual(filterOf({ area: { $geoIntersects: { $point: point(10, 20) } } }), {
      area: { $geoIntersects: { $geometry: { type: 'Point', coordinates: [20, 10] } } },
    });
  });

  it('$text is top-level, with only the options given; $score sorts and projects by textScore', () => {
    assert.deepEqual(filterOf({ title: { $text: { $search: { $term: 'hello' } } } }), { $text: { $search: 'hello' } });
    const search = { $term: 'hello', $language: 'en', $caseSensitive: true, $diacriticSensitive: false };
    assert.deepEqual(filterOf({ title: { $text: { $search: search } } }), {
      $text: { $search: 'hello', $language: 'en', $caseSensitive: true },
    });
    const where = parseWhere({ where: { title: { $text: { $search: { $term: 'x' } } } }, schema });
    assert.deepEqual(
      sortDocument(schema, [
        { path: ['$score'], direction: 1 },
        { path: ['title'], direction: -1 },
      ]),
      { score: { $meta: 'textScore' }, title: -1 },
    );
    assert.deepEqual(searchProjection(schema, { keys: ['$score'], where })?.['score'], { $meta: 'textScore' });
    assert.deepEqual(searchProjection(schema, { keys: undefined, where }), undefined);
  });
});
