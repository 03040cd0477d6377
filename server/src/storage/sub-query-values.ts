import type { FieldPath } from '../query/index.js';
import { isPlainObject } from '../schema/index.js';
import type { ParseValue } from '../schema/index.js';
import type { StoredObject } from './adapter.js';

/**
 * The values a `$select` / `$dontSelect` sub-query selects: the value at `key` (a field, `objectId`,
 * `createdAt`, `updatedAt`, or a dot path into an Object field) of each matched object. Objects lacking
 * the key contribute nothing; repeated scalars are kept once so the outer `IN` list stays short.
 */
export function valuesAtKey(objects: readonly StoredObject[], key: FieldPath): ParseValue[] {
  const out: ParseValue[] = [];
  const seen = new Set<string | number | boolean>();
  for (const object of objects) {
    const value = valueAt(object, key);
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      if (seen.has(value)) continue;
      seen.add(value);
    }
    out.push(value);
  }
  return out;
}

function valueAt(object: StoredObject, key: FieldPath): ParseValue | undefined {
  const [root, ...rest] = key;
  let value: unknown;
  if (root === 'objectId') value = object.objectId;
  else if (root === 'createdAt') value = object.createdAt;
  else if (root === 'updatedAt') value = object.updatedAt;
  else value = Object.hasOwn(object.fields, root) ? object.fields[root] : undefined;
  for (const segment of rest) {
    if (!isPlainObject(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value as ParseValue | undefined;
}
