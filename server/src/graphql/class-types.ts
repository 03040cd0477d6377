import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  GraphQLUnionType,
} from 'graphql';
import type {
  GraphQLEnumValueConfigMap,
  GraphQLFieldConfig,
  GraphQLFieldConfigMap,
  GraphQLInputFieldConfigMap,
  GraphQLInputType,
  GraphQLOutputType,
  GraphQLResolveInfo,
} from 'graphql';
import type { GraphQLClassConfig, OutputObject } from '../core/index.js';
import type { ClassSchema, FieldDefinition } from '../schema/index.js';
import {
  ACLInputType,
  ACLType,
  ElementType,
  FileInfoType,
  GeoPointInputType,
  GeoPointType,
  NodeInterface,
  PageInfoType,
  ParseObjectInterface,
  aclView,
  findArgs,
} from './common-types.js';
import type { GraphQLContext } from './context.js';
import { toGlobalId } from './global-id.js';
import { classNames, isGraphQLName } from './names.js';
import type { ClassNames } from './names.js';
import { AnyScalar, BytesScalar, DateScalar, ObjectScalar, UploadScalar } from './scalars.js';
import {
  ArrayWhereInput,
  BooleanWhereInput,
  BytesWhereInput,
  DateWhereInput,
  FileWhereInput,
  GeoPointWhereInput,
  IdWhereInput,
  NumberWhereInput,
  ObjectWhereInput,
  PolygonWhereInput,
  StringWhereInput,
} from './where-types.js';
import { arrayItems, fileInfo, objectValue, pointerTarget, polygonPoints, relationConnection } from './field-values.js';
import type { FindArgs } from './connection.js';

/** The GraphQL types of one Parse class (spec/graphql.md §2). */
export interface ClassTypes {
  readonly names: ClassNames;
  readonly schema: ClassSchema;
  readonly object: GraphQLObjectType;
  readonly connection: GraphQLObjectType;
  readonly where: GraphQLInputObjectType;
  readonly order: GraphQLEnumType;
  readonly createFields: GraphQLInputObjectType;
  readonly updateFields: GraphQLInputObjectType;
  readonly pointerInput: GraphQLInputObjectType;
  readonly relationInput: GraphQLInputObjectType;
  readonly relationWhere: GraphQLInputObjectType;
}

/** Fields every object has, shown through `ParseObject`; never written through `fields`. */
const OWN_FIELDS = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);
/** Never shown: the password (write only) and the raw third-party auth data. */
const HIDDEN_OUTPUT = new Set(['password', 'authData']);

/** The fields of a class that GraphQL can name. */
function exposedFields(schema: ClassSchema): [string, FieldDefinition][] {
  return Object.entries(schema.fields).filter(([name]) => !OWN_FIELDS.has(name) && isGraphQLName(name));
}

export const FileInputType = new GraphQLInputObjectType({
  name: 'FileInput',
  fields: {
    file: { type: ObjectScalar, description: 'An existing file: {__type: "File", name, url}.' },
    upload: { type: UploadScalar, description: 'A new file, uploaded in the same multipart request.' },
  },
});

/** The fields a list of the GraphQL config keeps (absent: all of them). */
function only(list: readonly string[] | undefined, fields: [string, FieldDefinition][]): [string, FieldDefinition][] {
  return list === undefined ? fields : fields.filter(([name]) => list.includes(name));
}

/**
 * Builds every class's types; references between classes (pointers, relations) go through thunks. A class's
 * `type` entry of the GraphQL config narrows its output fields, where fields, order values and create / update
 * inputs (`id`, `objectId`, `createdAt`, `updatedAt` and `ACL` are always output, as Parse's `ParseObject`).
 */
export function buildClassTypes(
  classes: readonly ClassSchema[],
  configOf: (className: string) => GraphQLClassConfig | undefined = () => undefined,
): Map<string, ClassTypes> {
  const all = new Map<string, ClassTypes>();
  const arrayResult = new GraphQLUnionType({
    name: 'ArrayResult',
    types: () => [ElementType, ...[...all.values()].map((types) => types.object)],
    resolveType: (value: { className?: string; __element?: boolean }) =>
      value.__element === true || value.className === undefined
        ? 'Element'
        : (all.get(value.className)?.names.type ?? 'Element'),
  });
  // Pointers and relations to classes left out of the API are left out too.
  const known = new Set(classes.map((schema) => schema.className));
  for (const schema of classes) {
    const names = classNames(schema.className);
    const target = (className: string): ClassTypes | undefined => all.get(className);
    const fields = (): [string, FieldDefinition][] =>
      exposedFields(schema).filter(
        ([, field]) => (field.type !== 'Pointer' && field.type !== 'Relation') || known.has(field.targetClass),
      );
    // `_User.password` and `authData` are never shown, so never tested or sorted on either.
    const readable = (): [string, FieldDefinition][] =>
      fields().filter(([name]) => schema.className !== '_User' || !HIDDEN_OUTPUT.has(name));
    const configured = configOf(schema.className)?.type;
    const writable = (list: readonly string[] | undefined): [string, FieldDefinition][] =>
      only(list, exposedFieldsForWrite(schema, fields()));
    const aclInput = (list: readonly string[] | undefined): GraphQLInputFieldConfigMap =>
      list === undefined || list.includes('ACL') ? { ACL: { type: ACLInputType } } : {};
    const object: GraphQLObjectType = new GraphQLObjectType<OutputObject, GraphQLContext>({
      name: names.type,
      interfaces: [NodeInterface, ParseObjectInterface],
      isTypeOf: (value: OutputObject) => value.className === schema.className,
      fields: () => ({
        id: {
          type: new GraphQLNonNull(GraphQLID),
          resolve: (source) => toGlobalId(source.className, source.objectId),
        },
        objectId: { type: new GraphQLNonNull(GraphQLID) },
        createdAt: { type: new GraphQLNonNull(DateScalar), resolve: (source) => source.createdAt ?? source.updatedAt },
        updatedAt: { type: new GraphQLNonNull(DateScalar), resolve: (source) => source.updatedAt ?? source.createdAt },
        ACL: { type: new GraphQLNonNull(ACLType), resolve: (source) => aclView(source.ACL) },
        ...outputFields(only(configured?.outputFields, readable()), {
          target,
          arrayResult,
        }),
      }),
    });
    const edge = new GraphQLObjectType({
      name: `${names.type}Edge`,
      fields: { cursor: { type: new GraphQLNonNull(GraphQLString) }, node: { type: object } },
    });
    const connection = new GraphQLObjectType({
      name: `${names.type}Connection`,
      fields: {
        edges: { type: new GraphQLList(edge) },
        pageInfo: { type: new GraphQLNonNull(PageInfoType) },
        count: { type: new GraphQLNonNull(GraphQLInt) },
      },
    });
    const where: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `${names.type}WhereInput`,
      fields: () => ({
        id: { type: IdWhereInput },
        objectId: { type: IdWhereInput },
        createdAt: { type: DateWhereInput },
        updatedAt: { type: DateWhereInput },
        ...whereFields(only(configured?.constraintFields, readable()), target),
        OR: { type: new GraphQLList(new GraphQLNonNull(where)) },
        AND: { type: new GraphQLList(new GraphQLNonNull(where)) },
        NOR: { type: new GraphQLList(new GraphQLNonNull(where)) },
      }),
    });
    const order = new GraphQLEnumType({
      name: `${names.type}Order`,
      values: orderValues(readable(), configured?.sortFields),
    });
    const createFields: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `Create${names.type}FieldsInput`,
      fields: () => ({
        ...aclInput(configured?.inputFields?.create),
        ...inputFields(writable(configured?.inputFields?.create), { target, create: true }),
      }),
    });
    const updateFields: GraphQLInputObjectType = new GraphQLInputObjectType({
      name: `Update${names.type}FieldsInput`,
      fields: () => ({
        ...aclInput(configured?.inputFields?.update),
        ...inputFields(writable(configured?.inputFields?.update), { target, create: false }),
      }),
    });
    const pointerInput = new GraphQLInputObjectType({
      name: `${names.type}PointerInput`,
      fields: () => ({ link: { type: GraphQLID }, createAndLink: { type: createFields } }),
    });
    const relationInput = new GraphQLInputObjectType({
      name: `${names.type}RelationInput`,
      fields: () => ({
        add: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) },
        remove: { type: new GraphQLList(new GraphQLNonNull(GraphQLID)) },
        createAndAdd: { type: new GraphQLList(new GraphQLNonNull(createFields)) },
      }),
    });
    const relationWhere = new GraphQLInputObjectType({
      name: `${names.type}RelationWhereInput`,
      fields: () => ({ have: { type: where }, haveNot: { type: where }, exists: { type: GraphQLBoolean } }),
    });
    all.set(schema.className, {
      names,
      schema,
      object,
      connection,
      where,
      order,
      createFields,
      updateFields,
      pointerInput,
      relationInput,
      relationWhere,
    });
  }
  return all;
}

/** Writable fields: `_User.authData` is written through log-in, not `fields`. */
function exposedFieldsForWrite(schema: ClassSchema, fields: [string, FieldDefinition][]): [string, FieldDefinition][] {
  return schema.className === '_User' ? fields.filter(([name]) => name !== 'authData') : fields;
}

function outputFields(
  fields: [string, FieldDefinition][],
  options: { target: (className: string) => ClassTypes | undefined; arrayResult: GraphQLUnionType },
): GraphQLFieldConfigMap<OutputObject, GraphQLContext> {
  const out: GraphQLFieldConfigMap<OutputObject, GraphQLContext> = {};
  for (const [name, field] of fields) {
    const config = outputField(name, field, options);
    if (config !== undefined) out[name] = config;
  }
  return out;
}

function outputField(
  name: string,
  field: FieldDefinition,
  options: { target: (className: string) => ClassTypes | undefined; arrayResult: GraphQLUnionType },
): GraphQLFieldConfig<OutputObject, GraphQLContext> | undefined {
  const value = (source: OutputObject): unknown => source.fields[name];
  const plain = (type: GraphQLOutputType): GraphQLFieldConfig<OutputObject, GraphQLContext> => ({
    type,
    resolve: (source) => value(source) ?? null,
  });
  switch (field.type) {
    case 'String':
      return plain(GraphQLString);
    case 'Number':
      return plain(GraphQLFloat);
    case 'Boolean':
      return plain(GraphQLBoolean);
    case 'Date':
      return plain(DateScalar);
    case 'Bytes':
      return plain(BytesScalar);
    case 'Object':
      return { type: ObjectScalar, resolve: (source, _args, context) => objectValue(value(source), context) };
    case 'GeoPoint':
      return plain(GeoPointType);
    case 'Polygon':
      return {
        type: new GraphQLList(new GraphQLNonNull(GeoPointType)),
        resolve: (source) => polygonPoints(value(source)),
      };
    case 'File':
      return { type: FileInfoType, resolve: (source, _args, context) => fileInfo(value(source), context) };
    case 'Array':
      return {
        type: new GraphQLList(options.arrayResult),
        resolve: (source, _args, context) => arrayItems(value(source), context),
      };
    case 'ACL':
      return { type: ACLType, resolve: (source) => aclView(value(source) as never) };
    case 'Pointer': {
      const target = options.target(field.targetClass);
      if (target === undefined) return undefined;
      return { type: target.object, resolve: (source, _args, context) => pointerTarget(value(source), context) };
    }
    case 'Relation': {
      const target = options.target(field.targetClass);
      if (target === undefined) return undefined;
      return {
        type: new GraphQLNonNull(target.connection),
        args: findArgs({ where: target.where, order: target.order }),
        // GraphQL's own resolver signature (source, args, context, info), taken as one tuple.
        resolve: (...[source, args, context, info]: [OutputObject, FindArgs, GraphQLContext, GraphQLResolveInfo]) =>
          relationConnection({ owner: source, key: name, target: target.schema, args, context, info }),
      };
    }
  }
}

function whereFields(
  fields: [string, FieldDefinition][],
  target: (className: string) => ClassTypes | undefined,
): GraphQLInputFieldConfigMap {
  const out: GraphQLInputFieldConfigMap = {};
  for (const [name, field] of fields) {
    const type = whereType(field, target);
    if (type !== undefined) out[name] = { type };
  }
  return out;
}

function whereType(
  field: FieldDefinition,
  target: (className: string) => ClassTypes | undefined,
): GraphQLInputType | undefined {
  switch (field.type) {
    case 'String':
      return StringWhereInput;
    case 'Number':
      return NumberWhereInput;
    case 'Boolean':
      return BooleanWhereInput;
    case 'Date':
      return DateWhereInput;
    case 'Bytes':
      return BytesWhereInput;
    case 'File':
      return FileWhereInput;
    case 'Array':
      return ArrayWhereInput;
    case 'Object':
      return ObjectWhereInput;
    case 'GeoPoint':
      return GeoPointWhereInput;
    case 'Polygon':
      return PolygonWhereInput;
    case 'Pointer':
    case 'Relation':
      return target(field.targetClass)?.relationWhere;
    case 'ACL':
      return undefined;
  }
}

function orderValues(
  fields: [string, FieldDefinition][],
  sortFields: NonNullable<GraphQLClassConfig['type']>['sortFields'],
): GraphQLEnumValueConfigMap {
  const sortable = new Set(['objectId', 'createdAt', 'updatedAt']);
  for (const [name, field] of fields) {
    if (field.type !== 'Relation' && field.type !== 'ACL' && field.type !== 'Polygon') sortable.add(name);
  }
  const values: GraphQLEnumValueConfigMap = {};
  const add = (name: string, directions: { asc: boolean; desc: boolean }): void => {
    if (directions.asc) values[`${name}_ASC`] = { value: name };
    if (directions.desc) values[`${name}_DESC`] = { value: `-${name}` };
  };
  if (sortFields === undefined) {
    for (const name of sortable) add(name, { asc: true, desc: true });
    return values;
  }
  // The config's list, in its order (`id` is `objectId`); fields that cannot be sorted on are left out.
  for (const entry of sortFields) {
    const name = entry.field === 'id' ? 'objectId' : entry.field;
    if (sortable.has(name)) add(name, entry);
  }
  // An enum needs a value: a list that keeps none still lets the class be read in objectId order.
  if (Object.keys(values).length === 0) add('objectId', { asc: true, desc: true });
  return values;
}

function inputFields(
  fields: [string, FieldDefinition][],
  options: { target: (className: string) => ClassTypes | undefined; create: boolean },
): GraphQLInputFieldConfigMap {
  const out: GraphQLInputFieldConfigMap = {};
  for (const [name, field] of fields) {
    const type = inputType(field, options.target);
    if (type === undefined) continue;
    const required = options.create && field.required === true && field.defaultValue === undefined;
    out[name] = { type: required ? new GraphQLNonNull(type) : type };
  }
  return out;
}

function inputType(
  field: FieldDefinition,
  target: (className: string) => ClassTypes | undefined,
): GraphQLInputType | undefined {
  switch (field.type) {
    case 'String':
      return GraphQLString;
    case 'Number':
      return GraphQLFloat;
    case 'Boolean':
      return GraphQLBoolean;
    case 'Date':
      return DateScalar;
    case 'Bytes':
      return BytesScalar;
    case 'Object':
      return ObjectScalar;
    case 'Array':
      return new GraphQLList(AnyScalar);
    case 'GeoPoint':
      return GeoPointInputType;
    case 'Polygon':
      return new GraphQLList(new GraphQLNonNull(GeoPointInputType));
    case 'File':
      return FileInputType;
    case 'ACL':
      return ACLInputType;
    case 'Pointer':
      return target(field.targetClass)?.pointerInput;
    case 'Relation':
      return target(field.targetClass)?.relationInput;
  }
}
