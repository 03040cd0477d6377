import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pointer } from '../schema/index.js';
import type { ParseValue } from '../schema/index.js';
import type { Condition } from './ast.js';
import { matches } from './match.js';

const object = (fields: Record<string, ParseValue>): { objectId: string; fields: Record<string, ParseValue> } => ({
  objectId: 'o1',
  fields,
});

describe('matches: relational operators in memory (LiveQuery subset)', () => {
  const containedBy: Condition = { kind: 'containedBy', path: ['tags'], values: ['a', 'b', new Pointer('C', 'x')] };

  it('$containedBy: every element in the operand; empty, missing and non-array values match', () => {
    assert.equal(matches(containedBy, object({ tags: ['a', 'b'] })), true);
    assert.equal(matches(containedBy, object({ tags: ['a', new Pointer('C', 'x')] })), true);
    assert.equal(matches(containedBy, object({ tags: ['a', 'c'] })), false);
    assert.equal(matches(containedBy, object({ tags: [new Pointer('D', 'x')] })), false);
    assert.equal(matches(containedBy, object({ tags: [] })), true);
    assert.equal(matches(containedBy, object({})), true);
    assert.equal(matches(containedBy, object({ tags: 'z' })), true);
  });

  it('sub-queries never match in memory, in either mode', () => {
    const sub = {
      className: 'C',
      schema: { className: 'C', fields: {} },
      where: { kind: 'constant', value: true },
    } as const;
    for (const mode of ['in', 'notIn'] as const) {
      assert.equal(matches({ kind: 'inQuery', path: ['p'], mode, sub }, object({ p: new Pointer('C', 'x') })), false);
      assert.equal(matches({ kind: 'select', path: ['p'], mode, sub, key: ['k'] }, object({})), false);
    }
  });
});
