import type { Auth } from '../../auth/index.js';
import type { ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type { CoreDeps } from '../deps.js';
import type { OutputObject } from '../output.js';
import type { WriteInput } from '../write-input.js';

/** What a system-class hook sees of a write. */
export interface WriteContext {
  readonly deps: CoreDeps;
  readonly auth: Auth;
  readonly className: string;
  readonly objectId: string;
  readonly input: WriteInput;
}

/**
 * Hooks a system class plugs into the generic operations (STYLE.md: no `if (className === '_User')` in
 * generic code). Every hook is optional; a class without rules behaves like any user class.
 */
export interface ClassRules {
  /** A create of this class signs the caller up: cloud validators count the new object as the user. */
  readonly createIsSignUp?: boolean;
  /** Cheap synchronous gate before anything is loaded. */
  beforeWrite?(options: { auth: Auth; input: WriteInput; isCreate: boolean }): void;
  beforeDelete?(options: { auth: Auth }): void;
  /**
   * Cheap synchronous gate on a read of the class: `byId` for a get (or a find that names its objectIds),
   * false for a query (find, count, a sub-query). E.g. `_Installation`: clients may not query it.
   */
  beforeFind?(options: { auth: Auth; byId: boolean }): void;
  /**
   * Turns a create into an update of an object that exists already, answered like an update (200
   * `{updatedAt}`): `_Installation`'s POST is an upsert by installationId / deviceToken. Resolves with the
   * objectId to update, or undefined to create. Runs after the access gate, before beforeSave (as Parse).
   */
  existingForCreate?(options: { deps: CoreDeps; auth: Auth; input: WriteInput }): Promise<string | undefined>;
  /**
   * Validates and rewrites a create before the schema step (hash a password into an internal field,
   * default ACL...). `objectId` is the id the object will get.
   */
  prepareCreate?(context: WriteContext): Promise<WriteInput>;
  /** After the insert: extra fields for the 201 response (e.g. a new `sessionToken`). */
  afterCreate?(context: WriteContext): Promise<Record<string, unknown>>;
  prepareUpdate?(context: WriteContext): Promise<WriteInput>;
  /** After the update: extra fields for the response. */
  afterUpdate?(context: WriteContext): Promise<Record<string, unknown>>;
  afterDelete?(context: Omit<WriteContext, 'input'>): Promise<void>;
  /**
   * An extra condition every read (`read`) or update/delete (`write`) of the class is ANDed with, on top
   * of the ACL (e.g. `_Session`: only the caller's own sessions). May throw (209 without a user).
   */
  restrictQuery?(options: { auth: Auth; access: 'read' | 'write' }): Condition | undefined;
  /** The error for an update/delete that matched nothing writable (default 101; `_User`: 206). */
  writeDenied?(): ParseError;
  /** Removes what this caller may not see of an object read from the class (find, get, include). */
  afterRead?(options: { auth: Auth; object: OutputObject }): void;
  /**
   * Fields `afterRead` hides from this (non-master) caller on objects other than its own: like protected
   * fields, the read policy refuses a query, sort or `$select` key on them (119), so their values cannot
   * be guessed through what a query matches.
   */
  privateFields?(options: { auth: Auth }): readonly string[];
}
