import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../errors/index.js';
import { GeoPoint, Pointer } from '../../../schema/index.js';
import type { ParseObjectValue } from '../../../schema/index.js';
import type { UpdateSpec } from '../../adapter.js';
import { GAME_SCORE, USER } from '../test-schemas.js';
import { toUpdate } from './update.js';

const updatedAt = new Date('2024-05-02T00:00:00.000Z');
const when = new Date('2024-05-01T10:00:00.000Z');
const canonicalA = { __type: 'Pointer', className: 'A', objectId: 'a' };

function update(fields: UpdateSpec['fields'], extra: Partial<UpdateSpec> = {}): UpdateSpec {
  return { fields, updatedAt, ...extra };
}

const NESTED_KEY_VALUES: ParseObjectValue[] = [{ 'a.b': 1 }, { x: { $y: 1 } }];

describe('mongo dialect: UpdateSpec → update document (spec/mongo-layout.md §2.7, rows 8, 20–26, 32)', () => {
  it('row 21: Increment → $inc, always with _updated_at', () => {
    assert.deepEqual(toUpdate(GAME_SCORE, update({ score: { op: 'increment', amount: 2 } })), {
      $inc: { score: 2 },
      $set: { _updated_at: updatedAt },
    });
  });

  it('row 20: ACL → $set of _rperm, _wperm and _acl', () => {
    assert.deepEqual(toUpdate(GAME_SCORE, update({}, { ACL: { '*': { read: true } } })), {
      $set: { _rperm: ['*'], _wperm: [], _acl: { '*': { r: true } }, _updated_at: updatedAt },
    });
  });

  it('row 23: Add → $push/$each with canonical pointers', () => {
    assert.deepEqual(toUpdate(GAME_SCORE, update({ tags: { op: 'add', objects: [1, new Pointer('A', 'a')] } })), {
      $push: { tags: { $each: [1, canonicalA] } },
      $set: { _updated_at: updatedAt },
    });
  });

  it('row 24: AddUnique → $addToSet/$each, Remove → $pullAll', () => {
    assert.deepEqual(toUpdate(GAME_SCORE, update({ tags: { op: 'addUnique', objects: ['x'] } })), {
      $addToSet: { tags: { $each: ['x'] } },
      $set: { _updated_at: updatedAt },
    });
    assert.deepEqual(toUpdate(GAME_SCORE, update({ tags: { op: 'remove', objects: ['x', new Pointer('A', 'a')] } })), {
      $pullAll: { tags: ['x', canonicalA] },
      $set: { _updated_at: updatedAt },
    });
  });

  it('row 25: Delete → $unset', () => {
    assert.deepEqual(toUpdate(GAME_SCORE, update({ playerName: { op: 'unset' } })), {
      $unset: { playerName: '' },
      $set: { _updated_at: updatedAt },
    });
  });

  it('row 8: pointer set / null / Delete use _p_<field> (and clear the create-path null quirk)', () => {
    assert.deepEqual(toUpdate(GAME_SCORE, update({ owner: { op: 'set', value: new Pointer('_User', 'u1') } })), {
      $set: { _p_owner: '_User$u1', _updated_at: updatedAt },
      $unset: { owner: '' },
    });
    assert.deepEqual(toUpdate(GAME_SCORE, update({ owner: { op: 'set', value: null } })), {
      $set: { _p_owner: null, _updated_at: updatedAt },
      $unset: { owner: '' },
    });
    assert.deepEqual(toUpdate(GAME_SCORE, update({ owner: { op: 'unset' } })), {
      $unset: { _p_owner: '', owner: '' },
      $set: { _updated_at: updatedAt },
    });
  });

  it('row 26: dot paths; values under them are interior-encoded (dates stay BSON dates)', () => {
    assert.deepEqual(
      toUpdate(
        GAME_SCORE,
        update({ 'meta.count': { op: 'increment', amount: 1 }, 'meta.when': { op: 'set', value: when } }),
      ),
      { $inc: { 'meta.count': 1 }, $set: { 'meta.when': when, _updated_at: updatedAt } },
    );
  });

  it('top-level values get their stored form; expiresAt strings become dates', () => {
    const result = toUpdate(
      GAME_SCORE,
      update({
        loc: { op: 'set', value: new GeoPoint(1, 2) },
        expiresAt: { op: 'set', value: '2020-01-01T00:00:00.000Z' },
      }),
    );
    assert.deepEqual(result['$set'], {
      loc: [2, 1],
      expiresAt: new Date('2020-01-01T00:00:00.000Z'),
      _updated_at: updatedAt,
    });
  });

  it('row 32: _User authData per provider: object → $set, null → $unset', () => {
    assert.deepEqual(
      toUpdate(USER, update({ authData: { op: 'set', value: { facebook: null, anonymous: { id: 'x' } } } })),
      { $unset: { _auth_data_facebook: '' }, $set: { _auth_data_anonymous: { id: 'x' }, _updated_at: updatedAt } },
    );
    assert.deepEqual(toUpdate(USER, update({ 'authData.github': { op: 'unset' } })), {
      $unset: { _auth_data_github: '' },
      $set: { _updated_at: updatedAt },
    });
    assert.throws(
      () => toUpdate(USER, update({ authData: { op: 'unset' } })),
      (error: unknown) => error instanceof ParseError && error.code === 108,
    );
  });

  it('row 17: nested keys with $ or . are rejected with 121', () => {
    for (const value of NESTED_KEY_VALUES) {
      assert.throws(
        () => toUpdate(GAME_SCORE, update({ meta: { op: 'set', value } })),
        (error: unknown) => error instanceof ParseError && error.code === 121,
      );
    }
  });
});
