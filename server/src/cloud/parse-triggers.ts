/**
 * `Parse.Cloud`'s object triggers (`beforeSave`, `afterSave`, `beforeDelete`, `afterDelete`, `beforeFind`,
 * `afterFind`, the auth triggers) and the `Parse.File` / `Parse.Config` ones, as registry entries: the
 * protocol's REST JSON becomes Parse SDK objects on the way in, and the handler's changes and results are read
 * back out.
 */
import type { ParseBridge } from './parse-bridge.js';
import type { UserHandler } from './parse-call.js';
import {
  fileRequest,
  fileSaveResult,
  toParseConfig,
  fromParseQuery,
  readSavePatch,
  sameJSON,
  toDirtyParseObject,
  toObjectJSON,
  toParseObject,
  toParseQuery,
} from './parse-convert.js';
import type { SdkFile } from './parse-convert.js';
import { adaptValidator, assertHandler, baseRequest, callTrigger, inScope } from './parse-hook-request.js';
import type { ParseSdk, SdkObject, SdkQuery } from './parse-sdk-types.js';
import { CONFIG_TRIGGER_CLASS, FILE_TRIGGER_CLASS } from './registry.js';
import type {
  AfterFindRequest,
  AuthTriggerRequest,
  BeforeFindRequest,
  BeforeFindResult,
  CloudObjectJSON,
  DeleteTriggerRequest,
  FileSaveResult,
  HookRequestBase,
  SaveTriggerRequest,
  TriggerHandler,
  TriggerName,
} from './types.js';

export function defineTrigger(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  triggerName: TriggerName;
  className: string;
  handler: UserHandler;
  validator: unknown;
}): void {
  const { sdk, bridge, triggerName, className, handler } = options;
  assertHandler(handler, `Parse.Cloud.${triggerName}("${className}")`);
  const validator = adaptValidator({ sdk, bridge, validator: options.validator });
  const special = className === FILE_TRIGGER_CLASS || className === CONFIG_TRIGGER_CLASS;
  const adapted = special
    ? specialTriggerAdapter({ sdk, bridge, className, handler })
    : triggerAdapter({ sdk, bridge, triggerName, handler });
  bridge.registry.defineTrigger({
    triggerName,
    className,
    source: 'parse',
    handler: adapted as TriggerHandler<typeof triggerName>,
    ...(validator === undefined ? {} : { validator }),
  });
}

function triggerAdapter(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  triggerName: TriggerName;
  handler: UserHandler;
}): (request: never) => Promise<unknown> {
  const { sdk, bridge, triggerName, handler } = options;
  const call = (request: Record<string, unknown>): Promise<unknown> => callTrigger({ handler, request });
  switch (triggerName) {
    case 'beforeSave':
      return (request: SaveTriggerRequest) =>
        inScope(bridge, request, async () => {
          const object = toDirtyParseObject(sdk, { object: request.object, dirtyKeys: request.dirtyKeys });
          await call({ ...objectRequest(sdk, request), object });
          return readSavePatch(object, { original: request.object, dirtyKeys: request.dirtyKeys });
        });
    case 'afterSave':
      return (request: SaveTriggerRequest) =>
        inScope(bridge, request, async () => toObjectJSON(sdk, await call(objectRequest(sdk, request))));
    case 'beforeDelete':
    case 'afterDelete':
      return (request: DeleteTriggerRequest) =>
        inScope(bridge, request, async () => {
          await call(objectRequest(sdk, request));
          return undefined;
        });
    case 'beforeFind':
      return (request: BeforeFindRequest) => inScope(bridge, request, () => beforeFind({ sdk, handler, request }));
    case 'afterFind':
      return (request: AfterFindRequest) =>
        inScope(bridge, request, async () => {
          const objects = request.objects.map((object) => toParseObject(sdk, object));
          const parseRequest = {
            ...baseRequest(sdk, request),
            objects,
            query: toParseQuery(sdk, request.query),
            isGet: request.isGet,
          };
          const result = await call(parseRequest);
          const list = Array.isArray(result) ? result : parseRequest.objects;
          return list.map((item) => toObjectJSON(sdk, item)).filter((item) => item !== undefined);
        });
    default:
      return (request: AuthTriggerRequest) =>
        inScope(bridge, request, async () => {
          const object = toParseObject(sdk, request.object);
          const extra = triggerName === 'afterLogin' ? { user: object } : {};
          await call({ ...baseRequest(sdk, request), object, ...extra });
          return undefined;
        });
  }
}

/**
 * `Parse.File` and `Parse.Config` triggers: the file as `request.file` (a `Parse.File`, with `fileSize`),
 * the config as `request.object` / `request.original` (`Parse.Config`s). They refuse by throwing. A file
 * beforeSave may return a different `Parse.File` (or change `request.file`'s metadata and tags), which is
 * stored instead; what other special triggers return is not used.
 */
function specialTriggerAdapter(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  className: string;
  handler: UserHandler;
}): (request: never) => Promise<FileSaveResult | undefined> {
  const { sdk, bridge, className, handler } = options;
  return (
    request: HookRequestBase & { triggerName: TriggerName; object: CloudObjectJSON; original?: CloudObjectJSON },
  ) =>
    inScope(bridge, request, async () => {
      const extra =
        className === FILE_TRIGGER_CLASS
          ? fileRequest(sdk, request.object)
          : {
              object: toParseConfig(sdk, request.object),
              ...(request.original === undefined ? {} : { original: toParseConfig(sdk, request.original) }),
            };
      const result = await callTrigger({
        handler,
        request: { ...baseRequest(sdk, request), triggerName: request.triggerName, ...extra },
      });
      if (className !== FILE_TRIGGER_CLASS || request.triggerName !== 'beforeSave') return undefined;
      return fileSaveResult({ sdk, returned: result, given: extra['file'] as SdkFile, object: request.object });
    });
}

async function beforeFind(options: {
  sdk: ParseSdk;
  handler: UserHandler;
  request: BeforeFindRequest;
}): Promise<BeforeFindResult> {
  const { sdk, handler, request } = options;
  const parseRequest: Record<string, unknown> = {
    ...baseRequest(sdk, request),
    query: toParseQuery(sdk, request.query),
    count: request.count,
    isGet: request.isGet,
  };
  const before = request.query;
  const result = await callTrigger({ handler, request: parseRequest });
  const ParseObject = sdk.Object as unknown as new (className: string) => SdkObject;
  // Returning objects answers the find without the database (re-checked for non-master callers).
  if (result instanceof ParseObject || (Array.isArray(result) && result.every((item) => item instanceof ParseObject))) {
    const list = Array.isArray(result) ? result : [result];
    return { objects: list.map((item) => toObjectJSON(sdk, item)).filter((item) => item !== undefined) };
  }
  const ParseQuery = sdk.Query as unknown as new (className: string) => SdkQuery;
  const query = result instanceof ParseQuery ? result : parseRequest['query'];
  if (!(query instanceof ParseQuery)) return undefined;
  const after: Record<string, unknown> = { ...fromParseQuery(query) };
  for (const key of ['readPreference', 'includeReadPreference', 'subqueryReadPreference']) {
    if (typeof parseRequest[key] === 'string') after[key] = parseRequest[key];
  }
  return sameJSON(after, { ...before }) ? undefined : { query: after as unknown as BeforeFindRequest['query'] };
}

function objectRequest(sdk: ParseSdk, request: SaveTriggerRequest | DeleteTriggerRequest): Record<string, unknown> {
  const original =
    'original' in request && request.original !== undefined ? toParseObject(sdk, request.original) : undefined;
  return {
    ...baseRequest(sdk, request),
    triggerName: request.triggerName,
    object: toParseObject(sdk, request.object),
    ...(original === undefined ? {} : { original }),
  };
}
