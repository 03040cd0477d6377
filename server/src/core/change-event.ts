import { randomUUID } from 'node:crypto';
import type { StoredObject } from '../storage/index.js';

/** What a committed write did to one object. */
export type ChangeOp = 'create' | 'update' | 'delete';

interface ChangeBase {
  /**
   * This change's own id, made where the write committed (`newChangeId`) and carried unchanged to every server:
   * two writes of one object in the same millisecond are still two changes (a LiveQuery hand-off dedupes on it).
   */
  readonly id: string;
  readonly className: string;
  readonly objectId: string;
  /** When the writing server made the write (its clock). */
  readonly at: Date;
}

/** A new object: `after` is it as stored. */
export interface CreateEvent extends ChangeBase {
  readonly op: 'create';
  readonly before?: undefined;
  readonly after: StoredObject;
}

/** A changed object: its state just before and just after, both read atomically with the write. */
export interface UpdateEvent extends ChangeBase {
  readonly op: 'update';
  readonly before: StoredObject;
  readonly after: StoredObject;
}

/** A deleted object: `before` is its last state. */
export interface DeleteEvent extends ChangeBase {
  readonly op: 'delete';
  readonly before: StoredObject;
  readonly after?: undefined;
}

/**
 * One committed write to one object, as the change feed announces it after the commit. States are the
 * normalized in-memory form (`Date`, `Pointer`, ...), unshaped: the stored `ACL` and every field, including
 * fields some callers may not read (protected fields, `authData`, `email`), so a reader can decide per caller.
 * Shaping is the reader's job. Internal `_` fields (password hashes, email and reset tokens, lockout counters)
 * are never in it: no caller can read them, and the event leaves the process over Redis. Relation edges are
 * not part of an object's state. Subscribers share one event object: treat it as read-only.
 */
export type ChangeEvent = CreateEvent | UpdateEvent | DeleteEvent;

/** A stored object as events carry it: the same object when it has no internal `_` field, else a copy without. */
export function publicState(object: StoredObject): StoredObject {
  let internal = false;
  for (const name in object.fields) {
    if (name.charCodeAt(0) === 95 /* _ */) {
      internal = true;
      break;
    }
  }
  if (!internal) return object;
  const fields: StoredObject['fields'] = {};
  for (const name in object.fields) {
    if (name.charCodeAt(0) !== 95) fields[name] = object.fields[name] as StoredObject['fields'][string];
  }
  return { ...object, fields };
}

/** A new change id: unique across servers and restarts (a random UUID). */
export function newChangeId(): string {
  return randomUUID();
}
