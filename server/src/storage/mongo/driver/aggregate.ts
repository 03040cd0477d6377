import type { Document } from 'mongodb';
import type { Condition } from '../../../query/index.js';
import type { ClassSchema, ParseValue } from '../../../schema/index.js';
import type { AggregateDocument, AggregateOptions, DistinctOptions } from '../../aggregate-types.js';
import { decodeAggregateDocument, decodeDistinctValue, storedPath, toAggregateStage } from '../dialect/index.js';
import { collectionOf, sessionOption } from './context.js';
import type { MongoContext } from './context.js';

/** Builds the filter of a class-level condition (relations resolved against join collections first). */
export type FilterBuilder = (schema: ClassSchema, where: Condition) => Promise<Document>;

/** The read's time budget as the server's `maxTimeMS` (past it: error 50, answered as 124). */
function maxTime(maxTimeMs: number | undefined): { maxTimeMS?: number } {
  return maxTimeMs === undefined ? {} : { maxTimeMS: maxTimeMs };
}

/** Runs a typed pipeline natively (`collection.aggregate`) and decodes the output documents. */
export async function aggregate(
  context: MongoContext,
  options: AggregateOptions & { filter: FilterBuilder },
): Promise<AggregateDocument[]> {
  const { schema } = options;
  const stages: Document[] = [];
  for (const stage of options.pipeline) {
    stages.push(
      stage.kind === 'match' && stage.scope === 'object'
        ? { $match: await options.filter(schema, stage.condition) }
        : toAggregateStage(stage),
    );
  }
  const documents = await collectionOf(context, schema.className)
    .aggregate(stages, { ...sessionOption(context), ...maxTime(options.maxTimeMs) })
    .toArray();
  return documents.map((document) => decodeAggregateDocument(schema, document));
}

/** The driver's `distinct` on the stored key; nulls are dropped, as parse-server does. */
export async function distinct(
  context: MongoContext,
  options: DistinctOptions & { filter: FilterBuilder },
): Promise<ParseValue[]> {
  const { schema, field } = options;
  const values: unknown[] = await collectionOf(context, schema.className).distinct(
    storedPath(schema, field),
    await options.filter(schema, options.where),
    // No maxTimeMS here: FerretDB 1.24 answers a distinct that carries one with no values at all.
    sessionOption(context),
  );
  return values
    .filter((raw) => raw !== null && raw !== undefined)
    .map((raw) => decodeDistinctValue({ schema, field, raw }));
}
