import type { Condition } from '../../../query/index.js';
import { rewriteLeaves } from '../../../query/index.js';
import type { ClassSchema } from '../../../schema/index.js';
import type { RelationEdge } from '../../adapter.js';
import { joinCollectionOf, sessionOption } from './context.js';
import type { MongoContext } from './context.js';

/**
 * Relation edges in `_Join:<field>:<Owner>` collections ({_id: ObjectId, relatedId, owningId}), and the
 * resolution of relation conditions. FerretDB has little `$lookup`, so `relatedTo` and `relationHas`
 * are resolved by a pre-query on the join collection that collects ids, which then become an
 * objectId `$in` / `$nin` in the main query (what parse-server does too).
 */

export async function addRelation(context: MongoContext, edge: RelationEdge): Promise<void> {
  const { relatedId, owningId } = edge;
  // An upsert: adding an existing edge is a no-op and the server generates an ObjectId `_id`.
  await joinCollectionOf(context, edge.ownerClass, edge.field).updateOne(
    { relatedId, owningId },
    { $set: { relatedId, owningId } },
    { upsert: true, ...sessionOption(context) },
  );
}

export async function removeRelation(context: MongoContext, edge: RelationEdge): Promise<void> {
  const { relatedId, owningId } = edge;
  await joinCollectionOf(context, edge.ownerClass, edge.field).deleteMany(
    { relatedId, owningId },
    sessionOption(context),
  );
}

async function distinctStrings(
  context: MongoContext,
  options: {
    ownerClass: string;
    field: string;
    filter: Record<string, unknown>;
    take: 'relatedId' | 'owningId';
  },
): Promise<string[]> {
  const documents = await joinCollectionOf(context, options.ownerClass, options.field)
    .find(options.filter, {
      projection: { [options.take]: 1 },
      ...sessionOption(context),
    })
    .toArray();
  const ids = new Set<string>();
  for (const document of documents) {
    const id: unknown = document[options.take];
    if (typeof id === 'string') ids.add(id);
  }
  return [...ids];
}

/** Replaces every relation condition in the tree by an objectId condition on the join's ids. */
export function resolveRelations(context: MongoContext, schema: ClassSchema, condition: Condition): Promise<Condition> {
  return rewriteLeaves(condition, (leaf) => resolveRelationLeaf(context, { schema, leaf }));
}

async function resolveRelationLeaf(
  context: MongoContext,
  options: { schema: ClassSchema; leaf: Condition },
): Promise<Condition> {
  const { schema, leaf: condition } = options;
  switch (condition.kind) {
    case 'relatedTo': {
      const ids = await distinctStrings(context, {
        ownerClass: condition.ownerClass,
        field: condition.field,
        filter: { owningId: condition.owningId },
        take: 'relatedId',
      });
      return { kind: 'in', path: ['objectId'], values: ids };
    }
    case 'relationHas': {
      const ids = await distinctStrings(context, {
        ownerClass: schema.className,
        field: condition.field,
        filter: { relatedId: { $in: [...condition.relatedIds] } },
        take: 'owningId',
      });
      return {
        kind: condition.mode === 'any' ? 'in' : 'nin',
        path: ['objectId'],
        values: ids,
      };
    }
    default:
      return condition;
  }
}

/** True when the tree holds a relation condition (so the common case skips the async walk). */
export function hasRelationCondition(condition: Condition): boolean {
  switch (condition.kind) {
    case 'and':
    case 'or':
    case 'nor':
      return condition.conditions.some(hasRelationCondition);
    case 'relatedTo':
    case 'relationHas':
      return true;
    default:
      return false;
  }
}
