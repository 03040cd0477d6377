import type { Auth } from '../auth/index.js';
import { MASTER, requireMaster } from '../auth/index.js';
import type { AfterPushRequest, FunctionResult, HookRequestBase, JsonObject, PushJSON } from '../cloud/index.js';
import { PUSH_TRIGGER_CLASS } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { CoreDeps } from './deps.js';
import { hookCaller } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';

export interface FunctionCall {
  readonly auth: Auth;
  readonly name: string;
  /** REST JSON params (body merged with query string). */
  readonly params: JsonObject;
  readonly origin?: RequestOrigin;
}

/**
 * `POST /functions/:name` (spec/cloud.md §5): runs the developer's function with the caller's identity
 * (the read-only master key runs it too, as `master` with `isReadOnly`). Unknown → 141.
 */
export async function runFunction(deps: CoreDeps, request: FunctionCall): Promise<FunctionResult> {
  const runner = deps.cloud;
  if (runner === undefined || runner.registry.function(request.name) === undefined) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Invalid function: "${request.name}"` });
  }
  const caller = await hookCaller(deps, { auth: request.auth, origin: request.origin });
  return runner.runFunction({ name: request.name, params: request.params, caller });
}

/**
 * Cloud code's `beforePush` (push.md, issue 16): called by the push service as a push is accepted, with the
 * sender's identity. Answers the changed push, or undefined (no hook, or nothing changed); throws to refuse.
 */
export async function beforePush(
  deps: CoreDeps,
  request: { auth: Auth; push: PushJSON; source: string; origin?: RequestOrigin },
): Promise<PushJSON | undefined> {
  const runner = deps.cloud;
  if (runner === undefined || runner.registry.pushHook('beforePush') === undefined) return undefined;
  const caller = await hookCaller(deps, { auth: request.auth, origin: request.origin });
  return runner.beforePush({ caller, push: request.push, source: request.source });
}

/** Cloud code's `afterPush`: when a push finished, as the master key (no request is behind it). Never throws. */
export async function afterPush(
  deps: CoreDeps,
  request: { outcome: Omit<AfterPushRequest, keyof HookRequestBase | 'triggerName'> },
): Promise<void> {
  const runner = deps.cloud;
  if (runner === undefined || runner.registry.pushHook('afterPush') === undefined) return;
  const caller = await hookCaller(deps, { auth: MASTER, origin: undefined });
  await runner.afterPush({ caller, outcome: request.outcome });
}

/** What `GET /cloud_code/registry` lists: the names deployed, never the code. */
export interface CloudCodeListing {
  readonly functions: Array<{ readonly name: string; readonly source: string }>;
  readonly triggers: Array<{ readonly className: string; readonly triggerName: string; readonly source: string }>;
  readonly jobs: Array<{ readonly name: string; readonly source: string; readonly schedule?: string }>;
}

/**
 * The functions, triggers and jobs cloud code registered in this process (webhooks are listed by `/hooks`),
 * for the dashboard's cloud code page. Master key only (the read-only master key may read it): the names
 * tell a stranger which functions exist to probe.
 */
export function listCloudCode(deps: CoreDeps, request: { auth: Auth }): CloudCodeListing {
  requireMaster(request.auth, { access: 'read' });
  const listed = deps.cloud?.registry.list() ?? {
    functions: [],
    triggers: [],
    jobs: [],
    liveTriggers: [],
    pushHooks: [],
  };
  const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name);
  return {
    functions: listed.functions.map((f) => ({ name: f.name, source: f.source })).sort(byName),
    triggers: [
      ...[...listed.triggers, ...listed.liveTriggers].map((t) => ({
        className: t.className,
        triggerName: t.triggerName,
        source: t.source,
      })),
      ...listed.pushHooks.map((h) => ({ className: PUSH_TRIGGER_CLASS, triggerName: h.name, source: h.source })),
    ].sort((a, b) => a.className.localeCompare(b.className) || a.triggerName.localeCompare(b.triggerName)),
    jobs: listed.jobs
      .map((j) => ({
        name: j.name,
        source: j.source,
        ...(j.options.schedule === undefined ? {} : { schedule: j.options.schedule }),
      }))
      .sort(byName),
  };
}
