import type { ClassSchema } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import { RelationRef } from './output.js';
import type { OutputObject } from './output.js';

export interface Projection {
  /** Top-level fields to keep (objectId, createdAt, updatedAt, ACL always stay). Undefined: all. */
  readonly keys?: ReadonlySet<string>;
  readonly excludeKeys?: ReadonlySet<string>;
}

/**
 * Turns a stored object into what leaves the server: internal `_` fields removed (never returned,
 * types.md §7), Relation fields of the schema added as references, `keys` / `excludeKeys` applied.
 */
export function shapeObject(options: {
  schema: ClassSchema;
  object: StoredObject;
  projection: Projection;
}): OutputObject {
  const { schema, object, projection } = options;
  const fields: Record<string, unknown> = {};
  for (const name in object.fields) {
    if (name.charCodeAt(0) === 95 /* _ */ || !visible(name, projection)) continue;
    fields[name] = object.fields[name];
  }
  for (const name in schema.fields) {
    const field = schema.fields[name];
    if (field?.type === 'Relation' && visible(name, projection)) fields[name] = new RelationRef(field.targetClass);
  }
  return {
    className: schema.className,
    objectId: object.objectId,
    ...(object.createdAt === undefined ? {} : { createdAt: object.createdAt }),
    ...(object.updatedAt === undefined ? {} : { updatedAt: object.updatedAt }),
    ...(object.ACL === undefined ? {} : { ACL: object.ACL }),
    fields,
  };
}

function visible(name: string, projection: Projection): boolean {
  if (projection.keys !== undefined && !projection.keys.has(name)) return false;
  return projection.excludeKeys === undefined || !projection.excludeKeys.has(name);
}
