import { ErrorCode, ParseError } from '../errors/index.js';
import { describeType, sameFieldType } from './infer.js';
import { assertFieldName } from './names.js';
import { defaultFieldsOf, isInternalField } from './system-classes.js';
import type { ClassSchema, FieldDefinition, FieldType } from './types.js';

/**
 * Write-path schema checks: which fields a write adds to a class, type mismatches against the schema,
 * the one-GeoPoint rule, and the key rules inside Object values. Writes to default or immutable fields
 * are core's business, not checked here.
 */

/**
 * The fields a write introduces, given the class's schema (`undefined` for a class that does not exist
 * yet) and the top-level fields the write wants to store with the types core inferred for them.
 * Internal `_` fields of the class are skipped (they never enter the schema).
 *
 * Throws 105 for an invalid field name, 111 "schema mismatch for C.f; expected X but got Y" when a field
 * exists with another type, and 111 when the write would give the class a second GeoPoint field.
 *
 * @example
 * fieldsToAdd({ className: 'Post', schema, fields: { title: { type: 'String' } } }); // {} if title exists
 */
export function fieldsToAdd(options: {
  className: string;
  schema: ClassSchema | undefined;
  fields: Readonly<Record<string, FieldType>>;
}): Record<string, FieldType> {
  const { className, schema, fields } = options;
  const known = schema?.fields ?? defaultFieldsOf(className);
  const added: Record<string, FieldType> = {};
  let any = false;
  for (const fieldName of Object.keys(fields)) {
    const wanted = fields[fieldName];
    if (wanted === undefined || isInternalField(className, fieldName)) continue;
    const existing = Object.hasOwn(known, fieldName) ? known[fieldName] : undefined;
    if (existing !== undefined) {
      if (!sameFieldType(existing, wanted))
        throw schemaMismatch({ className, fieldName, expected: existing, got: wanted });
      continue;
    }
    assertFieldName(fieldName, className);
    added[fieldName] = wanted;
    any = true;
  }
  if (any) assertOneGeoPoint({ existing: known, added });
  return added;
}

/** ParseError 111 in Parse's wording for a value of the wrong type. */
export function schemaMismatch(options: {
  className: string;
  fieldName: string;
  expected: FieldType;
  got: FieldType;
}): ParseError {
  const { className, fieldName, expected, got } = options;
  return new ParseError(ErrorCode.INCORRECT_TYPE, {
    message: `schema mismatch for ${className}.${fieldName}; expected ${describeType(expected)} but got ${describeType(got)}`,
  });
}

/** Throws 111 when `existing` and `added` together hold more than one GeoPoint field. */
export function assertOneGeoPoint(options: {
  existing: Readonly<Record<string, FieldDefinition | FieldType>>;
  added: Readonly<Record<string, FieldDefinition | FieldType>>;
}): void {
  const { existing, added } = options;
  let first: string | undefined;
  for (const [fieldName, fieldType] of Object.entries(existing)) {
    if (fieldType.type === 'GeoPoint' && !Object.hasOwn(added, fieldName)) first = fieldName;
  }
  for (const [fieldName, fieldType] of Object.entries(added)) {
    if (fieldType.type !== 'GeoPoint') continue;
    if (first === undefined) {
      first = fieldName;
      continue;
    }
    throw new ParseError(ErrorCode.INCORRECT_TYPE, {
      message: `currently, only one GeoPoint field may exist in an object. Adding ${fieldName} when ${first} already exists.`,
    });
  }
}

/**
 * Throws 121 when a key inside an Object value (at any depth, including objects inside arrays) contains
 * `$` or `.`: storage would read such keys as operators or paths.
 */
export function assertValidNestedKeys(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) assertValidNestedKeys(item);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const key of Object.keys(value)) {
    if (key.includes('$') || key.includes('.')) throw new ParseError(ErrorCode.INVALID_NESTED_KEY);
    assertValidNestedKeys(value[key]);
  }
}

/** One entry of the `requestKeywordDenylist` option: a key, optionally only with a given value. */
export interface KeywordRule {
  readonly key?: string;
  readonly value?: unknown;
}

/** Parse's default denylist: prototype pollution keys and BSON code injection. */
export const DEFAULT_KEYWORD_DENYLIST: readonly KeywordRule[] = Object.freeze([
  Object.freeze({ key: '_bsontype', value: 'Code' }),
  Object.freeze({ key: 'constructor' }),
  Object.freeze({ key: '__proto__' }),
]);

/**
 * Throws 105 "Prohibited keyword in request data: {...}." when any key at any depth of a write's data
 * matches a denylist rule. Works on raw JSON as well as normalized values.
 */
export function assertNoProhibitedKeywords(data: unknown, options: { denylist?: readonly KeywordRule[] } = {}): void {
  const denylist = options.denylist ?? DEFAULT_KEYWORD_DENYLIST;
  if (denylist.length === 0) return;
  visitForKeywords(data, denylist);
}

function visitForKeywords(value: unknown, denylist: readonly KeywordRule[]): void {
  if (Array.isArray(value)) {
    for (const item of value) visitForKeywords(item, denylist);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const key of Object.keys(value)) {
    const child = value[key];
    for (const rule of denylist) {
      if (matchesRule(rule, key, child)) {
        throw new ParseError(ErrorCode.INVALID_KEY_NAME, {
          message: `Prohibited keyword in request data: ${JSON.stringify(rule)}.`,
        });
      }
    }
    visitForKeywords(child, denylist);
  }
}

function matchesRule(rule: KeywordRule, key: string, value: unknown): boolean {
  if (rule.key !== undefined && rule.key !== key) return false;
  if (Object.hasOwn(rule, 'value') && !sameJson(rule.value, value)) return false;
  return rule.key !== undefined || Object.hasOwn(rule, 'value');
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A plain object as JSON.parse makes it (including one with an own `__proto__` key). */
function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
