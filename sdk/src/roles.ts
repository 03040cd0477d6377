import type { AclBuilder } from './acl.js';
import type { UserFields } from './auth.js';
import { createCollection } from './collection.js';
import type { Collection } from './collection.js';
import { addRelation, removeRelation } from './ops.js';
import type { Query } from './query.js';
import type { CallOptions, TransportContext } from './transport.js';
import type { ACL, Pointer, Relation, Stored } from './types.js';

/**
 * `client.roles`: named groups of users (and of other roles) that ACLs and class-level permissions refer
 * to as `role:<name>`. Membership lives in the role's `users` and `roles` relations.
 */

export interface RoleFields {
  name: string;
  users?: Relation<UserFields>;
  roles?: Relation<RoleFields>;
  ACL?: ACL;
}

type Ref = string | { readonly objectId: string };

export interface Roles {
  /** Creates a role (an ACL is required by Parse: who may change the role). */
  create(
    name: string,
    options: CallOptions & { acl: ACL | AclBuilder; users?: readonly Ref[]; roles?: readonly Ref[] },
  ): Promise<Stored<RoleFields>>;
  /** The role with this name, if any. */
  byName(name: string, options?: CallOptions): Promise<Stored<RoleFields> | undefined>;
  addUsers(roleId: string, users: readonly Ref[], options?: CallOptions): Promise<void>;
  removeUsers(roleId: string, users: readonly Ref[], options?: CallOptions): Promise<void>;
  /** Makes the members of `roles` members of this role too. */
  addRoles(roleId: string, roles: readonly Ref[], options?: CallOptions): Promise<void>;
  removeRoles(roleId: string, roles: readonly Ref[], options?: CallOptions): Promise<void>;
  /** A query over the users directly in the role. */
  users(roleId: string): Query<UserFields>;
  /** A query over the roles directly in the role. */
  roles(roleId: string): Query<RoleFields>;
  /** The `_Role` collection itself (get, delete, queries). */
  readonly collection: Collection<RoleFields>;
}

function pointers<T>(className: string, refs: readonly Ref[]): Array<Pointer<T>> {
  return refs.map(
    (ref) => ({ __type: 'Pointer', className, objectId: typeof ref === 'string' ? ref : ref.objectId }) as Pointer<T>,
  );
}

export function createRoles(transport: TransportContext): Roles {
  const roles = createCollection<RoleFields>(transport, '_Role');
  const users = createCollection<UserFields>(transport, '_User');
  const change = async (change: {
    roleId: string;
    field: 'users' | 'roles';
    refs: readonly Ref[];
    add: boolean;
    options: CallOptions | undefined;
  }): Promise<void> => {
    const targets = pointers<never>(change.field === 'users' ? '_User' : '_Role', change.refs);
    const op = change.add ? addRelation(...targets) : removeRelation(...targets);
    await roles.update(change.roleId, { [change.field]: op }, change.options);
  };
  return {
    create: (name, options) => {
      const { acl, users: members = [], roles: children = [], ...callOptions } = options;
      const fields: Record<string, unknown> = { name, ACL: acl };
      if (members.length > 0) fields['users'] = addRelation(...pointers('_User', members));
      if (children.length > 0) fields['roles'] = addRelation(...pointers('_Role', children));
      return roles.create(fields as unknown as RoleFields, callOptions);
    },
    byName: (name, options) => roles.query().equalTo('name', name).first(options),
    addUsers: (roleId, refs, options) => change({ roleId, field: 'users', refs, add: true, options }),
    removeUsers: (roleId, refs, options) => change({ roleId, field: 'users', refs, add: false, options }),
    addRoles: (roleId, refs, options) => change({ roleId, field: 'roles', refs, add: true, options }),
    removeRoles: (roleId, refs, options) => change({ roleId, field: 'roles', refs, add: false, options }),
    users: (roleId) => users.query().relatedTo(roles.pointer(roleId), 'users'),
    roles: (roleId) => roles.query().relatedTo(roles.pointer(roleId), 'roles'),
    collection: roles,
  };
}
