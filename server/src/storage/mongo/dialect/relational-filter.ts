import type { Document } from 'mongodb';
import type { Condition } from '../../../query/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import { storedPath } from './keys.js';
import { encodeInterior } from './values.js';

/**
 * `$containedBy` → `{$nor: [{<key>: {$elemMatch: {$nin: values}}}]}` (spec/mongo-layout.md §2.8): no
 * element outside the operand; non-arrays and missing fields match. The other relational nodes
 * (`inQuery`, `select`) run a sub-query first: the driver resolves them before `toFilter` sees them.
 */
export function containedByFilter(
  schema: ClassSchema,
  condition: Extract<Condition, { kind: 'containedBy' }>,
): Document {
  const key = storedPath(schema, condition.path, { pointerValue: false });
  return { $nor: [{ [key]: { $elemMatch: { $nin: condition.values.map((value) => encodeInterior(value)) } } }] };
}
