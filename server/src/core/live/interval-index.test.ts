/**
 * The interval index answers like a scan of every interval, also while items come and go between queries
 * (changes kept aside since the last build, then a rebuild past the threshold): fast-check, seeded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { IntervalIndex } from './interval-index.js';
import type { Interval } from './interval-index.js';

type Op =
  | { readonly kind: 'add'; readonly item: number; readonly interval: Interval<number> }
  | { readonly kind: 'delete'; readonly item: number }
  | { readonly kind: 'query'; readonly span: Interval<number> };

const bound = fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 6 });
const interval: fc.Arbitrary<Interval<number>> = fc.tuple(bound, bound).map(([low, high]) => ({ low, high }));
const item = fc.integer({ min: 0, max: 80 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), item, interval }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), item }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('query' as const), span: interval }) },
);

/** Whether [low, high] meets the span (ends included, undefined unbounded), written out plainly. */
function meets(a: Interval<number>, span: Interval<number>): boolean {
  const low = a.low ?? -Infinity;
  const high = a.high ?? Infinity;
  return low <= (span.high ?? Infinity) && high >= (span.low ?? -Infinity);
}

describe('IntervalIndex', () => {
  it('answers every query like a scan, with adds, deletes and re-adds between queries', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
        const index = new IntervalIndex<number, number>();
        const model = new Map<number, Interval<number>>();
        for (const step of ops) {
          if (step.kind === 'add') {
            index.add(step.item, step.interval);
            model.set(step.item, step.interval);
          } else if (step.kind === 'delete') {
            index.delete(step.item);
            model.delete(step.item);
          } else {
            const found: number[] = [];
            index.overlapping(step.span, (hit) => found.push(hit));
            const expected = [...model].filter(([, i]) => meets(i, step.span)).map(([id]) => id);
            assert.deepEqual(
              found.sort((a, b) => a - b),
              expected.sort((a, b) => a - b),
            );
          }
          assert.equal(index.size, model.size);
        }
      }),
      { seed: 14_7, numRuns: 400 },
    );
  });

  it('changes after the build are seen by the next query (kept aside until a rebuild)', () => {
    const index = new IntervalIndex<string, number>();
    for (let i = 0; i < 1000; i++) index.add(`band${i}`, { low: i, high: i + 1 });
    const hits = (x: number): string[] => {
      const found: string[] = [];
      index.overlapping({ low: x, high: x }, (hit) => found.push(hit));
      return found.sort();
    };
    assert.deepEqual(hits(500.5), ['band500']);
    index.delete('band500');
    index.add('late', { low: 500, high: undefined });
    index.add('band500', { low: 499, high: 501 });
    assert.deepEqual(hits(500.5), ['band500', 'late']);
    assert.deepEqual(hits(2000), ['late']);
    index.delete('late');
    assert.deepEqual(hits(2000), []);
  });
});
