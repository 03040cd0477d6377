import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_FIELDS,
  defaultFieldsOf,
  internalFields,
  isDefaultField,
  isInternalField,
  isSystemClass,
  isVolatileClass,
  requiredFieldsOnCreate,
} from './system-classes.js';

describe('system classes', () => {
  it('every class has objectId, createdAt, updatedAt and ACL', () => {
    assert.deepEqual(DEFAULT_FIELDS, {
      objectId: { type: 'String' },
      createdAt: { type: 'Date' },
      updatedAt: { type: 'Date' },
      ACL: { type: 'ACL' },
    });
    assert.equal(defaultFieldsOf('GameScore'), DEFAULT_FIELDS);
  });

  it('_User, _Role and _Session have their own default fields after the common ones', () => {
    assert.deepEqual(Object.keys(defaultFieldsOf('_User')), [
      'objectId',
      'createdAt',
      'updatedAt',
      'ACL',
      'username',
      'password',
      'email',
      'emailVerified',
      'authData',
    ]);
    assert.deepEqual(defaultFieldsOf('_Role')['users'], { type: 'Relation', targetClass: '_User' });
    assert.deepEqual(defaultFieldsOf('_Role')['roles'], { type: 'Relation', targetClass: '_Role' });
    assert.deepEqual(defaultFieldsOf('_Session')['user'], { type: 'Pointer', targetClass: '_User' });
    assert.deepEqual(defaultFieldsOf('_Installation')['badge'], { type: 'Number' });
    assert.deepEqual(defaultFieldsOf('_Installation')['channels'], { type: 'Array' });
    assert.deepEqual(defaultFieldsOf('_PushStatus')['errorMessage'], { type: 'Object' });
    assert.deepEqual(defaultFieldsOf('_Idempotency')['expire'], { type: 'Date' });
    assert.ok(Object.isFrozen(defaultFieldsOf('_User')));
  });

  it('knows the volatile classes', () => {
    for (const name of [
      '_JobStatus',
      '_PushStatus',
      '_Hooks',
      '_GlobalConfig',
      '_GraphQLConfig',
      '_JobSchedule',
      '_Audience',
      '_Idempotency',
    ]) {
      assert.equal(isVolatileClass(name), true, name);
      assert.equal(isSystemClass(name), true, name);
    }
    for (const name of ['_User', '_Role', '_Session', '_Installation', '_Product', 'Post']) {
      assert.equal(isVolatileClass(name), false, name);
    }
    assert.equal(isSystemClass('Post'), false);
  });

  it('lists required fields on create', () => {
    assert.deepEqual(requiredFieldsOnCreate('_Role'), ['name', 'ACL']);
    assert.deepEqual(requiredFieldsOnCreate('_Product'), ['productIdentifier', 'icon', 'order', 'title', 'subtitle']);
    assert.deepEqual(requiredFieldsOnCreate('Post'), []);
  });

  it('lists internal fields with their types', () => {
    const user = internalFields('_User');
    assert.deepEqual(user['_hashed_password'], { type: 'String' });
    assert.deepEqual(user['_failed_login_count'], { type: 'Number' });
    assert.deepEqual(user['_account_lockout_expires_at'], { type: 'Date' });
    assert.deepEqual(user['_password_history'], { type: 'Array' });
    assert.equal(isInternalField('_User', '_auth_data_facebook'), true);
    assert.equal(isInternalField('_User', '_auth_data_'), false);
    assert.equal(isInternalField('Post', '_hashed_password'), false);
    assert.deepEqual(internalFields('Post'), {});
  });

  it('default fields include the class-specific ones', () => {
    assert.equal(isDefaultField('_User', 'username'), true);
    assert.equal(isDefaultField('Post', 'objectId'), true);
    assert.equal(isDefaultField('Post', 'username'), false);
    assert.equal(isDefaultField('Post', 'toString'), false);
  });
});
