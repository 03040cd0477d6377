import type { ClassSchema, FieldDefinition, IndexOptions, IndexSpec } from '../../schema/index.js';

/**
 * What `initialize()` creates in every SQLite database: the `_User` and `_Role` classes with their default
 * fields and the indexes Parse relies on (unique usernames, emails and role names). A minimal local copy:
 * the schema module's system-class registry is not exported yet; switch to it when it is.
 */

export const DEFAULT_FIELDS: Readonly<Record<string, FieldDefinition>> = Object.freeze({
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
});

export const DEFAULT_CLASSES: readonly ClassSchema[] = Object.freeze<ClassSchema[]>([
  {
    className: '_User',
    fields: {
      ...DEFAULT_FIELDS,
      username: { type: 'String' },
      email: { type: 'String' },
      emailVerified: { type: 'Boolean' },
      authData: { type: 'Object' },
    },
  },
  {
    className: '_Role',
    fields: {
      ...DEFAULT_FIELDS,
      name: { type: 'String' },
      users: { type: 'Relation', targetClass: '_User' },
      roles: { type: 'Relation', targetClass: '_Role' },
    },
  },
]);

export interface StandardIndex {
  readonly className: string;
  readonly name: string;
  readonly spec: IndexSpec;
  readonly options: IndexOptions;
}

/** Parse's own index names, so an admin sees familiar names. */
export const STANDARD_INDEXES: readonly StandardIndex[] = Object.freeze<StandardIndex[]>([
  { className: '_User', name: 'username_1', spec: { username: 1 }, options: { unique: true } },
  { className: '_User', name: 'email_1', spec: { email: 1 }, options: { unique: true, sparse: true } },
  { className: '_User', name: 'case_insensitive_username', spec: { username: 1 }, options: { caseInsensitive: true } },
  { className: '_User', name: 'case_insensitive_email', spec: { email: 1 }, options: { caseInsensitive: true } },
  { className: '_Role', name: 'name_1', spec: { name: 1 }, options: { unique: true } },
]);
