import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../errors/index.js';
import type { ClassSchema } from '../schema/index.js';
import { QUERY_COST, QueryCost } from './limits.js';
import { parseWhere } from './parse-where.js';
import type { SubQueryResolver } from './parse-relational.js';

const schema: ClassSchema = {
  className: 'Item',
  fields: { name: { type: 'String' }, tags: { type: 'Array' }, owner: { type: 'Pointer', targetClass: 'Item' } },
};

const subQueries: SubQueryResolver = { schemaOf: () => schema, restrict: ({ where }) => where };

/** The cost parseWhere charged for `where`, found as the smallest maxCost that accepts it. */
function costOf(where: Record<string, unknown>): number {
  let low = 0;
  let high = 1_000_000;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    try {
      parseWhere({ where, schema, subQueries, limits: { maxCost: mid } });
      high = mid;
    } catch {
      low = mid + 1;
    }
  }
  return low;
}

function refusedWith(maxCost: number): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ParseError);
    assert.equal(err.code, 102);
    assert.match(err.message, new RegExp(`^Query is too complex: its cost is over ${maxCost} \\(`));
    return true;
  };
}

describe('query cost', () => {
  it('charges each constraint, value, branch, sub-query and regex instruction', () => {
    assert.equal(costOf({ name: 'a' }), QUERY_COST.constraint);
    // The field constraint plus each of its two operators.
    assert.equal(costOf({ name: { $gt: 'a', $lt: 'z' } }), 3);
    assert.equal(costOf({ name: { $in: ['a', 'b', 'c'] } }), 2 + 3 * QUERY_COST.value);
    assert.equal(costOf({ $or: [{ name: 'a' }, { name: 'b' }] }), 2 * QUERY_COST.branch + 2);
    assert.equal(costOf({ owner: { $inQuery: { className: 'Item', where: { name: 'a' } } } }), 2 + 100 + 1);
    const regex = costOf({ name: { $regex: '^abc' } }) - 2;
    assert.ok(regex > 0 && regex % QUERY_COST.regexInstruction === 0, String(regex));
    // A repeat count multiplies the program, and so the cost, whatever the pattern's length.
    assert.ok(costOf({ name: { $regex: '(a|b){200}' } }) > 100 * regex);
  });

  it('adds up every part of the query, sub-queries included', () => {
    // Each branch is far under every per-part limit; 50 of them are not.
    const branch = { owner: { $inQuery: { className: 'Item', where: { name: { $in: Array(100).fill('x') } } } } };
    const where = { $or: Array.from({ length: 50 }, () => branch) };
    assert.throws(() => parseWhere({ where, schema, subQueries, limits: { maxCost: 5000 } }), refusedWith(5000));
    assert.doesNotThrow(() => parseWhere({ where, schema, subQueries, limits: { maxCost: 20_000 } }));
    // Without a limit (the master key), anything goes.
    assert.doesNotThrow(() => parseWhere({ where, schema, subQueries }));
  });

  it('refuses before decoding a large $in', () => {
    const values = Array.from({ length: 50_000 }, (_, i) => ({ __type: 'Bogus', i }));
    // The values would fail to decode; the cost check comes first.
    assert.throws(
      () => parseWhere({ where: { name: { $in: values } }, schema, limits: { maxCost: 1000 } }),
      refusedWith(1000),
    );
  });

  it('QueryCost keeps a running total', () => {
    const cost = new QueryCost(10);
    cost.charge(4);
    cost.charge(6);
    assert.equal(cost.spent, 10);
    assert.throws(() => cost.charge(1), refusedWith(10));
    const unlimited = new QueryCost(undefined);
    unlimited.charge(1e9);
    assert.equal(unlimited.spent, 1e9);
  });
});
