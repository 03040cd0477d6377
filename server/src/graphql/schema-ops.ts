import {
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
} from 'graphql';
import type { GraphQLFieldConfigMap } from 'graphql';
import { createRequestFromJSON, updateRequestFromJSON } from '../schema/index.js';
import type { ClassSchema, FieldDefinition } from '../schema/index.js';
import type { GraphQLContext } from './context.js';
import { withMutationId } from './users.js';

/**
 * The schema API (spec/graphql.md §5), master key only (core checks it): `class(name)`, `classes`,
 * `createClass`, `updateClass`, `deleteClass`. Field changes arrive as `schemaFields { addStrings: [{name}],
 * addPointers: [{name, targetClassName}], ..., remove: [{name}] }` and become the REST `/schemas` body core
 * already validates.
 */
const KINDS: readonly (readonly [input: string, type: string, graphql: string])[] = [
  ['addStrings', 'String', 'SchemaStringField'],
  ['addNumbers', 'Number', 'SchemaNumberField'],
  ['addBooleans', 'Boolean', 'SchemaBooleanField'],
  ['addArrays', 'Array', 'SchemaArrayField'],
  ['addObjects', 'Object', 'SchemaObjectField'],
  ['addDates', 'Date', 'SchemaDateField'],
  ['addFiles', 'File', 'SchemaFileField'],
  ['addPolygons', 'Polygon', 'SchemaPolygonField'],
  ['addBytes', 'Bytes', 'SchemaBytesField'],
];

const SchemaFieldInterface = new GraphQLInterfaceType({
  name: 'SchemaField',
  fields: { name: { type: new GraphQLNonNull(GraphQLString) } },
  resolveType: (field: { graphqlType: string }) => field.graphqlType,
});

const nameField = { name: { type: new GraphQLNonNull(GraphQLString) } };
const targetField = { targetClassName: { type: new GraphQLNonNull(GraphQLString) } };

const FIELD_TYPES: GraphQLObjectType[] = [
  ...KINDS.map(
    ([, , graphql]) => new GraphQLObjectType({ name: graphql, interfaces: [SchemaFieldInterface], fields: nameField }),
  ),
  new GraphQLObjectType({ name: 'SchemaGeoPointField', interfaces: [SchemaFieldInterface], fields: nameField }),
  new GraphQLObjectType({ name: 'SchemaACLField', interfaces: [SchemaFieldInterface], fields: nameField }),
  new GraphQLObjectType({
    name: 'SchemaPointerField',
    interfaces: [SchemaFieldInterface],
    fields: { ...nameField, ...targetField },
  }),
  new GraphQLObjectType({
    name: 'SchemaRelationField',
    interfaces: [SchemaFieldInterface],
    fields: { ...nameField, ...targetField },
  }),
];

export const schemaFieldTypes = FIELD_TYPES;

export const ClassType = new GraphQLObjectType({
  name: 'Class',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    schemaFields: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(SchemaFieldInterface))) },
  },
});

const NameInput = new GraphQLInputObjectType({ name: 'SchemaFieldInput', fields: nameField });
const PointerInput = new GraphQLInputObjectType({
  name: 'SchemaPointerFieldInput',
  fields: { ...nameField, targetClassName: { type: new GraphQLNonNull(GraphQLString) } },
});

const SchemaFieldsInput = new GraphQLInputObjectType({
  name: 'SchemaFieldsInput',
  fields: {
    ...Object.fromEntries(KINDS.map(([input]) => [input, { type: new GraphQLList(new GraphQLNonNull(NameInput)) }])),
    addGeoPoint: { type: NameInput },
    addPointers: { type: new GraphQLList(new GraphQLNonNull(PointerInput)) },
    addRelations: { type: new GraphQLList(new GraphQLNonNull(PointerInput)) },
    remove: { type: new GraphQLList(new GraphQLNonNull(NameInput)) },
  },
});

export const ClassInputType = new GraphQLInputObjectType({
  name: 'ClassInput',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    schemaFields: { type: SchemaFieldsInput },
    clientMutationId: { type: GraphQLString },
  },
});

export const DeleteClassInputType = new GraphQLInputObjectType({
  name: 'DeleteClassInput',
  fields: { name: { type: new GraphQLNonNull(GraphQLString) }, clientMutationId: { type: GraphQLString } },
});

export const ClassPayloadType = new GraphQLObjectType({
  name: 'ClassPayload',
  fields: { class: { type: new GraphQLNonNull(ClassType) }, clientMutationId: { type: GraphQLString } },
});

/** A class as `Class {name, schemaFields}`; the GraphQL name of its class, as the schema API shows it. */
function classView(schema: ClassSchema): { name: string; schemaFields: unknown[] } {
  const schemaFields = Object.entries(schema.fields).map(([name, field]) => ({
    name,
    graphqlType: graphqlTypeOf(field),
    ...(field.type === 'Pointer' || field.type === 'Relation' ? { targetClassName: field.targetClass } : {}),
  }));
  return { name: schema.className, schemaFields };
}

function graphqlTypeOf(field: FieldDefinition): string {
  if (field.type === 'GeoPoint') return 'SchemaGeoPointField';
  if (field.type === 'ACL') return 'SchemaACLField';
  if (field.type === 'Pointer') return 'SchemaPointerField';
  if (field.type === 'Relation') return 'SchemaRelationField';
  return KINDS.find(([, type]) => type === field.type)?.[2] ?? 'SchemaStringField';
}

interface ClassInput {
  readonly name: string;
  readonly schemaFields?: Readonly<Record<string, unknown>> | null;
  readonly clientMutationId?: string | null;
}

/** `schemaFields` as the `fields` of a REST `/schemas` body. */
function restFields(input: ClassInput, options: { removing: boolean }): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const changes = input.schemaFields ?? {};
  const names = (key: string): { name: string; targetClassName?: string }[] =>
    (changes[key] as { name: string; targetClassName?: string }[] | null | undefined) ?? [];
  for (const [key, type] of KINDS) for (const { name } of names(key)) fields[name] = { type };
  const geo = changes['addGeoPoint'] as { name: string } | null | undefined;
  if (geo !== undefined && geo !== null) fields[geo.name] = { type: 'GeoPoint' };
  for (const { name, targetClassName } of names('addPointers'))
    fields[name] = { type: 'Pointer', targetClass: targetClassName };
  for (const { name, targetClassName } of names('addRelations'))
    fields[name] = { type: 'Relation', targetClass: targetClassName };
  if (options.removing) for (const { name } of names('remove')) fields[name] = { __op: 'Delete' };
  return fields;
}

export function schemaQueries(): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  return {
    class: {
      type: new GraphQLNonNull(ClassType),
      args: { name: { type: new GraphQLNonNull(GraphQLString) } },
      resolve: async (_source, args: { name: string }, context) =>
        classView(await context.core.getSchema({ auth: context.auth, className: args.name })),
    },
    classes: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(ClassType))),
      resolve: async (_source, _args, context) =>
        (await context.core.listSchemas({ auth: context.auth })).map(classView),
    },
  };
}

export function schemaMutations(): GraphQLFieldConfigMap<unknown, GraphQLContext> {
  return {
    createClass: {
      type: ClassPayloadType,
      args: { input: { type: new GraphQLNonNull(ClassInputType) } },
      resolve: async (_source, { input }: { input: ClassInput }, context) => {
        const change = createRequestFromJSON({
          className: input.name,
          body: { className: input.name, fields: restFields(input, { removing: false }) },
        });
        const schema = await context.core.createSchema({ auth: context.auth, change });
        return withMutationId(input, { class: classView(schema) });
      },
    },
    updateClass: {
      type: ClassPayloadType,
      args: { input: { type: new GraphQLNonNull(ClassInputType) } },
      resolve: async (_source, { input }: { input: ClassInput }, context) => {
        const change = updateRequestFromJSON({
          className: input.name,
          body: { className: input.name, fields: restFields(input, { removing: true }) },
        });
        const schema = await context.core.updateSchema({ auth: context.auth, change });
        return withMutationId(input, { class: classView(schema) });
      },
    },
    deleteClass: {
      type: ClassPayloadType,
      args: { input: { type: new GraphQLNonNull(DeleteClassInputType) } },
      resolve: async (_source, { input }: { input: ClassInput }, context) => {
        const schema = await context.core.getSchema({ auth: context.auth, className: input.name });
        await context.core.deleteSchema({ auth: context.auth, className: input.name });
        return withMutationId(input, { class: classView(schema) });
      },
    },
  };
}
