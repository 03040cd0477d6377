import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
} from 'graphql';
import type { GraphQLFieldConfigArgumentMap } from 'graphql';
import type { ACL } from '../schema/index.js';
import { toGlobalId } from './global-id.js';
import { AnyScalar, DateScalar } from './scalars.js';

/**
 * The types every generated schema shares (spec/graphql.md §2): Relay's `Node` and `PageInfo`, Parse's
 * `ParseObject` interface, ACL in and out, GeoPoint in and out, files, `Element` (an array item that is not an
 * object) and the read options.
 */
export const NodeInterface = new GraphQLInterfaceType({
  name: 'Node',
  description: 'An object with a global id (Relay).',
  fields: { id: { type: new GraphQLNonNull(GraphQLID) } },
});

export const ParseObjectInterface = new GraphQLInterfaceType({
  name: 'ParseObject',
  description: 'Every Parse object.',
  interfaces: [NodeInterface],
  fields: () => ({
    id: { type: new GraphQLNonNull(GraphQLID) },
    objectId: { type: new GraphQLNonNull(GraphQLID) },
    createdAt: { type: new GraphQLNonNull(DateScalar) },
    updatedAt: { type: new GraphQLNonNull(DateScalar) },
    ACL: { type: new GraphQLNonNull(ACLType) },
  }),
});

export const PageInfoType = new GraphQLObjectType({
  name: 'PageInfo',
  fields: {
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    hasPreviousPage: { type: new GraphQLNonNull(GraphQLBoolean) },
    startCursor: { type: GraphQLString },
    endCursor: { type: GraphQLString },
  },
});

const accessFields = {
  read: { type: new GraphQLNonNull(GraphQLBoolean) },
  write: { type: new GraphQLNonNull(GraphQLBoolean) },
};

const UserACLType = new GraphQLObjectType({
  name: 'UserACL',
  fields: { userId: { type: new GraphQLNonNull(GraphQLID) }, ...accessFields },
});
const RoleACLType = new GraphQLObjectType({
  name: 'RoleACL',
  fields: { roleName: { type: new GraphQLNonNull(GraphQLID) }, ...accessFields },
});
const PublicACLType = new GraphQLObjectType({ name: 'PublicACL', fields: accessFields });

interface AclView {
  users: { userId: string; read: boolean; write: boolean }[];
  roles: { roleName: string; read: boolean; write: boolean }[];
  public: { read: boolean; write: boolean } | null;
}

/** An object's ACL as Parse's GraphQL shows it; no ACL stored is public read and write. */
export function aclView(acl: ACL | undefined): AclView {
  if (acl === undefined) return { users: [], roles: [], public: { read: true, write: true } };
  const view: AclView = { users: [], roles: [], public: null };
  for (const [entity, access] of Object.entries(acl)) {
    const flags = { read: access.read === true, write: access.write === true };
    if (entity === '*') view.public = flags;
    else if (entity.startsWith('role:')) view.roles.push({ roleName: entity.slice(5), ...flags });
    else view.users.push({ userId: toGlobalId('_User', entity), ...flags });
  }
  return view;
}

export const ACLType: GraphQLObjectType = new GraphQLObjectType({
  name: 'ACL',
  fields: {
    users: { type: new GraphQLList(new GraphQLNonNull(UserACLType)) },
    roles: { type: new GraphQLList(new GraphQLNonNull(RoleACLType)) },
    public: { type: PublicACLType },
  },
});

const accessInputFields = {
  read: { type: new GraphQLNonNull(GraphQLBoolean) },
  write: { type: new GraphQLNonNull(GraphQLBoolean) },
};

export const ACLInputType = new GraphQLInputObjectType({
  name: 'ACLInput',
  fields: {
    users: {
      type: new GraphQLList(
        new GraphQLNonNull(
          new GraphQLInputObjectType({
            name: 'UserACLInput',
            fields: { userId: { type: new GraphQLNonNull(GraphQLID) }, ...accessInputFields },
          }),
        ),
      ),
    },
    roles: {
      type: new GraphQLList(
        new GraphQLNonNull(
          new GraphQLInputObjectType({
            name: 'RoleACLInput',
            fields: { roleName: { type: new GraphQLNonNull(GraphQLString) }, ...accessInputFields },
          }),
        ),
      ),
    },
    public: { type: new GraphQLInputObjectType({ name: 'PublicACLInput', fields: accessInputFields }) },
  },
});

export const GeoPointType = new GraphQLObjectType({
  name: 'GeoPoint',
  fields: {
    latitude: { type: new GraphQLNonNull(GraphQLFloat) },
    longitude: { type: new GraphQLNonNull(GraphQLFloat) },
  },
});

export const GeoPointInputType = new GraphQLInputObjectType({
  name: 'GeoPointInput',
  fields: {
    latitude: { type: new GraphQLNonNull(GraphQLFloat) },
    longitude: { type: new GraphQLNonNull(GraphQLFloat) },
  },
});

export const FileInfoType = new GraphQLObjectType({
  name: 'FileInfo',
  fields: {
    name: { type: new GraphQLNonNull(GraphQLString) },
    url: { type: new GraphQLNonNull(GraphQLString) },
  },
});

export const ElementType = new GraphQLObjectType({
  name: 'Element',
  description: 'An array item that is not a Parse object (null for a null item).',
  // Nullable: `[null]` is an array Parse stores; a non-null `value` made graphql-js fail the whole item (the
  // 1,000,000-request fuzz's finding: "Internal server error" inside a 200).
  fields: { value: { type: AnyScalar } },
});

export const ReadPreferenceEnum = new GraphQLEnumType({
  name: 'ReadPreference',
  values: {
    PRIMARY: {},
    PRIMARY_PREFERRED: {},
    SECONDARY: {},
    SECONDARY_PREFERRED: {},
    NEAREST: {},
  },
});

export const ReadOptionsInputType = new GraphQLInputObjectType({
  name: 'ReadOptionsInput',
  fields: {
    readPreference: { type: ReadPreferenceEnum },
    includeReadPreference: { type: ReadPreferenceEnum },
    subqueryReadPreference: { type: ReadPreferenceEnum },
  },
});

/** The arguments of every find (`<classes>` and relation fields). */
export function findArgs(options: {
  where: GraphQLInputObjectType;
  order: GraphQLEnumType | undefined;
}): GraphQLFieldConfigArgumentMap {
  return {
    where: { type: options.where },
    ...(options.order === undefined ? {} : { order: { type: new GraphQLList(new GraphQLNonNull(options.order)) } }),
    skip: { type: GraphQLInt },
    after: { type: GraphQLString },
    first: { type: GraphQLInt },
    before: { type: GraphQLString },
    last: { type: GraphQLInt },
    options: { type: ReadOptionsInputType },
  };
}
