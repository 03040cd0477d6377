import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../errors/index.js';
import {
  assertClassName,
  assertFieldName,
  isValidClassName,
  isValidFieldName,
  joinClassName,
  parseJoinClassName,
} from './names.js';

function codeOf(fn: () => void): { code: number; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ParseError);
    return { code: err.code, message: err.message };
  }
}

describe('class names', () => {
  for (const name of ['GameScore', 'a', 'A_1', 'x_', '_User', '_Installation', '_Audience', '_Join:users:_Role']) {
    it(`accepts ${name}`, () => assert.equal(isValidClassName(name), true));
  }
  for (const name of [
    '',
    '1abc',
    '_Secret',
    'has space',
    'a-b',
    'Ünicode',
    '_Hooks',
    '_GlobalConfig',
    '_Join:a',
    '_Join:a:b:c',
  ]) {
    it(`rejects ${JSON.stringify(name)} with 103`, () => {
      assert.deepEqual(
        codeOf(() => assertClassName(name)),
        {
          code: ErrorCode.INVALID_CLASS_NAME,
          message: `Invalid classname: ${name}, classnames can only have alphanumeric characters and _, and must start with an alpha character `,
        },
      );
    });
  }
});

describe('field names', () => {
  it('accepts ordinary names', () => {
    assert.equal(isValidFieldName('score'), true);
    assert.equal(isValidFieldName('A9_b'), true);
  });
  it('rejects internal, dotted, reserved names with 105 "Invalid field name: x."', () => {
    for (const name of ['_hashed_password', '9lives', 'a.b', 'a$b', '', 'length', 'className']) {
      assert.deepEqual(
        codeOf(() => assertFieldName(name, 'Post')),
        {
          code: ErrorCode.INVALID_KEY_NAME,
          message: `Invalid field name: ${name}.`,
        },
      );
    }
  });
  it('allows className only in _Hooks', () => {
    assert.equal(isValidFieldName('className', '_Hooks'), true);
    assert.equal(isValidFieldName('className', 'Post'), false);
    assert.equal(isValidFieldName('className'), false);
  });
});

describe('join class names', () => {
  it('round-trips', () => {
    const name = joinClassName({ ownerClass: '_Role', field: 'users' });
    assert.equal(name, '_Join:users:_Role');
    assert.deepEqual(parseJoinClassName(name), { ownerClass: '_Role', field: 'users' });
  });
  it('rejects non-join names', () => {
    assert.equal(parseJoinClassName('Post'), undefined);
    assert.equal(parseJoinClassName('_Join:x'), undefined);
  });
});
