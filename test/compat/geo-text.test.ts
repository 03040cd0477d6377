// Geo queries and full-text search from the official Parse JS SDK: near, withinKilometers / withinMiles /
// withinRadians (sorted → $nearSphere + $maxDistance, unsorted → $geoWithin $centerSphere), withinGeoBox,
// withinPolygon, polygonContains, fullText with ascending('$score') and select('$score'). Runs against
// every target of `compatTargets()`; FerretDB 1.x has no geo or text operators (declared in the storage
// conformance suite as geoQueries / textSearch and covered on SQLite), so the MongoDB target skips.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compatTargets, expectParseError, uniqueClassName, useParse } from '../helpers/index.js';
import type { CompatTarget, ParseSDK } from '../helpers/index.js';

type ParseQuery = InstanceType<ParseSDK['Query']>;

const FERRETDB_GAP = 'FerretDB 1.24 implements no geo operators, no $text and cannot store Polygons';

for (const spec of compatTargets()) {
  describe(`parse SDK geo and text queries [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let Parse: ParseSDK;
    const Place = uniqueClassName('Place');
    const Area = uniqueClassName('Area');
    const Doc = uniqueClassName('Doc');
    // Set for FerretDB (the in-process helper flags it through `nestedArraysUnsupported`), not for MongoDB.
    let unsupported = false;

    const names = async (query: ParseQuery): Promise<string[]> =>
      (await query.find()).map((object) => object.get('name') as string);
    const sortedNames = async (query: ParseQuery): Promise<string[]> => (await names(query)).sort();
    const origin = (): InstanceType<ParseSDK['GeoPoint']> => new Parse.GeoPoint(0, 0);

    before(async () => {
      target = await spec.start();
      Parse = useParse(target);
      unsupported = target.nestedArraysUnsupported !== undefined;
      if (unsupported) return;
      const make = (className: string, fields: Record<string, unknown>): InstanceType<ParseSDK['Object']> => {
        const object = new Parse.Object(className);
        object.set(fields);
        return object;
      };
      // Distances from (0, 0): east 1°, diagonal ≈1.41°, north 1.5°, far east 2°, south west ≈7.07°.
      await Parse.Object.saveAll([
        make(Place, { name: 'origin', location: new Parse.GeoPoint(0, 0) }),
        make(Place, { name: 'east', location: new Parse.GeoPoint(0, 1) }),
        make(Place, { name: 'diagonal', location: new Parse.GeoPoint(1, 1) }),
        make(Place, { name: 'north', location: new Parse.GeoPoint(1.5, 0) }),
        make(Place, { name: 'far east', location: new Parse.GeoPoint(0, 2) }),
        make(Place, { name: 'south west', location: new Parse.GeoPoint(-5, -5) }),
        make(Place, { name: 'nowhere' }),
      ]);
      const square = (lat: number, lng: number): InstanceType<ParseSDK['Polygon']> =>
        new Parse.Polygon([
          [lat, lng],
          [lat, lng + 2],
          [lat + 2, lng + 2],
          [lat + 2, lng],
        ]);
      await Parse.Object.saveAll([
        make(Area, { name: 'home', bounds: square(0, 0) }),
        make(Area, { name: 'away', bounds: square(40, 40) }),
      ]);
      await Parse.Object.saveAll(
        [
          'coffee shop downtown',
          'Coffee coffee COFFEE beans',
          'espresso and coffee-roasting workshops for everyone here',
          'green tea house',
          'Crème brûlée café',
          'bicycle repairs',
          'garden tools',
          'sunday market',
        ].map((title) => make(Doc, { name: title, title })),
      );
    });
    after(async () => {
      await target?.close();
    });

    it('near sorts by distance; limit applies', async (t) => {
      if (unsupported) return t.skip(FERRETDB_GAP);
      const query = new Parse.Query(Place).near('location', origin());
      assert.deepEqual(await names(query), ['origin', 'east', 'diagonal', 'north', 'far east', 'south west']);
      assert.deepEqual(await names(new Parse.Query(Place).near('location', origin()).limit(2)), ['origin', 'east']);
      assert.equal(await new Parse.Query(Place).near('location', origin()).count(), 6);
    });

    it('withinKilometers / withinMiles / withinRadians, sorted and unsorted, and count', async (t) => {
      if (unsupported) return t.skip(FERRETDB_GAP);
      const km = new Parse.Query(Place).withinKilometers('location', origin(), 200);
      assert.deepEqual(await names(km), ['origin', 'east', 'diagonal', 'north']);
      assert.equal(await new Parse.Query(Place).withinKilometers('location', origin(), 200).count(), 4);
      const unsorted = new Parse.Query(Place).withinKilometers('location', origin(), 200, false);
      assert.deepEqual(await sortedNames(unsorted), ['diagonal', 'east', 'north', 'origin']);
      const miles = new Parse.Query(Place).withinMiles('location', origin(), 150);
      assert.deepEqual(await names(miles), ['origin', 'east', 'diagonal', 'north', 'far east']);
      const radians = new Parse.Query(Place).withinRadians('location', origin(), (1.2 * Math.PI) / 180);
      assert.deepEqual(await names(radians), ['origin', 'east']);
      const withOrder = new Parse.Query(Place).withinKilometers('location', origin(), 200).ascending('name');
      assert.deepEqual(await names(withOrder), ['diagonal', 'east', 'north', 'origin']);
    });

    it('withinGeoBox includes its edges; withinPolygon; polygonContains', async (t) => {
      if (unsupported) return t.skip(FERRETDB_GAP);
      const box = new Parse.Query(Place).withinGeoBox('location', origin(), new Parse.GeoPoint(1, 1));
      assert.deepEqual(await sortedNames(box), ['diagonal', 'east', 'origin']);
      // The SDK sends GeoPoints as they are (its typings only name coordinate pairs).
      const triangle = [
        new Parse.GeoPoint(0, 0),
        new Parse.GeoPoint(0, 2),
        new Parse.GeoPoint(2, 0),
      ] as unknown as number[][];
      const polygon = new Parse.Query(Place).withinPolygon('location', triangle);
      assert.deepEqual(await sortedNames(polygon), ['diagonal', 'east', 'far east', 'north', 'origin']);
      const pairs = new Parse.Query(Place).withinPolygon('location', [
        [-6, -6],
        [-4, -6],
        [-4, -4],
        [-6, -4],
      ]);
      assert.deepEqual(await sortedNames(pairs), ['south west']);
      const contains = new Parse.Query(Area).polygonContains('bounds', new Parse.GeoPoint(1, 1));
      assert.deepEqual(await sortedNames(contains), ['home']);
      const none = new Parse.Query(Area).polygonContains('bounds', new Parse.GeoPoint(-1, -1));
      assert.deepEqual(await sortedNames(none), []);
      const tooFew = new Parse.Query(Place).withinPolygon('location', triangle.slice(0, 2));
      await expectParseError(tooFew.find(), 107);
    });

    it('fullText ranked by ascending($score) with select($score)', async (t) => {
      if (unsupported) return t.skip(FERRETDB_GAP);
      const query = new Parse.Query(Doc).fullText('title', 'coffee').ascending('$score').select('$score', 'name');
      const results = await query.find();
      assert.deepEqual(
        results.map((object) => object.get('name')),
        [
          'Coffee coffee COFFEE beans',
          'coffee shop downtown',
          'espresso and coffee-roasting workshops for everyone here',
        ],
      );
      const scores = results.map((object) => object.get('score') as number);
      assert.ok(
        scores.every((score) => typeof score === 'number' && score > 0),
        String(scores),
      );
      assert.ok(scores[0]! > scores[1]! && scores[1]! > scores[2]!, String(scores));
      assert.equal(results[0]?.get('title'), undefined);
      const diacritics = await sortedNames(new Parse.Query(Doc).fullText('title', 'creme cafe'));
      assert.deepEqual(diacritics, ['Crème brûlée café']);
      assert.equal(await new Parse.Query(Doc).fullText('title', 'tea espresso').count(), 2);
    });
  });
}
