import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createMatcher } from '../../query/index.js';
import type { Condition, LatLng, SortKey } from '../../query/index.js';
import { GeoPoint, Polygon } from '../../schema/index.js';
import { classSchema, orderedIds, skipUnsupported, sortedIds, stored, useStorage } from './harness.js';
import type { StorageConformanceOptions } from './harness.js';

/**
 * Geo conditions (`nearSphere`, `withinBox`, `withinPolygon`, `withinSphere`, `polygonContains`) and
 * full-text search (`text`, `$score` sort and key). Each geo case is also run through the in-memory
 * matcher, so storage and LiveQuery are checked against the same expectations.
 */

const PLACES = classSchema('GeoPlace', { name: { type: 'String' }, location: { type: 'GeoPoint' } });
const AREAS = classSchema('GeoArea', { name: { type: 'String' }, bounds: { type: 'Polygon' } });
const DOCS = classSchema('TextDoc', { title: { type: 'String' }, n: { type: 'Number' } });

const at = (latitude: number, longitude: number): GeoPoint => new GeoPoint(latitude, longitude);
const ORIGIN: LatLng = { latitude: 0, longitude: 0 };
const RAD = Math.PI / 180;

// Distances from the origin: p1 1°, p3 1.5°, p2 2°, p5 ≈7.07°, p4 ≈14.1°.
const PLACE_OBJECTS = [
  stored('p0', { name: 'e origin', location: at(0, 0) }),
  stored('p1', { name: 'b east', location: at(0, 1) }),
  stored('p2', { name: 'a far east', location: at(0, 2) }),
  stored('p3', { name: 'd north', location: at(1.5, 0) }),
  stored('p4', { name: 'f far', location: at(10, 10) }),
  stored('p5', { name: 'c south west', location: at(-5, -5) }),
  stored('p6', { name: 'g nowhere' }),
  stored('p7', { name: 'h diagonal', location: at(1, 1) }),
];

const near = (extra: { maxDistance?: number } = {}): Condition => ({
  kind: 'nearSphere',
  path: ['location'],
  point: ORIGIN,
  ...extra,
});

/** [description, condition, expected objectIds (sorted)] */
const GEO_CASES: ReadonlyArray<readonly [string, Condition, readonly string[]]> = [
  ['nearSphere without a limit: every object with a point', near(), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p7']],
  ['nearSphere within 200 km (÷6371)', near({ maxDistance: 200 / 6371 }), ['p0', 'p1', 'p3', 'p7']],
  ['nearSphere within 1.2°', near({ maxDistance: 1.2 * RAD }), ['p0', 'p1']],
  ['nearSphere within 0 radians: only the point itself', near({ maxDistance: 0 }), ['p0']],
  [
    'withinBox: corners and edges are inside',
    { kind: 'withinBox', path: ['location'], southwest: at(0, 0), northeast: at(1, 1) },
    ['p0', 'p1', 'p7'],
  ],
  [
    'withinBox with swapped corners is the same box',
    { kind: 'withinBox', path: ['location'], southwest: at(1, 1), northeast: at(0, 0) },
    ['p0', 'p1', 'p7'],
  ],
  [
    'withinPolygon (planar): vertices and edge points inside',
    // Triangle (lat, lng) (0,0) (0,2) (2,0): p7 (1,1) lies on the planar hypotenuse lat + lng = 2.
    { kind: 'withinPolygon', path: ['location'], vertices: [at(0, 0), at(0, 2), at(2, 0)] },
    ['p0', 'p1', 'p2', 'p3', 'p7'],
  ],
  [
    'withinPolygon around the south-west point only',
    { kind: 'withinPolygon', path: ['location'], vertices: [at(-6, -6), at(-6, -4), at(-4, -4), at(-4, -6)] },
    ['p5'],
  ],
  [
    'withinSphere of 1.6°',
    { kind: 'withinSphere', path: ['location'], center: ORIGIN, radius: 1.6 * RAD },
    ['p0', 'p1', 'p3', 'p7'],
  ],
  [
    'withinSphere around another center',
    { kind: 'withinSphere', path: ['location'], center: { latitude: 10, longitude: 10 }, radius: 0.01 },
    ['p4'],
  ],
  [
    'geo condition and another condition',
    { kind: 'and', conditions: [near({ maxDistance: 3 * RAD }), { kind: 'eq', path: ['name'], value: 'a far east' }] },
    ['p2'],
  ],
];

const square = (latitude: number, longitude: number, size: number): Polygon =>
  new Polygon([
    [latitude, longitude],
    [latitude, longitude + size],
    [latitude + size, longitude + size],
    [latitude + size, longitude],
    [latitude, longitude],
  ]);

const AREA_OBJECTS = [
  stored('a1', { name: 'square', bounds: square(0, 0, 2) }),
  stored('a2', { name: 'far square', bounds: square(40, 40, 1) }),
  stored('a3', { name: 'overlapping', bounds: square(1, 1, 2) }),
  stored('a4', { name: 'no bounds' }),
];

const contains = (latitude: number, longitude: number): Condition => ({
  kind: 'polygonContains',
  path: ['bounds'],
  point: { latitude, longitude },
});

const AREA_CASES: ReadonlyArray<readonly [string, Condition, readonly string[]]> = [
  ['polygonContains an inner point', contains(0.5, 0.5), ['a1']],
  ['polygonContains a point in two polygons', contains(1.5, 1.5), ['a1', 'a3']],
  ['polygonContains a point in none', contains(-1, -1), []],
  ['polygonContains far away', contains(40.5, 40.5), ['a2']],
];

const TEXT_OBJECTS = [
  stored('d1', { title: 'coffee shop downtown', n: 1 }),
  stored('d2', { title: 'Coffee coffee COFFEE beans', n: 2 }),
  stored('d3', { title: 'tea house', n: 3 }),
  stored('d4', { title: 'Crème brûlée café', n: 4 }),
  stored('d5', { title: 'espresso and coffee-roasting workshops for everyone here', n: 5 }),
  stored('d6', { title: 'the daddy sauces', n: 6 }),
  stored('d7', { n: 7 }),
  stored('d8', { title: 'bicycle repairs', n: 8 }),
  stored('d9', { title: 'garden tools', n: 9 }),
  stored('d10', { title: 'sunday market', n: 10 }),
];

const text = (term: string): Condition => ({
  kind: 'text',
  path: ['title'],
  term,
  caseSensitive: false,
  diacriticSensitive: false,
});

const TEXT_CASES: ReadonlyArray<readonly [string, Condition, readonly string[]]> = [
  ['text: one word, any case', text('coffee'), ['d1', 'd2', 'd5']],
  ['text: words match any of them', text('tea espresso'), ['d3', 'd5']],
  ['text: diacritics are ignored', text('creme CAFE'), ['d4']],
  ['text: English stemming', text('sauce'), ['d6']],
  ['text: a quoted phrase must appear', text('"coffee shop"'), ['d1']],
  ['text: -word excludes', text('coffee -beans'), ['d1', 'd5']],
  ['text: nothing matches', text('zebra'), []],
  [
    'text and another condition',
    { kind: 'and', conditions: [text('coffee'), { kind: 'compare', path: ['n'], op: 'gte', value: 2 }] },
    ['d2', 'd5'],
  ],
];

const SCORE_SORT: SortKey = { path: ['$score'], direction: 1 };

export function geoTextTests(options: StorageConformanceOptions): void {
  describe('geo conditions', () => {
    const storage = useStorage(options);
    before(async () => {
      if (options.unsupported?.geoQueries !== undefined) return;
      await storage().createClass(PLACES);
      for (const object of PLACE_OBJECTS) await storage().insert({ schema: PLACES, object });
      await storage().createClass(AREAS);
      for (const object of AREA_OBJECTS) await storage().insert({ schema: AREAS, object });
    });

    const cases = [
      ...GEO_CASES.map((c) => [PLACES, PLACE_OBJECTS, ...c] as const),
      ...AREA_CASES.map((c) => [AREAS, AREA_OBJECTS, ...c] as const),
    ];
    for (const [schema, objects, name, where, expected] of cases) {
      it(name, async (t) => {
        assert.deepEqual(sortedIds(objects.filter(createMatcher(where))), expected, 'in-memory matcher');
        if (skipUnsupported(options, 'geoQueries', t)) return;
        assert.deepEqual(sortedIds(await storage().find({ schema, where })), expected);
        assert.equal(await storage().count({ schema, where }), expected.length);
      });
    }

    it('nearSphere sorts nearest first when no order is given, and limit applies', async (t) => {
      if (skipUnsupported(options, 'geoQueries', t)) return;
      const all = await storage().find({ schema: PLACES, where: near() });
      assert.deepEqual(orderedIds(all), ['p0', 'p1', 'p7', 'p3', 'p2', 'p5', 'p4']);
      const two = await storage().find({ schema: PLACES, where: near({ maxDistance: 200 / 6371 }), limit: 2 });
      assert.deepEqual(orderedIds(two), ['p0', 'p1']);
      const skipped = await storage().find({ schema: PLACES, where: near(), skip: 5, limit: 5 });
      assert.deepEqual(orderedIds(skipped), ['p5', 'p4']);
    });

    it('nearSphere from another point orders by distance from it', async (t) => {
      if (skipUnsupported(options, 'geoQueries', t)) return;
      const where: Condition = { kind: 'nearSphere', path: ['location'], point: { latitude: -4, longitude: -4 } };
      const found = await storage().find({ schema: PLACES, where, limit: 3 });
      assert.deepEqual(orderedIds(found), ['p5', 'p0', 'p1']);
    });

    it('an explicit order wins over the distance', async (t) => {
      if (skipUnsupported(options, 'geoQueries', t)) return;
      const found = await storage().find({
        schema: PLACES,
        where: near({ maxDistance: 200 / 6371 }),
        sort: [{ path: ['name'], direction: 1 }],
      });
      assert.deepEqual(orderedIds(found), ['p1', 'p3', 'p0', 'p7']);
    });

    it('geo conditions on an object without the field or on another class match nothing', async (t) => {
      if (skipUnsupported(options, 'geoQueries', t)) return;
      const onName: Condition = { kind: 'withinSphere', path: ['name'], center: ORIGIN, radius: 1 };
      assert.deepEqual(await storage().find({ schema: PLACES, where: onName }), []);
      const onMissing: Condition = { kind: 'nearSphere', path: ['nowhere'], point: ORIGIN, maxDistance: 1 };
      assert.deepEqual(await storage().find({ schema: PLACES, where: onMissing }), []);
    });
  });

  describe('full-text search', () => {
    const storage = useStorage(options);
    before(async () => {
      if (options.unsupported?.textSearch !== undefined) return;
      await storage().createClass(DOCS);
      for (const object of TEXT_OBJECTS) await storage().insert({ schema: DOCS, object });
    });

    for (const [name, where, expected] of TEXT_CASES) {
      it(name, async (t) => {
        assert.deepEqual(sortedIds(TEXT_OBJECTS.filter(createMatcher(where))), [], 'text never matches in memory');
        if (skipUnsupported(options, 'textSearch', t)) return;
        assert.deepEqual(sortedIds(await storage().find({ schema: DOCS, where })), expected);
        assert.equal(await storage().count({ schema: DOCS, where }), expected.length);
      });
    }

    it('$score sorts best match first (either direction) and keys=$score returns it', async (t) => {
      if (skipUnsupported(options, 'textSearch', t)) return;
      const where = text('coffee');
      const ranked = await storage().find({ schema: DOCS, where, sort: [SCORE_SORT], keys: ['title', '$score'] });
      assert.deepEqual(orderedIds(ranked), ['d2', 'd1', 'd5']);
      const scores = ranked.map((object) => object.fields['score']);
      for (const score of scores) assert.equal(typeof score, 'number');
      const [first, second, third] = scores as number[];
      assert.ok(first !== undefined && second !== undefined && third !== undefined);
      assert.ok(first > second && second > third && third > 0, `scores ${scores.join(', ')}`);
      assert.deepEqual(Object.keys(ranked[0]?.fields ?? {}).sort(), ['score', 'title']);
      const descending = await storage().find({ schema: DOCS, where, sort: [{ path: ['$score'], direction: -1 }] });
      assert.deepEqual(orderedIds(descending), ['d2', 'd1', 'd5']);
      const limited = await storage().find({ schema: DOCS, where, sort: [SCORE_SORT], limit: 1 });
      assert.deepEqual(orderedIds(limited), ['d2']);
    });

    it('the index follows inserts, updates and deletes', async (t) => {
      if (skipUnsupported(options, 'textSearch', t)) return;
      const schema = classSchema('TextSync', { title: { type: 'String' } });
      await storage().createClass(schema);
      await storage().insert({ schema, object: stored('s1', { title: 'green tea' }) });
      await storage().insert({ schema, object: stored('s2', { title: 'black coffee' }) });
      await storage().insert({ schema, object: stored('s3', { title: 'apple pie' }) });
      assert.deepEqual(sortedIds(await storage().find({ schema, where: text('tea') })), ['s1']);
      await storage().insert({ schema, object: stored('s4', { title: 'tea for two' }) });
      const update = { fields: { title: { op: 'set', value: 'iced tea' } }, updatedAt: new Date() } as const;
      await storage().updateOne({ schema, where: { kind: 'eq', path: ['objectId'], value: 's2' }, update });
      await storage().deleteMany({ schema, where: { kind: 'eq', path: ['objectId'], value: 's1' } });
      assert.deepEqual(sortedIds(await storage().find({ schema, where: text('tea') })), ['s2', 's4']);
      await storage().deleteReturning({ schema, where: { kind: 'eq', path: ['objectId'], value: 's4' } });
      assert.deepEqual(sortedIds(await storage().find({ schema, where: text('tea') })), ['s2']);
      assert.deepEqual(await storage().find({ schema, where: text('coffee') }), []);
    });
  });
}
