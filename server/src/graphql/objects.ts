import type { GraphQLResolveInfo } from 'graphql';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { OutputObject, SaveResult } from '../core/index.js';
import type { ClassTypes } from './class-types.js';
import { findConnection } from './connection.js';
import type { Connection, FindArgs } from './connection.js';
import type { GraphQLContext } from './context.js';
import { objectIdFor } from './global-id.js';
import { toRestWhere } from './where.js';
import { toWriteInput } from './write.js';

/**
 * The resolvers of a class's `<class>` / `<classes>` queries and its create / update / delete mutations: each
 * decodes its arguments and calls one core operation as the caller (ACL, CLP, protectedFields, triggers and
 * validation apply exactly as in REST).
 */
export function getObject(context: GraphQLContext, options: { types: ClassTypes; id: string }): Promise<OutputObject> {
  const className = options.types.schema.className;
  return context.core.get({
    auth: context.auth,
    className,
    objectId: objectIdFor(className, options.id),
    origin: context.origin,
  });
}

export function findObjects(
  context: GraphQLContext,
  options: { types: ClassTypes; args: FindArgs; info: GraphQLResolveInfo },
): Promise<Connection> {
  const { types, args, info } = options;
  const where = toRestWhere({ where: args.where, schema: types.schema, lookup: context.lookup });
  return findConnection({ context, className: types.schema.className, where, args, info });
}

interface MutationInput {
  readonly id?: string;
  readonly fields?: unknown;
  readonly clientMutationId?: string | null;
}

export async function createObject(
  context: GraphQLContext,
  options: { types: ClassTypes; input: MutationInput },
): Promise<Record<string, unknown>> {
  const { types, input } = options;
  const className = types.schema.className;
  const write = await toWriteInput({
    fields: input.fields,
    schema: types.schema,
    lookup: context.lookup,
    context,
    creating: true,
  });
  const saved = await context.core.create({ auth: context.auth, className, input: write, origin: context.origin });
  return payload(types, input, await readBack(context, { className, saved }));
}

export async function updateObject(
  context: GraphQLContext,
  options: { types: ClassTypes; input: MutationInput },
): Promise<Record<string, unknown>> {
  const { types, input } = options;
  const className = types.schema.className;
  const objectId = objectIdFor(className, requiredId(input));
  const write = await toWriteInput({
    fields: input.fields,
    schema: types.schema,
    lookup: context.lookup,
    context,
    creating: false,
  });
  const saved = await context.core.update({
    auth: context.auth,
    className,
    objectId,
    input: write,
    origin: context.origin,
  });
  return payload(types, input, await readBack(context, { className, saved: { ...saved, objectId } }));
}

export async function deleteObject(
  context: GraphQLContext,
  options: { types: ClassTypes; input: MutationInput },
): Promise<Record<string, unknown>> {
  const { types, input } = options;
  const className = types.schema.className;
  const objectId = objectIdFor(className, requiredId(input));
  // Parse answers the deleted object: read it first, as the caller (an unreadable one is just its id).
  const before = await context.core
    .get({ auth: context.auth, className, objectId, origin: context.origin })
    .catch((err: unknown) => {
      if (err instanceof ParseError && err.code === ErrorCode.OBJECT_NOT_FOUND) return undefined;
      throw err;
    });
  await context.core.destroy({ auth: context.auth, className, objectId, origin: context.origin });
  context.loader.clear();
  return payload(types, input, before ?? { className, objectId, fields: {} });
}

function requiredId(input: MutationInput): string {
  if (typeof input.id !== 'string') throw new ParseError(ErrorCode.MISSING_OBJECT_ID);
  return input.id;
}

function payload(types: ClassTypes, input: MutationInput, object: OutputObject): Record<string, unknown> {
  return {
    [types.names.single]: object,
    ...(input.clientMutationId === undefined ? {} : { clientMutationId: input.clientMutationId }),
  };
}

/**
 * The object a mutation answers, read back as the caller (so protectedFields and triggers shape it as a REST
 * get would); when the caller may not read it, what the save itself answered.
 */
async function readBack(
  context: GraphQLContext,
  options: { className: string; saved: SaveResult & { objectId: string } },
): Promise<OutputObject> {
  const { className, saved } = options;
  context.loader.clear();
  try {
    return await context.core.get({ auth: context.auth, className, objectId: saved.objectId, origin: context.origin });
  } catch (err) {
    if (!(err instanceof ParseError) || err.code !== ErrorCode.OBJECT_NOT_FOUND) throw err;
    return {
      className,
      objectId: saved.objectId,
      ...(saved.createdAt === undefined ? {} : { createdAt: saved.createdAt }),
      updatedAt: saved.updatedAt,
      fields: saved.fields,
    };
  }
}
