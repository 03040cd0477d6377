import type { ACL } from './types.js';

export type Access = 'read' | 'write' | 'readWrite';

/**
 * Builds an ACL step by step; each call returns a new builder, so a shared base can be extended safely.
 * Pass the builder itself as an object's `ACL`, or call `toJSON()` for the plain map.
 *
 * @example
 * await posts.create({ title: 'Hi', ACL: acl().publicRead().user(me.objectId, 'readWrite').role('admins', 'write') });
 */
export class AclBuilder {
  private constructor(private readonly entries: ACL) {}

  /** @internal Use `acl()`. */
  static of(entries: ACL): AclBuilder {
    return new AclBuilder(entries);
  }

  private grant(key: string, access: Access): AclBuilder {
    const entry = { ...this.entries[key] };
    if (access !== 'write') entry.read = true;
    if (access !== 'read') entry.write = true;
    return new AclBuilder({ ...this.entries, [key]: entry });
  }

  /** Everyone may read. */
  publicRead(): AclBuilder {
    return this.grant('*', 'read');
  }
  /** Everyone may write. */
  publicWrite(): AclBuilder {
    return this.grant('*', 'write');
  }
  /** The user with this objectId (or this user record). */
  user(user: string | { readonly objectId: string }, access: Access): AclBuilder {
    return this.grant(typeof user === 'string' ? user : user.objectId, access);
  }
  /** Members of the role with this name. */
  role(name: string, access: Access): AclBuilder {
    return this.grant(`role:${name}`, access);
  }
  /** The plain ACL map Parse stores. */
  toJSON(): ACL {
    const out: ACL = {};
    for (const [key, entry] of Object.entries(this.entries)) out[key] = { ...entry };
    return out;
  }
}

/** Starts an ACL (empty = master key only), optionally from an existing one. */
export function acl(initial: ACL = {}): AclBuilder {
  return AclBuilder.of(initial);
}
