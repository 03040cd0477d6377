/**
 * `Parse.Cloud.beforeConnect`, `beforeSubscribe` and `afterLiveQueryEvent` (spec/livequery.md §2, §4) as
 * registry entries speaking the live hook protocol: `request.query` is a `Parse.Query` the hook may narrow in
 * place (or return a new one), `request.object` / `request.original` are `Parse.Object`s it may decorate or
 * replace, and `request.sendEvent = false` suppresses the event.
 */
import { callHandler } from './parse-call.js';
import type { UserHandler } from './parse-call.js';
import type { ParseBridge } from './parse-bridge.js';
import { fromParseQuery, isJsonObject, toObjectJSON, toParseObject, toParseQuery } from './parse-convert.js';
import { runInParseApp } from './parse-runtime.js';
import type { ParseSdk, SdkQuery } from './parse-sdk-types.js';
import type {
  AfterLiveQueryEventRequest,
  AfterLiveQueryEventResult,
  BeforeConnectRequest,
  BeforeSubscribeRequest,
  HookRequestBase,
  LiveHookRequestBase,
  LiveQueryJSON,
  LiveTriggerHandler,
  LiveTriggerName,
} from './types.js';

export function defineParseLiveTrigger(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  triggerName: LiveTriggerName;
  className: string;
  handler: UserHandler;
  validator: unknown;
  /** The fields every Parse hook request carries (`parse-hook-request.ts`), `user` as a `Parse.User`. */
  base: (request: HookRequestBase) => Record<string, unknown>;
}): void {
  const { sdk, bridge, triggerName, className, handler, base } = options;
  const where = `Parse.Cloud.${triggerName}("${className}")`;
  if (typeof handler !== 'function') throw new Error(`${where} needs a handler function.`);
  if (options.validator !== undefined && options.validator !== null) {
    // Refused at start rather than silently skipped: a validator the developer relies on must not be ignored.
    throw new Error(`${where}: validators are not supported on LiveQuery hooks; check the request in the handler.`);
  }
  const call = async (request: LiveHookRequestBase, extra: Record<string, unknown>): Promise<unknown> => {
    const parseRequest = {
      ...base(request),
      ...(request.sessionToken === undefined ? {} : { sessionToken: request.sessionToken }),
      clients: request.clients,
      subscriptions: request.subscriptions,
      ...extra,
    };
    const answer = await callHandler({ handler, request: parseRequest });
    return { value: answer.value, request: parseRequest };
  };
  const inScope = <T>(request: LiveHookRequestBase, fn: () => Promise<T>): Promise<T> =>
    runInParseApp(bridge, fn, request.log);
  const register = <T extends LiveTriggerName>(fn: LiveTriggerHandler<T>): void =>
    bridge.registry.defineLiveTrigger({ triggerName: triggerName as T, className, handler: fn, source: 'parse' });
  switch (triggerName) {
    case 'beforeConnect':
      register<'beforeConnect'>((request: BeforeConnectRequest) =>
        inScope(request, async () => {
          await call(request, { event: request.event });
          return undefined;
        }),
      );
      return;
    case 'beforeSubscribe':
      register<'beforeSubscribe'>((request: BeforeSubscribeRequest) =>
        inScope(request, async () => {
          const query = toParseQuery(sdk, { className: request.query.className, where: request.query.where });
          const given = query as unknown as {
            select?: (...keys: string[]) => void;
            watch?: (...keys: string[]) => void;
          };
          if (request.query.keys !== undefined) given.select?.(...request.query.keys);
          if (request.query.watch !== undefined) given.watch?.(...request.query.watch);
          const { value, request: parseRequest } = (await call(request, {
            event: request.event,
            requestId: request.requestId,
            query,
          })) as { value: unknown; request: Record<string, unknown> };
          const ParseQuery = sdk.Query as unknown as new (className: string) => SdkQuery;
          const chosen = value instanceof ParseQuery ? value : parseRequest['query'];
          if (!(chosen instanceof ParseQuery)) {
            throw new Error('beforeSubscribe: request.query must stay a Parse.Query.');
          }
          return { query: liveQueryOf(chosen, request.query.className) };
        }),
      );
      return;
    case 'afterLiveQueryEvent':
      register<'afterLiveQueryEvent'>((request: AfterLiveQueryEventRequest) =>
        inScope(request, async (): Promise<AfterLiveQueryEventResult> => {
          const { request: parseRequest } = (await call(request, {
            event: request.event,
            requestId: request.requestId,
            object: toParseObject(sdk, request.object),
            ...(request.original === undefined ? {} : { original: toParseObject(sdk, request.original) }),
            sendEvent: true,
          })) as { request: Record<string, unknown> };
          if (parseRequest['sendEvent'] === false) return { send: false };
          const object = toObjectJSON(sdk, parseRequest['object']);
          const original = toObjectJSON(sdk, parseRequest['original']);
          return {
            send: true,
            ...(object === undefined ? {} : { object }),
            ...(original === undefined || request.original === undefined ? {} : { original }),
          };
        }),
      );
      return;
  }
}

/** The hook's `Parse.Query` back as the subscription's query; the class stays the one subscribed to. */
function liveQueryOf(query: SdkQuery, className: string): LiveQueryJSON {
  const json = fromParseQuery(query);
  const raw = query.toJSON();
  const watch =
    typeof raw['watch'] === 'string' && raw['watch'] !== ''
      ? raw['watch'].split(',')
      : Array.isArray(raw['watch'])
        ? (raw['watch'] as unknown[]).filter((item): item is string => typeof item === 'string')
        : undefined;
  return {
    className,
    where: isJsonObject(json.where) ? json.where : {},
    ...(json.keys === undefined ? {} : { keys: json.keys }),
    ...(watch === undefined || watch.length === 0 ? {} : { watch }),
  };
}
