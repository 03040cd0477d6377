import { DEFAULT_FIELDS, defaultFieldsOf } from '../../schema/index.js';
import type { ClassSchema, IndexOptions, IndexSpec } from '../../schema/index.js';

/**
 * What `initialize()` creates in every SQLite database: the `_User`, `_Role` and `_Session` classes with the default
 * fields the schema module defines for them, and the indexes Parse relies on (unique usernames, emails and
 * role names, plus case-insensitive lookups).
 */

export { DEFAULT_FIELDS };

export const DEFAULT_CLASSES: readonly ClassSchema[] = Object.freeze(
  // `_Session` too: parse-server lists it in GET /schemas of a fresh database, before any session exists.
  ['_User', '_Role', '_Session'].map((className): ClassSchema => ({ className, fields: defaultFieldsOf(className) })),
);

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
