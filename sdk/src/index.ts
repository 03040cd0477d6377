/**
 * @strata/sdk: a small, typed client for Strata (and any Parse Server) speaking the Parse REST protocol
 * over `fetch`, for browsers, Node ≥ 20 and React Native, with no runtime dependencies and no globals.
 * Records are plain typed objects; queries, users, sessions, roles, ACLs, files, cloud functions, jobs and
 * config are covered, with retries, timeouts and AbortSignal on every call, and LiveQuery subscriptions
 * (`query.subscribe()`) that resume after a dropped socket. It does not cover push or offline caching.
 */
export { createClient } from './client.js';
export type { StrataClient, UntypedSchema, UserOf } from './client.js';
export type { Collection, GetOptions, Updated } from './collection.js';
export { Query, relativeTime } from './query.js';
export type {
  Branch,
  Constraint,
  FieldName,
  FieldPath,
  OrderKey,
  QueryValue,
  RelativeTime,
  Selected,
  ValueAt,
  WhereClause,
} from './query.js';
export { add, addRelation, addUnique, increment, remove, removeRelation, unset } from './ops.js';
export type { ArrayOp, CreateInput, DeleteOp, FieldOp, IncrementOp, Patch, RelationOp } from './ops.js';
export { acl, AclBuilder } from './acl.js';
export type { Access } from './acl.js';
export { bytes, geoPoint, pointer, polygon } from './types.js';
export type { ACL, Bytes, GeoPoint, Pointer, Polygon, Relation, Stored, StrataFile, SystemFields } from './types.js';
export type { Auth, CurrentUser, SessionFields, Sessions, SignedUpUser, UserFields } from './auth.js';
export type { BatchOp, BatchOptions, BatchResult, BatchResults } from './batch.js';
export type { RoleFields, Roles } from './roles.js';
export type { Device, InstallationFields, Installations, WebPushSubscription } from './installations.js';
export type { FileData, Files, UploadedFile, UploadOptions } from './files.js';
export type { AppConfig, Functions, Jobs } from './functions.js';
export type {
  LiveEvent,
  LiveEventType,
  LiveListeners,
  LiveSocket,
  LiveSubscription,
  SubscribeOptions,
  WebSocketConstructor,
} from './live.js';
export { localStorageAdapter, memoryStorage } from './storage.js';
export type { StorageAdapter } from './storage.js';
export { ErrorCodes, StrataError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { CallOptions, ClientOptions, HttpMethod, RawResponse, RequestOptions, RetryOptions } from './transport.js';
