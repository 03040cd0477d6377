import type { GraphQLResolveInfo } from 'graphql';
import { encodeOutputValue } from '../core/index.js';
import type { OutputObject } from '../core/index.js';
import { EmbeddedObject, ParseFile, Pointer, Polygon } from '../schema/index.js';
import type { ClassSchema } from '../schema/index.js';
import { findConnection } from './connection.js';
import type { Connection, FindArgs } from './connection.js';
import type { GraphQLContext } from './context.js';
import { toRestWhere } from './where.js';
import type { ClassLookup } from './where.js';

/**
 * How stored values leave through GraphQL (spec/graphql.md §2): pointers become the objects they name (read
 * as the caller, batched per request), files `{name, url}`, polygons closed rings of points, arrays items of
 * `ArrayResult`, JSON objects their REST JSON.
 */
export function pointerTarget(
  value: unknown,
  context: GraphQLContext,
): Promise<OutputObject | undefined> | OutputObject | null {
  if (value instanceof EmbeddedObject) return embeddedToOutput(value);
  if (value instanceof Pointer) return context.loader.load(value.className, value.objectId);
  return null;
}

function embeddedToOutput(embedded: EmbeddedObject): OutputObject {
  const { createdAt, updatedAt, ACL, ...fields } = embedded.fields as Record<string, unknown>;
  return {
    className: embedded.className,
    objectId: embedded.objectId,
    ...(createdAt instanceof Date ? { createdAt } : {}),
    ...(updatedAt instanceof Date ? { updatedAt } : {}),
    ...(ACL === undefined ? {} : { ACL: ACL as OutputObject['ACL'] & object }),
    fields,
  };
}

export function fileInfo(value: unknown, context: GraphQLContext): { name: string; url: string } | null {
  if (!(value instanceof ParseFile)) return null;
  return { name: value.name, url: context.encode.fileURL(value.name) };
}

export function objectValue(value: unknown, context: GraphQLContext): unknown {
  if (value === undefined || value === null) return null;
  return encodeOutputValue(value, context.encode);
}

/** Parse returns polygons closed: the first point repeated at the end when the stored ring is open. */
export function polygonPoints(value: unknown): { latitude: number; longitude: number }[] | null {
  if (!(value instanceof Polygon)) return null;
  const points = value.coordinates.map(([latitude, longitude]) => ({ latitude, longitude }));
  const first = points[0];
  const last = points[points.length - 1];
  if (
    first !== undefined &&
    last !== undefined &&
    (first.latitude !== last.latitude || first.longitude !== last.longitude)
  ) {
    points.push(first);
  }
  return points;
}

/**
 * Items of an Array field: objects for pointers (as the caller may read them), `Element {value}` otherwise. A
 * pointer to a class this schema does not expose (internal, or left out by the GraphQL config) stays a bare
 * pointer `Element`: its object is neither loaded nor shown.
 */
export function arrayItems(value: unknown, context: GraphQLContext): unknown[] | null {
  if (!Array.isArray(value)) return null;
  return value.map((item: unknown) => {
    if (item instanceof Pointer || item instanceof EmbeddedObject) {
      if (context.lookup(item.className) !== undefined) return pointerTarget(item, context);
      return { __element: true, value: { __type: 'Pointer', className: item.className, objectId: item.objectId } };
    }
    return { __element: true, value: encodeOutputValue(item, context.encode) };
  });
}

/** A Relation field: a find on the target class `$relatedTo` the owner, with the connection's arguments. */
export function relationConnection(options: {
  owner: OutputObject;
  key: string;
  target: ClassSchema;
  args: FindArgs;
  context: GraphQLContext;
  info: GraphQLResolveInfo;
  lookup?: ClassLookup;
}): Promise<Connection> {
  const { owner, key, target, args, context, info } = options;
  const lookup = context.lookup;
  const where = {
    ...toRestWhere({ where: args.where, schema: target, lookup }),
    $relatedTo: { object: { __type: 'Pointer', className: owner.className, objectId: owner.objectId }, key },
  };
  return findConnection({ context, className: target.className, where, args, info });
}
