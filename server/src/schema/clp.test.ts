import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../errors/index.js';
import { PUBLIC_CLP, effectiveClassLevelPermissions, validateClassLevelPermissions } from './clp.js';
import type { FieldDefinition } from './types.js';

const fields: Record<string, FieldDefinition> = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
  owner: { type: 'Pointer', targetClass: '_User' },
  team: { type: 'Pointer', targetClass: 'Team' },
  editors: { type: 'Array' },
  secret: { type: 'String' },
};

describe('effectiveClassLevelPermissions', () => {
  it('shows everything public when nothing is stored', () => {
    assert.deepEqual(effectiveClassLevelPermissions(undefined), {
      find: { '*': true },
      count: { '*': true },
      get: { '*': true },
      create: { '*': true },
      update: { '*': true },
      delete: { '*': true },
      addField: { '*': true },
      protectedFields: { '*': [] },
      ACL: { '*': { read: true, write: true } },
    });
    assert.equal(effectiveClassLevelPermissions(undefined), PUBLIC_CLP);
  });

  it('reads every missing operation key back as {} once something is stored', () => {
    assert.deepEqual(effectiveClassLevelPermissions({ find: { '*': true }, readUserFields: ['owner'] }), {
      find: { '*': true },
      count: {},
      get: {},
      create: {},
      update: {},
      delete: {},
      addField: {},
      protectedFields: {},
      readUserFields: ['owner'],
    });
  });
});

describe('validateClassLevelPermissions', () => {
  it('accepts the full format of security.md §4', () => {
    const clp = {
      find: { '*': true },
      count: { 'role:Staff': true },
      get: { requiresAuthentication: true },
      create: { hJ2l9sLMyq: true, 'role:Writers': true },
      update: { pointerFields: ['owner'] },
      delete: {},
      addField: {},
      readUserFields: ['owner', 'editors'],
      writeUserFields: ['owner'],
      protectedFields: { '*': ['secret'], 'role:Staff': [], 'userField:owner': [], authenticated: ['secret'] },
      ACL: { '*': { read: true }, currentUser: { read: true, write: true } },
    };
    assert.equal(validateClassLevelPermissions({ classLevelPermissions: clp, fields }), clp);
  });

  const bad: [string, unknown, string][] = [
    ['unknown operation', { fly: {} }, 'fly is not a valid operation for class level permissions'],
    ['false value', { find: { '*': false } }, "'false' is not a valid value for class level permissions find:*:false"],
    ['bad entity key', { find: { 'not valid!': true } }, "'not valid!' is not a valid key for class level permissions"],
    [
      'pointer field of wrong type',
      { readUserFields: ['team'] },
      "'team' is not a valid column for class level pointer permissions readUserFields",
    ],
    [
      'missing pointer field',
      { update: { pointerFields: ['nobody'] } },
      "'nobody' is not a valid column for class level pointer permissions update.pointerFields",
    ],
    [
      'protecting a default field',
      { protectedFields: { '*': ['objectId'] } },
      "Default field 'objectId' can not be protected",
    ],
    [
      'protecting a missing field',
      { protectedFields: { '*': ['nope'] } },
      "Field 'nope' in protectedFields:* does not exist",
    ],
    ['not an object', [], 'class level permissions must be an object'],
    [
      'bad default ACL',
      { ACL: { '*': { read: 'yes' } } },
      "'read' is not a valid permission in the default ACL entry for '*'",
    ],
  ];
  for (const [name, clp, message] of bad) {
    it(`refuses ${name} with 107`, () => {
      assert.throws(() => validateClassLevelPermissions({ classLevelPermissions: clp, fields }), {
        code: ErrorCode.INVALID_JSON,
        message,
      });
    });
  }
});
