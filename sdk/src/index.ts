/**
 * @strata/sdk: a small, typed client for Strata (and any Parse Server) speaking the Parse REST protocol over
 * `fetch`. It covers object CRUD and queries per class; it does not (yet) cover users, files, LiveQuery or
 * offline caching. No runtime dependencies; works in browsers, Node 18+ and React Native.
 */
export { createClient } from './client.js';
export type { StrataClient } from './client.js';
export type { Collection, FindOptions, Stored, SystemFields } from './collection.js';
export { StrataError, ErrorCodes } from './errors.js';
export type { ClientOptions, HttpMethod, RequestOptions } from './transport.js';
