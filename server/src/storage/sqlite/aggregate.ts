import type { Pipeline } from '../../query/index.js';
import { storedFieldName } from '../../query/index.js';
import { Pointer } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { AggregateDocument, AggregateOptions, DistinctOptions } from '../aggregate-types.js';
import { compilePipeline } from './aggregate-sql.js';
import type { SqliteState } from './state.js';
import { parseJsonText } from './value-codec.js';

/**
 * Runs aggregations and `distinct` on SQLite: compiles the pipeline (`aggregate-sql.ts`) and decodes the
 * output documents from the JSON codec's form. `distinct` is the pipeline match → unwind → group.
 */
export function runAggregate(state: SqliteState, options: AggregateOptions): AggregateDocument[] {
  const layout = state.layout(options.schema);
  // Compile first, so an unsupported stage is refused even for a class that has no table yet.
  const compiled = compilePipeline({ layout, pipeline: options.pipeline, context: state.context(layout) });
  if (!state.ready(layout, { create: false })) return [];
  return state.driver.all(compiled.sql, compiled.params).map((row) => {
    const decoded = parseJsonText(row['doc']);
    return decoded !== null && typeof decoded === 'object' && !Array.isArray(decoded) && !(decoded instanceof Date)
      ? (decoded as AggregateDocument)
      : {};
  });
}

export function runDistinct(state: SqliteState, options: DistinctOptions): ParseValue[] {
  const { schema, field } = options;
  const path: [string, ...string[]] = [storedFieldName(schema, field[0]), ...field.slice(1)];
  const pipeline: Pipeline = [
    { kind: 'match', scope: 'object', condition: options.where },
    { kind: 'unwind', path, preserveNullAndEmptyArrays: false },
    { kind: 'group', id: { kind: 'field', path }, accumulators: [], idIsPointer: false },
    { kind: 'sort', keys: [{ path: ['_id'], direction: 1 }] },
  ];
  const pointer = path.length === 1 && path[0].startsWith('_p_');
  return runAggregate(state, { schema, pipeline })
    .map((document) => document['_id'] ?? null)
    .filter((value) => value !== null)
    .map((value) => {
      if (!pointer || typeof value !== 'string') return value;
      const separator = value.indexOf('$');
      return separator < 0 ? value : new Pointer(value.slice(0, separator), value.slice(separator + 1));
    });
}
