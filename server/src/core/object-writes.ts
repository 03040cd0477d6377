import type { Condition } from '../query/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StorageAdapter, StoredObject, UpdateSpec } from '../storage/index.js';
import { newChangeId, publicState } from './change-event.js';
import type { CreateEvent, DeleteEvent, UpdateEvent } from './change-event.js';
import type { CommittedChange, WriteDetails } from './change-sink.js';
import type { CoreDeps } from './deps.js';

/**
 * Every object write core makes goes through here: the storage write, then its change published to the
 * feed (`deps.changes`) with the state before and after, then the `commit` reactions (mails). Publishing sits
 * in the object's ordering section with the write (and its relation edges), so one object's events leave in
 * the order its writes committed. The operation runs the `settle` reactions (after-triggers) itself, where it
 * finishes (`settle`). The system classes core keeps for cloud (`_JobStatus`, `_Hooks`: `job-stores.ts`,
 * `webhooks.ts`) are written here too. Only a purge or a class drop deletes objects without events (see
 * `core/schemas.ts`); besides, Parse Config (`_GlobalConfig`, one document announced on its own channel) and the
 * usage meter's counters (`_Usage`, bookkeeping flushed every interval, like metrics) are written without events.
 */

/** What an object write needs: the storage it writes to and where its change goes (a transaction's, inside one). */
export type ObjectWriteDeps = Pick<CoreDeps, 'storage' | 'changes'>;

/** Writes relation edges with the storage of the write (the transaction's, inside one). */
export type RelationWrites = (storage: StorageAdapter) => Promise<void>;

function orderKey(className: string, objectId: string): string {
  return `${className}\u0000${objectId}`;
}

/** Inserts a new object (and its relation edges) and publishes the create. */
export async function insertObject(
  deps: ObjectWriteDeps,
  options: { schema: ClassSchema; object: StoredObject; relations?: RelationWrites; write?: WriteDetails },
): Promise<CommittedChange<CreateEvent>> {
  const { schema, object } = options;
  const className = schema.className;
  const change = await deps.changes.inOrder(orderKey(className, object.objectId), async () => {
    await deps.storage.insert({ schema, object });
    await options.relations?.(deps.storage);
    const committed: CommittedChange<CreateEvent> = {
      event: {
        id: newChangeId(),
        className,
        op: 'create',
        objectId: object.objectId,
        at: new Date(),
        after: publicState(object),
      },
      write: options.write ?? {},
    };
    deps.changes.publish(committed);
    return committed;
  });
  await deps.changes.react(change, 'commit');
  return change;
}

/**
 * Applies `update` to the object `objectId` when it also matches `where` (the caller's write condition), writes
 * the relation edges, and publishes the update. Answers the change and the full stored state after (internal
 * fields included, which events never carry: e.g. a failed-login counter the operation reads back); `null`
 * when nothing matched (nothing is published).
 */
export async function updateObject(
  deps: ObjectWriteDeps,
  options: {
    schema: ClassSchema;
    objectId: string;
    where: Condition;
    update: UpdateSpec;
    relations?: RelationWrites;
    write?: WriteDetails;
  },
): Promise<{ change: CommittedChange<UpdateEvent>; stored: StoredObject } | null> {
  const { schema, objectId } = options;
  const className = schema.className;
  const change = await deps.changes.inOrder(orderKey(className, objectId), async () => {
    const result = await deps.storage.updateOne({ schema, where: options.where, update: options.update });
    if (result === null) return null;
    await options.relations?.(deps.storage);
    const committed: CommittedChange<UpdateEvent> = {
      event: {
        id: newChangeId(),
        className,
        op: 'update',
        objectId: result.after.objectId,
        at: new Date(),
        before: publicState(result.before),
        after: publicState(result.after),
      },
      write: options.write ?? {},
    };
    deps.changes.publish(committed);
    return { change: committed, stored: result.after };
  });
  if (change === null) return null;
  await deps.changes.react(change.change, 'commit');
  return change;
}

/**
 * Deletes what matches `where` and publishes one delete per object, with its last state. `objectId` names the
 * one object a by-id delete targets (its ordering section); a many-object delete (a user's sessions) publishes
 * right after the storage call, without one.
 */
export async function deleteObjects(
  deps: ObjectWriteDeps,
  options: { schema: ClassSchema; where: Condition; objectId?: string; write?: WriteDetails },
): Promise<CommittedChange<DeleteEvent>[]> {
  const { schema } = options;
  const className = schema.className;
  const remove = async (): Promise<CommittedChange<DeleteEvent>[]> => {
    const deleted = await deps.storage.deleteReturning({ schema, where: options.where });
    const at = new Date();
    return deleted.map((before) => {
      const committed: CommittedChange<DeleteEvent> = {
        event: {
          id: newChangeId(),
          className,
          op: 'delete',
          objectId: before.objectId,
          at,
          before: publicState(before),
        },
        write: options.write ?? {},
      };
      deps.changes.publish(committed);
      return committed;
    });
  };
  const changes =
    options.objectId === undefined
      ? await remove()
      : await deps.changes.inOrder(orderKey(className, options.objectId), remove);
  for (const change of changes) await deps.changes.react(change, 'commit');
  return changes;
}

/** The operation's end: runs the after-triggers of a change; answers the fields an afterSave adds to the response. */
export function settle(deps: CoreDeps, change: CommittedChange): Promise<Record<string, unknown>> {
  return deps.changes.react(change, 'settle');
}
