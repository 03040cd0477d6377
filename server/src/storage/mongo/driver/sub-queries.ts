import type { Document } from 'mongodb';
import type { Condition } from '../../../query/index.js';
import { rewriteLeaves } from '../../../query/index.js';
import { Pointer } from '../../../schema/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import type { ReadPreferenceMode } from '../../adapter.js';
import { valuesAtKey } from '../../sub-query-values.js';
import { decodeDocument, keepKeys, projectionFor } from '../dialect/index.js';
import { collectionOf, sessionOption } from './context.js';
import type { MongoContext } from './context.js';

/**
 * Resolution of `inQuery` / `select` conditions on MongoDB: each sub-query runs first, inside the
 * adapter, as a find on the sub-class's collection that projects only what it needs (`_id`, or the
 * selected key), and its results become an `in` / `nin` condition (pointers to the matched ids, or the
 * selected values) in the main query. This is parse-server's own approach; `$lookup` would keep it to one
 * round trip on MongoDB but FerretDB 1.x barely supports it. Nested sub-queries and relation conditions
 * inside a sub-query are resolved by `filterOf` first, recursively.
 */

export interface SubQueryOptions {
  /** The complete filter of a (sub-)query, with its own sub-queries and relation conditions resolved. */
  readonly filterOf: (schema: ClassSchema, where: Condition) => Promise<Document>;
  readonly readPreference?: ReadPreferenceMode;
}

export function resolveSubQueries(
  context: MongoContext,
  condition: Condition,
  options: SubQueryOptions,
): Promise<Condition> {
  return rewriteLeaves(condition, (leaf) => resolveSubQueryLeaf(context, { leaf, options }));
}

async function resolveSubQueryLeaf(
  context: MongoContext,
  args: { leaf: Condition; options: SubQueryOptions },
): Promise<Condition> {
  const { leaf: condition, options } = args;
  switch (condition.kind) {
    case 'inQuery': {
      const { sub, path, mode } = condition;
      const documents = await findSub(context, {
        schema: sub.schema,
        where: sub.where,
        projection: { _id: 1 },
        options,
      });
      const pointers: Pointer[] = [];
      for (const document of documents) {
        const id: unknown = document['_id'];
        if (typeof id === 'string') pointers.push(new Pointer(sub.className, id));
      }
      if (pointers.length === 0) return { kind: 'constant', value: mode === 'notIn' };
      return { kind: mode === 'in' ? 'in' : 'nin', path, values: pointers };
    }
    case 'select': {
      const { sub, path, mode, key } = condition;
      const keys = [key[0]];
      const projection = projectionFor(sub.schema, keys);
      const documents = await findSub(context, {
        schema: sub.schema,
        where: sub.where,
        ...(projection === undefined ? {} : { projection }),
        options,
      });
      const objects = documents.map((document) => keepKeys(decodeDocument(sub.schema, document), keys));
      const values = valuesAtKey(objects, key);
      if (values.length === 0) return { kind: 'constant', value: mode === 'notIn' };
      return { kind: mode === 'in' ? 'in' : 'nin', path, values };
    }
    default:
      return condition;
  }
}

async function findSub(
  context: MongoContext,
  query: {
    readonly schema: ClassSchema;
    readonly where: Condition;
    readonly projection?: Document;
    readonly options: SubQueryOptions;
  },
): Promise<Document[]> {
  const filter = await query.options.filterOf(query.schema, query.where);
  const readPreference = query.options.readPreference;
  return collectionOf(context, query.schema.className)
    .find(filter, {
      ...(query.projection === undefined ? {} : { projection: query.projection }),
      ...(readPreference === undefined ? {} : { readPreference }),
      ...sessionOption(context),
    })
    .toArray();
}

/** True when the tree holds a sub-query (so the common case skips the async walk). */
export function hasSubQuery(condition: Condition): boolean {
  switch (condition.kind) {
    case 'and':
    case 'or':
    case 'nor':
      return condition.conditions.some(hasSubQuery);
    case 'inQuery':
    case 'select':
      return true;
    default:
      return false;
  }
}
