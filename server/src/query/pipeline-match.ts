import { ErrorCode, ParseError } from '../errors/index.js';
import { Pointer, decodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';
import type { CompareOp, Condition, FieldPath } from './ast.js';
import { andOf, norOf, orOf } from './combine.js';
import { parseWhere } from './parse-where.js';
import { translateRegex } from './regex.js';

/**
 * `$match` stages of an aggregation pipeline. A leading `$match` is a `where` on the class (Parse names),
 * after parse-server's aggregate rewrites: a bare string on a Pointer field is that object's id, and ISO
 * strings on Date fields are dates. A later `$match` filters the documents at that point of the
 * pipeline, addressed by stored names (`_id`, group outputs, `_p_owner`).
 */

const TIMESTAMPS: Readonly<Record<string, string>> = {
  objectId: '_id',
  createdAt: '_created_at',
  updatedAt: '_updated_at',
};

/** Stored names a pipeline may address that are not Parse field names: the id and the timestamps. */
const STORED_NAMES: ReadonlySet<string> = new Set(['_id', '_created_at', '_updated_at']);

/**
 * Throws 105 when a pipeline addresses a storage-internal column by its stored name (`$_hashed_password`,
 * `_rperm`, `_session_token`, `_auth_data_*`, ...): those never leave the server, not even to the master key,
 * and neither may any stage's result depend on them. `_id`, the timestamps and `_p_<pointer field>` stay allowed.
 */
export function assertAddressable(schema: ClassSchema, head: string, key: string): void {
  if (!head.startsWith('_') || STORED_NAMES.has(head)) return;
  const pointer = head.startsWith('_p_') ? head.slice(3) : undefined;
  if (pointer !== undefined && Object.hasOwn(schema.fields, pointer) && schema.fields[pointer]?.type === 'Pointer')
    return;
  throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${key}` });
}

/** The stored top-level name of a field, as parse-server's aggregate mapping spells it. */
export function storedFieldName(schema: ClassSchema, field: string): string {
  // Own keys only: `distinct=toString` found Object.prototype.toString here (a 500).
  const renamed = Object.hasOwn(TIMESTAMPS, field) ? TIMESTAMPS[field] : undefined;
  if (renamed !== undefined) return renamed;
  const definition = Object.hasOwn(schema.fields, field) ? schema.fields[field] : undefined;
  return definition?.type === 'Pointer' ? `_p_${field}` : field;
}

function isDateField(schema: ClassSchema, field: string): boolean {
  if (field === 'createdAt' || field === 'updatedAt') return true;
  return Object.hasOwn(schema.fields, field) && schema.fields[field]?.type === 'Date';
}

/** ISO strings (also inside operator objects) as Date JSON, as parse-server's `_convertToDate` does. */
function datesFromStrings(value: unknown): unknown {
  if (typeof value === 'string') return { __type: 'Date', iso: value };
  if (Array.isArray(value)) return value.map(datesFromStrings);
  if (isPlainObject(value) && !Object.hasOwn(value, '__type')) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = key === '$exists' ? item : datesFromStrings(item);
    return out;
  }
  return value;
}

function rewriteObjectMatch(schema: ClassSchema, match: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(match)) {
    if ((key === '$or' || key === '$and' || key === '$nor') && Array.isArray(value)) {
      out[key] = value.map((clause: unknown) => (isPlainObject(clause) ? rewriteObjectMatch(schema, clause) : clause));
      continue;
    }
    const definition = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    if (definition?.type === 'Pointer' && typeof value === 'string') {
      out[key] = { __type: 'Pointer', className: definition.targetClass, objectId: value };
    } else if (isDateField(schema, key)) {
      out[key] = datesFromStrings(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A leading `$match`: a `where` on the class. */
export function parseObjectMatch(options: { schema: ClassSchema; match: unknown; maxDepth: number }): Condition {
  const { schema, match, maxDepth } = options;
  if (!isPlainObject(match)) throw new ParseError(ErrorCode.INVALID_QUERY, { message: '$match must be an object.' });
  return parseWhere({ where: rewriteObjectMatch(schema, match), schema, maxDepth });
}

interface DocumentScope {
  readonly schema: ClassSchema;
  readonly maxDepth: number;
  readonly level: number;
}

/** A later `$match`: conditions on the documents' stored names. */
export function parseDocumentMatch(options: { schema: ClassSchema; match: unknown; maxDepth: number }): Condition {
  if (!isPlainObject(options.match)) {
    throw new ParseError(ErrorCode.INVALID_QUERY, { message: '$match must be an object.' });
  }
  return parseClause(options.match, { schema: options.schema, maxDepth: options.maxDepth, level: 0 });
}

function parseClause(clause: Record<string, unknown>, scope: DocumentScope): Condition {
  const conditions: Condition[] = [];
  for (const [key, value] of Object.entries(clause)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (scope.level >= scope.maxDepth) {
        throw new ParseError(ErrorCode.INVALID_QUERY, { message: 'Query is too deeply nested' });
      }
      if (!Array.isArray(value) || value.length === 0 || !value.every(isPlainObject)) {
        throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Bad ${key} format - use an array of objects.` });
      }
      const inner = value.map((c) => parseClause(c, { ...scope, level: scope.level + 1 }));
      conditions.push(key === '$and' ? andOf(inner) : key === '$or' ? orOf(inner) : norOf(inner));
      continue;
    }
    if (key.startsWith('$')) {
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Unsupported $match operator ${key}.` });
    }
    conditions.push(parseField(key, value, scope));
  }
  return andOf(conditions);
}

function documentPath(schema: ClassSchema, key: string): { path: FieldPath; pointerClass: string | undefined } {
  const segments = key.split('.');
  const head = segments[0] ?? '';
  if (segments.some((s) => s === '' || s === '__proto__' || s === 'constructor')) {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${key}` });
  }
  assertAddressable(schema, head, key);
  const definition = Object.hasOwn(schema.fields, head) ? schema.fields[head] : undefined;
  const pointerClass = segments.length === 1 && definition?.type === 'Pointer' ? definition.targetClass : undefined;
  return { path: [storedFieldName(schema, head), ...segments.slice(1)], pointerClass };
}

function parseField(key: string, json: unknown, scope: DocumentScope): Condition {
  const { path, pointerClass } = documentPath(scope.schema, key);
  const decode = (raw: unknown): ParseValue => {
    // Pointer fields hold `Class$id` strings in the pipeline's documents.
    if (pointerClass !== undefined && typeof raw === 'string') return `${pointerClass}$${raw}`;
    const value = decodeValue(raw, { maxDepth: scope.maxDepth });
    return value instanceof Pointer ? `${value.className}$${value.objectId}` : value;
  };
  const isOperators =
    isPlainObject(json) && !Object.hasOwn(json, '__type') && Object.keys(json).some((k) => k.startsWith('$'));
  if (!isOperators) return { kind: 'eq', path, value: decode(json) };
  const record = json as Record<string, unknown>;
  const conditions: Condition[] = [];
  for (const [operator, operand] of Object.entries(record)) {
    conditions.push(parseOperator({ path, operator, operand, record, decode }));
  }
  return andOf(conditions);
}

const COMPARE: Readonly<Record<string, CompareOp>> = { $lt: 'lt', $lte: 'lte', $gt: 'gt', $gte: 'gte' };

function parseOperator(options: {
  path: FieldPath;
  operator: string;
  operand: unknown;
  record: Record<string, unknown>;
  decode: (raw: unknown) => ParseValue;
}): Condition {
  const { path, operator, operand, decode } = options;
  const list = (): ParseValue[] => {
    if (!Array.isArray(operand)) throw new ParseError(ErrorCode.INVALID_JSON, { message: `bad ${operator} value` });
    return operand.map(decode);
  };
  const op = COMPARE[operator];
  if (op !== undefined) return { kind: 'compare', path, op, value: decode(operand) };
  switch (operator) {
    case '$eq':
      return { kind: 'eq', path, value: decode(operand) };
    case '$ne':
      return { kind: 'ne', path, value: decode(operand) };
    case '$in':
      return { kind: 'in', path, values: list() };
    case '$nin':
      return { kind: 'nin', path, values: list() };
    case '$all':
      return { kind: 'all', path, values: list() };
    case '$exists':
      if (typeof operand !== 'boolean') throw new ParseError(ErrorCode.INVALID_JSON, { message: 'bad $exists value' });
      return { kind: 'exists', path, exists: operand };
    case '$regex': {
      const { pattern, flags } = translateRegex(operand, options.record['$options']);
      return { kind: 'regex', path, pattern, flags };
    }
    case '$options':
      return { kind: 'constant', value: true };
    default:
      throw new ParseError(ErrorCode.INVALID_QUERY, { message: `Unsupported $match operator ${operator}.` });
  }
}
