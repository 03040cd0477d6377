import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import { GeoPoint } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { Condition } from './ast.js';
import { parseWhere } from './parse-where.js';
import { assertSearchPlacement, searchOf, withoutDistanceOrder } from './search.js';

const schema: ClassSchema = {
  className: 'Place',
  fields: {
    objectId: { type: 'String' },
    title: { type: 'String' },
    location: { type: 'GeoPoint' },
    bounds: { type: 'Polygon' },
  },
};

const point = (latitude: number, longitude: number): Record<string, unknown> => ({
  __type: 'GeoPoint',
  latitude,
  longitude,
});

function parse(where: unknown): Condition {
  return parseWhere({ where, schema });
}

function expectError(where: unknown, code: number, message: string): void {
  assert.throws(
    () => assertSearchPlacement(parse(where)),
    (err: unknown) => {
      assert.ok(err instanceof ParseError, `expected ParseError, got ${String(err)}`);
      assert.equal(err.code, code);
      assert.equal(err.message, message);
      return true;
    },
  );
}

describe('parseWhere: geo operators', () => {
  it('$nearSphere alone, and with each $maxDistance unit in radians', () => {
    assert.deepEqual(parse({ location: { $nearSphere: point(30, -20) } }), {
      kind: 'nearSphere',
      path: ['location'],
      point: new GeoPoint(30, -20),
    });
    const cases: Array<[string, number, number]> = [
      ['$maxDistance', 0.5, 0.5],
      ['$maxDistanceInRadians', 0.25, 0.25],
      ['$maxDistanceInMiles', 3959, 1],
      ['$maxDistanceInKilometers', 637.1, 0.1],
    ];
    for (const [key, value, radians] of cases) {
      const parsed = parse({ location: { $nearSphere: point(1, 2), [key]: value } });
      assert.equal(parsed.kind, 'nearSphere');
      assert.ok(parsed.kind === 'nearSphere' && Math.abs((parsed.maxDistance ?? -1) - radians) < 1e-12, key);
    }
  });

  it('$within $box, $geoWithin $polygon (GeoPoints, [lng, lat] pairs, Polygon object) and $centerSphere', () => {
    assert.deepEqual(parse({ location: { $within: { $box: [point(1, 2), point(3, 4)] } } }), {
      kind: 'withinBox',
      path: ['location'],
      southwest: new GeoPoint(1, 2),
      northeast: new GeoPoint(3, 4),
    });
    const triangle = [new GeoPoint(0, 0), new GeoPoint(0, 10), new GeoPoint(10, 0)];
    const expected = { kind: 'withinPolygon', path: ['location'], vertices: triangle };
    assert.deepEqual(
      parse({ location: { $geoWithin: { $polygon: [point(0, 0), point(0, 10), point(10, 0)] } } }),
      expected,
    );
    assert.deepEqual(
      parse({
        location: {
          $geoWithin: {
            $polygon: [
              [0, 0],
              [10, 0],
              [0, 10],
            ],
          },
        },
      }),
      expected,
    );
    // parse-server reads a Polygon object's coordinates as [longitude, latitude] pairs here.
    const polygon = {
      __type: 'Polygon',
      coordinates: [
        [0, 0],
        [10, 0],
        [0, 10],
      ],
    };
    assert.deepEqual(parse({ location: { $geoWithin: { $polygon: polygon } } }), expected);
    assert.deepEqual(parse({ location: { $geoWithin: { $centerSphere: [[20, 10], 0.1] } } }), {
      kind: 'withinSphere',
      path: ['location'],
      center: new GeoPoint(10, 20),
      radius: 0.1,
    });
    assert.deepEqual(parse({ location: { $geoWithin: { $centerSphere: [point(10, 20), 0] } } }), {
      kind: 'withinSphere',
      path: ['location'],
      center: new GeoPoint(10, 20),
      radius: 0,
    });
  });

  it('$geoIntersects $point', () => {
    assert.deepEqual(parse({ bounds: { $geoIntersects: { $point: point(5, 6) } } }), {
      kind: 'polygonContains',
      path: ['bounds'],
      point: new GeoPoint(5, 6),
    });
  });

  it('malformed operands → 107, invalid coordinates → 111', () => {
    expectError({ location: { $nearSphere: [1, 2] } }, 107, 'bad $nearSphere value; it should be a GeoPoint');
    expectError({ location: { $nearSphere: point(1, 2), $maxDistance: 'far' } }, 107, 'bad $maxDistance value');
    expectError(
      { location: { $nearSphere: point(1, 2), $maxDistanceInMiles: -1 } },
      107,
      'bad $maxDistanceInMiles value',
    );
    expectError({ location: { $maxDistance: 1 } }, 107, '$maxDistance needs a $nearSphere constraint');
    expectError({ location: { $nearSphere: point(91, 0) } }, 111, 'GeoPoint latitude out of bounds: 91');
    expectError({ location: { $within: { $box: [point(1, 2)] } } }, 107, 'malformatted $within arg');
    expectError(
      { location: { $within: { $box: [point(1, 2), 5] } } },
      107,
      'bad $within value; $box needs two GeoPoints',
    );
    expectError(
      { location: { $within: { $box: [point(1, 2), point(1, 181)] } } },
      111,
      'GeoPoint longitude out of bounds: 181',
    );
    expectError({ location: { $geoWithin: {} } }, 107, 'bad $geoWithin value; use $polygon or $centerSphere');
    expectError(
      { location: { $geoWithin: { $polygon: [point(0, 0), point(1, 1)] } } },
      107,
      'bad $geoWithin value; $polygon should contain at least 3 GeoPoints',
    );
    expectError(
      { location: { $geoWithin: { $polygon: { __type: 'Polygon', coordinates: [[0, 0]] } } } },
      107,
      'bad $geoWithin value; Polygon.coordinates should contain at least 3 lon/lat pairs',
    );
    expectError(
      { location: { $geoWithin: { $polygon: 'square' } } },
      107,
      "bad $geoWithin value; $polygon should be Polygon object or Array of Parse.GeoPoint's",
    );
    expectError({ location: { $geoWithin: { $polygon: [[0, 0], [1, 1], 'x'] } } }, 107, 'bad $geoWithin value');
    expectError(
      {
        location: {
          $geoWithin: {
            $polygon: [
              [0, 0],
              [1, 1],
              [0, 95],
            ],
          },
        },
      },
      111,
      'GeoPoint latitude out of bounds: 95',
    );
    expectError(
      { location: { $geoWithin: { $centerSphere: [[0, 0]] } } },
      107,
      'bad $geoWithin value; $centerSphere should be an array of Parse.GeoPoint and distance',
    );
    expectError(
      { location: { $geoWithin: { $centerSphere: ['x', 1] } } },
      107,
      'bad $geoWithin value; $centerSphere geo point invalid',
    );
    expectError(
      { location: { $geoWithin: { $centerSphere: [[0, 0], -1] } } },
      107,
      'bad $geoWithin value; $centerSphere distance invalid',
    );
    expectError(
      { bounds: { $geoIntersects: { $point: [1, 2] } } },
      107,
      'bad $geoIntersect value; $point should be GeoPoint',
    );
  });
});

describe('parseWhere: $text', () => {
  it('parses $search with its options', () => {
    assert.deepEqual(parse({ title: { $text: { $search: { $term: 'daddy sauce' } } } }), {
      kind: 'text',
      path: ['title'],
      term: 'daddy sauce',
      caseSensitive: false,
      diacriticSensitive: false,
    });
    const search = { $term: 'x', $language: 'en', $caseSensitive: true, $diacriticSensitive: false };
    assert.deepEqual(parse({ title: { $text: { $search: search } } }), {
      kind: 'text',
      path: ['title'],
      term: 'x',
      language: 'en',
      caseSensitive: true,
      diacriticSensitive: false,
    });
  });

  it('malformed operands → 107', () => {
    expectError({ title: { $text: 'x' } }, 107, 'bad $text: $search, should be object');
    expectError({ title: { $text: { $search: { $term: 5 } } } }, 107, 'bad $text: $term, should be string');
    expectError({ title: { $text: { $search: {} } } }, 107, 'bad $text: $term, should be string');
    expectError(
      { title: { $text: { $search: { $term: 'x', $language: 1 } } } },
      107,
      'bad $text: $language, should be string',
    );
    expectError(
      { title: { $text: { $search: { $term: 'x', $caseSensitive: 'yes' } } } },
      107,
      'bad $text: $caseSensitive, should be boolean',
    );
    expectError(
      { title: { $text: { $search: { $term: 'x', $diacriticSensitive: 1 } } } },
      107,
      'bad $text: $diacriticSensitive, should be boolean',
    );
  });
});

describe('search placement', () => {
  const near = { location: { $nearSphere: point(0, 0) } };
  const text = { title: { $text: { $search: { $term: 'x' } } } };

  it('finds the top-level $nearSphere / $text, inside $and too', () => {
    assert.equal(searchOf(parse({ ...near, title: 'a' })).near?.kind, 'nearSphere');
    assert.equal(searchOf(parse({ $and: [text, { title: 'b' }] })).text?.kind, 'text');
    assert.deepEqual(searchOf(parse({ title: 'a' })), {});
  });

  it('refuses them under $or / $nor, twice, or together (102)', () => {
    expectError({ $or: [near, { title: 'a' }] }, 102, '$nearSphere is not allowed inside $or.');
    expectError({ $nor: [text] }, 102, '$text is not allowed inside $nor.');
    expectError({ $and: [near, near] }, 102, 'Only one $nearSphere is allowed in a query.');
    expectError({ ...near, ...text }, 102, '$text and $nearSphere cannot be used in the same query.');
  });

  it('counts turn $nearSphere into a sphere of its max distance (the whole sphere without one)', () => {
    const parsed = parse({ location: { $nearSphere: point(1, 2), $maxDistance: 0.3 }, title: 'a' });
    assert.deepEqual(withoutDistanceOrder(parsed), {
      kind: 'and',
      conditions: [
        { kind: 'withinSphere', path: ['location'], center: new GeoPoint(1, 2), radius: 0.3 },
        { kind: 'eq', path: ['title'], value: 'a' },
      ],
    });
    assert.deepEqual(withoutDistanceOrder(parse(near)), {
      kind: 'withinSphere',
      path: ['location'],
      center: new GeoPoint(0, 0),
      radius: Math.PI,
    });
  });
});
