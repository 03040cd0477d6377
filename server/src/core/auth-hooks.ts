import type { Auth } from '../auth/index.js';
import type { AuthTriggerName } from '../cloud/index.js';
import type { ClassSchema } from '../schema/index.js';
import type { StoredObject } from '../storage/index.js';
import { objectToJSON } from './rest-json.js';
import type { CoreDeps } from './deps.js';
import { encodeOptionsOf, hookCaller, hooksFor, storedUserJSON } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';
import { shapeObject } from './shape.js';

/**
 * The account triggers (spec/cloud.md §2): beforeLogin / afterLogin / beforePasswordResetRequest on `_User`
 * and afterLogout on `_Session`. Each gets the object as REST JSON; afterLogin also as `request.user`.
 */
export async function runUserTrigger(
  deps: CoreDeps,
  options: {
    triggerName: Exclude<AuthTriggerName, 'afterLogout'>;
    auth: Auth;
    origin: RequestOrigin | undefined;
    user: StoredObject;
  },
): Promise<void> {
  const runner = hooksFor(deps, '_User');
  if (runner === undefined || !runner.has(options.triggerName, '_User')) return;
  const object = await storedUserJSON(deps, { row: options.user, origin: options.origin });
  const caller = await hookCaller(deps, {
    auth: options.auth,
    origin: options.origin,
    ...(options.triggerName === 'afterLogin' ? { user: object } : {}),
  });
  await runner.authTrigger(options.triggerName, { className: '_User', caller, object });
}

/** afterLogout, with the deleted session; its failure is logged, the log-out stands. */
export async function runAfterLogout(
  deps: CoreDeps,
  options: { auth: Auth; origin: RequestOrigin | undefined; schema: ClassSchema; session: StoredObject },
): Promise<void> {
  const runner = hooksFor(deps, '_Session');
  if (runner === undefined || !runner.has('afterLogout', '_Session')) return;
  const caller = await hookCaller(deps, { auth: options.auth, origin: options.origin });
  const object = objectToJSON(
    shapeObject({ schema: options.schema, object: options.session, projection: {} }),
    encodeOptionsOf(options.origin),
  );
  try {
    await runner.authTrigger('afterLogout', { className: '_Session', caller, object });
  } catch (err) {
    caller.log.error({ err }, 'afterLogout trigger failed');
  }
}
