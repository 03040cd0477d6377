import type { Pipeline } from '../../query/index.js';
import { storedFieldName } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { AggregateDocument, AggregateOptions, DistinctOptions } from '../aggregate-types.js';
import { compilePipeline } from './aggregate-sql.js';
import type { RawRow } from './driver.js';
import type { SqliteState } from './state.js';
import { parseJsonText } from './value-codec.js';

/**
 * Aggregations and `distinct` on SQLite, in two halves around where the statement runs: compiling the pipeline
 * (`aggregate-sql.ts`) on the main connection, where the schema and tables are known, and decoding the output
 * documents from the JSON codec's form; the statement itself may run on a read-pool thread in between.
 * `distinct` is the pipeline match → unwind → group.
 */

/** The one-column (`doc`) statement of an aggregation, or `undefined` when the class has no table yet. */
export function compileAggregate(
  state: SqliteState,
  options: Pick<AggregateOptions, 'schema' | 'pipeline'>,
): { sql: string; params: unknown[] } | undefined {
  const layout = state.layout(options.schema);
  // Compile first, so an unsupported stage is refused even for a class that has no table yet.
  const compiled = compilePipeline({ layout, pipeline: options.pipeline, context: state.context(layout) });
  if (!state.ready(layout, { create: false })) return undefined;
  return compiled;
}

/** The output documents of rows whose first column is `doc` (JSON text). */
export function decodeAggregateRows(rows: readonly RawRow[]): AggregateDocument[] {
  return rows.map((row) => {
    const decoded = parseJsonText(row[0]);
    return decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded) && !(decoded instanceof Date)
      ? (decoded as AggregateDocument)
      : {};
  });
}

/** The pipeline `distinct` runs, and how to read its answer back (pointer fields come back as `Class$id`). */
export function distinctPlan(options: DistinctOptions): {
  pipeline: Pipeline;
  decode: (documents: readonly AggregateDocument[]) => ParseValue[];
} {
  const { schema, field } = options;
  const path: [string, ...string[]] = [storedFieldName(schema, field[0]), ...field.slice(1)];
  const pipeline: Pipeline = [
    { kind: 'match', scope: 'object', condition: options.where },
    { kind: 'unwind', path, preserveNullAndEmptyArrays: false },
    { kind: 'group', id: { kind: 'field', path }, accumulators: [], idIsPointer: false },
    { kind: 'sort', keys: [{ path: ['_id'], direction: 1 }] },
  ];
  const pointer = path.length === 1 && path[0].startsWith('_p_');
  const decode = (documents: readonly AggregateDocument[]): ParseValue[] =>
    documents
      .map((document) => document['_id'] ?? null)
      .filter((value) => value !== null)
      .map((value) => {
        if (!pointer || typeof value !== 'string') return value;
        const separator = value.indexOf('$');
        return separator < 0 ? value : new Pointer(value.slice(0, separator), value.slice(separator + 1));
      });
  return { pipeline, decode };
}
