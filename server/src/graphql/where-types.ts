import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLString,
} from 'graphql';
import type { GraphQLInputType, GraphQLInputFieldConfigMap } from 'graphql';
import { AnyScalar, BytesScalar, DateScalar, ObjectScalar } from './scalars.js';
import { GeoPointInputType } from './common-types.js';

/**
 * The where inputs of each field type (spec/graphql.md §3), shared by every class: comparisons, `in` /
 * `notIn`, `exists`, regex and text on strings, arrays' `contains` / `containedBy`, object keys through
 * `KeyValueInput`, geo queries, and `inQueryKey` / `notInQueryKey`. `where.ts` turns them into REST `where`.
 */
const SubqueryInput = new GraphQLInputObjectType({
  name: 'SubqueryInput',
  fields: {
    className: { type: new GraphQLNonNull(GraphQLString) },
    where: { type: new GraphQLNonNull(ObjectScalar) },
  },
});

const SelectInput = new GraphQLInputObjectType({
  name: 'SelectInput',
  fields: {
    query: { type: new GraphQLNonNull(SubqueryInput) },
    key: { type: new GraphQLNonNull(GraphQLString) },
  },
});

function comparisons(type: GraphQLInputType, options: { order: boolean }): GraphQLInputFieldConfigMap {
  return {
    equalTo: { type },
    notEqualTo: { type },
    ...(options.order
      ? {
          lessThan: { type },
          lessThanOrEqualTo: { type },
          greaterThan: { type },
          greaterThanOrEqualTo: { type },
        }
      : {}),
    in: { type: new GraphQLList(type) },
    notIn: { type: new GraphQLList(type) },
    exists: { type: GraphQLBoolean },
    inQueryKey: { type: SelectInput },
    notInQueryKey: { type: SelectInput },
  };
}

const TextSearchInput = new GraphQLInputObjectType({
  name: 'SearchInput',
  fields: {
    term: { type: new GraphQLNonNull(GraphQLString) },
    language: { type: GraphQLString },
    caseSensitive: { type: GraphQLBoolean },
    diacriticSensitive: { type: GraphQLBoolean },
  },
});

const TextInput = new GraphQLInputObjectType({
  name: 'TextInput',
  fields: { search: { type: new GraphQLNonNull(TextSearchInput) } },
});

export const IdWhereInput = new GraphQLInputObjectType({
  name: 'IdWhereInput',
  fields: comparisons(GraphQLID, { order: true }),
});

export const StringWhereInput = new GraphQLInputObjectType({
  name: 'StringWhereInput',
  fields: {
    ...comparisons(GraphQLString, { order: true }),
    matchesRegex: { type: GraphQLString },
    options: { type: GraphQLString },
    text: { type: TextInput },
  },
});

export const NumberWhereInput = new GraphQLInputObjectType({
  name: 'NumberWhereInput',
  fields: comparisons(GraphQLFloat, { order: true }),
});

export const BooleanWhereInput = new GraphQLInputObjectType({
  name: 'BooleanWhereInput',
  fields: comparisons(GraphQLBoolean, { order: false }),
});

export const DateWhereInput = new GraphQLInputObjectType({
  name: 'DateWhereInput',
  fields: comparisons(DateScalar, { order: true }),
});

export const BytesWhereInput = new GraphQLInputObjectType({
  name: 'BytesWhereInput',
  fields: comparisons(BytesScalar, { order: true }),
});

export const FileWhereInput = new GraphQLInputObjectType({
  name: 'FileWhereInput',
  fields: {
    ...comparisons(GraphQLString, { order: true }),
    matchesRegex: { type: GraphQLString },
    options: { type: GraphQLString },
  },
});

export const ArrayWhereInput = new GraphQLInputObjectType({
  name: 'ArrayWhereInput',
  fields: {
    ...comparisons(AnyScalar, { order: true }),
    containedBy: { type: new GraphQLList(AnyScalar) },
    contains: { type: new GraphQLList(AnyScalar) },
  },
});

export const KeyValueInput = new GraphQLInputObjectType({
  name: 'KeyValueInput',
  fields: {
    key: { type: new GraphQLNonNull(GraphQLString) },
    value: { type: new GraphQLNonNull(AnyScalar) },
  },
});

export const ObjectWhereInput = new GraphQLInputObjectType({
  name: 'ObjectWhereInput',
  fields: {
    equalTo: { type: KeyValueInput },
    notEqualTo: { type: KeyValueInput },
    in: { type: new GraphQLList(KeyValueInput) },
    notIn: { type: new GraphQLList(KeyValueInput) },
    lessThan: { type: KeyValueInput },
    lessThanOrEqualTo: { type: KeyValueInput },
    greaterThan: { type: KeyValueInput },
    greaterThanOrEqualTo: { type: KeyValueInput },
    exists: { type: GraphQLBoolean },
    inQueryKey: { type: SelectInput },
    notInQueryKey: { type: SelectInput },
  },
});

const BoxInput = new GraphQLInputObjectType({
  name: 'BoxInput',
  fields: {
    bottomLeft: { type: new GraphQLNonNull(GeoPointInputType) },
    upperRight: { type: new GraphQLNonNull(GeoPointInputType) },
  },
});

const CenterSphereInput = new GraphQLInputObjectType({
  name: 'CenterSphereInput',
  fields: {
    center: { type: new GraphQLNonNull(GeoPointInputType) },
    distance: { type: new GraphQLNonNull(GraphQLFloat) },
  },
});

export const GeoPointWhereInput = new GraphQLInputObjectType({
  name: 'GeoPointWhereInput',
  fields: {
    exists: { type: GraphQLBoolean },
    nearSphere: { type: GeoPointInputType },
    maxDistance: { type: GraphQLFloat },
    maxDistanceInRadians: { type: GraphQLFloat },
    maxDistanceInMiles: { type: GraphQLFloat },
    maxDistanceInKilometers: { type: GraphQLFloat },
    within: {
      type: new GraphQLInputObjectType({
        name: 'WithinInput',
        fields: { box: { type: new GraphQLNonNull(BoxInput) } },
      }),
    },
    geoWithin: {
      type: new GraphQLInputObjectType({
        name: 'GeoWithinInput',
        fields: {
          polygon: { type: new GraphQLList(new GraphQLNonNull(GeoPointInputType)) },
          centerSphere: { type: CenterSphereInput },
        },
      }),
    },
  },
});

export const PolygonWhereInput = new GraphQLInputObjectType({
  name: 'PolygonWhereInput',
  fields: {
    exists: { type: GraphQLBoolean },
    geoIntersects: {
      type: new GraphQLInputObjectType({
        name: 'GeoIntersectsInput',
        fields: { point: { type: GeoPointInputType } },
      }),
    },
  },
});
