/**
 * The subscription index narrows, the matcher decides: candidates are few (counted) and indexed matching
 * (candidates that the full `query/match.ts` matcher accepts) equals brute force (every subscription through
 * the matcher), on hand-picked cases and on random where clauses and objects (fast-check, seeded: a failure
 * prints its seed and counterexample and replays).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createMatcher, parseWhere } from '../../query/index.js';
import type { Condition, Matcher } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ClassSchema, ParseValue } from '../../schema/index.js';
import type { StoredObject } from '../../storage/index.js';
import { SubscriptionIndex } from './subscription-index.js';

const schema: ClassSchema = {
  className: 'Ride',
  fields: {
    price: { type: 'Number' },
    city: { type: 'String' },
    at: { type: 'Date' },
    tags: { type: 'Array' },
    driver: { type: 'Pointer', targetClass: '_User' },
    open: { type: 'Boolean' },
    meta: { type: 'Object' },
  },
};

interface Sub {
  readonly className: string;
  readonly condition: Condition;
  readonly matcher: Matcher;
  readonly id: number;
}

function sub(where: Record<string, unknown>, id = 0): Sub {
  const condition = parseWhere({ where, schema });
  return { className: 'Ride', condition, matcher: createMatcher(condition, { schema }), id };
}

function ride(fields: Record<string, ParseValue>, objectId = 'r1'): StoredObject {
  const at = new Date('2026-01-01T00:00:00.000Z');
  return { objectId, createdAt: at, updatedAt: at, fields } as StoredObject;
}

const pointer = (objectId: string): unknown => ({ __type: 'Pointer', className: '_User', objectId });

const DAY = (n: number): { __type: 'Date'; iso: string } => ({
  __type: 'Date',
  iso: new Date(Date.UTC(2026, 0, n)).toISOString(),
});

describe('SubscriptionIndex candidates', () => {
  it('meets only the price bands that hold the price: 1,000 bands, one write, a handful of candidates', () => {
    const index = new SubscriptionIndex<Sub>();
    // Bands [i, i + 5) for i = 0..999: a price of 500.5 is inside 5 of them ([496..500]).
    for (let i = 0; i < 1000; i++) index.add(sub({ price: { $gte: i, $lt: i + 5 } }, i));
    const candidates = index.candidates('Ride', [undefined, ride({ price: 500.5 })]);
    assert.ok(candidates.length <= 6, `${candidates.length} candidates for 5 matching bands`);
    const matching = candidates.filter((s) => s.matcher(ride({ price: 500.5 })));
    assert.deepEqual(
      matching.map((s) => s.id).sort((a, b) => a - b),
      [496, 497, 498, 499, 500],
    );
  });

  it('one-sided ranges: a price of 10 meets the 10 thresholds at or below it among 1,000', () => {
    const index = new SubscriptionIndex<Sub>();
    for (let i = 0; i < 1000; i++) index.add(sub({ price: { $gt: i } }, i));
    const candidates = index.candidates('Ride', [ride({ price: 10 })]);
    // $gt is indexed as inclusive (the matcher then refuses 10 > 10): 11 candidates, 10 matches.
    assert.equal(candidates.length, 11);
    assert.equal(candidates.filter((s) => s.matcher(ride({ price: 10 }))).length, 10);
  });

  it('strings and dates have their own ranges; a number never meets a string range', () => {
    const index = new SubscriptionIndex<Sub>();
    index.add(sub({ city: { $gte: 'M', $lt: 'N' } }, 1));
    index.add(sub({ city: { $gte: 'P' } }, 2));
    index.add(sub({ at: { $gt: DAY(10), $lte: DAY(20) } }, 3));
    index.add(sub({ at: { $lt: DAY(5) } }, 4));
    const ids = (state: StoredObject): number[] =>
      index
        .candidates('Ride', [state])
        .map((s) => s.id)
        .sort();
    assert.deepEqual(ids(ride({ city: 'Madrid' })), [1]);
    assert.deepEqual(ids(ride({ city: 'Paris' })), [2]);
    assert.deepEqual(ids(ride({ city: 7 })), []);
    assert.deepEqual(ids(ride({ at: new Date(Date.UTC(2026, 0, 15)) })), [3]);
    assert.deepEqual(ids(ride({ at: new Date(Date.UTC(2026, 0, 2)) })), [4]);
    assert.deepEqual(ids(ride({})), []);
  });

  it('an array meets a range whose bounds different elements satisfy', () => {
    const index = new SubscriptionIndex<Sub>();
    const s = sub({ tags: { $gt: 5, $lt: 3 } });
    index.add(s);
    const state = ride({ tags: [6, 1] });
    assert.ok(s.matcher(state), 'the matcher accepts [6, 1] for {$gt: 5, $lt: 3}');
    assert.deepEqual(index.candidates('Ride', [state]), [s]);
    assert.deepEqual(index.candidates('Ride', [ride({ tags: [4] })]), []);
  });

  it('equality and $in are hash lookups; the write meets only its own values among 10,000', () => {
    const index = new SubscriptionIndex<Sub>();
    for (let i = 0; i < 5000; i++) index.add(sub({ driver: pointer(`u${i}`) }, i));
    for (let i = 0; i < 5000; i++) index.add(sub({ city: { $in: [`c${i}`, `c${i + 1}`] } }, 5000 + i));
    const state = ride({ driver: new Pointer('_User', 'u42'), city: 'c7' });
    const ids = index
      .candidates('Ride', [state])
      .map((s) => s.id)
      .sort((a, b) => a - b);
    assert.deepEqual(ids, [42, 5006, 5007]);
  });

  it('before and after both count: a ride leaving a band is a candidate for it', () => {
    const index = new SubscriptionIndex<Sub>();
    index.add(sub({ price: { $lt: 10 } }, 1));
    assert.equal(index.candidates('Ride', [ride({ price: 5 }), ride({ price: 50 })]).length, 1);
    assert.equal(index.candidates('Ride', [ride({ price: 50 }), ride({ price: 60 })]).length, 0);
  });

  it('what cannot be indexed is evaluated on every write, and deletes leave nothing behind', () => {
    const index = new SubscriptionIndex<Sub>();
    const anyRide = sub({}, 1);
    const either = sub({ $or: [{ price: 1 }, { city: 'x' }] }, 2);
    const band = sub({ price: { $gte: 1, $lte: 2 } }, 3);
    for (const s of [anyRide, either, band]) index.add(s);
    assert.equal(index.candidates('Ride', [ride({ price: 100 })]).length, 2);
    assert.deepEqual(index.countByClass(), { Ride: 3 });
    for (const s of [anyRide, either, band]) index.delete(s);
    assert.equal(index.size, 0);
    assert.equal(index.has('Ride'), false);
    assert.deepEqual(index.countByClass(), {});
  });
});

// ---- Property: indexed matching == brute force ----

// Small domains, so bounds and values often coincide (ends of ranges are where an index goes wrong).
const number = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constantFrom(0.5, Number.MAX_SAFE_INTEGER));
const str = fc.constantFrom('', 'a', 'b', 'ba', 'é');
const date = fc.integer({ min: 1, max: 3 }).map((d) => new Date(Date.UTC(2026, 0, d)));
const driver = fc.constantFrom('u1', 'u2').map((id) => new Pointer('_User', id));
const scalar: fc.Arbitrary<ParseValue> = fc.oneof(number, str, fc.boolean(), date, driver);
/** Per field: mostly its own type, sometimes anything, sometimes an array (Array fields compare by element). */
const typed: Record<string, fc.Arbitrary<ParseValue>> = {
  price: number,
  city: str,
  at: date,
  driver,
  open: fc.boolean(),
  tags: fc.array(scalar, { maxLength: 3 }),
};
const FIELDS = Object.keys(typed);
const valueOf = (field: string): fc.Arbitrary<ParseValue> =>
  fc.oneof(
    { weight: 4, arbitrary: typed[field] ?? scalar },
    { weight: 1, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(typed[field] ?? scalar, { maxLength: 3 }) },
  );
const fieldsArb = fc
  .subarray(FIELDS, { maxLength: 4 })
  .chain((names) => fc.tuple(...names.map((name) => valueOf(name).map((value) => [name, value] as const))))
  .map((entries) => Object.fromEntries(entries) as Record<string, ParseValue>);
const stateArb: fc.Arbitrary<StoredObject | undefined> = fc.option(
  fc.record({ objectId: fc.constantFrom('r1', 'r2'), fields: fieldsArb }),
  { freq: 4, nil: undefined },
) as fc.Arbitrary<StoredObject | undefined>;

/** REST JSON of an operand value. */
function json(value: ParseValue): unknown {
  if (value instanceof Date) return { __type: 'Date', iso: value.toISOString() };
  if (value instanceof Pointer) return pointer(value.objectId);
  return value;
}
const fieldName = fc.constantFrom(...FIELDS, 'objectId');
const constraintOn = (field: string): fc.Arbitrary<unknown> => {
  const operand = fc
    .oneof(
      { weight: 4, arbitrary: field === 'tags' ? scalar : (typed[field] ?? scalar) },
      { weight: 1, arbitrary: scalar },
    )
    .map(json);
  const rangeable = fc
    .oneof(
      { weight: 4, arbitrary: field === 'tags' ? number : (typed[field] ?? number) },
      { weight: 1, arbitrary: scalar },
    )
    .filter((v) => !(v instanceof Pointer))
    .map(json);
  return fc.oneof(
    operand,
    fc.record({ $in: fc.array(operand, { minLength: 1, maxLength: 3 }) }),
    // A range: one bound, or a low and a high one (pointers are refused in ranges by the parser).
    fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), rangeable).map(([op, v]) => ({ [op]: v })),
    fc
      .tuple(fc.constantFrom('$gt', '$gte'), rangeable, fc.constantFrom('$lt', '$lte'), rangeable)
      .map(([lowOp, low, highOp, high]) => ({ [lowOp]: low, [highOp]: high })),
    fc.record({ $ne: operand }),
    fc.record({ $exists: fc.boolean() }),
  );
};
const clause: fc.Arbitrary<Record<string, unknown>> = fc
  .uniqueArray(fieldName, { maxLength: 3 })
  .chain((names) => fc.tuple(...names.map((name) => constraintOn(name).map((c) => [name, c] as const))))
  .map((entries) => Object.fromEntries(entries));
const whereArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: clause },
  { weight: 1, arbitrary: fc.array(clause, { minLength: 1, maxLength: 2 }).map(($or) => ({ $or })) },
);

describe('SubscriptionIndex property', () => {
  it('indexed matching equals matching every subscription (random where clauses and writes)', () => {
    fc.assert(
      fc.property(fc.array(whereArb, { minLength: 1, maxLength: 30 }), stateArb, stateArb, (wheres, before, after) => {
        const index = new SubscriptionIndex<Sub>();
        const subs: Sub[] = [];
        wheres.forEach((where, id) => {
          let s: Sub;
          try {
            s = sub(where, id);
          } catch {
            return; // a clause the parser refuses (e.g. $in of mixed pointers) is refused at subscribe time
          }
          subs.push(s);
          index.add(s);
        });
        const states = [before, after];
        const hits = (s: Sub): boolean => states.some((state) => state !== undefined && s.matcher(state));
        const brute = subs.filter(hits).map((s) => s.id);
        const indexed = index
          .candidates('Ride', states)
          .filter(hits)
          .map((s) => s.id)
          .sort((a, b) => a - b);
        assert.deepEqual(indexed, brute);
      }),
      { seed: 14_4, numRuns: 300 },
    );
  });
});
