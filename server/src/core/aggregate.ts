import type { Auth } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { parsePipeline, parseWhere } from '../query/index.js';
import type { FieldPath, Pipeline } from '../query/index.js';
import { Pointer, isPlainObject } from '../schema/index.js';
import type { ClassSchema, ParseValue } from '../schema/index.js';
import type { AggregateDocument } from '../storage/index.js';
import { requireMaster } from '../auth/index.js';
import type { CoreDeps } from './deps.js';
import { timeBudgetOf } from './query-hints.js';

export interface AggregateRequest {
  readonly auth: Auth;
  readonly className: string;
  /** Array of single-key stages or an object of stages (validated here). */
  readonly pipeline?: unknown;
  /** The REST `where`, run as a leading `$match`. */
  readonly where?: unknown;
}

export interface DistinctRequest {
  readonly auth: Auth;
  readonly className: string;
  /** Field whose distinct values are wanted (dot paths allowed). */
  readonly field: string;
  /** The REST `where` filtering the objects. */
  readonly where?: unknown;
}

/**
 * Aggregation results in Parse names: `objectId` from `_id`, `createdAt`/`updatedAt` from the stored
 * timestamps (Dates, written as bare ISO strings by the REST encoder), pointers as Pointer values.
 */
export interface AggregateResult {
  readonly results: ReadonlyArray<Record<string, ParseValue>>;
}

/** Distinct non-null values (arrays count per element), pointers as Pointer values. */
export interface DistinctResult {
  readonly results: readonly ParseValue[];
}

/** The steps of `GET /aggregate/:className` (rest.md §15, queries.md §9). */
export async function aggregate(deps: CoreDeps, request: AggregateRequest): Promise<AggregateResult> {
  requireMaster(request.auth, { access: 'read' });
  const stored = await deps.schemas.get(request.className);
  const schema: ClassSchema = stored ?? { className: request.className, fields: {} };
  const maxDepth = deps.options.maxNestingDepth;
  const pipeline = withWhere(
    parsePipeline({ pipeline: request.pipeline ?? [], schema, maxDepth }),
    parseWhere({ where: request.where ?? {}, schema, maxDepth }),
  );
  if (deps.storage.aggregate === undefined) throw unsupportedBackend(deps, 'aggregate');
  const documents = await deps.storage.aggregate({ schema, pipeline, ...timeBudgetOf(deps, request.auth) });
  if (stored === undefined) return { results: [] };
  return { results: documents.map((document) => toParseNames(document, { schema, pipeline })) };
}

function unsupportedBackend(deps: CoreDeps, what: string): ParseError {
  return new ParseError(ErrorCode.INVALID_QUERY, { message: `The ${deps.storage.kind} storage cannot ${what}.` });
}

function withWhere(pipeline: Pipeline, where: ReturnType<typeof parseWhere>): Pipeline {
  if (where.kind === 'constant' && where.value) return pipeline;
  return [{ kind: 'match', scope: 'object', condition: where }, ...pipeline];
}

/** `GET /aggregate/:className?distinct=field` (rest.md §15). */
export async function distinct(deps: CoreDeps, request: DistinctRequest): Promise<DistinctResult> {
  requireMaster(request.auth, { access: 'read' });
  const stored = await deps.schemas.get(request.className);
  const schema: ClassSchema = stored ?? { className: request.className, fields: {} };
  const field = request.field.split('.');
  if (field.some((segment) => !/^[A-Za-z0-9_]+$/.test(segment)) || !/^[A-Za-z]/.test(field[0] ?? '')) {
    throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid field name: ${request.field}.` });
  }
  const where = parseWhere({ where: request.where ?? {}, schema, maxDepth: deps.options.maxNestingDepth });
  if (deps.storage.distinct === undefined) throw unsupportedBackend(deps, 'run distinct');
  if (stored === undefined) return { results: [] };
  const budget = timeBudgetOf(deps, request.auth);
  return { results: await deps.storage.distinct({ schema, where, field: field as unknown as FieldPath, ...budget }) };
}

function isEmptyId(value: ParseValue | undefined): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value === '';
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** Output mapping of queries.md §9: `_id` → objectId, timestamps and pointers renamed, `_` keys dropped. */
function toParseNames(
  document: AggregateDocument,
  options: { schema: ClassSchema; pipeline: Pipeline },
): Record<string, ParseValue> {
  const out: Record<string, ParseValue> = {};
  const groupedByPointer = options.pipeline.some((stage) => stage.kind === 'group' && stage.idIsPointer);
  for (const [key, value] of Object.entries(document)) {
    if (key === '_id') {
      let id = value;
      if (groupedByPointer && typeof id === 'string' && id.includes('$')) id = id.slice(id.indexOf('$') + 1);
      out['objectId'] = isEmptyId(id) ? null : id;
    } else if (key === '_created_at' || key === '_updated_at') {
      out[key === '_created_at' ? 'createdAt' : 'updatedAt'] = value;
    } else if (key.startsWith('_p_')) {
      const field = key.slice(3);
      const definition = options.schema.fields[field];
      if (definition?.type !== 'Pointer' || typeof value !== 'string') continue;
      const separator = value.indexOf('$');
      if (separator > 0) out[field] = new Pointer(value.slice(0, separator), value.slice(separator + 1));
    } else if (!key.startsWith('_')) {
      out[key] = value;
    }
  }
  return out;
}
