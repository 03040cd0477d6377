import { ErrorCode, ParseError } from '../errors/index.js';
import { Pointer, assertAllowedKey, decodeDate, decodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';
import { MATCH_ALL, MATCH_NONE } from './ast.js';
import type { CompareOp, Condition, FieldPath } from './ast.js';
import { andOf } from './combine.js';
import { translateRegex } from './regex.js';
import {
  assertNearSphereBeside,
  parseGeoIntersects,
  parseGeoWithin,
  parseNearSphere,
  parseWithin,
} from './parse-geo.js';
import { parseText } from './parse-text.js';
import { QUERY_COST, checkInValues, checkRegexLength } from './limits.js';
import { parseContainedBy, parseInQuery, parseSelect } from './parse-relational.js';
import type { RelationalContext } from './parse-relational.js';
import { relativeTimeToDate } from './relative-time.js';

/**
 * Parses the value of one field key of a `where` clause (`{"score":{"$gt":1}}`, `{"name":"x"}`) into
 * conditions, applying the schema-driven rewrites of spec/queries.md §2–§3: ISO strings on timestamp
 * fields become Dates, bare objectIds inside operators on Pointer fields become Pointers, and
 * pointers on Relation fields become `relationHas`.
 */

export interface ConstraintContext extends RelationalContext {
  readonly schema: ClassSchema | undefined;
  /** Deepest allowed nesting of a value. */
  readonly maxDepth: number;
  readonly tooDeep: { readonly code: ErrorCode; readonly message: string };
  /** The clock `$relativeTime` is relative to. */
  readonly now: () => Date;
}

/** What the schema says about the queried path, resolved once per key. */
interface Target {
  readonly path: FieldPath;
  readonly field: string;
  /** `createdAt`, `updatedAt`, `_Session.expiresAt`: a bare ISO string means a Date. */
  readonly timestamp: boolean;
  /** Target class when the path is a Pointer field itself. */
  readonly pointerClass: string | undefined;
  /** Target class when the path is a Relation field itself. */
  readonly relationClass: string | undefined;
  readonly context: ConstraintContext;
}

const RELATIVE_TIME_MISUSE = '$relativeTime can only be used with the $lt, $lte, $gt, and $gte operators';

export function parseFieldConstraint(path: FieldPath, json: unknown, context: ConstraintContext): Condition {
  const target = resolveTarget(path, context);
  context.cost.charge(QUERY_COST.constraint);
  if (isPlainObject(json) && !Object.hasOwn(json, '__type') && hasOperatorKey(json)) {
    return parseOperators(target, json);
  }
  return equality(target, decodeOperand(target, json, { inOperator: false }));
}

function resolveTarget(path: FieldPath, context: ConstraintContext): Target {
  const { schema } = context;
  const field = path[0];
  const isTopLevel = path.length === 1;
  const definition =
    isTopLevel && schema !== undefined && Object.hasOwn(schema.fields, field) ? schema.fields[field] : undefined;
  const timestamp =
    isTopLevel &&
    (field === 'createdAt' || field === 'updatedAt' || (field === 'expiresAt' && schema?.className === '_Session'));
  return {
    path,
    field,
    timestamp,
    pointerClass: definition?.type === 'Pointer' ? definition.targetClass : undefined,
    relationClass: definition?.type === 'Relation' ? definition.targetClass : undefined,
    context,
  };
}

function hasOperatorKey(record: Record<string, unknown>): boolean {
  for (const key of Object.keys(record)) if (key.startsWith('$')) return true;
  return false;
}

function badValue(operator: string): ParseError {
  return new ParseError(ErrorCode.INVALID_JSON, { message: `bad ${operator} value` });
}

function parseOperators(target: Target, constraint: Record<string, unknown>): Condition {
  const conditions: Condition[] = [];
  const plain: Record<string, unknown> = {};
  let hasPlain = false;
  for (const operator of Object.keys(constraint)) {
    const operand = constraint[operator];
    target.context.cost.charge(QUERY_COST.constraint);
    switch (operator) {
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte':
        conditions.push(comparison(target, operator, operand));
        break;
      case '$eq':
        rejectRelativeTime(operand);
        conditions.push(equality(target, decodeOperand(target, operand, { inOperator: true })));
        break;
      case '$ne':
        rejectRelativeTime(operand);
        conditions.push(inequality(target, decodeOperand(target, operand, { inOperator: true })));
        break;
      case '$in':
      case '$nin':
        conditions.push(membership(target, operator, operand));
        break;
      case '$all':
        conditions.push(containsAll(target, operand));
        break;
      case '$exists':
        if (typeof operand !== 'boolean') throw badValue(operator);
        conditions.push({ kind: 'exists', path: target.path, exists: operand });
        break;
      case '$regex': {
        checkRegexLength(target.context.limits, operand);
        const { pattern, flags, size } = translateRegex(operand, constraint['$options']);
        target.context.cost.charge(size * QUERY_COST.regexInstruction);
        conditions.push({ kind: 'regex', path: target.path, pattern, flags });
        break;
      }
      case '$options':
        if (!Object.hasOwn(constraint, '$regex')) {
          throw new ParseError(ErrorCode.INVALID_QUERY, { message: '$options needs a $regex' });
        }
        break;
      case '$relativeTime':
        throw new ParseError(ErrorCode.INVALID_JSON, { message: RELATIVE_TIME_MISUSE });
      case '$inQuery':
      case '$notInQuery':
        conditions.push(parseInQuery(target.path, { operator, operand }, target.context));
        break;
      case '$select':
      case '$dontSelect':
        conditions.push(parseSelect(target.path, { operator, operand }, target.context));
        break;
      case '$containedBy':
        conditions.push(parseContainedBy(target.path, operand, target.context));
        break;
      // Geo and full-text search (parse-geo.ts, parse-text.ts).
      case '$nearSphere':
        conditions.push(parseNearSphere(target.path, constraint));
        break;
      case '$maxDistance':
      case '$maxDistanceInRadians':
      case '$maxDistanceInMiles':
      case '$maxDistanceInKilometers':
        assertNearSphereBeside(operator, constraint);
        break;
      case '$within':
        conditions.push(parseWithin(target.path, operand));
        break;
      case '$geoWithin':
        conditions.push(parseGeoWithin(target.path, operand));
        break;
      case '$geoIntersects':
        conditions.push(parseGeoIntersects(target.path, operand));
        break;
      case '$text':
        conditions.push(parseText(target.path, operand));
        break;
      default:
        if (operator.startsWith('$'))
          throw new ParseError(ErrorCode.INVALID_JSON, { message: `bad constraint: ${operator}` });
        // Plain keys mixed with operators are an object-equality match (spec/queries.md §1).
        assertAllowedKey(operator, operand);
        plain[operator] = operand;
        hasPlain = true;
    }
  }
  if (hasPlain) conditions.push(equality(target, decodeOperand(target, plain, { inOperator: false })));
  return andOf(conditions);
}

function decodeOperand(target: Target, json: unknown, options: { readonly inOperator: boolean }): ParseValue {
  const value = decodeIn(target, json);
  return coerce(target, value, options);
}

/** Decodes with the query's depth limit (so a deep value reports as a deep query, 102). */
function decodeIn(target: Target, json: unknown): ParseValue {
  return decodeValue(json, { maxDepth: target.context.maxDepth, tooDeep: target.context.tooDeep });
}

function coerce(target: Target, value: ParseValue, options: { readonly inOperator: boolean }): ParseValue {
  if (typeof value !== 'string') return value;
  if (target.timestamp) return decodeDate(value);
  if (options.inOperator) {
    const targetClass = target.pointerClass ?? target.relationClass;
    if (targetClass !== undefined) return new Pointer(targetClass, value);
  }
  return value;
}

function equality(target: Target, value: ParseValue): Condition {
  if (target.relationClass !== undefined && value instanceof Pointer) return relationHas(target, [value], 'any');
  return { kind: 'eq', path: target.path, value };
}

function inequality(target: Target, value: ParseValue): Condition {
  if (target.relationClass !== undefined && value instanceof Pointer) return relationHas(target, [value], 'none');
  return { kind: 'ne', path: target.path, value };
}

/** Pointers to another class can never be members of the relation, so they are dropped here. */
function relationHas(target: Target, pointers: readonly Pointer[], mode: 'any' | 'none'): Condition {
  const relatedIds: string[] = [];
  for (const pointer of pointers) {
    if (pointer.className === target.relationClass && !relatedIds.includes(pointer.objectId))
      relatedIds.push(pointer.objectId);
  }
  if (relatedIds.length === 0) return mode === 'any' ? MATCH_NONE : MATCH_ALL;
  return { kind: 'relationHas', field: target.field, relatedIds, mode };
}

function rejectRelativeTime(operand: unknown): void {
  if (isPlainObject(operand) && Object.hasOwn(operand, '$relativeTime')) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: RELATIVE_TIME_MISUSE });
  }
}

const COMPARE_OPS: ReadonlyMap<string, CompareOp> = new Map([
  ['$lt', 'lt'],
  ['$lte', 'lte'],
  ['$gt', 'gt'],
  ['$gte', 'gte'],
]);

function comparison(target: Target, operator: string, operand: unknown): Condition {
  const value =
    isPlainObject(operand) && Object.hasOwn(operand, '$relativeTime')
      ? relativeDate(target, operator, operand['$relativeTime'])
      : decodeOperand(target, operand, { inOperator: false });
  // Only kinds with a meaningful order; anything else would compare by MongoDB's cross-type rules,
  // which no client relies on and every backend would have to imitate.
  if (
    typeof value !== 'number' &&
    typeof value !== 'string' &&
    typeof value !== 'boolean' &&
    !(value instanceof Date)
  ) {
    throw badValue(operator);
  }
  return { kind: 'compare', path: target.path, op: COMPARE_OPS.get(operator) ?? 'lt', value };
}

/** `{"$lt":{"$relativeTime":"3 days ago"}}`: only on Date fields (or fields the schema does not know). */
function relativeDate(target: Target, operator: string, text: unknown): Date {
  const definition = target.path.length === 1 ? target.context.schema?.fields[target.field] : undefined;
  if (definition !== undefined && definition.type !== 'Date') {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: '$relativeTime can only be used with Date field' });
  }
  return relativeTimeToDate({ text, now: target.context.now(), operator });
}

function membership(target: Target, operator: '$in' | '$nin', operand: unknown): Condition {
  if (!Array.isArray(operand)) throw badValue(operator);
  checkInValues(target.context.limits, { operator, count: operand.length });
  target.context.cost.charge(operand.length * QUERY_COST.value);
  const decoded = decodeIn(target, operand);
  const values: ParseValue[] = [];
  // Parse flattens nested arrays in the operand by one level.
  for (const item of decoded as ParseValue[]) {
    if (Array.isArray(item)) for (const inner of item) values.push(coerce(target, inner, { inOperator: true }));
    else values.push(coerce(target, item, { inOperator: true }));
  }
  if (target.relationClass !== undefined) {
    const pointers: Pointer[] = [];
    for (const value of values) {
      if (!(value instanceof Pointer)) throw badValue(operator);
      pointers.push(value);
    }
    return relationHas(target, pointers, operator === '$in' ? 'any' : 'none');
  }
  if (values.length === 0) return operator === '$in' ? MATCH_NONE : MATCH_ALL;
  return { kind: operator === '$in' ? 'in' : 'nin', path: target.path, values };
}

function isRegexItem(item: unknown): item is Record<string, unknown> {
  return isPlainObject(item) && Object.hasOwn(item, '$regex');
}

function containsAll(target: Target, operand: unknown): Condition {
  if (!Array.isArray(operand)) throw badValue('$all');
  checkInValues(target.context.limits, { operator: '$all', count: operand.length });
  target.context.cost.charge(operand.length * QUERY_COST.value);
  const items = operand as unknown[];
  if (items.length === 0) return MATCH_NONE;
  const regexCount = items.filter(isRegexItem).length;
  if (regexCount > 0) {
    if (regexCount !== items.length) {
      throw new ParseError(ErrorCode.INVALID_JSON, {
        message: `All $all values must be of regex type or none: ${JSON.stringify(items)}`,
      });
    }
    // `containsAllStartingWith`: each pattern must match some element (a regex on an array matches
    // when any element does), so `$all` of patterns is an `and` of regex conditions.
    const conditions: Condition[] = [];
    for (const item of items as Array<Record<string, unknown>>) {
      checkRegexLength(target.context.limits, item['$regex']);
      const { pattern, flags, size } = translateRegex(item['$regex'], item['$options']);
      target.context.cost.charge(size * QUERY_COST.regexInstruction);
      conditions.push({ kind: 'regex', path: target.path, pattern, flags });
    }
    return andOf(conditions);
  }
  const decoded = decodeIn(target, items) as ParseValue[];
  const values = decoded.map((value) => coerce(target, value, { inOperator: true }));
  return { kind: 'all', path: target.path, values };
}
