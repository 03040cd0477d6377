import type { FieldType } from './types.js';
import { Bytes, EmbeddedObject, GeoPoint, ParseFile, Pointer, Polygon, isPlainObject } from './values.js';
import type { ParseValue } from './values.js';

/**
 * Field types of values (spec/types.md §2): the type a new field gets from the first value written,
 * and how types are named in error messages.
 */

const STRING: FieldType = Object.freeze({ type: 'String' });
const NUMBER: FieldType = Object.freeze({ type: 'Number' });
const BOOLEAN: FieldType = Object.freeze({ type: 'Boolean' });
const DATE: FieldType = Object.freeze({ type: 'Date' });
const ARRAY: FieldType = Object.freeze({ type: 'Array' });
const OBJECT: FieldType = Object.freeze({ type: 'Object' });
const FILE: FieldType = Object.freeze({ type: 'File' });
const GEOPOINT: FieldType = Object.freeze({ type: 'GeoPoint' });
const POLYGON: FieldType = Object.freeze({ type: 'Polygon' });
const BYTES: FieldType = Object.freeze({ type: 'Bytes' });

/**
 * The field type a normalized value gives a field; `undefined` for `null` (a null creates no field).
 * An embedded object counts as a pointer to its class, as SDKs may send one where a pointer belongs.
 *
 * @example
 * fieldTypeOf(new Pointer('_User', 'abc')); // { type: 'Pointer', targetClass: '_User' }
 */
export function fieldTypeOf(value: ParseValue | EmbeddedObject): FieldType | undefined {
  switch (typeof value) {
    case 'string':
      return STRING;
    case 'number':
      return NUMBER;
    case 'boolean':
      return BOOLEAN;
    default:
      break;
  }
  if (value === null) return undefined;
  if (value instanceof Date) return DATE;
  if (value instanceof Pointer || value instanceof EmbeddedObject) {
    return { type: 'Pointer', targetClass: value.className };
  }
  if (value instanceof ParseFile) return FILE;
  if (value instanceof GeoPoint) return GEOPOINT;
  if (value instanceof Polygon) return POLYGON;
  if (value instanceof Bytes) return BYTES;
  if (Array.isArray(value)) return ARRAY;
  if (isPlainObject(value)) return OBJECT;
  return undefined;
}

/** The type a Relation field gets from `AddRelation`/`RemoveRelation` pointers to `targetClass`. */
export function relationType(targetClass: string): FieldType {
  return { type: 'Relation', targetClass };
}

/** A type as Parse writes it in messages: `String`, `Pointer<_User>`, `Relation<Post>`. */
export function describeType(fieldType: FieldType): string {
  if (fieldType.type === 'Pointer' || fieldType.type === 'Relation') {
    return `${fieldType.type}<${fieldType.targetClass}>`;
  }
  return fieldType.type;
}

/** True when both describe the same type (same name, and same target class for Pointer/Relation). */
export function sameFieldType(a: FieldType, b: FieldType): boolean {
  if (a.type !== b.type) return false;
  if ((a.type === 'Pointer' || a.type === 'Relation') && (b.type === 'Pointer' || b.type === 'Relation')) {
    return a.targetClass === b.targetClass;
  }
  return true;
}
