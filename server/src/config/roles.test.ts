import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROLES, ROLE_DESCRIPTIONS, describeRoles, roleKind, servingRoles } from './roles.js';

describe('--role', () => {
  it('accepts live, which serves LiveQuery, and no role is refused today', () => {
    assert.deepEqual(roleKind().parse('live'), { ok: true, value: 'live' });
    assert.deepEqual(servingRoles(), [...ROLES]);
    assert.match(describeRoles(), /`live`: LiveQuery/);
  });

  it('accepts every role that serves something', () => {
    for (const role of servingRoles()) assert.deepEqual(roleKind().parse(role), { ok: true, value: role });
    assert.equal(roleKind().parse('boss').ok, false);
  });

  it('describes each role from the one table: what it serves, or why it is refused', () => {
    const text = describeRoles();
    for (const role of ROLES) {
      const { serves, notYet } = ROLE_DESCRIPTIONS[role];
      assert.ok(text.includes(`\`${role}\``), role);
      assert.ok(text.includes(serves ?? notYet ?? '-'), role);
    }
    // GraphQL is served with the REST API (the api and all roles), never by live or worker.
    assert.match(ROLE_DESCRIPTIONS.api.serves ?? '', /GraphQL/);
    assert.doesNotMatch(`${ROLE_DESCRIPTIONS.live.serves ?? ''} ${ROLE_DESCRIPTIONS.worker.serves ?? ''}`, /GraphQL/);
  });
});
