import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GeoPoint, Polygon } from '../schema/index.js';
import { inBox, inPlanarPolygon, inSphericalPolygon, sphericalDistance } from './geo-math.js';
import { matches } from './match.js';

const p = (latitude: number, longitude: number): GeoPoint => new GeoPoint(latitude, longitude);
const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

describe('geo math', () => {
  it('haversine distances in radians', () => {
    close(sphericalDistance(p(0, 0), p(0, 1)), Math.PI / 180);
    close(sphericalDistance(p(0, 0), p(0, 180)), Math.PI);
    close(sphericalDistance(p(90, 0), p(-90, 0)), Math.PI);
    close(sphericalDistance(p(10, 179.5), p(10, -179.5)), sphericalDistance(p(10, 0), p(10, 1)));
    // San Francisco → Los Angeles ≈ 559 km on a 6371 km sphere.
    const km = sphericalDistance(p(37.7749, -122.4194), p(34.0522, -118.2437)) * 6371;
    assert.ok(km > 558 && km < 560, String(km));
  });

  it('boxes and planar polygons include their boundary', () => {
    const corners = { southwest: p(0, 0), northeast: p(1, 1) };
    assert.equal(inBox(p(0, 0.5), corners), true);
    assert.equal(inBox(p(1, 1), corners), true);
    assert.equal(inBox(p(1.0001, 1), corners), false);
    const triangle = [p(0, 0), p(0, 2), p(2, 0)];
    assert.equal(inPlanarPolygon(p(1, 1), triangle), true); // on the planar edge
    assert.equal(inPlanarPolygon(p(0.5, 0.5), triangle), true);
    assert.equal(inPlanarPolygon(p(1.01, 1), triangle), false);
    assert.equal(inPlanarPolygon(p(0, 2), triangle), true); // a vertex
  });

  it('spherical polygons have great-circle edges', () => {
    // Along the parallel at 60°N the great circle between (60, 0) and (60, 40) bulges north to ≈61.3°.
    const ring = [p(50, 0), p(50, 40), p(60, 40), p(60, 0)];
    assert.equal(inSphericalPolygon(p(60.5, 20), ring), true);
    assert.equal(inPlanarPolygon(p(60.5, 20), ring), false);
    assert.equal(inSphericalPolygon(p(62, 20), ring), false);
    assert.equal(inSphericalPolygon(p(55, 20), ring), true);
    assert.equal(inSphericalPolygon(p(55, 41), ring), false);
    assert.equal(inSphericalPolygon(p(50, 0), ring), true); // a vertex
    // Across the antimeridian.
    const pacific = [p(-10, 170), p(-10, -170), p(10, -170), p(10, 170)];
    assert.equal(inSphericalPolygon(p(0, 180), pacific), true);
    assert.equal(inSphericalPolygon(p(0, -175), pacific), true);
    assert.equal(inSphericalPolygon(p(0, 0), pacific), false);
  });

  it('the matcher applies them to GeoPoint and Polygon fields only', () => {
    const object = {
      objectId: 'x',
      fields: {
        location: p(0, 0),
        name: 'origin',
        bounds: new Polygon([
          [0, 0],
          [0, 2],
          [2, 2],
          [2, 0],
          [0, 0],
        ]),
      },
    };
    const center = { latitude: 0, longitude: 0.5 };
    assert.equal(matches({ kind: 'nearSphere', path: ['location'], point: center, maxDistance: 0.01 }, object), true);
    assert.equal(matches({ kind: 'nearSphere', path: ['location'], point: center, maxDistance: 0.008 }, object), false);
    assert.equal(matches({ kind: 'nearSphere', path: ['missing'], point: center }, object), false);
    assert.equal(matches({ kind: 'withinSphere', path: ['name'], center, radius: 1 }, object), false);
    assert.equal(
      matches({ kind: 'polygonContains', path: ['bounds'], point: { latitude: 1, longitude: 1 } }, object),
      true,
    );
    assert.equal(
      matches({ kind: 'polygonContains', path: ['location'], point: { latitude: 0, longitude: 0 } }, object),
      false,
    );
    const text = {
      kind: 'text',
      path: ['name'],
      term: 'origin',
      caseSensitive: false,
      diacriticSensitive: false,
    } as const;
    assert.equal(matches(text, object), false);
  });
});
