import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { protectedFieldsKind } from './protected-fields-kind.js';

describe('protectedFields option', () => {
  const kind = protectedFieldsKind();
  it('reads JSON from flags and objects from the config file', () => {
    assert.deepEqual(kind.parse('{"_User":{"*":["email","phone"]}}'), {
      ok: true,
      value: { _User: { '*': ['email', 'phone'] } },
    });
    assert.deepEqual(kind.parse({ Post: { 'role:Staff': [] } }), { ok: true, value: { Post: { 'role:Staff': [] } } });
  });
  it('refuses malformed values with the reason', () => {
    assert.deepEqual(kind.parse('nope'), { ok: false, problem: 'expected a JSON object' });
    assert.deepEqual(kind.parse({ Post: ['x'] }), {
      ok: false,
      problem: 'expected an object of keys for class "Post"',
    });
    assert.deepEqual(kind.parse({ Post: { '*': 'x' } }), {
      ok: false,
      problem: 'expected a list of field names for Post.*',
    });
  });
});
