import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import type { ValueNode } from 'graphql';

/**
 * The scalars of Parse's GraphQL API (spec/graphql.md §2): `Date` (ISO string in and out; `{__type:"Date"}`
 * accepted), `Bytes` (base64), `Object` (a JSON object), `Any` (any JSON) and `Upload` (a multipart file).
 * Inputs stay in their wire form here; the write and where builders turn them into REST JSON.
 */
function literal(node: ValueNode, variables: Readonly<Record<string, unknown>> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literal(value, variables));
    case Kind.OBJECT: {
      const out: Record<string, unknown> = {};
      for (const field of node.fields) out[field.name.value] = literal(field.value, variables);
      return out;
    }
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

function isoOf(value: unknown): string {
  const iso =
    typeof value === 'string'
      ? value
      : value !== null && typeof value === 'object' && (value as { __type?: unknown }).__type === 'Date'
        ? (value as { iso?: unknown }).iso
        : undefined;
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) throw new GraphQLError('Date must be an ISO string');
  return new Date(iso).toISOString();
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'An ISO 8601 date-time.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : isoOf(value)),
  parseValue: isoOf,
  parseLiteral: (node, variables) => isoOf(literal(node, variables)),
});

function base64Of(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : value !== null && typeof value === 'object' && (value as { __type?: unknown }).__type === 'Bytes'
        ? (value as { base64?: unknown }).base64
        : undefined;
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new GraphQLError('Bytes must be a base64 string');
  }
  return text;
}

export const BytesScalar = new GraphQLScalarType({
  name: 'Bytes',
  description: 'Binary data, base64 encoded.',
  serialize: (value) => (value !== null && typeof value === 'object' && 'base64' in value ? value.base64 : value),
  parseValue: base64Of,
  parseLiteral: (node, variables) => base64Of(literal(node, variables)),
});

function objectOf(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GraphQLError('Object must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export const ObjectScalar = new GraphQLScalarType({
  name: 'Object',
  description: 'A JSON object.',
  serialize: (value) => value,
  parseValue: objectOf,
  parseLiteral: (node, variables) => objectOf(literal(node, variables)),
});

export const AnyScalar = new GraphQLScalarType({
  name: 'Any',
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literal(node, variables),
});

/** A file of a GraphQL multipart request (graphql-multipart-request spec): yoga hands a web `File`. */
export const UploadScalar = new GraphQLScalarType({
  name: 'Upload',
  description: 'A file sent as a part of a GraphQL multipart request.',
  serialize: () => {
    throw new GraphQLError('Upload is an input only');
  },
  parseValue: (value) => {
    if (value !== null && typeof value === 'object' && 'arrayBuffer' in value && 'name' in value) return value;
    throw new GraphQLError('Upload must be a file part of a multipart request');
  },
  parseLiteral: () => {
    throw new GraphQLError('Upload must be a variable bound to a file part');
  },
});
