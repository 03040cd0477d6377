/**
 * The read policy on its own (no storage): refusals, the condition and `allows`, what may be tested, and
 * the shaping. That storage agrees with `allows` is read-policy.property.test.ts's job; the doors that
 * use the policy are tested over HTTP (read-leaks.test.ts, permission-matrix.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Auth } from '../auth/index.js';
import { MASTER, PUBLIC, callerEntities } from '../auth/index.js';
import { ParseError } from '../errors/index.js';
import { MATCH_ALL, parseOrder, parseWhere } from '../query/index.js';
import { Pointer, defaultFieldsOf } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import type { Caller } from './caller.js';
import { createReadPolicy } from './read-policy.js';
import type { ReadOperation } from './read-policy.js';

const NOTE: ClassSchema = {
  className: 'Note',
  fields: {
    ...defaultFieldsOf('Note'),
    title: { type: 'String' },
    secret: { type: 'String' },
    owner: { type: 'Pointer', targetClass: '_User' },
    editors: { type: 'Array' },
  },
};
const USER: ClassSchema = { className: '_User', fields: defaultFieldsOf('_User') };
const SESSION: ClassSchema = { className: '_Session', fields: defaultFieldsOf('_Session') };

const alice: Auth = { kind: 'user', userId: 'alice', sessionToken: 'r:a' };
const bob: Auth = { kind: 'user', userId: 'bob', sessionToken: 'r:b' };
const callers: Record<string, { auth: Auth; caller: Caller }> = {
  master: { auth: MASTER, caller: undefined },
  anonymous: { auth: PUBLIC, caller: { entities: callerEntities({}) } },
  alice: { auth: alice, caller: { userId: 'alice', entities: callerEntities({ userId: 'alice' }) } },
  bob: { auth: bob, caller: { userId: 'bob', entities: callerEntities({ userId: 'bob', roleNames: ['Staff'] }) } },
};

function policy(
  who: keyof typeof callers,
  schema: ClassSchema,
  operations: readonly ReadOperation[] = ['find'],
): ReturnType<typeof createReadPolicy> {
  const { auth, caller } = callers[who] as { auth: Auth; caller: Caller };
  return createReadPolicy({ auth, caller, schema, operations, protectedFields: undefined });
}

function object(objectId: string, fields: Record<string, unknown>, ACL?: StoredObject['ACL']): StoredObject {
  return { objectId, fields: fields as StoredObject['fields'], ...(ACL === undefined ? {} : { ACL }) };
}

function code(run: () => unknown): number | 'ok' {
  try {
    run();
    return 'ok';
  } catch (err) {
    if (err instanceof ParseError) return err.code;
    throw err;
  }
}

const where = (w: Record<string, unknown>, schema: ClassSchema = NOTE) => parseWhere({ where: w, schema });

describe('read policy: who may read what', () => {
  const open = object('o1', { title: 't' });
  const alicesOnly = object('o2', { title: 't' }, { alice: { read: true } });
  const staffOnly = object('o3', { title: 't' }, { 'role:Staff': { read: true } });
  const nobody = object('o4', { title: 't' }, {});

  it('master-like callers are unrestricted: the condition adds nothing', () => {
    const master = policy('master', NOTE);
    assert.equal(master.unrestricted, true);
    assert.equal(master.refusal, undefined);
    const w = where({ title: 't' });
    assert.equal(master.restrict(w), w);
    for (const o of [open, alicesOnly, staffOnly, nobody]) assert.equal(master.allows(o), true);
  });

  it('applies the read ACL with the user id and roles; a missing ACL is public, {} is master only', () => {
    const readable = (who: string): string[] =>
      [open, alicesOnly, staffOnly, nobody].filter((o) => policy(who, NOTE).allows(o)).map((o) => o.objectId);
    assert.deepEqual(readable('anonymous'), ['o1']);
    assert.deepEqual(readable('alice'), ['o1', 'o2']);
    assert.deepEqual(readable('bob'), ['o1', 'o3']);
  });

  it('refuses by CLP (119), requiresAuthentication logged out (101), master-only classes (119)', () => {
    const clp = {
      ...NOTE,
      classLevelPermissions: { find: { 'role:Staff': true }, get: { requiresAuthentication: true } },
    };
    assert.equal(
      code(() => policy('alice', clp).restrict(MATCH_ALL)),
      119,
    );
    assert.equal(policy('alice', clp).allows(open), false);
    assert.equal(
      code(() => policy('bob', clp).restrict(MATCH_ALL)),
      'ok',
    );
    assert.equal(
      code(() => policy('anonymous', clp, ['get']).assertPermitted()),
      101,
    );
    assert.equal(
      code(() => policy('alice', clp, ['get']).assertPermitted()),
      'ok',
    );
    // count with a positive limit needs find too.
    const countOnly = { ...NOTE, classLevelPermissions: { count: { '*': true }, find: {} } };
    assert.equal(
      code(() => policy('alice', countOnly, ['count']).assertPermitted()),
      'ok',
    );
    assert.equal(
      code(() => policy('alice', countOnly, ['count', 'find']).assertPermitted()),
      119,
    );
    const volatile: ClassSchema = { className: '_JobStatus', fields: {} };
    assert.equal(policy('alice', volatile).refusal?.code, 119);
    assert.equal(policy('master', volatile).refusal, undefined);
  });

  it('pointer permissions: only objects whose pointer (or array of pointers) names the caller', () => {
    const clp = { ...NOTE, classLevelPermissions: { find: {}, get: {}, readUserFields: ['owner', 'editors'] } };
    const owned = object('p1', { owner: new Pointer('_User', 'alice') });
    const edited = object('p2', { editors: [new Pointer('_User', 'bob'), new Pointer('_User', 'alice')] });
    const other = object('p3', { owner: new Pointer('_User', 'bob') });
    const allowed = (who: string): string[] =>
      [owned, edited, other].filter((o) => policy(who, clp).allows(o)).map((o) => o.objectId);
    assert.deepEqual(allowed('alice'), ['p1', 'p2']);
    assert.deepEqual(allowed('bob'), ['p2', 'p3']);
    // Logged out: nothing qualifies, but a find is not refused (it is empty).
    assert.equal(policy('anonymous', clp).refusal, undefined);
    assert.deepEqual(allowed('anonymous'), []);
  });

  it('a class rule restricts too: _Session reads only the caller’s own sessions, and needs a user (209)', () => {
    const mine = object('s1', { user: new Pointer('_User', 'alice') });
    const theirs = object('s2', { user: new Pointer('_User', 'bob') });
    assert.equal(policy('alice', SESSION).allows(mine), true);
    assert.equal(policy('alice', SESSION).allows(theirs), false);
    assert.equal(policy('anonymous', SESSION).refusal?.code, 209);
    assert.equal(policy('master', SESSION).allows(theirs), true);
  });
});

describe('read policy: a field the caller cannot read cannot be tested', () => {
  const clp = {
    ...NOTE,
    classLevelPermissions: { find: { '*': true }, protectedFields: { '*': ['secret'], 'role:Staff': [] } },
  };

  it('refuses a hidden field anywhere in where, in order, or named directly (119)', () => {
    const alicePolicy = policy('alice', clp);
    const nested = where({ $or: [{ title: 'x' }, { $and: [{ $nor: [{ secret: { $regex: '^4' } }] }] }] }, clp);
    assert.equal(
      code(() => alicePolicy.assertTestable({ where: nested })),
      119,
    );
    assert.equal(
      code(() => alicePolicy.assertTestable({ where: where({ 'secret.x': 1 }, clp) })),
      119,
    );
    assert.equal(
      code(() => alicePolicy.assertTestable({ order: parseOrder('-secret', clp) })),
      119,
    );
    assert.equal(
      code(() => alicePolicy.assertTestable({ fields: ['secret'] })),
      119,
    );
    assert.equal(
      code(() => alicePolicy.assertTestable({ where: where({ title: 'x' }, clp) })),
      'ok',
    );
    assert.equal(alicePolicy.canTest('secret'), false);
    // Staff (bob) gets `secret` back through a more specific grant; master sees everything.
    assert.equal(
      code(() => policy('bob', clp).assertTestable({ where: nested })),
      'ok',
    );
    assert.equal(
      code(() => policy('master', clp).assertTestable({ fields: ['secret'] })),
      'ok',
    );
  });

  it('on _User: email (Parse’s default protectedFields) and authData (never shown to others)', () => {
    const users = policy('alice', USER);
    assert.equal(users.canTest('email'), false);
    assert.equal(users.canTest('authData'), false);
    assert.equal(users.canTest('username'), true);
    assert.equal(
      code(() => users.assertTestable({ where: where({ 'authData.github.id': '1' }, USER) })),
      119,
    );
  });

  it('shapes: hidden fields go, the owner exemption and userField: rules apply per object', () => {
    const users = policy('alice', USER);
    const me = object('alice', { username: 'a', email: 'a@x', authData: { github: { id: '1' } } });
    const other = object('bob', { username: 'b', email: 'b@x', authData: { github: { id: '2' } } });
    assert.deepEqual(users.shape(me).fields, { username: 'a', email: 'a@x', authData: { github: { id: '1' } } });
    assert.deepEqual(users.shape(other).fields, { username: 'b' });
    const byOwner = {
      ...NOTE,
      classLevelPermissions: { find: { '*': true }, protectedFields: { '*': ['secret'], 'userField:owner': [] } },
    };
    const owned = object('n1', { secret: 's', owner: new Pointer('_User', 'alice') });
    assert.equal('secret' in policy('alice', byOwner).shape(owned).fields, true);
    assert.equal('secret' in policy('bob', byOwner).shape(owned).fields, false);
    // `keys` that leave `owner` out still fetch it, so the rule can be decided.
    assert.deepEqual(policy('alice', byOwner).fetchKeys(new Set(['secret'])), ['secret', 'owner']);
    assert.deepEqual(policy('alice', byOwner).shape(owned, { keys: new Set(['secret']) }).fields, { secret: 's' });
  });
});
