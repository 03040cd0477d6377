import type { Document } from 'mongodb';
import type { Accumulator, PipelineExpression, PipelineStage } from '../../../query/index.js';
import { Pointer } from '../../../schema/index.js';
import type { ClassSchema, ParseValue } from '../../../schema/index.js';
import type { AggregateDocument } from '../../aggregate-types.js';
import { toFilter } from './filter.js';
import { fieldDefinition } from './keys.js';
import { decodeInterior, decodeTopLevel, encodeInterior } from './values.js';

/**
 * Typed aggregation stages → MongoDB stages, and output documents → normalized values. Field paths
 * arrive already in stored names (`_id`, `_created_at`, `_p_owner`), so they are written as is. A
 * leading `$match` is translated by the driver (it may need relation look-ups first); later ones filter
 * pipeline documents, which have no schema.
 */

/** Later `$match` stages address pipeline documents, whose keys are not the class's fields. */
const DOCUMENT_SCHEMA: ClassSchema = { className: '_Aggregate', fields: {} };

function isPlainLiteral(value: ParseValue): boolean {
  return value === null || typeof value === 'boolean' || typeof value === 'number';
}

function expression(expr: PipelineExpression, options: { inProject: boolean }): unknown {
  switch (expr.kind) {
    case 'field':
      return `$${expr.path.join('.')}`;
    case 'literal': {
      const { value } = expr;
      // In `$project` a bare number or boolean means include/exclude, and a string with `$` is a path.
      if (!options.inProject && isPlainLiteral(value)) return value;
      if (typeof value === 'string' && !value.startsWith('$') && !options.inProject) return value;
      return { $literal: encodeInterior(value) };
    }
    case 'object': {
      const out: Document = {};
      for (const [key, value] of expr.fields) out[key] = expression(value, options);
      return out;
    }
    case 'native':
      return expr.json;
  }
}

function accumulator(acc: Accumulator): Document {
  if (acc.op === 'count') return { $count: {} };
  return { [`$${acc.op}`]: expression(acc.expression, { inProject: false }) };
}

/** One stage other than a leading `$match`. */
export function toAggregateStage(stage: PipelineStage): Document {
  switch (stage.kind) {
    case 'match':
      return { $match: toFilter(DOCUMENT_SCHEMA, stage.condition) };
    case 'group': {
      const group: Document = { _id: expression(stage.id, { inProject: false }) };
      for (const acc of stage.accumulators) group[acc.name] = accumulator(acc);
      return { $group: group };
    }
    case 'project': {
      const project: Document = {};
      if (stage.excludeId) project['_id'] = 0;
      for (const field of stage.fields) {
        project[field.name] =
          stage.mode === 'exclude' ? 0 : field.value === 'include' ? 1 : expression(field.value, { inProject: true });
      }
      return { $project: project };
    }
    case 'sort': {
      const sort: Document = {};
      for (const key of stage.keys) sort[key.path.join('.')] = key.direction;
      return { $sort: sort };
    }
    case 'limit':
      return { $limit: stage.count };
    case 'skip':
      return { $skip: stage.count };
    case 'count':
      return { $count: stage.field };
    case 'sample':
      return { $sample: { size: stage.size } };
    case 'unwind': {
      const path = `$${stage.path.join('.')}`;
      if (stage.includeArrayIndex === undefined && !stage.preserveNullAndEmptyArrays) return { $unwind: path };
      return {
        $unwind: {
          path,
          ...(stage.includeArrayIndex === undefined ? {} : { includeArrayIndex: stage.includeArrayIndex }),
          preserveNullAndEmptyArrays: stage.preserveNullAndEmptyArrays,
        },
      };
    }
    case 'native':
      return { [stage.name]: stage.spec };
  }
}

/** An output document in normalized values; keys naming a class field decode by that field's type. */
export function decodeAggregateDocument(schema: ClassSchema, document: Document): AggregateDocument {
  const out: AggregateDocument = {};
  for (const [key, raw] of Object.entries(document)) {
    if (raw === undefined) continue;
    const definition = fieldDefinition(schema, key);
    out[key] =
      definition !== undefined && definition.type !== 'Pointer' ? decodeTopLevel(raw, definition) : decodeInterior(raw);
  }
  return out;
}

/** A distinct value as stored → normalized (`Class$id` strings of pointer fields become Pointers). */
export function decodeDistinctValue(options: {
  schema: ClassSchema;
  field: readonly string[];
  raw: unknown;
}): ParseValue {
  const { schema, field, raw } = options;
  const definition = field.length === 1 ? fieldDefinition(schema, field[0] ?? '') : undefined;
  if (definition?.type === 'Pointer' && typeof raw === 'string') {
    const separator = raw.indexOf('$');
    return separator < 0 ? raw : new Pointer(raw.slice(0, separator), raw.slice(separator + 1));
  }
  return field.length === 1 ? decodeTopLevel(raw, definition) : decodeInterior(raw);
}
