import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPERATORS, buildWhere } from './filters.js';

const FIELDS = {
  score: { type: 'Number' },
  name: { type: 'String' },
  done: { type: 'Boolean' },
  at: { type: 'Date' },
  tags: { type: 'Array' },
  owner: { type: 'Pointer', targetClass: '_User' },
  place: { type: 'GeoPoint' },
};

describe('filter builder', () => {
  it('reads values by field type', () => {
    assert.deepEqual(buildWhere([{ field: 'score', op: 'gt', value: '3' }], FIELDS), { score: { $gt: 3 } });
    assert.deepEqual(buildWhere([{ field: 'done', op: 'eq', value: 'true' }], FIELDS), { done: true });
    assert.deepEqual(buildWhere([{ field: 'at', op: 'lt', value: '2025-01-01' }], FIELDS), {
      at: { $lt: { __type: 'Date', iso: '2025-01-01T00:00:00.000Z' } },
    });
    assert.deepEqual(buildWhere([{ field: 'owner', op: 'eq', value: 'u1' }], FIELDS), {
      owner: { __type: 'Pointer', className: '_User', objectId: 'u1' },
    });
    assert.throws(() => buildWhere([{ field: 'score', op: 'eq', value: 'abc' }], FIELDS), /not a number/);
  });

  it('covers every operator and joins with $and', () => {
    const where = buildWhere(
      [
        { field: 'tags', op: 'all', value: 'a, 2' },
        { field: 'name', op: 'in', value: 'x,y' },
        { field: 'name', op: 'startsWith', value: 'a.b' },
        { field: 'name', op: 'notExists', value: '' },
        { field: 'place', op: 'near', value: '1, 2, 10' },
        { field: '', op: 'relatedTo', value: 'Team, t1, members' },
      ],
      FIELDS,
    );
    assert.deepEqual(where, {
      $and: [
        { tags: { $all: ['a', 2] } },
        { name: { $in: ['x', 'y'] } },
        { name: { $regex: '^\\Qa.b\\E' } },
        { name: { $exists: false } },
        { place: { $nearSphere: { __type: 'GeoPoint', latitude: 1, longitude: 2 }, $maxDistanceInKilometers: 10 } },
        { $relatedTo: { object: { __type: 'Pointer', className: 'Team', objectId: 't1' }, key: 'members' } },
      ],
    });
    for (const { op } of OPERATORS) {
      const value = op === 'near' ? '1,2,3' : op === 'withinBox' ? '0,0,1,1' : op === 'relatedTo' ? 'A,b,c' : '5';
      assert.doesNotThrow(() => buildWhere([{ field: 'score', op, value }], FIELDS), op);
    }
  });
});
