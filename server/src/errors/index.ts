/**
 * Errors: `ParseError`, the catalog of Parse error codes with their default messages and HTTP
 * statuses. It does not map errors to HTTP responses; that happens once, in `http/`.
 */
export { ErrorCode, ERROR_CATALOG } from './codes.js';
export type { ErrorCatalogEntry } from './codes.js';
export { ParseError, toParseError, parseError, unauthorized, masterKeyRequired } from './parse-error.js';
export type { ParseErrorOptions } from './parse-error.js';
