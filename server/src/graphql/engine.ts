/**
 * The heavy half of the GraphQL module: everything that loads the `graphql` package (~130 CommonJS files),
 * graphql-ws and ws. Only `door.ts` imports it, on the first GraphQL request or socket, so a server that never
 * serves GraphQL never pays for it at start.
 */
export { createGraphQLHandler } from './handler.js';
export { GraphQLSocketServer } from './socket.js';
export { SchemaCache } from './schema-cache.js';
