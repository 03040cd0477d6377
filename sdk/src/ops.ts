import type { AclBuilder } from './acl.js';
import type { ACL, Pointer, Relation } from './types.js';

/**
 * Update operations for `create`/`update` patches: the server applies them atomically, so two clients
 * incrementing a counter never lose a count.
 *
 * @example
 * await todos.update(id, { views: increment(), tags: addUnique('urgent'), note: unset() });
 */

export interface DeleteOp {
  readonly __op: 'Delete';
}
export interface IncrementOp {
  readonly __op: 'Increment';
  readonly amount: number;
}
export interface ArrayOp<E> {
  readonly __op: 'Add' | 'AddUnique' | 'Remove';
  readonly objects: readonly E[];
}
export interface RelationOp<T> {
  readonly __op: 'AddRelation' | 'RemoveRelation';
  readonly objects: ReadonlyArray<Pointer<T>>;
}

/** The operations a field of type `V` accepts (numbers: increment; arrays: add/remove; relations: …). */
export type FieldOp<V> =
  | DeleteOp
  | (NonNullable<V> extends number ? IncrementOp : never)
  | (NonNullable<V> extends ReadonlyArray<infer E> ? ArrayOp<E> : never)
  | (NonNullable<V> extends Relation<infer R> ? RelationOp<R> : never);

/** What you may write into the fields of `T` on create: values or operations; any object may get an ACL. */
export type CreateInput<T> = {
  [K in keyof T]: K extends 'ACL' ? ACL | AclBuilder : T[K] | FieldOp<T[K]>;
} & { ACL?: ACL | AclBuilder };

/** An update: any subset of the fields, each a new value or an operation. */
export type Patch<T> = Partial<CreateInput<T>>;

/** Removes the field. */
export function unset(): DeleteOp {
  return { __op: 'Delete' };
}

/** Adds `amount` (default 1; negative to subtract) to a number field; a missing field counts as 0. */
export function increment(amount = 1): IncrementOp {
  return { __op: 'Increment', amount };
}

/** Appends items to an array field (duplicates kept). */
export function add<E>(...items: E[]): ArrayOp<E> {
  return { __op: 'Add', objects: items };
}

/** Appends the items not already in the array field. */
export function addUnique<E>(...items: E[]): ArrayOp<E> {
  return { __op: 'AddUnique', objects: items };
}

/** Removes every occurrence of the items from an array field. */
export function remove<E>(...items: E[]): ArrayOp<E> {
  return { __op: 'Remove', objects: items };
}

/** Adds objects to a relation field. @example { members: addRelation(pointer('_User', id)) } */
export function addRelation<T>(...targets: Array<Pointer<T>>): RelationOp<T> {
  return { __op: 'AddRelation', objects: targets.map(asPointer) };
}

/** Removes objects from a relation field (removing a non-member is not an error). */
export function removeRelation<T>(...targets: Array<Pointer<T>>): RelationOp<T> {
  return { __op: 'RemoveRelation', objects: targets.map(asPointer) };
}

function asPointer<T>(target: Pointer<T>): Pointer<T> {
  return { __type: 'Pointer', className: target.className, objectId: target.objectId } as Pointer<T>;
}

/** Whether a field value is an operation (`{ __op: … }`). */
export function isOp(value: unknown): value is { readonly __op: string } {
  return typeof value === 'object' && value !== null && typeof (value as { __op?: unknown }).__op === 'string';
}
