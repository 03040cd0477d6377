import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

type Json = Record<string, unknown>;
const where = (w: unknown): string => encodeURIComponent(JSON.stringify(w));
const point = (latitude: number, longitude: number): Json => ({ __type: 'GeoPoint', latitude, longitude });

/** Geo queries and full-text search over real HTTP (SQLite): wire forms, ordering, count, `$score`, errors. */
describe('REST geo and text queries (SQLite)', () => {
  let server: TestServer;
  const find = async (className: string, query: string): Promise<{ status: number; body: Json }> => {
    const res = await server.call({ path: `/classes/${className}?${query}` });
    return { status: res.status, body: res.body as Json };
  };
  const names = (body: Json): unknown[] => (body['results'] as Json[]).map((r) => r['name']);

  before(async () => {
    server = await startTestServer();
    const places: Array<[string, Json | undefined]> = [
      ['origin', point(0, 0)],
      ['east', point(0, 1)],
      ['far east', point(0, 2)],
      ['north', point(1.5, 0)],
      ['nowhere', undefined],
    ];
    for (const [name, location] of places) {
      const res = await server.call({
        method: 'POST',
        path: '/classes/Place',
        body: location === undefined ? { name } : { name, location },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    const area = {
      __type: 'Polygon',
      coordinates: [
        [0, 0],
        [0, 2],
        [2, 2],
        [2, 0],
      ],
    };
    await server.call({ method: 'POST', path: '/classes/Area', body: { name: 'square', bounds: area } });
    for (const title of ['coffee shop', 'Coffee coffee beans', 'green tea', 'bicycles', 'gardens', 'markets']) {
      await server.call({ method: 'POST', path: '/classes/Doc', body: { name: title, title } });
    }
  });
  after(() => server.close());

  it('$nearSphere orders by distance, with $maxDistanceInKilometers, limit and count', async () => {
    const all = await find('Place', `where=${where({ location: { $nearSphere: point(0, 0) } })}`);
    assert.equal(all.status, 200);
    assert.deepEqual(names(all.body), ['origin', 'east', 'north', 'far east']);
    const near = { location: { $nearSphere: point(0, 0), $maxDistanceInKilometers: 200 } };
    const limited = await find('Place', `where=${where(near)}&limit=2&count=1`);
    assert.deepEqual(limited.body, {
      results: (limited.body['results'] as Json[]).slice(0, 2),
      count: 3,
    });
    assert.deepEqual(names(limited.body), ['origin', 'east']);
    const miles = await find(
      'Place',
      `where=${where({ location: { $nearSphere: point(0, 0), $maxDistanceInMiles: 100 } })}`,
    );
    assert.deepEqual(names(miles.body), ['origin', 'east']);
    const ordered = await find('Place', `where=${where(near)}&order=-name`);
    assert.deepEqual(names(ordered.body), ['origin', 'north', 'east']);
  });

  it('$within $box, $geoWithin $polygon / $centerSphere and $geoIntersects', async () => {
    const box = { location: { $within: { $box: [point(0, 0), point(1, 1)] } } };
    assert.deepEqual(names((await find('Place', `where=${where(box)}&order=name`)).body), ['east', 'origin']);
    const polygon = {
      location: { $geoWithin: { $polygon: [point(-1, -1), point(-1, 1.5), point(2, 1.5), point(2, -1)] } },
    };
    assert.deepEqual(names((await find('Place', `where=${where(polygon)}&order=name`)).body), [
      'east',
      'north',
      'origin',
    ]);
    const sphere = { location: { $geoWithin: { $centerSphere: [[2, 0], 0.01] } } };
    assert.deepEqual(names((await find('Place', `where=${where(sphere)}`)).body), ['far east']);
    const inside = { bounds: { $geoIntersects: { $point: point(1, 1) } } };
    assert.deepEqual(names((await find('Area', `where=${where(inside)}`)).body), ['square']);
    const outside = { bounds: { $geoIntersects: { $point: point(3, 3) } } };
    assert.deepEqual(names((await find('Area', `where=${where(outside)}`)).body), []);
  });

  it('$text with order=$score and keys=$score', async () => {
    const search = { title: { $text: { $search: { $term: 'coffee' } } } };
    const res = await find('Doc', `where=${where(search)}&order=$score&keys=name,$score`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const results = res.body['results'] as Json[];
    assert.deepEqual(names(res.body), ['Coffee coffee beans', 'coffee shop']);
    for (const result of results) {
      assert.deepEqual(Object.keys(result).sort(), ['createdAt', 'name', 'objectId', 'score', 'updatedAt']);
      assert.equal(typeof result['score'], 'number');
    }
    assert.ok((results[0]?.['score'] as number) > (results[1]?.['score'] as number));
    const counted = await find('Doc', `where=${where(search)}&count=1&limit=0`);
    assert.deepEqual(counted.body, { results: [], count: 2 });
  });

  it('errors: malformed operands 107, bad points 111, misplaced or unsupported search 102', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['Place', { location: { $nearSphere: 'here' } }, 107, 'bad $nearSphere value; it should be a GeoPoint'],
      ['Place', { location: { $nearSphere: point(100, 0) } }, 111, 'GeoPoint latitude out of bounds: 100'],
      ['Place', { location: { $within: { $box: [point(0, 0)] } } }, 107, 'malformatted $within arg'],
      [
        'Place',
        { $or: [{ location: { $nearSphere: point(0, 0) } }, { name: 'x' }] },
        102,
        '$nearSphere is not allowed inside $or.',
      ],
      ['Doc', { title: { $text: { $search: { $term: 3 } } } }, 107, 'bad $text: $term, should be string'],
      [
        'Doc',
        { title: { $text: { $search: { $term: 'x', $caseSensitive: true } } } },
        102,
        '$caseSensitive: true is not supported by the SQLite full-text search (it is case-insensitive).',
      ],
    ];
    for (const [className, w, code, error] of cases) {
      const res = await find(className, `where=${where(w)}`);
      assert.equal(res.status, 400, JSON.stringify(w));
      assert.deepEqual(res.body, { code, error });
    }
    const scoreWithoutText = await find('Doc', 'order=$score');
    assert.deepEqual(scoreWithoutText.body, { code: 102, error: '$score can only be used with a $text query.' });
  });
});
