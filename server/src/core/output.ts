import type { ACL } from '../schema/index.js';

/** Marks a Relation field in a read result: `{"__type":"Relation","className":...}` on the wire. */
export class RelationRef {
  constructor(readonly className: string) {}
}

/**
 * An object as `core` returns it to front ends: internal fields removed, Relation fields present as
 * `RelationRef`, included pointers replaced by `EmbeddedObject`s. Field values are normalized values
 * (`ParseValue`), `EmbeddedObject`, `RelationRef`, or arrays of those.
 */
export interface OutputObject {
  readonly className: string;
  readonly objectId: string;
  readonly createdAt?: Date;
  readonly updatedAt?: Date;
  readonly ACL?: ACL;
  readonly fields: Record<string, unknown>;
}

export interface FindResult {
  readonly results: OutputObject[];
  /** Present when the caller asked for a count. */
  readonly count?: number;
  /** With `explain`: the database's plan, sent as `results` instead of objects. */
  readonly explain?: unknown;
}

/** What a save answers besides the timestamps: operation results and fields the server set (types.md §5). */
export interface SaveResult {
  readonly objectId: string;
  readonly createdAt?: Date;
  readonly updatedAt: Date;
  readonly fields: Record<string, unknown>;
}
