import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clpToModel, modelToClp, splitNames } from './clp.js';

describe('CLP model', () => {
  it('round-trips a CLP with roles, users, requiresAuthentication, pointer fields and protected fields', () => {
    const clp = {
      find: { '*': true, 'role:Staff': true },
      count: { '*': true },
      get: { requiresAuthentication: true },
      create: { u1: true },
      update: { pointerFields: ['owner'] },
      delete: {},
      addField: {},
      readUserFields: ['owner'],
      protectedFields: { '*': ['secret'], 'role:Staff': [] },
    };
    const model = clpToModel(clp);
    assert.deepEqual(model.grants['*'], ['find', 'count']);
    assert.deepEqual(model.grants['requiresAuthentication'], ['get']);
    assert.deepEqual(model.pointerFields.update, ['owner']);
    assert.deepEqual(modelToClp(model), clp);
  });

  it('writes every operation, so a PUT never leaves one to default', () => {
    const clp = modelToClp(clpToModel(undefined));
    assert.deepEqual(Object.keys(clp).sort(), [
      'addField',
      'count',
      'create',
      'delete',
      'find',
      'get',
      'protectedFields',
      'update',
    ]);
    assert.deepEqual(splitNames(' a, ,b '), ['a', 'b']);
  });
});
