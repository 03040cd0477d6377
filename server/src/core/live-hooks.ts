import type { Auth } from '../auth/index.js';
import type { HookCaller, LiveTriggerName, LiveTriggerSignatures, HookRequestBase } from '../cloud/index.js';
import type { CoreDeps } from './deps.js';
import { hookCaller } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';

/**
 * LiveQuery's cloud hooks as the socket server runs them (beforeConnect, beforeSubscribe, afterLiveQueryEvent).
 * The caller is built once per connection or subscription (it loads the session's user), then each hook run
 * goes through cloud's runner: timeout, and every failure turned into a ParseError.
 */
export interface LiveHooks {
  /** False: no such hook, nothing to build (the fast path of every event). */
  has(triggerName: LiveTriggerName, className: string): boolean;
  /** The caller as hooks see it: `request.user` (loaded now), token, installation id, IP, headers. */
  caller(request: { auth: Auth; origin?: RequestOrigin }): Promise<HookCaller>;
  /** Runs the hook; undefined when none is registered. Throws the hook's ParseError. */
  run<T extends LiveTriggerName>(
    triggerName: T,
    input: {
      className: string;
      caller: HookCaller;
      request: Omit<LiveTriggerSignatures[T]['request'], keyof HookRequestBase>;
    },
  ): Promise<LiveTriggerSignatures[T]['result'] | undefined>;
}

export function createLiveHooks(current: () => CoreDeps): LiveHooks {
  return {
    has: (triggerName, className) => current().cloud?.hasLive(triggerName, className) === true,
    caller: (request) => hookCaller(current(), { auth: request.auth, origin: request.origin }),
    run: async (triggerName, input) => {
      const cloud = current().cloud;
      return cloud === undefined ? undefined : cloud.liveTrigger(triggerName, input);
    },
  };
}

/**
 * An afterLiveQueryEvent answer as it may be sent, whichever door delivers it (LiveQuery frames, GraphQL
 * subscriptions): every field of the class the subscriber was not given (protected, outside `keys`) is removed
 * even if the hook put it back (e.g. by fetching the object with the master key); fields that are not the
 * class's (decorations) and the given ones, changed or not, stay; className and objectId stay as given.
 */
export function reshapeLiveAnswer(options: {
  answered: Readonly<Record<string, unknown>> | undefined;
  given: Readonly<Record<string, unknown>>;
  fields: ReadonlySet<string>;
}): Record<string, unknown> {
  const { answered, given, fields } = options;
  if (answered === undefined) return { ...given };
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(answered)) {
    if (name === '__type') continue;
    if (Object.hasOwn(given, name) || !fields.has(name)) out[name] = value;
  }
  out['className'] = given['className'];
  if (given['objectId'] !== undefined) out['objectId'] = given['objectId'];
  return out;
}
