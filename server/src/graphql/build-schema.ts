import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import type { GraphQLFieldConfigMap, GraphQLNamedType, GraphQLResolveInfo } from 'graphql';
import { requireMaster } from '../auth/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { GraphQLClassConfig, GraphQLConfig } from '../core/index.js';
import type { ClassSchema } from '../schema/index.js';
import { buildClassTypes } from './class-types.js';
import type { ClassTypes } from './class-types.js';
import { FileInfoType, NodeInterface, ParseObjectInterface, ReadOptionsInputType, findArgs } from './common-types.js';
import type { FindArgs } from './connection.js';
import type { GraphQLContext } from './context.js';
import { fromGlobalId } from './global-id.js';
import { isGraphQLName } from './names.js';
import { createObject, deleteObject, findObjects, getObject, updateObject } from './objects.js';
import { ClassType, schemaFieldTypes, schemaMutations, schemaQueries } from './schema-ops.js';
import { AnyScalar, ObjectScalar, UploadScalar } from './scalars.js';
import { withMutationId } from './users.js';
import { classSubscriptions } from './subscriptions.js';
import { addUserOperations } from './user-operations.js';
import { uploadFile } from './write.js';
import type { WebFile } from './write.js';

/** System classes Parse's GraphQL API exposes; the other `_` classes are internal. */
const EXPOSED_SYSTEM_CLASSES = new Set(['_User', '_Role', '_Session', '_Installation']);

/** Names the generated schema already uses: a class whose type would take one of them is left out. */
const RESERVED_TYPES = new Set([
  'Query',
  'Mutation',
  'Subscription',
  'Node',
  'ParseObject',
  'PageInfo',
  'ACL',
  'GeoPoint',
  'FileInfo',
  'Element',
  'Viewer',
  'LiveEventKind',
  'Class',
  'Date',
  'Bytes',
  'Object',
  'Any',
  'Upload',
  'String',
  'Boolean',
  'Int',
  'Float',
  'ID',
]);

/** What one generated schema was built from. */
export interface SchemaSource {
  readonly classes: readonly ClassSchema[];
  /** Registered cloud functions, in-process and webhooks, for the `CloudCodeFunction` enum. */
  readonly functionNames: readonly string[];
  /** The GraphQL config (`/graphql-config`): which classes, fields, queries and mutations are generated. */
  readonly config?: GraphQLConfig;
}

/** What one generated schema exposes: the schema, and the classes it has types for (nothing else is reachable). */
export interface GeneratedSchema {
  readonly schema: GraphQLSchema;
  readonly classes: readonly ClassSchema[];
}

/**
 * Parse's GraphQL schema for the given classes (spec/graphql.md): per class its object type, `<class>` and
 * `<classes>` queries and `create` / `update` / `delete` mutations; users, cloud functions, files, Parse
 * Config and the schema API. Built again whenever a class schema or the function list changes
 * (`schema-cache.ts`); a request keeps the schema it started with.
 */
export function buildGraphQLSchema(source: SchemaSource): GeneratedSchema {
  const config = source.config ?? {};
  const exposed = exposedClasses(source.classes, config);
  const configOf = classConfigs(config);
  const types = buildClassTypes(exposed, configOf);
  const user = types.get('_User');
  const query: GraphQLFieldConfigMap<unknown, GraphQLContext> = {
    health: { type: new GraphQLNonNull(GraphQLBoolean), resolve: () => true },
    node: {
      type: NodeInterface,
      args: { id: { type: new GraphQLNonNull(GraphQLID) } },
      resolve: (_source, args: { id: string }, context) => {
        const global = fromGlobalId(args.id);
        const classTypes = global === undefined ? undefined : types.get(global.className);
        if (classTypes === undefined) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND);
        return getObject(context, { types: classTypes, id: args.id });
      },
    },
    ...configQueries(),
    ...schemaQueries(),
  };
  const mutation: GraphQLFieldConfigMap<unknown, GraphQLContext> = {
    ...fileMutations(),
    ...configMutations(),
    ...schemaMutations(),
  };
  if (user !== undefined) addUserOperations({ query, mutation, user });
  for (const classTypes of types.values()) {
    addClassOperations({ query, mutation, types: classTypes, config: configOf(classTypes.schema.className) });
  }
  const typeNames = new Set([...types.values()].map((t) => t.names.type));
  const subscription: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  for (const classTypes of types.values()) {
    // Live events are a find that goes on: a class whose find the config turns off has no subscriptions.
    if (configOf(classTypes.schema.className)?.query?.find === false) continue;
    for (const [name, field] of Object.entries(classSubscriptions(classTypes, typeNames))) subscription[name] ??= field;
  }
  const functions = source.functionNames.filter(isGraphQLName);
  if (functions.length > 0) mutation['callCloudCode'] = callCloudCode(functions);
  // Interfaces' implementations must be reachable: list every class type (and the schema field types).
  const extraTypes: GraphQLNamedType[] = [
    ParseObjectInterface,
    ...[...types.values()].map((t) => t.object),
    ...schemaFieldTypes,
    ClassType,
  ];
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: query }),
    mutation: new GraphQLObjectType({ name: 'Mutation', fields: mutation }),
    ...(Object.keys(subscription).length === 0
      ? {}
      : { subscription: new GraphQLObjectType({ name: 'Subscription', fields: subscription }) }),
    types: extraTypes,
  });
  return { schema, classes: exposed };
}

/**
 * The classes that get GraphQL types: not the internal `_` classes, and with the GraphQL config's
 * `enabledForClasses` (only those) and `disabledForClasses` (not those) applied, as Parse does. A class left out
 * is unreachable through GraphQL: no type, no query or mutation, no pointer or relation field leading to it.
 */
function exposedClasses(classes: readonly ClassSchema[], config: GraphQLConfig): ClassSchema[] {
  const taken = new Set<string>();
  const out: ClassSchema[] = [];
  const enabled = config.enabledForClasses === undefined ? undefined : new Set(config.enabledForClasses);
  const disabled = new Set(config.disabledForClasses ?? []);
  for (const schema of classes) {
    if (enabled !== undefined && !enabled.has(schema.className)) continue;
    if (disabled.has(schema.className)) continue;
    if (schema.className.startsWith('_') && !EXPOSED_SYSTEM_CLASSES.has(schema.className)) continue;
    const bare = schema.className.replace(/^_/, '');
    if (!isGraphQLName(bare)) continue;
    const type = bare.charAt(0).toUpperCase() + bare.slice(1);
    if (RESERVED_TYPES.has(type) || taken.has(type)) continue;
    taken.add(type);
    out.push(schema);
  }
  return out;
}

/** Each class's entry of the GraphQL config's `classConfigs` (the first one, when a class is listed twice). */
function classConfigs(config: GraphQLConfig): (className: string) => GraphQLClassConfig | undefined {
  const byClass = new Map<string, GraphQLClassConfig>();
  for (const entry of config.classConfigs ?? []) if (!byClass.has(entry.className)) byClass.set(entry.className, entry);
  return (className) => byClass.get(className);
}

/**
 * A class's get / find queries and create / update / delete mutations; the config's `query` / `mutation`
 * toggles leave some out (`false`) and its aliases rename them. A name already taken keeps its first owner.
 */
function addClassOperations(options: {
  query: GraphQLFieldConfigMap<unknown, GraphQLContext>;
  mutation: GraphQLFieldConfigMap<unknown, GraphQLContext>;
  types: ClassTypes;
  config: GraphQLClassConfig | undefined;
}): void {
  const { query, mutation, types } = options;
  const { names } = types;
  const queries = options.config?.query ?? {};
  const mutations = options.config?.mutation ?? {};
  const add = (
    map: GraphQLFieldConfigMap<unknown, GraphQLContext>,
    toggle: { on: boolean | undefined; alias: string | undefined; name: string },
    config: (typeof map)[string],
  ): void => {
    if (toggle.on === false) return;
    const name = toggle.alias ?? toggle.name;
    if (map[name] === undefined) map[name] = config;
  };
  add(
    query,
    { on: queries.get, alias: queries.getAlias, name: names.single },
    {
      type: new GraphQLNonNull(types.object),
      args: { id: { type: new GraphQLNonNull(GraphQLID) }, options: { type: ReadOptionsInputType } },
      resolve: (_source, args: { id: string }, context) => getObject(context, { types, id: args.id }),
    },
  );
  add(
    query,
    { on: queries.find, alias: queries.findAlias, name: names.plural },
    {
      type: new GraphQLNonNull(types.connection),
      args: findArgs({ where: types.where, order: types.order }),
      // GraphQL's own resolver signature (source, args, context, info), taken as one tuple.
      resolve: (...[, args, context, info]: [unknown, FindArgs, GraphQLContext, GraphQLResolveInfo]) =>
        findObjects(context, { types, args, info }),
    },
  );
  const payload = (verb: string): GraphQLObjectType =>
    new GraphQLObjectType({
      name: `${verb}${names.type}Payload`,
      fields: {
        [names.single]: { type: new GraphQLNonNull(types.object) },
        clientMutationId: { type: GraphQLString },
      },
    });
  const input = (verb: string, fields: GraphQLInputObjectType | undefined, withId: boolean): GraphQLInputObjectType =>
    new GraphQLInputObjectType({
      name: `${verb}${names.type}Input`,
      fields: {
        ...(withId ? { id: { type: new GraphQLNonNull(GraphQLID) } } : {}),
        ...(fields === undefined ? {} : { fields: { type: fields } }),
        clientMutationId: { type: GraphQLString },
      },
    });
  type MutationArgs = { input: { id?: string; fields?: unknown; clientMutationId?: string | null } };
  add(
    mutation,
    { on: mutations.create, alias: mutations.createAlias, name: `create${names.type}` },
    {
      type: payload('Create'),
      args: { input: { type: new GraphQLNonNull(input('Create', types.createFields, false)) } },
      resolve: (_source, args: MutationArgs, context) => createObject(context, { types, input: args.input }),
    },
  );
  add(
    mutation,
    { on: mutations.update, alias: mutations.updateAlias, name: `update${names.type}` },
    {
      type: payload('Update'),
      args: { input: { type: new GraphQLNonNull(input('Update', types.updateFields, true)) } },
      resolve: (_source, args: MutationArgs, context) => updateObject(context, { types, input: args.input }),
    },
  );
  add(
    mutation,
    { on: mutations.destroy, alias: mutations.destroyAlias, name: `delete${names.type}` },
    {
      type: payload('Delete'),
      args: { input: { type: new GraphQLNonNull(input('Delete', undefined, true)) } },
      resolve: (_source, args: MutationArgs, context) => deleteObject(context, { types, input: args.input }),
    },
  );
}

function callCloudCode(functions: readonly string[]): GraphQLFieldConfigMap<unknown, GraphQLContext>[string] {
  const functionEnum = new GraphQLEnumType({
    name: 'CloudCodeFunction',
    values: Object.fromEntries(functions.map((name) => [name, { value: name }])),
  });
  return {
    type: new GraphQLObjectType({
      name: 'CallCloudCodePayload',
      fields: { result: { type: AnyScalar }, clientMutationId: { type: GraphQLString } },
    }),
    args: {
      input: {
        type: new GraphQLNonNull(
          new GraphQLInputObjectType({
            name: 'CallCloudCodeInput',
            fields: {
              functionName: { type: new GraphQLNonNull(functionEnum) },
              params: { type: ObjectScalar },
              clientMutationId: { type: GraphQLString },
            },
          }),
        ),
      },
    },
    resolve: async (
      _source,
      args: {
        input: { functionName: string; params?: Record<string, unknown> | null; clientMutationId?: string | null };
      },
      context,
    ) => {
      const answer = await context.core.runFunction({
        auth: context.auth,
        name: args.input.functionName,
        params: (args.input.params ?? {}) as never,
        origin: context.origin,
      });
      return withMutationId(args.input, { result: answer.result ?? null });
    },
  };
}

function fileMutations(): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  return {
    createFile: {
      type: new GraphQLObjectType({
        name: 'CreateFilePayload',
        fields: { fileInfo: { type: new GraphQLNonNull(FileInfoType) }, clientMutationId: { type: GraphQLString } },
      }),
      args: {
        input: {
          type: new GraphQLNonNull(
            new GraphQLInputObjectType({
              name: 'CreateFileInput',
              fields: {
                upload: { type: new GraphQLNonNull(UploadScalar) },
                // As REST's `_Metadata` / `_Tags` (string values), checked by core's file rules (beyond Parse).
                metadata: { type: ObjectScalar },
                tags: { type: ObjectScalar },
                clientMutationId: { type: GraphQLString },
              },
            }),
          ),
        },
      },
      resolve: async (
        _source,
        args: { input: { upload: WebFile; metadata?: unknown; tags?: unknown; clientMutationId?: string | null } },
        context,
      ) => {
        const { upload, metadata, tags } = args.input;
        const saved = await uploadFile(context, upload, { metadata: metadata ?? undefined, tags: tags ?? undefined });
        return withMutationId(args.input, { fileInfo: { name: saved.name, url: saved.url } });
      },
    },
  };
}

const CloudConfigType = new GraphQLObjectType({
  name: 'ConfigValue',
  fields: { value: { type: AnyScalar }, isMasterKeyOnly: { type: GraphQLBoolean } },
});

function configQueries(): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  return {
    cloudConfig: {
      type: CloudConfigType,
      args: { paramName: { type: new GraphQLNonNull(GraphQLString) } },
      resolve: async (_source, args: { paramName: string }, context) => {
        // Parse's GraphQL API reads the config with the master key only (spec/graphql.md §5).
        requireMaster(context.auth, { access: 'read' });
        const config = await context.core.getConfig({ auth: context.auth });
        // Own keys only: `__proto__` named Object.prototype, which is no Boolean (found by the 1,000,000 fuzz).
        const name = args.paramName;
        const value = Object.hasOwn(config.params, name) ? config.params[name] : undefined;
        const masterKeyOnly = config.masterKeyOnly !== undefined && Object.hasOwn(config.masterKeyOnly, name);
        return { value: value ?? null, isMasterKeyOnly: masterKeyOnly && config.masterKeyOnly?.[name] === true };
      },
    },
  };
}

function configMutations(): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  return {
    updateCloudConfig: {
      type: new GraphQLObjectType({
        name: 'UpdateCloudConfigPayload',
        fields: {
          cloudConfig: { type: new GraphQLNonNull(CloudConfigType) },
          clientMutationId: { type: GraphQLString },
        },
      }),
      args: {
        input: {
          type: new GraphQLNonNull(
            new GraphQLInputObjectType({
              name: 'UpdateCloudConfigInput',
              fields: {
                paramName: { type: new GraphQLNonNull(GraphQLString) },
                value: { type: new GraphQLNonNull(AnyScalar) },
                isMasterKeyOnly: { type: GraphQLBoolean },
                clientMutationId: { type: GraphQLString },
              },
            }),
          ),
        },
      },
      resolve: async (
        _source,
        args: {
          input: {
            paramName: string;
            value: unknown;
            isMasterKeyOnly?: boolean | null;
            clientMutationId?: string | null;
          };
        },
        context,
      ) => {
        const { paramName, value } = args.input;
        const masterKeyOnly = args.input.isMasterKeyOnly === true;
        await context.core.updateConfig({
          auth: context.auth,
          set: { [paramName]: value as never },
          unset: [],
          masterKeyOnly: { [paramName]: masterKeyOnly },
          origin: context.origin,
        });
        return withMutationId(args.input, { cloudConfig: { value, isMasterKeyOnly: masterKeyOnly } });
      },
    },
  };
}
