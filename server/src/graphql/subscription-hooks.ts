import type { Auth } from '../auth/index.js';
import { CONNECT_TRIGGER_CLASS } from '../cloud/index.js';
import type { CloudObjectJSON, HookCaller } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { objectFromJSON, objectToJSON, reshapeLiveAnswer } from '../core/index.js';
import type { Core, LiveEvent, RequestOrigin } from '../core/index.js';
import type { Logger } from '../infra/index.js';
import type { EncodeOptions } from '../schema/index.js';

/**
 * LiveQuery's cloud hooks on GraphQL subscriptions, with the LiveQuery door's semantics (core's `liveHooks`
 * runs them: timeout, errors as ParseErrors; core's `reshapeLiveAnswer` re-shapes an afterLiveQueryEvent
 * answer): `beforeConnect` on `connection_init` (a refusal closes the socket), `beforeSubscribe` on each
 * subscription (a refusal is the subscription's error; a returned query replaces the client's, so a client
 * cannot widen what the hook narrowed) and `afterLiveQueryEvent` per event, in order per subscription (a
 * suppressed event is not sent; a hook's error is sent as that event's error and the subscription goes on, as
 * when the hook falls too far behind and events are dropped).
 *
 * The hooks' `requestId` is a number in Parse's protocol; a GraphQL subscription's id is the client's string, so
 * the hooks see a per-connection counter (1, 2, ...) in the order the subscriptions were made.
 */

/** This server's open GraphQL sockets and subscriptions, as the hooks' `clients` / `subscriptions`. */
export type SocketCounts = () => { clients: number; subscriptions: number };

/**
 * What an afterLiveQueryEvent failure, or an event dropped because the hook fell behind, becomes in the
 * subscription's stream: one `next` with the error.
 */
export interface HookFailure {
  readonly op: 'hook-error';
  readonly error: ParseError;
}

export type StreamItem = LiveEvent | HookFailure;

/** beforeConnect, when cloud code has one: throws the hook's ParseError (the socket is then refused). */
export async function runBeforeConnect(options: {
  core: Core;
  auth: Auth;
  origin: RequestOrigin;
  counts: SocketCounts;
}): Promise<void> {
  const hooks = options.core.liveHooks;
  if (!hooks.has('beforeConnect', CONNECT_TRIGGER_CLASS)) return;
  const caller = await hooks.caller({ auth: options.auth, origin: options.origin });
  await hooks.run('beforeConnect', {
    className: CONNECT_TRIGGER_CLASS,
    caller,
    request: { ...options.counts(), event: 'connect' },
  });
}

/** The query to subscribe: the client's, or the one beforeSubscribe answered (it may not change the class). */
export async function runBeforeSubscribe(options: {
  core: Core;
  auth: Auth;
  origin: RequestOrigin;
  counts: SocketCounts;
  requestId: number;
  query: { className: string; where: Record<string, unknown>; watch?: readonly string[] };
}): Promise<{ where: Record<string, unknown>; keys?: readonly string[]; watch?: readonly string[] }> {
  const { query } = options;
  const hooks = options.core.liveHooks;
  if (!hooks.has('beforeSubscribe', query.className)) return query;
  const caller = await hooks.caller({ auth: options.auth, origin: options.origin });
  const answer = await hooks.run('beforeSubscribe', {
    className: query.className,
    caller,
    request: {
      ...options.counts(),
      event: 'subscribe',
      requestId: options.requestId,
      query: {
        className: query.className,
        where: query.where as never,
        ...(query.watch === undefined ? {} : { watch: query.watch }),
      },
    },
  });
  const replaced = answer?.query;
  if (replaced === undefined) return query;
  if (replaced.className !== query.className) {
    // The subscription's GraphQL type is the class asked for: its events cannot be another class's objects.
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
      message: 'beforeSubscribe cannot move a GraphQL subscription to another class',
    });
  }
  return {
    where: replaced.where as Record<string, unknown>,
    ...(replaced.keys === undefined ? {} : { keys: replaced.keys }),
    ...(replaced.watch === undefined ? {} : { watch: replaced.watch }),
  };
}

/**
 * The hub listener of one subscription: events go to `deliver` as they come when the class has no
 * afterLiveQueryEvent, else through one promise chain per subscription (order kept; a slow hook delays only
 * this subscription, each run bounded by the cloud timeout). Past `maxPending` events waiting for the hook, a
 * new event is dropped and the subscriber gets its error (141) instead, and the subscription goes on: the
 * LiveQuery door's rule (`live/event-hooks.ts`), so a slow hook costs the events it could not keep up with, not
 * the subscription.
 */
export function hookedListener(options: {
  core: Core;
  auth: Auth;
  origin: RequestOrigin;
  encode: EncodeOptions;
  requestId: number;
  counts: SocketCounts;
  /** The class's fields (what the subscriber was not given of them stays hidden). */
  classFields: (className: string) => ReadonlySet<string>;
  maxDepth: number;
  maxPending: number;
  logger: Logger;
  deliver: (item: StreamItem) => void;
}): (event: LiveEvent) => void {
  const hooks = options.core.liveHooks;
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  let caller: Promise<HookCaller> | undefined;

  const run = async (event: Extract<LiveEvent, { object: unknown }>): Promise<StreamItem | null> => {
    const given = objectToJSON(event.object, options.encode);
    const original = event.original === undefined ? undefined : objectToJSON(event.original, options.encode);
    try {
      caller ??= hooks.caller({ auth: options.auth, origin: options.origin });
      const answer = await hooks.run('afterLiveQueryEvent', {
        className: event.className,
        caller: await caller,
        request: {
          ...options.counts(),
          event: event.op,
          requestId: options.requestId,
          object: given,
          ...(original === undefined ? {} : { original }),
        },
      });
      if (answer === undefined) return event;
      if (!answer.send) return null;
      const fields = options.classFields(event.className);
      const decode = (json: Record<string, unknown>) =>
        objectFromJSON(json as CloudObjectJSON, { className: event.className, maxDepth: options.maxDepth });
      const object = decode(reshapeLiveAnswer({ answered: answer.object, given, fields }));
      return {
        ...event,
        object,
        ...(original === undefined
          ? {}
          : { original: decode(reshapeLiveAnswer({ answered: answer.original, given: original, fields })) }),
      };
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      return { op: 'hook-error', error: err };
    }
  };

  return (event) => {
    const hooked = event.op !== 'error' && hooks.has('afterLiveQueryEvent', event.className);
    if (!hooked && pending === 0) {
      options.deliver(event);
      return;
    }
    if (pending >= options.maxPending) {
      options.deliver({
        op: 'hook-error',
        error: new ParseError(ErrorCode.SCRIPT_FAILED, {
          message: 'afterLiveQueryEvent fell behind: events were dropped',
        }),
      });
      return;
    }
    pending++;
    chain = chain
      .then(() => (hooked ? run(event as Extract<LiveEvent, { object: unknown }>) : event))
      .then(
        (item) => {
          if (item !== null) options.deliver(item);
        },
        (err: unknown) => options.logger.error({ err }, 'afterLiveQueryEvent failed'),
      )
      .finally(() => {
        pending--;
      });
  };
}
