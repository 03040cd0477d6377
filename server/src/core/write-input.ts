import type { ACL, ParseValue, Pointer } from '../schema/index.js';
import type { UpdateOp } from '../storage/index.js';

/**
 * What a front end asks to write, already decoded from its wire format: per field (or dot path into an
 * Object field) either a value or an operation. Relation changes are separate because they are not
 * stored on the object itself.
 */
export type FieldWrite =
  | UpdateOp
  | { readonly op: 'addRelation'; readonly objects: readonly Pointer[] }
  | { readonly op: 'removeRelation'; readonly objects: readonly Pointer[] }
  /** `{"__op":"Batch"}` of relation operations on one field. */
  | { readonly op: 'relationBatch'; readonly add: readonly Pointer[]; readonly remove: readonly Pointer[] };

export interface WriteInput {
  readonly fields: Readonly<Record<string, FieldWrite>>;
  /** `undefined`: not given. */
  readonly ACL?: ACL;
  /** Client-supplied `objectId` on create (refused unless custom ids are allowed). */
  readonly objectId?: string;
  /**
   * Internal `_` fields set by the server itself (a system class's rules, e.g. `_hashed_password`); never
   * decoded from a request, and stored without going through the schema.
   */
  readonly internal?: Readonly<Record<string, UpdateOp>>;
}

export type RelationWrite = Extract<FieldWrite, { op: 'addRelation' | 'removeRelation' | 'relationBatch' }>;

export function isRelationWrite(write: FieldWrite): write is RelationWrite {
  return write.op === 'addRelation' || write.op === 'removeRelation' || write.op === 'relationBatch';
}

/** The value a create stores for an operation: Parse flattens operations on create (no de-duplication). */
export function valueOnCreate(write: UpdateOp): ParseValue | undefined {
  switch (write.op) {
    case 'set':
      return write.value;
    case 'unset':
      return undefined;
    case 'increment':
      return write.amount;
    case 'add':
    case 'addUnique':
      return [...write.objects];
    case 'remove':
      return [];
  }
}
