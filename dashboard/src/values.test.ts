import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatACL,
  formatValue,
  orderedFields,
  parseDateField,
  parseGeoPoint,
  parseJsonField,
  parseNumberField,
  parsePolygon,
} from './values.js';

describe('dashboard value formatting', () => {
  it('formats each Parse type for a cell', () => {
    assert.equal(formatValue('2025-01-02T03:04:05.678Z', 'Date'), '2025-01-02 03:04:05 UTC');
    assert.equal(formatValue({ __type: 'Date', iso: '2025-01-02T03:04:05Z' }, 'Date'), '2025-01-02 03:04:05 UTC');
    assert.equal(formatValue({ __type: 'Pointer', className: '_User', objectId: 'u1' }, 'Pointer'), '_User u1');
    assert.equal(formatValue({ __type: 'Relation', className: '_Role' }, 'Relation'), 'View relation (_Role)');
    assert.equal(formatValue({ __type: 'File', name: 'a.png', url: 'x' }, 'File'), 'a.png');
    assert.equal(formatValue({ __type: 'GeoPoint', latitude: 1, longitude: 2 }, 'GeoPoint'), '(1, 2)');
    assert.equal(
      formatValue(
        {
          __type: 'Polygon',
          coordinates: [
            [0, 0],
            [0, 1],
            [1, 1],
          ],
        },
        'Polygon',
      ),
      'Polygon, 3 points',
    );
    assert.equal(formatValue({ a: 1 }, 'Object'), '{"a":1}');
    assert.equal(formatValue([1, 'b'], 'Array'), '[1,"b"]');
    assert.equal(formatValue(true, 'Boolean'), 'true');
    assert.equal(formatValue(undefined, 'String'), '');
    assert.equal(formatValue({ '*': { read: true }, u1: { read: true, write: true } }, 'ACL'), 'Public r, u1 rw');
    assert.equal(formatACL({}), 'Master key only');
  });

  it('validates editor input per type', () => {
    assert.deepEqual(parseJsonField('[1]', 'Array'), { ok: true, value: [1] });
    assert.equal(parseJsonField('{"a":1}', 'Array').ok, false);
    assert.equal(parseJsonField('{oops', 'Object').ok, false);
    assert.deepEqual(parseNumberField(' 4.5 '), { ok: true, value: 4.5 });
    assert.equal(parseNumberField('abc').ok, false);
    assert.equal(parseNumberField('').ok, false);
    assert.deepEqual(parseGeoPoint('10', '20'), {
      ok: true,
      value: { __type: 'GeoPoint', latitude: 10, longitude: 20 },
    });
    assert.equal(parseGeoPoint('91', '0').ok, false);
    assert.equal(parsePolygon('[[0,0],[0,1]]').ok, false);
    assert.equal(parsePolygon('[[0,0],[0,1],[1,1]]').ok, true);
    assert.deepEqual(parseDateField('2025-01-02T03:04'), {
      ok: true,
      value: { __type: 'Date', iso: '2025-01-02T03:04:00.000Z' },
    });
    assert.equal(parseDateField('not a date').ok, false);
  });

  it('orders system fields first', () => {
    assert.deepEqual(
      orderedFields({
        zeta: { type: 'String' },
        ACL: { type: 'ACL' },
        objectId: { type: 'String' },
        alpha: { type: 'Number' },
      }),
      ['objectId', 'ACL', 'alpha', 'zeta'],
    );
  });
});
