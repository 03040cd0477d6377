/**
 * GraphQL: Parse's generated GraphQL API (spec/graphql.md) on graphql-yoga, at `/graphql` beside the REST API.
 * The schema is generated from the class schemas and rebuilt when they change; every resolver decodes its
 * arguments into one core operation as the caller, so ACLs, CLPs, protectedFields, triggers and validation
 * are REST's own. Credentials are checked by auth's `CredentialResolver` and core's `authenticate`, never here.
 * Subscriptions run over WebSocket (`socket.ts`, graphql-ws) on core's live query hub.
 *
 * This front door is light on purpose: the engine (the `graphql` package and everything built on it,
 * `engine.ts`) is loaded by `GraphQLDoor` on the first GraphQL request or socket, not when the app starts.
 * Importing it from here would put it back into every cold start.
 */
export { GraphQLDoor } from './door.js';
export type { GraphQLDoorOptions, GraphQLEngine } from './door.js';
export type { GraphQLHandlerOptions, GraphQLLimits } from './handler.js';
export type { GraphQLSocketOptions } from './socket.js';
export { PersistedOperations } from './persisted.js';
export type { BuiltSchema, SchemaCache } from './schema-cache.js';
export type { SchemaSource } from './build-schema.js';
export { toGlobalId, fromGlobalId } from './global-id.js';
export { pluralize } from './pluralize.js';
export { classNames } from './names.js';
export type { ClassNames } from './names.js';
