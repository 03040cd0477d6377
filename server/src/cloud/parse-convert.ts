/**
 * Converts between the hook protocol's REST JSON and the Parse SDK's objects, both ways: objects, users,
 * queries, function params and results, and the changes a beforeSave made to its `request.object`.
 */
import type { CloudObjectJSON, CloudQueryJSON, FileSaveResult, JsonObject, SavePatch } from './types.js';
import type { ParseSdk, SdkObject, SdkQuery } from './parse-sdk-types.js';

/** A `Parse.Object` (a `Parse.User` for `_User`, ...) holding `json` as its server data. */
export function toParseObject(sdk: ParseSdk, json: CloudObjectJSON): SdkObject {
  const copy: Record<string, unknown> = { ...json };
  delete copy['__type'];
  return sdk.Object.fromJSON(copy);
}

/** The session's user as a `Parse.User` whose `getSessionToken()` is the caller's token. */
export function toParseUser(
  sdk: ParseSdk,
  options: { user: CloudObjectJSON | undefined; sessionToken: string | undefined },
): SdkObject | undefined {
  if (options.user === undefined) return undefined;
  const json: Record<string, unknown> = { ...options.user, className: '_User' };
  if (options.sessionToken !== undefined) json['sessionToken'] = options.sessionToken;
  return toParseObject(sdk, json as CloudObjectJSON);
}

/**
 * beforeSave's `request.object`: the stored fields as server data, the fields this write sets as pending
 * changes, so `dirtyKeys()`, `dirty(key)` and `existed()` answer as in Parse.
 */
export function toDirtyParseObject(
  sdk: ParseSdk,
  options: { object: CloudObjectJSON; dirtyKeys: readonly string[] },
): SdkObject {
  const { object, dirtyKeys } = options;
  const stored: Record<string, unknown> = { ...object };
  for (const key of dirtyKeys) delete stored[key];
  const parseObject = toParseObject(sdk, stored as CloudObjectJSON);
  for (const key of dirtyKeys) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    if (value === undefined || isDeleteOp(value)) parseObject.set(key, undefined);
    else parseObject.set(key, sdk._decode(undefined, value));
  }
  return parseObject;
}

/**
 * What the trigger changed on `request.object`, as REST operations on top of the client's write: every
 * pending operation except the client's own values left as they were.
 */
export function readSavePatch(
  object: SdkObject,
  options: { original: CloudObjectJSON; dirtyKeys: readonly string[] },
): SavePatch | undefined {
  const ops = object._getSaveJSON();
  const changes: JsonObject = {};
  for (const [key, op] of Object.entries(ops)) {
    if (options.dirtyKeys.includes(key) && sameJSON(op, options.original[key])) continue;
    if (options.dirtyKeys.includes(key) && options.original[key] === undefined && isDeleteOp(op)) continue;
    changes[key] = op;
  }
  return Object.keys(changes).length === 0 ? undefined : { changes };
}

/** A hook's result or an object it hands back, as REST JSON with `className`. */
export function toObjectJSON(sdk: ParseSdk, value: unknown): CloudObjectJSON | undefined {
  if (value instanceof (sdk.Object as unknown as new (className: string) => SdkObject)) {
    const object = value as SdkObject;
    return { ...object.toJSON(), className: object.className };
  }
  if (isJsonObject(value) && typeof value['className'] === 'string') {
    const json: Record<string, unknown> = { ...value };
    delete json['__type'];
    return json as CloudObjectJSON;
  }
  return undefined;
}

/** Query options copied as they are between the protocol's query and a `Parse.Query`'s JSON. */
const PASSED_THROUGH_QUERY_KEYS = [
  'hint',
  'explain',
  'comment',
  'readPreference',
  'includeReadPreference',
  'subqueryReadPreference',
] as const;

/** The protocol's query as a `Parse.Query`. */
export function toParseQuery(sdk: ParseSdk, query: CloudQueryJSON): SdkQuery {
  const json: Record<string, unknown> = { where: { ...query.where } };
  if (query.limit !== undefined) json['limit'] = query.limit;
  if (query.skip !== undefined) json['skip'] = query.skip;
  if (query.order !== undefined && query.order !== '') json['order'] = query.order;
  if (query.keys !== undefined && query.keys.length > 0) json['keys'] = query.keys.join(',');
  if (query.excludeKeys !== undefined && query.excludeKeys.length > 0)
    json['excludeKeys'] = query.excludeKeys.join(',');
  if (query.include !== undefined && query.include.length > 0) json['include'] = query.include.join(',');
  for (const key of PASSED_THROUGH_QUERY_KEYS) {
    const value = (query as unknown as Record<string, unknown>)[key];
    if (value !== undefined) json[key] = value;
  }
  const parsed = sdk.Query.fromJSON(query.className, json);
  // withJSON skips a falsy limit; `limit: 0` (count only) must survive the round trip.
  if (query.limit === 0) (parsed as unknown as { _limit: number })._limit = 0;
  return parsed;
}

/** A `Parse.Query` back as the protocol's query. */
export function fromParseQuery(query: SdkQuery): CloudQueryJSON {
  const json = query.toJSON();
  const list = (value: unknown): string[] | undefined =>
    typeof value === 'string' && value !== '' ? value.split(',') : undefined;
  const result: Record<string, unknown> = {
    className: query.className,
    where: isJsonObject(json['where']) ? json['where'] : {},
  };
  if (typeof json['limit'] === 'number') result['limit'] = json['limit'];
  if (typeof json['skip'] === 'number') result['skip'] = json['skip'];
  if (typeof json['order'] === 'string' && json['order'] !== '') result['order'] = json['order'];
  const keys = list(json['keys']);
  if (keys !== undefined) result['keys'] = keys;
  const excludeKeys = list(json['excludeKeys']);
  if (excludeKeys !== undefined) result['excludeKeys'] = excludeKeys;
  const include = list(json['include']);
  if (include !== undefined) result['include'] = include;
  for (const key of PASSED_THROUGH_QUERY_KEYS) {
    if (json[key] !== undefined) result[key] = json[key];
  }
  return result as unknown as CloudQueryJSON;
}

/**
 * A function's params as Parse hands them over (spec/cloud.md §5): Dates, Files and Pointers decoded, other
 * values (`__type: "Object"` included) left as plain JSON.
 */
export function decodeParams(sdk: ParseSdk, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => decodeParams(sdk, item));
  // A multipart upload's file data (rest.md §11) stays a Buffer.
  if (value instanceof Uint8Array) return value;
  if (!isJsonObject(value)) return value;
  const type = value['__type'];
  if (type === 'Date' && typeof value['iso'] === 'string') return new Date(value['iso']);
  if (type === 'File' || type === 'Pointer') return sdk._decode(undefined, value);
  const result: JsonObject = {};
  for (const [key, item] of Object.entries(value)) result[key] = decodeParams(sdk, item);
  return result;
}

/** A function's return value as its `result` (Parse.Objects as full `{__type:"Object"}` JSON). */
export function encodeResult(sdk: ParseSdk, value: unknown): unknown {
  return value === undefined ? undefined : sdk._encode(value);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDeleteOp(value: unknown): boolean {
  return isJsonObject(value) && value['__op'] === 'Delete';
}

/** Deep equality of JSON values, ignoring key order. */
export function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJSON(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && sameJSON(a[key], b[key]));
  }
  return false;
}

/** The part of `Parse.File` the file triggers read back. */
export interface SdkFile {
  name(): string;
  url(): string | undefined;
  metadata(): Record<string, unknown>;
  tags(): Record<string, unknown>;
  setMetadata?(metadata: unknown): void;
  setTags?(tags: unknown): void;
  _source?: { format?: string };
}

export function fileRequest(sdk: ParseSdk, object: CloudObjectJSON): Record<string, unknown> {
  const url = typeof object['url'] === 'string' ? { url: object['url'] } : {};
  const file = sdk.File.fromJSON({ __type: 'File', name: object['name'], ...url }) as SdkFile;
  if (isJsonObject(object['metadata'])) file.setMetadata?.({ ...object['metadata'] });
  if (isJsonObject(object['tags'])) file.setTags?.({ ...object['tags'] });
  return { file, fileSize: object['size'], contentType: object['contentType'] };
}

/**
 * A file beforeSave's answer, as parse-server reads it: a returned `Parse.File` is the file to store (its name,
 * metadata and tags; with a url, nothing is stored and that url/name is answered). Without one, changes made
 * to `request.file`'s metadata or tags are kept. A returned file carrying its own data is refused: Strata
 * streams uploads to the store and cannot swap the content.
 */
export function fileSaveResult(options: {
  sdk: ParseSdk;
  returned: unknown;
  given: SdkFile;
  object: CloudObjectJSON;
}): FileSaveResult | undefined {
  const { sdk, returned, given, object } = options;
  const ParseFile = sdk.File as unknown as new (name: string) => SdkFile;
  if (returned instanceof ParseFile) {
    if (returned._source !== undefined) {
      throw new Error('A file beforeSave cannot replace the uploaded content; return a Parse.File without data.');
    }
    const url = returned.url();
    return {
      file: {
        name: returned.name(),
        metadata: { ...returned.metadata() },
        tags: { ...returned.tags() },
        ...(typeof url === 'string' && url !== '' ? { url } : {}),
      },
    };
  }
  const metadata = given.metadata();
  const tags = given.tags();
  const changed: { metadata?: Record<string, unknown>; tags?: Record<string, unknown> } = {};
  if (!sameJSON(metadata, object['metadata'] ?? {})) changed.metadata = { ...metadata };
  if (!sameJSON(tags, object['tags'] ?? {})) changed.tags = { ...tags };
  return Object.keys(changed).length === 0 ? undefined : { file: changed };
}

export function toParseConfig(sdk: ParseSdk, json: CloudObjectJSON): unknown {
  const ParseConfig = (sdk as unknown as { Config: new () => { attributes: Record<string, unknown> } }).Config;
  const config = new ParseConfig();
  const params = isJsonObject(json['params']) ? json['params'] : {};
  for (const [key, value] of Object.entries(params)) config.attributes[key] = sdk._decode(undefined, value);
  return config;
}
