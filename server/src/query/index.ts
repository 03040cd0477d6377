/**
 * Query: the `where` language. Parses REST JSON into the typed `Condition` AST, validates it against a
 * class schema, and evaluates it in memory. It does not run queries against storage.
 */
export type { Condition, FieldPath, CompareOp, SortKey } from './ast.js';
export { MATCH_ALL, MATCH_NONE } from './ast.js';
