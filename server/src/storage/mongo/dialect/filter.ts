import { BSONRegExp } from 'mongodb';
import type { Document } from 'mongodb';
import { ErrorCode, ParseError } from '../../../errors/index.js';
import { Pointer } from '../../../schema/index.js';
import type { ClassSchema, ParseValue } from '../../../schema/index.js';
import type { Condition, FieldPath, SortKey } from '../../../query/index.js';
import { fieldDefinition, storedPath } from './keys.js';
import { geoTextFilter } from './geo-text-filter.js';
import { containedByFilter } from './relational-filter.js';
import { encodeInterior, encodeTopLevel, pointerString } from './values.js';

/**
 * Condition AST → MongoDB filter, and SortKey → sort (spec/mongo-layout.md §2.8). The AST already has
 * MongoDB's semantics, so most nodes map one to one. Relation conditions (`relatedTo`, `relationHas`)
 * need a join-collection look-up first: the driver replaces them with objectId `in`/`nin` before
 * calling `toFilter`, which refuses them.
 */

/** A filter that matches no document. */
export const MATCH_NOTHING: Document = { _id: { $in: [] } };

/** Where a compared value goes, which decides its stored form. */
interface ValueTarget {
  readonly schema: ClassSchema;
  readonly path: FieldPath;
  /** Operators other than plain equality add the target class to a bare objectId on pointer fields. */
  readonly bareIdsGetClass: boolean;
}

/** A compared value in its stored form, which depends on where the path points. */
function encodeQueryValue(target: ValueTarget, value: ParseValue): unknown {
  const { schema, path } = target;
  if (path.length > 1) return encodeInterior(value);
  const [field] = path;
  if (field === 'createdAt' || field === 'updatedAt' || field === 'expiresAt') {
    if (typeof value === 'string' && !Number.isNaN(new Date(value).getTime())) return new Date(value);
  }
  const definition = fieldDefinition(schema, field);
  if (definition === undefined ? value instanceof Pointer : definition.type === 'Pointer') {
    if (value instanceof Pointer) return pointerString(value);
    if (typeof value === 'string' && target.bareIdsGetClass && definition?.type === 'Pointer') {
      return `${definition.targetClass}$${value}`;
    }
    return encodeInterior(value);
  }
  if (definition?.type === 'Array' || definition?.type === 'Object') return encodeInterior(value);
  return encodeTopLevel(field, value);
}

function keyOf(schema: ClassSchema, path: FieldPath, values: readonly ParseValue[] = []): string {
  // A field the schema does not know yet is a pointer field when compared with pointers.
  const pointerValue =
    path.length === 1 &&
    fieldDefinition(schema, path[0]) === undefined &&
    values.some((value) => value instanceof Pointer);
  return storedPath(schema, path, { pointerValue });
}

function combine(operator: '$and' | '$or' | '$nor', schema: ClassSchema, conditions: readonly Condition[]): Document {
  if (conditions.length === 0) return operator === '$or' ? MATCH_NOTHING : {};
  return {
    [operator]: conditions.map((condition) => toFilter(schema, condition)),
  };
}

function isDocument(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * eq / ne / in / nin. On an Array field, "contains this sub-document" is written `$all: [doc]` (as
 * parse-server does for equality): the same on MongoDB, and the only form FerretDB 1.x matches against
 * documents inside arrays (its `$eq`/`$in` ignore them). `$eq` keeps an object value from being read as
 * operators.
 */
function equality(
  schema: ClassSchema,
  test: { kind: 'eq' | 'ne' | 'in' | 'nin'; path: FieldPath; values: readonly ParseValue[] },
): Document {
  const { kind, path, values } = test;
  const key = keyOf(schema, path, values);
  const target: ValueTarget = { schema, path, bareIdsGetClass: kind !== 'eq' };
  const encoded = values.map((value) => encodeQueryValue(target, value));
  const arrayField = path.length === 1 && fieldDefinition(schema, path[0])?.type === 'Array';
  if (!arrayField || !encoded.some(isDocument)) {
    if (kind === 'eq' || kind === 'ne') return { [key]: { [`$${kind}`]: encoded[0] } };
    return { [key]: { [`$${kind}`]: encoded } };
  }
  const documents = encoded.filter(isDocument).map((value) => ({ [key]: { $all: [value] } }));
  const scalars = encoded.filter((value) => !isDocument(value));
  const alternatives = scalars.length === 0 ? documents : [...documents, { [key]: { $in: scalars } }];
  if (kind === 'eq' || kind === 'in')
    return alternatives.length === 1 ? (alternatives[0] ?? {}) : { $or: alternatives };
  return { $nor: alternatives };
}

/**
 * A pointer field may hold the create path's bare `owner: null` instead of `_p_owner`; a stored null
 * counts as present, so both keys are looked at.
 */
function exists(schema: ClassSchema, path: FieldPath, present: boolean): Document {
  const key = keyOf(schema, path);
  if (path.length > 1 || fieldDefinition(schema, path[0])?.type !== 'Pointer') return { [key]: { $exists: present } };
  const bare = path[0];
  return present
    ? { $or: [{ [key]: { $exists: true } }, { [bare]: { $exists: true } }] }
    : { [key]: { $exists: false }, [bare]: { $exists: false } };
}

export function toFilter(schema: ClassSchema, condition: Condition): Document {
  switch (condition.kind) {
    case 'and':
      return combine('$and', schema, condition.conditions);
    case 'or':
      return combine('$or', schema, condition.conditions);
    case 'nor':
      return combine('$nor', schema, condition.conditions);
    case 'constant':
      return condition.value ? {} : MATCH_NOTHING;
    case 'eq':
    case 'ne':
      return equality(schema, { kind: condition.kind, path: condition.path, values: [condition.value] });
    case 'compare':
      return {
        [keyOf(schema, condition.path, [condition.value])]: {
          [`$${condition.op}`]: encodeQueryValue(
            { schema, path: condition.path, bareIdsGetClass: true },
            condition.value,
          ),
        },
      };
    case 'in':
    case 'nin':
      return equality(schema, condition);
    case 'all': {
      const target: ValueTarget = { schema, path: condition.path, bareIdsGetClass: true };
      return {
        [keyOf(schema, condition.path, condition.values)]: {
          [`$${condition.kind}`]: condition.values.map((value) => encodeQueryValue(target, value)),
        },
      };
    }
    case 'exists':
      return exists(schema, condition.path, condition.exists);
    case 'regex':
      return {
        [keyOf(schema, condition.path)]: {
          $regex: new BSONRegExp(condition.pattern, condition.flags),
        },
      };
    case 'acl':
      // `null` in `$in` also matches a missing array: objects without an ACL are public.
      return {
        [condition.access === 'read' ? '_rperm' : '_wperm']: {
          $in: [null, ...condition.entities],
        },
      };
    // Geo and full-text operators (issue 3): geo-text-filter.ts.
    case 'nearSphere':
    case 'withinBox':
    case 'withinPolygon':
    case 'withinSphere':
    case 'polygonContains':
    case 'text':
      return geoTextFilter(schema, condition);
    // Relational operators (issue 3): relational-filter.ts; sub-queries are resolved by the driver first.
    case 'containedBy':
      return containedByFilter(schema, condition);
    case 'relatedTo':
    case 'relationHas':
    case 'inQuery':
    case 'select':
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
        message: `The ${condition.kind} condition must be resolved by the driver first (join collection or sub-query).`,
      });
  }
}

/** Sort keys in stored names; `createdAt` sorts by `_created_at`, a pointer field by `_p_<field>`. */
export function toSort(schema: ClassSchema, sort: readonly SortKey[] | undefined): Array<[string, 1 | -1]> | undefined {
  if (sort === undefined || sort.length === 0) return undefined;
  return sort.map((key) => [storedPath(schema, key.path), key.direction]);
}
