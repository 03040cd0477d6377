import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeleteMarker, planCreate, planUpdate } from './class-changes.js';
import type { ClassSchema } from './types.js';

const DEFAULTS = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
} as const;

describe('planCreate', () => {
  it('puts the class defaults first and leaves CLP and indexes out when not given', () => {
    assert.deepEqual(
      planCreate({ request: { className: '_Role', fields: { rank: { type: 'Number' } } }, exists: false }),
      {
        className: '_Role',
        fields: {
          ...DEFAULTS,
          name: { type: 'String' },
          users: { type: 'Relation', targetClass: '_User' },
          roles: { type: 'Relation', targetClass: '_Role' },
          rank: { type: 'Number' },
        },
      },
    );
  });
});

describe('planUpdate', () => {
  const schema: ClassSchema = {
    className: 'A',
    fields: { ...DEFAULTS, a: { type: 'String' }, b: { type: 'Number' } },
    indexes: { _id_: { _id: 1 }, a_1: { a: 1 } },
  };

  it('lists what to change and the resulting schema', () => {
    const plan = planUpdate({
      schema,
      request: {
        className: 'A',
        fields: { b: { __op: 'Delete' }, c: { type: 'Date' }, a: { type: 'String' } },
        indexes: { a_1: { __op: 'Delete' }, c_1: { c: -1 } },
      },
    });
    assert.deepEqual(plan, {
      deleteFields: ['b'],
      addFields: { c: { type: 'Date' } },
      dropIndexes: ['a_1'],
      createIndexes: { c_1: { c: -1 } },
      result: {
        className: 'A',
        fields: { ...DEFAULTS, a: { type: 'String' }, c: { type: 'Date' } },
        indexes: { _id_: { _id: 1 }, c_1: { c: -1 } },
      },
    });
  });

  it('an empty request changes nothing', () => {
    const plan = planUpdate({ schema, request: { className: 'A' } });
    assert.deepEqual(plan.result, schema);
    assert.deepEqual([plan.deleteFields, plan.addFields, plan.dropIndexes, plan.createIndexes], [[], {}, [], {}]);
    assert.equal(plan.classLevelPermissions, undefined);
  });
});

describe('isDeleteMarker', () => {
  it('recognises only {"__op":"Delete"}', () => {
    assert.equal(isDeleteMarker({ __op: 'Delete' }), true);
    assert.equal(isDeleteMarker({ __op: 'Increment' }), false);
    assert.equal(isDeleteMarker({ type: 'String' }), false);
    assert.equal(isDeleteMarker(null), false);
  });
});
