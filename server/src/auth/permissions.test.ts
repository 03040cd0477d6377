import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pointer } from '../schema/index.js';
import { callerEntities } from './caller.js';
import { evaluateClassPermission } from './class-permissions.js';
import { defaultObjectAcl } from './default-acl.js';
import {
  DEFAULT_PROTECTED_FIELDS,
  assertFieldsQueryable,
  hiddenFields,
  planProtectedFields,
  protectedFieldRules,
} from './protected-fields.js';
import { RoleCache } from './role-cache.js';
import { resolveRoleNames } from './roles.js';
import type { RoleRef, RoleSource } from './roles.js';

const anonymous = { entities: ['*'] };
const alice = { userId: 'alice', entities: ['*', 'alice', 'role:Staff'] };

// Object ACLs are tested by the `acl` condition (query/match.test.ts, and against storage by the read
// policy's property test in core/read-policy.test.ts).
describe('ACL group', () => {
  it('builds the caller group', () => {
    assert.deepEqual(callerEntities({ userId: 'u1', roleNames: ['A', 'B'] }), ['*', 'u1', 'role:A', 'role:B']);
    assert.deepEqual(callerEntities({}), ['*']);
  });
});

describe('class-level permissions', () => {
  const check = (
    clp: Record<string, unknown> | undefined,
    operation: 'find' | 'get' | 'create' | 'update' | 'addField',
    options: { caller?: typeof alice | typeof anonymous; action?: 'create' | 'update' } = {},
  ) => evaluateClassPermission({ clp, className: 'Post', operation, caller: anonymous, ...options });

  it('allows everything without stored CLPs, and nothing for a missing key once stored', () => {
    assert.deepEqual(check(undefined, 'find'), { kind: 'allowed' });
    assert.deepEqual(check({ get: { '*': true } }, 'find'), {
      kind: 'denied',
      code: 119,
      reason: 'Permission denied for action find on class Post.',
    });
  });
  it('grants by user id and role', () => {
    assert.deepEqual(check({ find: { alice: true } }, 'find', { caller: alice }), { kind: 'allowed' });
    assert.deepEqual(check({ find: { 'role:Staff': true } }, 'find', { caller: alice }), { kind: 'allowed' });
  });
  it('answers 101 for requiresAuthentication without a user', () => {
    const clp = { get: { requiresAuthentication: true } };
    assert.equal(check(clp, 'get').kind, 'denied');
    assert.equal((check(clp, 'get') as { code: number }).code, 101);
    assert.deepEqual(check(clp, 'get', { caller: alice }), { kind: 'allowed' });
  });
  it('restricts by pointer fields, never for create', () => {
    const clp = { find: {}, update: { pointerFields: ['editor'] }, create: {}, readUserFields: ['owner'] };
    assert.deepEqual(check(clp, 'find', { caller: alice }), { kind: 'restricted', fields: ['owner'], userId: 'alice' });
    assert.deepEqual(check(clp, 'find'), { kind: 'restricted', fields: ['owner'], userId: undefined });
    assert.deepEqual(check(clp, 'update', { caller: alice }), {
      kind: 'restricted',
      fields: ['editor'],
      userId: 'alice',
    });
    assert.equal(check(clp, 'create', { caller: alice }).kind, 'denied');
  });
  it('lets addField through an operation pointerFields only on update', () => {
    const clp = { addField: { pointerFields: ['owner'] } };
    assert.equal(check(clp, 'addField', { caller: alice, action: 'create' }).kind, 'denied');
    assert.equal(check(clp, 'addField', { caller: alice, action: 'update' }).kind, 'restricted');
  });
});

describe('default ACL', () => {
  it('copies the CLP ACL with currentUser replaced', () => {
    const clp = { ACL: { '*': { read: true, write: false }, currentUser: { read: true, write: true } } };
    assert.deepEqual(defaultObjectAcl({ clp, userId: 'u1' }), { '*': { read: true }, u1: { read: true, write: true } });
    assert.deepEqual(defaultObjectAcl({ clp, userId: undefined }), { '*': { read: true } });
  });
  it('leaves public read/write and missing keys alone', () => {
    assert.equal(defaultObjectAcl({ clp: { ACL: { '*': { read: true, write: true } } }, userId: 'u1' }), undefined);
    assert.equal(defaultObjectAcl({ clp: undefined, userId: 'u1' }), undefined);
  });
});

describe('protectedFields', () => {
  it('merges the server default for _User', () => {
    const rules = protectedFieldRules({
      className: '_User',
      clp: { protectedFields: { '*': ['phone'] } },
      option: DEFAULT_PROTECTED_FIELDS,
    });
    assert.deepEqual(rules, { '*': ['email', 'phone'] });
  });
  it('hides the intersection of the applicable lists', () => {
    const rules = { '*': ['secret', 'note'], 'role:Staff': ['secret'], authenticated: ['secret', 'note'] };
    const anon = planProtectedFields({ rules, caller: anonymous, ownerExempt: true });
    assert.deepEqual([...(anon?.alwaysHidden ?? [])].sort(), ['note', 'secret']);
    const staff = planProtectedFields({ rules, caller: alice, ownerExempt: true });
    assert.deepEqual([...(staff?.alwaysHidden ?? [])], ['secret']);
    assert.equal(
      planProtectedFields({ rules: { '*': ['x'], 'role:Staff': [] }, caller: alice, ownerExempt: true }),
      undefined,
    );
  });
  it('reveals through userField when the object points at the caller, and exempts the owner on _User', () => {
    const plan = planProtectedFields({
      rules: { '*': ['secret'], 'userField:owner': [] },
      caller: alice,
      ownerExempt: true,
    });
    assert.ok(plan !== undefined);
    const mine = hiddenFields({ plan, objectId: 'o1', fields: { owner: new Pointer('_User', 'alice') } });
    const theirs = hiddenFields({ plan, objectId: 'o2', fields: { owner: new Pointer('_User', 'bob') } });
    assert.deepEqual([...mine], []);
    assert.deepEqual([...theirs], ['secret']);
    assert.deepEqual([...hiddenFields({ plan, objectId: 'alice', fields: {} })], []);
  });
  it('refuses queries and sorts on hidden fields', () => {
    const plan = planProtectedFields({ rules: { '*': ['secret'] }, caller: anonymous, ownerExempt: true });
    assert.throws(() => assertFieldsQueryable({ plan, queried: ['secret'], sorted: [] }), {
      code: 119,
      message: 'Permission denied',
    });
    assert.throws(() => assertFieldsQueryable({ plan, queried: [], sorted: ['secret'] }), { code: 119 });
    assertFieldsQueryable({ plan, queried: ['title'], sorted: ['title'] });
  });
});

describe('roles', () => {
  // user u1 ∈ Admins; Admins ∈ Moderators.roles; Moderators ∈ Admins.roles (a cycle); Staff unrelated.
  const roles: Record<string, { name: string; users: string[]; roles: string[] }> = {
    r1: { name: 'Admins', users: ['u1'], roles: ['r2'] },
    r2: { name: 'Moderators', users: [], roles: ['r1'] },
    r3: { name: 'Staff', users: ['u2'], roles: [] },
  };
  const calls: string[] = [];
  const source: RoleSource = {
    rolesWithUser: (userId) => {
      calls.push(`user:${userId}`);
      return Promise.resolve(refs((r) => r.users.includes(userId)));
    },
    rolesWithAnyRole: (ids) => {
      calls.push(`roles:${ids.join(',')}`);
      return Promise.resolve(refs((r) => r.roles.some((id) => ids.includes(id))));
    },
  };
  function refs(test: (r: { users: string[]; roles: string[] }) => boolean): RoleRef[] {
    return Object.entries(roles)
      .filter(([, r]) => test(r))
      .map(([objectId, r]) => ({ objectId, name: r.name }));
  }

  it('follows inheritance and cuts cycles', async () => {
    assert.deepEqual(await resolveRoleNames({ source, userId: 'u1' }), ['Admins', 'Moderators']);
    assert.deepEqual(await resolveRoleNames({ source, userId: 'nobody' }), []);
  });
  it('caches per user until invalidated, and announces its own invalidations', async () => {
    let announced = 0;
    const cache = new RoleCache({ onInvalidate: () => (announced += 1) });
    calls.length = 0;
    await cache.roleNames({ userId: 'u2', source });
    await cache.roleNames({ userId: 'u2', source });
    assert.deepEqual(calls, ['user:u2', 'roles:r3']);
    cache.invalidate();
    cache.clear();
    assert.equal(announced, 1);
    assert.deepEqual(await cache.roleNames({ userId: 'u2', source }), ['Staff']);
    assert.equal(calls.length, 4);
  });
});
