import type { Condition } from '../../../query/index.js';
import { searchOf } from '../../../query/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import { storedPath } from '../dialect/index.js';
import { collectionOf } from './context.js';
import type { MongoContext } from './context.js';
import * as schemaStore from './schema-store.js';
import { serverErrorCode } from './errors.js';

/**
 * The indexes geo and text queries need, created the way parse-server does (spec/mongo-layout.md §4):
 * - `$text` on a field that no text index covers: a `<field>_text` index `{<field>: "text"}` is created
 *   and recorded in `_metadata.indexes` before the query runs (MongoDB allows one text index per
 *   collection, so a class already text-indexed on another field gets MongoDB's error);
 * - a `$nearSphere` query that fails for lack of a geo index: a `2d` index `<field>_2d` on the GeoPoint
 *   field, then the query is retried once (not `2dsphere`).
 * FerretDB 1.x has neither geo nor text queries; the storage conformance suite declares both unsupported.
 */

/** "unable to find index for $geoNear query" (291 on MongoDB ≥ 4.4, 17007 / 2 with that text before). */
function isMissingGeoIndex(error: unknown): boolean {
  const code = serverErrorCode(error);
  if (code === 291 || code === 17007) return true;
  return error instanceof Error && /unable to find index for \$geoNear query/i.test(error.message);
}

/** Field names covered by the collection's text indexes (their `weights`). */
async function textIndexedFields(context: MongoContext, className: string): Promise<Set<string>> {
  const fields = new Set<string>();
  try {
    const indexes = await collectionOf(context, className).listIndexes().toArray();
    for (const index of indexes) {
      const weights: unknown = index['weights'];
      if (weights !== null && typeof weights === 'object') for (const field of Object.keys(weights)) fields.add(field);
    }
  } catch (error) {
    if (serverErrorCode(error) !== 26) throw error; // no collection yet: no indexes
  }
  return fields;
}

/** Runs `work` (a find or count on `where`) with the indexes its geo / text conditions need. */
export async function withSearchIndexes<T>(
  context: MongoContext,
  query: { readonly schema: ClassSchema; readonly where: Condition },
  work: () => Promise<T>,
): Promise<T> {
  const { schema } = query;
  const search = searchOf(query.where);
  if (search.text !== undefined) {
    const key = storedPath(schema, search.text.path);
    if (!(await textIndexedFields(context, schema.className)).has(key)) {
      await schemaStore.createIndex(context, { schema, name: `${key}_text`, spec: { [key]: 'text' } });
    }
  }
  try {
    return await work();
  } catch (error) {
    if (search.near === undefined || !isMissingGeoIndex(error)) throw error;
    const key = storedPath(schema, search.near.path);
    await collectionOf(context, schema.className).createIndex({ [key]: '2d' }, { name: `${key}_2d` });
    return work();
  }
}
