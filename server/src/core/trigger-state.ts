import type { CloudRunner, HookCaller } from '../cloud/index.js';
import type { EncodeOptions } from '../schema/index.js';

/**
 * What a write's triggers share between their before and after steps: one caller (user JSON, a context a
 * before-trigger may change for the after-trigger) built before the write, used again by the after-trigger
 * once the change is committed (`after-triggers.ts`). Types only, so the change feed's plumbing can name them.
 */

/** beforeSave / afterSave of one create or update (built by `saveHooksFor` when the class has either). */
export interface SaveHooks {
  readonly runner: CloudRunner;
  readonly caller: HookCaller;
  readonly encode: EncodeOptions;
  readonly className: string;
  readonly before: boolean;
  readonly after: boolean;
}

/** beforeDelete / afterDelete of one delete, sharing one caller and the object as the caller read it. */
export interface DeleteTriggers {
  run(triggerName: 'beforeDelete' | 'afterDelete'): Promise<void>;
}
