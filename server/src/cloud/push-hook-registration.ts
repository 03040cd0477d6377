/**
 * `beforePush` / `afterPush` as both cloud code APIs register them (`Parse.Cloud` in `parse-cloud.ts`, the typed
 * API in `typed-api.ts`): the handler's request is the caller's fields, in the API's own shape, plus the push
 * (beforePush) or its outcome (afterPush). A beforePush answers the push it returned, when the API takes the
 * returned value as one, or else `request.push` as the handler left it (changed in place or not).
 */
import type { CloudRegistry } from './registry.js';
import type { HookRequestBase, HookSource, PushHookName, PushJSON, Validator } from './types.js';

/** How one cloud code API hands a push hook's request to the developer's handler. */
export interface PushHookCall {
  /** The fields every hook request carries, as this API shows them (spec/cloud.md §3). */
  caller(request: HookRequestBase): object;
  /** Calls the developer's handler with the request built for it; answers what the handler returned. */
  call(request: Record<string, unknown>): Promise<unknown>;
  /** beforePush: whether what the handler returned is the push to send instead. */
  replaces(returned: unknown): boolean;
  /** Runs the call where the API's handlers run (Parse: inside the app's Parse context); default: as it is. */
  scope?: <T>(request: HookRequestBase, run: () => Promise<T>) => Promise<T>;
}

export function registerPushHook(options: {
  registry: CloudRegistry;
  name: PushHookName;
  source: HookSource;
  validator: Validator | undefined;
  call: PushHookCall;
}): void {
  const { registry, name, source, call } = options;
  const scope = call.scope ?? (<T>(_request: HookRequestBase, run: () => Promise<T>): Promise<T> => run());
  const extra = options.validator === undefined ? {} : { validator: options.validator };
  if (name === 'beforePush') {
    registry.definePushHook({
      name,
      source,
      ...extra,
      handler: (request) =>
        scope(request, async () => {
          const given = { ...call.caller(request), push: request.push, source: request.source };
          const returned = await call.call(given);
          const push = call.replaces(returned) ? returned : given.push;
          return { push: push as PushJSON };
        }),
    });
    return;
  }
  registry.definePushHook({
    name,
    source,
    ...extra,
    handler: (request) =>
      scope(request, async () => {
        const { pushStatusId, status, numSent, numFailed, sentPerType, failedPerType } = request;
        await call.call({
          ...call.caller(request),
          pushStatusId,
          status,
          numSent,
          numFailed,
          sentPerType,
          failedPerType,
        });
        return undefined;
      }),
  });
}
