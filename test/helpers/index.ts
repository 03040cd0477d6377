/**
 * Test helpers for cross-package suites: start the server a suite targets (Strata in-process on SQLite
 * or MongoDB, or an external URL such as a real parse-server), point the official Parse SDK at it, and
 * make raw REST calls. It does not seed data or assert anything: suites own their fixtures.
 */
export { compatTargets } from './target.js';
export type { CompatTarget, TargetSpec } from './target.js';
export { useParse, rest } from './parse-sdk.js';
export type { ParseSDK, RestResult } from './parse-sdk.js';
export { uniqueClassName } from './names.js';
export { buildTestConfig, TEST_KEYS } from './strata-config.js';
export type { TestConfigOptions } from './strata-config.js';
export { expectParseError } from './parse-error.js';
export type { ParseErrorLike } from './parse-error.js';
export { graphqlClient, graphqlHeaders, graphqlURL, rawGraphQL } from './graphql.js';
export type { GraphQLCaller, RawGraphQLResult } from './graphql.js';
