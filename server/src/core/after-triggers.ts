import type { ChangeReaction } from './change-sink.js';
import type { CoreDeps } from './deps.js';
import { runAfterSave, storedToJSON } from './save-hooks.js';

/**
 * afterSave and afterDelete as a reaction to the committed change (spec/cloud.md §2), at the `settle` stage so
 * the writer's response waits for them, as Parse's does. afterSave gets the object as saved (`after`) and, on
 * update, the object before the write; its errors are logged by the runner and a returned object alters the
 * response. afterDelete's error reaches the client although the object is gone, as in Parse (observed).
 * Writes without triggers (internal bookkeeping, classes without hooks) carry no trigger details: nothing runs.
 */
export function afterTriggers(deps: CoreDeps): ChangeReaction {
  return async ({ event, write }) => {
    if (event.op === 'delete') {
      await write.deleteTriggers?.run('afterDelete');
      return undefined;
    }
    const save = write.save;
    if (save === undefined) return undefined;
    const original =
      save.original ??
      (event.before === undefined
        ? undefined
        : storedToJSON({
            schema: save.originalSchema ?? save.schema,
            stored: event.before,
            encode: save.hooks.encode,
          }));
    return runAfterSave(deps, {
      hooks: save.hooks,
      schema: save.schema,
      saved: event.after,
      ...(original === undefined ? {} : { original }),
      dirtyKeys: save.dirtyKeys,
    });
  };
}
