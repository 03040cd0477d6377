/**
 * Query: the `where` language. Parses REST JSON (`where`, `order`, `keys`) into the typed `Condition`
 * AST, validates it against a class schema, and evaluates it in memory (`matches`, `createMatcher`).
 * It does not run queries against storage, resolve sub-queries or relations, or add permission
 * conditions: storage adapters translate the AST, and `core` adds ACL conditions.
 */
export type { Condition, FieldPath, CompareOp, SortKey } from './ast.js';
export { MATCH_ALL, MATCH_NONE } from './ast.js';
export { parseWhere, DEFAULT_QUERY_MAX_DEPTH } from './parse-where.js';
export type { ParseWhereOptions } from './parse-where.js';
export type { SubQuery } from './ast.js';
export type { SubQueryResolver } from './parse-relational.js';
export type { QueryLimits } from './limits.js';
export { QUERY_COST } from './limits.js';
export { relativeTimeToDate } from './relative-time.js';
export { parseOrder, parseKeys } from './parse-order.js';
export { RegexCache, compileRegex, translateRegex } from './regex.js';
export type { CompiledRegex, TranslatedRegex } from './regex.js';
export { createMatcher, matches } from './match.js';
export type { MatchableObject, MatchOptions, Matcher, RelationEdgeQuery, RelationResolver } from './match.js';
export { valuesEqual, compareHolds } from './compare-values.js';
export { andOf, orOf, norOf, rewriteLeaves } from './combine.js';
// Geo and full-text search (issue 3).
export type { LatLng } from './ast.js';
export {
  searchOf,
  assertSearchPlacement,
  withoutDistanceOrder,
  isScoreSort,
  SCORE_KEY,
  SCORE_FIELD,
} from './search.js';
export type { NearSphereCondition, TextCondition, SearchConditions } from './search.js';
export { sphericalDistance, inBox, inPlanarPolygon, inSphericalPolygon } from './geo-math.js';
// Aggregation pipelines (issue 3: aggregate and distinct).
export { parsePipeline } from './pipeline.js';
export { storedFieldName } from './pipeline-match.js';
export type {
  Accumulator,
  AccumulatorOp,
  Pipeline,
  PipelineExpression,
  PipelineSortKey,
  PipelineStage,
  ProjectField,
} from './pipeline-types.js';
