import { Bytes, GeoPoint, ParseFile, Pointer, Polygon } from '../schema/index.js';
import type { CompareOp } from './ast.js';

/**
 * Value equality and ordering with MongoDB's rules, for the in-memory matcher:
 * - equality is deep and strict about types (`1` never equals `"1"`, a Date equals a Date of the same
 *   instant, pointers are equal by className and objectId); arrays compare element by element in
 *   order, and objects compare key by key in order, as BSON documents do;
 * - ordering (`$lt` …) only holds between values of the same kind: numbers, strings (by UTF-16 code
 *   units), dates (by time) or booleans. A number is never less than a string.
 */

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (a instanceof Pointer) return b instanceof Pointer && a.className === b.className && a.objectId === b.objectId;
  if (a instanceof ParseFile) return b instanceof ParseFile && a.name === b.name;
  if (a instanceof GeoPoint) return b instanceof GeoPoint && a.latitude === b.latitude && a.longitude === b.longitude;
  if (a instanceof Bytes) return b instanceof Bytes && a.base64 === b.base64;
  if (a instanceof Polygon) return b instanceof Polygon && valuesEqual(a.coordinates, b.coordinates);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  for (let i = 0; i < aKeys.length; i++) {
    const key = aKeys[i];
    if (key === undefined || key !== bKeys[i] || !valuesEqual(aRecord[key], bRecord[key])) return false;
  }
  return true;
}

/** True when `left <op> right` holds; false whenever the two are not of the same comparable kind. */
export function compareHolds(left: unknown, op: CompareOp, right: unknown): boolean {
  let order: number;
  if (typeof left === 'number' && typeof right === 'number') order = left - right;
  else if (typeof left === 'string' && typeof right === 'string') order = left < right ? -1 : left > right ? 1 : 0;
  else if (left instanceof Date && right instanceof Date) order = left.getTime() - right.getTime();
  else if (typeof left === 'boolean' && typeof right === 'boolean') order = Number(left) - Number(right);
  else return false;
  if (Number.isNaN(order)) return false;
  switch (op) {
    case 'lt':
      return order < 0;
    case 'lte':
      return order <= 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
  }
}
