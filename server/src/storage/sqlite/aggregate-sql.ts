import type { Condition, Pipeline, PipelineStage } from '../../query/index.js';
import { andOf } from '../../query/index.js';
import type { ConditionContext } from './condition-sql.js';
import { conditionToSql } from './condition-sql.js';
import {
  DOC,
  accumulatorSql,
  expressionValue,
  fieldValue,
  objectOf,
  pathLiteral,
  rankValue,
  typeRank,
  unsupported,
} from './aggregate-expr.js';
import { sourceDocument } from './aggregate-source.js';
import { literal } from './names.js';
import { TableLayout } from './table-layout.js';

/**
 * Compiles a typed aggregation pipeline to one SQLite statement: a CTE per stage, each producing
 * `(rn, "_extra")` where `"_extra"` is the stage's output document as JSON text and `rn` its order.
 * Naming the document column `"_extra"` lets later `$match` stages reuse the normal condition
 * translation (undeclared fields live in `"_extra"`), so they get MongoDB's semantics too.
 *
 * Supported: `$match` (leading ones run on the table, with its indexes), `$group` on fields, constants
 * and documents of fields with `$sum $avg $min $max $first $last $push $addToSet $count`, `$project`
 * (inclusion, exclusion, renames `"$field"`, `$literal`), `$sort`, `$limit`, `$skip`, `$count`,
 * `$unwind` (with `includeArrayIndex` and `preserveNullAndEmptyArrays`), `$sample`. Everything else
 * (`$lookup`, operator expressions, …) throws 102 "… is not supported on SQLite".
 */

/** Pipeline documents have no declared columns: every path is a JSON path into `"_extra"`. */
const DOCUMENT_LAYOUT = new TableLayout({ className: '_Aggregate', fields: {} });

export interface CompiledPipeline {
  readonly sql: string;
  readonly params: unknown[];
}

export function compilePipeline(options: {
  layout: TableLayout;
  pipeline: Pipeline;
  context: ConditionContext;
}): CompiledPipeline {
  const { layout, pipeline, context } = options;
  const leading: Condition[] = [];
  let index = 0;
  for (; index < pipeline.length; index++) {
    const stage = pipeline[index] as PipelineStage;
    if (stage.kind !== 'match' || stage.scope !== 'object') break;
    leading.push(stage.condition);
  }
  const where = conditionToSql(andOf(leading), context);
  const params: unknown[] = [...where.params];
  const ctes = [
    `s0 AS (SELECT row_number() OVER () AS rn, ${sourceDocument(layout)} AS ${DOC} FROM ${layout.table} WHERE ${where.sql})`,
  ];
  const documentContext: ConditionContext = { layout: DOCUMENT_LAYOUT, tableExists: context.tableExists };
  for (; index < pipeline.length; index++) {
    const previous = `s${ctes.length - 1}`;
    const stage = pipeline[index] as PipelineStage;
    const compiled = compileStage({ stage, previous, documentContext });
    ctes.push(`s${ctes.length} AS (${compiled.sql})`);
    params.push(...compiled.params);
  }
  return { sql: `WITH ${ctes.join(', ')} SELECT ${DOC} AS doc FROM s${ctes.length - 1} ORDER BY rn`, params };
}

function compileStage(options: {
  stage: PipelineStage;
  previous: string;
  documentContext: ConditionContext;
}): CompiledPipeline {
  const { stage, previous } = options;
  switch (stage.kind) {
    case 'match': {
      // Documents keep their stored names here, which the translation reads from `"_extra"`.
      const { sql, params } = conditionToSql(stage.condition, options.documentContext);
      return { sql: `SELECT rn, ${DOC} FROM ${previous} WHERE ${sql}`, params };
    }
    case 'group':
      return { sql: groupSql(stage, previous), params: [] };
    case 'project':
      return { sql: `SELECT rn, ${projectSql(stage)} AS ${DOC} FROM ${previous}`, params: [] };
    case 'sort': {
      const terms = stage.keys.flatMap((key) => {
        const value = fieldValue(key.path);
        const direction = key.direction === -1 ? 'DESC' : 'ASC';
        return [`${typeRank(value)} ${direction}`, `${rankValue(value)} ${direction}`];
      });
      return {
        sql: `SELECT row_number() OVER (ORDER BY ${terms.join(', ')}, rn) AS rn, ${DOC} FROM ${previous}`,
        params: [],
      };
    }
    case 'limit':
      return { sql: `SELECT rn, ${DOC} FROM ${previous} ORDER BY rn LIMIT ${stage.count}`, params: [] };
    case 'skip':
      return { sql: `SELECT rn, ${DOC} FROM ${previous} ORDER BY rn LIMIT -1 OFFSET ${stage.count}`, params: [] };
    case 'count':
      // No input documents → no output document, as in MongoDB.
      return {
        sql: `SELECT 1 AS rn, json_object(${literal(stage.field)}, count(*)) AS ${DOC} FROM ${previous} HAVING count(*) > 0`,
        params: [],
      };
    case 'sample':
      return {
        sql: `SELECT row_number() OVER () AS rn, ${DOC} FROM (SELECT ${DOC} FROM ${previous} ORDER BY random() LIMIT ${stage.size})`,
        params: [],
      };
    case 'unwind':
      return { sql: unwindSql(stage, previous), params: [] };
    case 'native':
      throw unsupported(`Aggregate stage ${stage.name}`);
  }
}

function groupSql(stage: Extract<PipelineStage, { kind: 'group' }>, previous: string): string {
  const fields: Array<readonly [string, string]> = stage.accumulators.map((a) => [a.name, accumulatorSql(a)] as const);
  if (stage.id.kind === 'literal') {
    const id = expressionValue(stage.id);
    const doc = `json_object('_id', ${id}${fields.map(([k, v]) => `, ${literal(k)}, ${v}`).join('')})`;
    return `SELECT 1 AS rn, ${doc} AS ${DOC} FROM ${previous} HAVING count(*) > 0`;
  }
  // Missing and null group together (as null); the key is the value's JSON text.
  const key = `coalesce(${expressionValue(stage.id)}, 'null')`;
  const doc = `json_object('_id', json(${key})${fields.map(([k, v]) => `, ${literal(k)}, ${v}`).join('')})`;
  return `SELECT row_number() OVER () AS rn, ${doc} AS ${DOC} FROM ${previous} GROUP BY ${key}`;
}

function projectSql(stage: Extract<PipelineStage, { kind: 'project' }>): string {
  if (stage.mode === 'exclude') {
    const paths = stage.fields.map((f) => pathLiteral(f.name.split('.')));
    if (stage.excludeId) paths.push(pathLiteral(['_id']));
    return paths.length === 0 ? DOC : `json_remove(${DOC}, ${paths.join(', ')})`;
  }
  const entries: Array<readonly [string, string]> = [];
  if (!stage.excludeId) entries.push(['_id', fieldValue(['_id'])]);
  for (const field of stage.fields) {
    if (field.name.includes('.')) throw unsupported(`The dotted $project key ${field.name}`);
    entries.push([field.name, field.value === 'include' ? fieldValue([field.name]) : expressionValue(field.value)]);
  }
  return objectOf(entries);
}

function unwindSql(stage: Extract<PipelineStage, { kind: 'unwind' }>, previous: string): string {
  const path = pathLiteral(stage.path);
  const isArray = `json_type(p.${DOC}, ${path}) = 'array'`;
  // A non-array value unwinds as a one-element array; null and missing give no element.
  const elements = `CASE WHEN ${isArray} THEN p.${DOC} -> ${path} ELSE json_array(p.${DOC} -> ${path}) END`;
  const element =
    `CASE je.type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') ` +
    `WHEN 'object' THEN json(je.value) WHEN 'array' THEN json(je.value) ELSE je.value END`;
  const index =
    stage.includeArrayIndex === undefined
      ? ''
      : `, ${pathLiteral([stage.includeArrayIndex])}, CASE WHEN ${isArray} THEN je.key END`;
  const unwound = `json_set(p.${DOC}, ${path}, ${element}${index})`;
  let kept = `p.${DOC}`;
  if (stage.preserveNullAndEmptyArrays) {
    // An empty array is dropped from the kept document; null and missing stay as they were.
    const withoutEmpty = `CASE WHEN ${isArray} THEN json_remove(p.${DOC}, ${path}) ELSE p.${DOC} END`;
    kept =
      stage.includeArrayIndex === undefined
        ? withoutEmpty
        : `json_set(${withoutEmpty}, ${pathLiteral([stage.includeArrayIndex])}, json('null'))`;
  }
  const doc = `CASE WHEN je.id IS NULL THEN ${kept} ELSE ${unwound} END`;
  const filter = stage.preserveNullAndEmptyArrays ? '' : ' WHERE je.id IS NOT NULL';
  return (
    `SELECT row_number() OVER (ORDER BY p.rn, je.key) AS rn, ${doc} AS ${DOC} ` +
    `FROM ${previous} AS p LEFT JOIN json_each(${elements}) AS je ON je.type <> 'null'${filter}`
  );
}
