import { ErrorCode, ParseError } from '../errors/index.js';
import { decodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import { assertAddressable, parseDocumentMatch, parseObjectMatch, storedFieldName } from './pipeline-match.js';
import type {
  Accumulator,
  AccumulatorOp,
  Pipeline,
  PipelineExpression,
  PipelineSortKey,
  PipelineStage,
  ProjectField,
} from './pipeline-types.js';

/**
 * Parses and validates an aggregation pipeline (rest.md §15, queries.md §9) into the typed `Pipeline`:
 * an array of single-key stages or an object whose keys are stages, stage names starting with `$`,
 * `$group` keyed by `_id`, and parse-server's field-name mapping applied to `$match`, `$group` and
 * `$project`. Stages Strata does not model are kept as `native` (MongoDB runs them; SQLite refuses).
 *
 * @example
 * parsePipeline({ pipeline: [{ $group: { _id: '$owner', total: { $sum: '$score' } } }], schema });
 * // → [{ kind: 'group', id: { kind: 'field', path: ['_p_owner'] }, idIsPointer: true, accumulators: [...] }]
 */
export function parsePipeline(options: { pipeline: unknown; schema: ClassSchema; maxDepth: number }): Pipeline {
  const raw = stageList(options.pipeline);
  const stages: PipelineStage[] = [];
  let leading = true;
  for (const item of raw) {
    const keys = Object.keys(item);
    if (keys.length !== 1) {
      throw invalid(`Pipeline stages should only have one key but found ${keys.join(', ') || 'none'}.`);
    }
    const name = keys[0] as string;
    const stage = parseStage({ name, spec: item[name], schema: options.schema, maxDepth: options.maxDepth, leading });
    if (stage.kind !== 'match') leading = false;
    stages.push(stage);
  }
  return stages;
}

function invalid(message: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message });
}

function stageList(pipeline: unknown): Record<string, unknown>[] {
  if (Array.isArray(pipeline)) {
    return pipeline.map((stage: unknown) => {
      if (!isPlainObject(stage)) throw invalid('Each pipeline stage must be an object.');
      return stage;
    });
  }
  if (isPlainObject(pipeline)) return Object.entries(pipeline).map(([key, value]) => ({ [key]: value }));
  throw invalid('pipeline must be an array of stages or an object of stages.');
}

interface StageInput {
  readonly name: string;
  readonly spec: unknown;
  readonly schema: ClassSchema;
  readonly maxDepth: number;
  /** Only `$match` stages came before. */
  readonly leading: boolean;
}

function parseStage(input: StageInput): PipelineStage {
  const { name, spec, schema, maxDepth } = input;
  if (!name.startsWith('$')) throw invalid(`Invalid aggregate stage '${name}'.`);
  switch (name) {
    case '$match':
      return input.leading
        ? { kind: 'match', scope: 'object', condition: parseObjectMatch({ schema, match: spec, maxDepth }) }
        : { kind: 'match', scope: 'document', condition: parseDocumentMatch({ schema, match: spec, maxDepth }) };
    case '$group':
      return parseGroup(spec, input);
    case '$project':
      return parseProject(spec, input);
    case '$sort': {
      const keys = parseSort(spec);
      for (const key of keys) assertAddressable(schema, key.path[0], key.path.join('.'));
      return { kind: 'sort', keys };
    }
    case '$limit':
      return { kind: 'limit', count: positiveInteger(name, spec, { allowZero: false }) };
    case '$skip':
      return { kind: 'skip', count: positiveInteger(name, spec, { allowZero: true }) };
    case '$count':
      if (typeof spec !== 'string' || spec === '' || spec.startsWith('$') || spec.includes('.')) {
        throw invalid('$count must be a non-empty field name without $ or dots.');
      }
      return { kind: 'count', field: spec };
    case '$unwind': {
      const stage = parseUnwind(spec);
      if (stage.kind === 'unwind') assertAddressable(schema, stage.path[0], stage.path.join('.'));
      return stage;
    }
    case '$sample': {
      const size = isPlainObject(spec) ? spec['size'] : undefined;
      return { kind: 'sample', size: positiveInteger('$sample size', size, { allowZero: false }) };
    }
    default:
      assertSafeNativeStage(name, spec, schema);
      return { kind: 'native', name, spec };
  }
}

/** Stages that write: never through a read (the read-only master key aggregates). */
const WRITING_STAGES: ReadonlySet<string> = new Set(['$out', '$merge']);
/** Stages that read another collection as stored, internal columns included. */
const JOINING_STAGES: Readonly<Record<string, string>> = { $lookup: 'from', $graphLookup: 'from', $unionWith: 'coll' };

/**
 * A stage passed to the backend as written (MongoDB only) must not write, must not join a system class
 * (`_User` rows hold password hashes, `_Session` rows tokens) and must not address an internal column or the
 * whole stored document anywhere inside it.
 */
function assertSafeNativeStage(name: string, spec: unknown, schema: ClassSchema): void {
  if (WRITING_STAGES.has(name)) throw invalid(`The aggregate stage ${name} writes and is not allowed.`);
  const joinKey = JOINING_STAGES[name];
  if (joinKey !== undefined) {
    const from = isPlainObject(spec) ? spec[joinKey] : spec;
    const target = isPlainObject(from) ? undefined : from;
    if (typeof target !== 'string' || target.startsWith('_')) {
      throw invalid(`The aggregate stage ${name} may not read ${JSON.stringify(target ?? from)}.`);
    }
    // Join keys name fields without a `$`: they are addresses too.
    for (const key of ['localField', 'foreignField', 'connectFromField', 'connectToField']) {
      const field = isPlainObject(spec) ? spec[key] : undefined;
      if (typeof field === 'string') assertAddressable(schema, field.split('.')[0] ?? '', field);
    }
  }
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      assertNoWholeDocument(value);
      if (value.startsWith('$') && !value.startsWith('$$')) {
        const head = value.slice(1).split('.')[0] ?? '';
        assertAddressable(schema, head, value);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (!key.startsWith('$')) assertAddressable(schema, key.split('.')[0] ?? '', key);
        visit(item);
      }
    }
  };
  visit(spec);
}

function positiveInteger(what: string, value: unknown, options: { allowZero: boolean }): number {
  // Safe integers only: `$sample` of 1e21 is an integer to JavaScript, but not to SQLite or MongoDB.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (options.allowZero ? 0 : 1)) {
    throw invalid(`${what} must be a ${options.allowZero ? 'non-negative' : 'positive'} integer.`);
  }
  return value;
}

/** `"$a.b"` → ['a', 'b'] with the head mapped to its stored name. */
function fieldPath(reference: string, schema: ClassSchema): [string, ...string[]] {
  const segments = reference.slice(1).split('.');
  const head = segments[0] ?? '';
  if (head === '' || segments.some((s) => s === '' || s === '__proto__' || s === 'constructor')) {
    throw invalid(`Invalid field path ${reference}.`);
  }
  assertAddressable(schema, head, reference);
  return [storedFieldName(schema, head), ...segments.slice(1)];
}

/** `$$ROOT` / `$$CURRENT` hand a stage the whole stored document, internal columns included: refused (105). */
function assertNoWholeDocument(reference: string): void {
  if (/^\$\$(ROOT|CURRENT)(\.|$)/.test(reference)) {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${reference}` });
  }
}

function parseExpression(json: unknown, input: StageInput): PipelineExpression {
  const { schema, maxDepth } = input;
  if (typeof json === 'string') assertNoWholeDocument(json);
  if (typeof json === 'string' && json.startsWith('$') && !json.startsWith('$$')) {
    return { kind: 'field', path: fieldPath(json, schema) };
  }
  if (isPlainObject(json)) {
    const keys = Object.keys(json);
    if (keys.length === 1 && keys[0] === '$literal') {
      return { kind: 'literal', value: decodeValue(json['$literal'] ?? null, { maxDepth }) };
    }
    if (keys.some((key) => key.startsWith('$'))) return { kind: 'native', json: mapNativeReferences(json, schema) };
    if (Object.hasOwn(json, '__type')) return { kind: 'literal', value: decodeValue(json, { maxDepth }) };
    return { kind: 'object', fields: keys.map((key) => [key, parseExpression(json[key], input)] as const) };
  }
  if (Array.isArray(json)) return { kind: 'native', json: mapNativeReferences(json, schema) };
  return { kind: 'literal', value: decodeValue(json ?? null, { maxDepth }) };
}

/** Field references inside operator expressions get the same stored names (`$createdAt` → `$_created_at`). */
function mapNativeReferences(json: unknown, schema: ClassSchema): unknown {
  if (typeof json === 'string') assertNoWholeDocument(json);
  if (typeof json === 'string' && json.startsWith('$') && !json.startsWith('$$')) {
    return `$${fieldPath(json, schema).join('.')}`;
  }
  if (Array.isArray(json)) return json.map((item: unknown) => mapNativeReferences(item, schema));
  if (isPlainObject(json)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json)) out[key] = mapNativeReferences(value, schema);
    return out;
  }
  return json;
}

const ACCUMULATORS: ReadonlySet<string> = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'first',
  'last',
  'push',
  'addToSet',
  'count',
]);

function parseGroup(spec: unknown, input: StageInput): PipelineStage {
  if (!isPlainObject(spec)) throw invalid('$group must be an object.');
  if (Object.hasOwn(spec, 'objectId')) throw invalid("Cannot use 'objectId' in aggregation stage $group.");
  if (!Object.hasOwn(spec, '_id')) throw invalid('Invalid parameter for query: group. Missing key _id');
  const id = parseExpression(spec['_id'], input);
  const accumulators: Accumulator[] = [];
  for (const [name, value] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (name.startsWith('$') || name.includes('.')) throw invalid(`Invalid $group output field ${name}.`);
    const keys = isPlainObject(value) ? Object.keys(value) : [];
    const operator = keys[0];
    if (keys.length !== 1 || operator === undefined || !operator.startsWith('$')) {
      throw invalid(`The $group field ${name} must be an accumulator object such as {"$sum": 1}.`);
    }
    const op = operator.slice(1);
    if (!ACCUMULATORS.has(op)) throw invalid(`Unsupported $group accumulator ${operator}.`);
    const operand = (value as Record<string, unknown>)[operator];
    if (op === 'count' && !(isPlainObject(operand) && Object.keys(operand).length === 0)) {
      throw invalid('$count takes an empty object: {"$count": {}}.');
    }
    accumulators.push({
      name,
      op: op as AccumulatorOp,
      expression: op === 'count' ? { kind: 'literal', value: 1 } : parseExpression(operand, input),
    });
  }
  const idIsPointer = id.kind === 'field' && id.path.length === 1 && id.path[0].startsWith('_p_');
  return { kind: 'group', id, accumulators, idIsPointer };
}

function parseProject(spec: unknown, input: StageInput): PipelineStage {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) {
    throw invalid('$project must be a non-empty object.');
  }
  const fields: ProjectField[] = [];
  let excludeId = false;
  let includes = 0;
  let excludes = 0;
  for (const [key, value] of Object.entries(spec)) {
    if (key.startsWith('$') || key === '') throw invalid(`Invalid $project field ${key}.`);
    const [head, ...rest] = key.split('.');
    assertAddressable(input.schema, head ?? '', key);
    const name = [storedFieldName(input.schema, head ?? ''), ...rest].join('.');
    const flag = typeof value === 'boolean' ? value : typeof value === 'number' ? value !== 0 : undefined;
    if (name === '_id' && flag === false) {
      excludeId = true;
      continue;
    }
    if (flag === false) {
      excludes++;
      fields.push({ name, value: 'include' });
    } else if (flag === true) {
      includes++;
      fields.push({ name, value: 'include' });
    } else {
      includes++;
      fields.push({ name, value: parseExpression(value, input) });
    }
  }
  if (includes > 0 && excludes > 0) {
    throw invalid('$project cannot mix inclusion and exclusion (except for _id).');
  }
  return { kind: 'project', mode: excludes > 0 || includes === 0 ? 'exclude' : 'include', fields, excludeId };
}

function parseSort(spec: unknown): PipelineSortKey[] {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw invalid('$sort must be a non-empty object.');
  return Object.entries(spec).map(([key, direction]) => {
    const segments = key.split('.');
    if (key.startsWith('$') || segments.some((s) => s === '')) throw invalid(`Invalid $sort key ${key}.`);
    if (direction !== 1 && direction !== -1) throw invalid(`$sort direction for ${key} must be 1 or -1.`);
    return { path: segments as [string, ...string[]], direction };
  });
}

function parseUnwind(spec: unknown): PipelineStage {
  const options = typeof spec === 'string' ? { path: spec } : isPlainObject(spec) ? spec : undefined;
  const path = options?.['path'];
  if (options === undefined || typeof path !== 'string' || !path.startsWith('$') || path.length < 2) {
    throw invalid('$unwind needs a field path starting with $.');
  }
  const segments = path.slice(1).split('.');
  if (segments.some((s) => s === '')) throw invalid(`Invalid $unwind path ${path}.`);
  const index = options['includeArrayIndex'];
  const preserve = options['preserveNullAndEmptyArrays'];
  if (index !== undefined && (typeof index !== 'string' || index === '' || index.startsWith('$'))) {
    throw invalid('$unwind includeArrayIndex must be a field name.');
  }
  if (preserve !== undefined && typeof preserve !== 'boolean') {
    throw invalid('$unwind preserveNullAndEmptyArrays must be a boolean.');
  }
  return {
    kind: 'unwind',
    path: segments as [string, ...string[]],
    ...(typeof index === 'string' ? { includeArrayIndex: index } : {}),
    preserveNullAndEmptyArrays: preserve === true,
  };
}
