import { ErrorCode, ParseError } from '../errors/index.js';
import type { ClassSchema } from '../schema/index.js';
import { objectIdFor } from './global-id.js';

/**
 * A `<Class>WhereInput` as REST `where` JSON (spec/graphql.md §3), which core parses, validates against the
 * class schema and restricts with the caller's read policy exactly as it does for REST: a field the caller may
 * not read cannot be tested here either. Values are turned into their REST JSON form (`{"__type":"Date"}`...),
 * ids may be global ids.
 */
export type ClassLookup = (className: string) => ClassSchema | undefined;

type Input = Readonly<Record<string, unknown>>;

const OPERATORS: Readonly<Record<string, string>> = {
  equalTo: '$eq',
  notEqualTo: '$ne',
  lessThan: '$lt',
  lessThanOrEqualTo: '$lte',
  greaterThan: '$gt',
  greaterThanOrEqualTo: '$gte',
  in: '$in',
  notIn: '$nin',
  exists: '$exists',
  matchesRegex: '$regex',
  options: '$options',
  containedBy: '$containedBy',
  contains: '$all',
};

export function toRestWhere(options: {
  where: unknown;
  schema: ClassSchema;
  lookup: ClassLookup;
}): Record<string, unknown> {
  const { schema, lookup } = options;
  const where = options.where;
  if (where === undefined || where === null) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(where as Input)) {
    if (value === undefined || value === null) continue;
    if (name === 'OR' || name === 'AND' || name === 'NOR') {
      const list = (value as unknown[]).map((item) => toRestWhere({ where: item, schema, lookup }));
      out[`$${name.toLowerCase()}`] = list;
      continue;
    }
    if (name === 'id' || name === 'objectId') {
      mergeInto(out, 'objectId', idConstraint(schema.className, value as Input, lookup));
      continue;
    }
    const field = schema.fields[name];
    if (field === undefined) throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${name}` });
    const constraint = value as Input;
    switch (field.type) {
      case 'Pointer':
      case 'Relation':
        mergeInto(out, name, relationalConstraint({ targetClass: field.targetClass, constraint, lookup }));
        break;
      case 'Object':
        objectConstraints(out, { field: name, constraint, lookup });
        break;
      case 'GeoPoint':
        mergeInto(out, name, geoPointConstraint(constraint));
        break;
      case 'Polygon':
        mergeInto(out, name, polygonConstraint(constraint));
        break;
      default:
        mergeInto(out, name, scalarConstraint(constraint, valueEncoder(field.type), lookup));
    }
  }
  return out;
}

function mergeInto(out: Record<string, unknown>, key: string, constraint: Record<string, unknown>): void {
  const existing = out[key];
  out[key] = existing === undefined ? constraint : { ...(existing as object), ...constraint };
}

type Encoder = (value: unknown) => unknown;

function valueEncoder(type: string): Encoder {
  switch (type) {
    case 'Date':
      return (value) => ({ __type: 'Date', iso: value });
    case 'Bytes':
      return (value) => ({ __type: 'Bytes', base64: value });
    case 'File':
      return (value) => ({ __type: 'File', name: value });
    default:
      return (value) => value;
  }
}

function scalarConstraint(constraint: Input, encode: Encoder, lookup: ClassLookup): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [op, value] of Object.entries(constraint)) {
    if (value === undefined) continue;
    // An explicit null for an operator that takes an object adds no operator, as if it were left out (it was
    // dereferenced: code 1 "Internal server error", found by test/adversarial/fuzz-doors.test.ts).
    if (value === null && (op === 'text' || op === 'inQueryKey' || op === 'notInQueryKey')) continue;
    if (op === 'text') {
      out['$text'] = textSearch(value as Input);
      continue;
    }
    if (op === 'inQueryKey' || op === 'notInQueryKey') {
      out[op === 'inQueryKey' ? '$select' : '$dontSelect'] = select(value as Input, lookup);
      continue;
    }
    const restOp = OPERATORS[op];
    if (restOp === undefined) continue;
    if (op === 'exists' || op === 'matchesRegex' || op === 'options') out[restOp] = value;
    else if (Array.isArray(value)) out[restOp] = value.map((item) => (item === null ? null : encode(item)));
    else out[restOp] = value === null ? null : encode(value);
  }
  return out;
}

function textSearch(text: Input): Record<string, unknown> {
  const search = (text['search'] ?? {}) as Input;
  const out: Record<string, unknown> = { $term: search['term'] };
  if (search['language'] !== undefined && search['language'] !== null) out['$language'] = search['language'];
  if (typeof search['caseSensitive'] === 'boolean') out['$caseSensitive'] = search['caseSensitive'];
  if (typeof search['diacriticSensitive'] === 'boolean') out['$diacriticSensitive'] = search['diacriticSensitive'];
  return { $search: out };
}

/**
 * `inQueryKey` / `notInQueryKey` as `$select` / `$dontSelect`. Its sub-query is a raw REST where: every class it
 * names (its own, and any `className` inside, e.g. a nested `$inQuery`) must be one this schema exposes, so a
 * class the GraphQL config leaves out (or an internal one) cannot be reached this way either.
 */
function select(input: Input, lookup: ClassLookup): Record<string, unknown> {
  const query = (input['query'] ?? {}) as Input;
  assertReachable({ className: query['className'], where: query['where'] }, lookup);
  return { query: { className: query['className'], where: query['where'] }, key: input['key'] };
}

function assertReachable(value: unknown, lookup: ClassLookup, depth = 0): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > 64)
    throw new ParseError(ErrorCode.INVALID_NESTED_KEY, { message: 'The sub-query is nested too deeply.' });
  if (Array.isArray(value)) {
    for (const item of value) assertReachable(item, lookup, depth + 1);
    return;
  }
  const record = value as Input;
  const className = record['className'];
  if (className !== undefined && (typeof className !== 'string' || lookup(className) === undefined)) {
    throw new ParseError(ErrorCode.INVALID_CLASS_NAME, {
      message: `Class ${JSON.stringify(String(className)).slice(0, 80)} is not in the GraphQL API.`,
    });
  }
  for (const item of Object.values(record)) assertReachable(item, lookup, depth + 1);
}

function idConstraint(className: string, constraint: Input, lookup: ClassLookup): Record<string, unknown> {
  const toId = (value: unknown): unknown => (typeof value === 'string' ? safeObjectId(className, value) : value);
  return scalarConstraint(constraint, toId, lookup);
}

/** In a where, a global id of another class simply matches nothing. */
function safeObjectId(className: string, id: string): string {
  try {
    return objectIdFor(className, id);
  } catch {
    return '\u0000';
  }
}

function relationalConstraint(options: {
  targetClass: string;
  constraint: Input;
  lookup: ClassLookup;
}): Record<string, unknown> {
  const { targetClass, constraint, lookup } = options;
  const out: Record<string, unknown> = {};
  const target = lookup(targetClass);
  for (const [op, value] of Object.entries(constraint)) {
    if (value === undefined || value === null) continue;
    if (op === 'exists') out['$exists'] = value;
    else if (op === 'have' || op === 'haveNot') {
      if (target === undefined) throw new ParseError(ErrorCode.INVALID_CLASS_NAME);
      out[op === 'have' ? '$inQuery' : '$notInQuery'] = {
        className: targetClass,
        where: toRestWhere({ where: value, schema: target, lookup }),
      };
    }
  }
  return out;
}

/** `{equalTo: {key: "a.b", value}}` on field `o` is `{"o.a.b": {"$eq": value}}`. */
function objectConstraints(
  out: Record<string, unknown>,
  options: { field: string; constraint: Input; lookup: ClassLookup },
): void {
  const { field, constraint, lookup } = options;
  for (const [op, value] of Object.entries(constraint)) {
    if (value === undefined || value === null) continue;
    if (op === 'exists') {
      mergeInto(out, field, { $exists: value });
      continue;
    }
    if (op === 'inQueryKey' || op === 'notInQueryKey') {
      mergeInto(out, field, { [op === 'inQueryKey' ? '$select' : '$dontSelect']: select(value as Input, lookup) });
      continue;
    }
    const restOp = OPERATORS[op];
    if (restOp === undefined) continue;
    if (Array.isArray(value)) {
      const byKey = new Map<string, unknown[]>();
      for (const item of value as Input[]) {
        const key = String(item['key']);
        byKey.set(key, [...(byKey.get(key) ?? []), item['value']]);
      }
      for (const [key, values] of byKey) mergeInto(out, `${field}.${key}`, { [restOp]: values });
    } else {
      const item = value as Input;
      mergeInto(out, `${field}.${String(item['key'])}`, { [restOp]: item['value'] });
    }
  }
}

function geoPoint(value: unknown): Record<string, unknown> {
  const point = value as Input;
  return { __type: 'GeoPoint', latitude: point['latitude'], longitude: point['longitude'] };
}

function geoPointConstraint(constraint: Input): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [op, value] of Object.entries(constraint)) {
    if (value === undefined || value === null) continue;
    switch (op) {
      case 'exists':
        out['$exists'] = value;
        break;
      case 'nearSphere':
        out['$nearSphere'] = geoPoint(value);
        break;
      case 'maxDistance':
      case 'maxDistanceInRadians':
      case 'maxDistanceInMiles':
      case 'maxDistanceInKilometers':
        out[`$${op}`] = value;
        break;
      case 'within': {
        const box = (value as Input)['box'] as Input;
        out['$within'] = { $box: [geoPoint(box['bottomLeft']), geoPoint(box['upperRight'])] };
        break;
      }
      case 'geoWithin': {
        const within = value as Input;
        if (Array.isArray(within['polygon'])) out['$geoWithin'] = { $polygon: within['polygon'].map(geoPoint) };
        else if (within['centerSphere'] !== undefined && within['centerSphere'] !== null) {
          const sphere = within['centerSphere'] as Input;
          out['$geoWithin'] = { $centerSphere: [geoPoint(sphere['center']), sphere['distance']] };
        }
        break;
      }
    }
  }
  return out;
}

function polygonConstraint(constraint: Input): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof constraint['exists'] === 'boolean') out['$exists'] = constraint['exists'];
  const intersects = constraint['geoIntersects'] as Input | undefined | null;
  if (intersects?.['point'] !== undefined && intersects['point'] !== null) {
    out['$geoIntersects'] = { $point: geoPoint(intersects['point']) };
  }
  return out;
}
