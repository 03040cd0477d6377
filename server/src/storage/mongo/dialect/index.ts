/**
 * The MongoDB dialect: pure translation between Strata's normalized forms and parse-server's MongoDB
 * layout (spec/mongo-layout.md). Values, documents, ACLs, `_SCHEMA` documents, filters, sorts and update
 * documents. It never talks to a server; the driver (`../driver/`) does.
 */
export { encodeACL, decodeACL } from './acl.js';
export type { StoredACL } from './acl.js';
export { encodeDocument, decodeDocument, projectionFor, keepKeys } from './document.js';
export { toFilter, toSort, MATCH_NOTHING } from './filter.js';
export { searchProjection, sortDocument } from './geo-text-filter.js';
export { toUpdate } from './update.js';
export {
  encodeSchema,
  decodeSchema,
  typeString,
  parseTypeString,
  fieldOptions,
  toRestJson,
  VOLATILE_CLASSES,
} from './schema-document.js';
export { storedKey, storedPath, POINTER_PREFIX } from './keys.js';
export {
  encodeInterior,
  encodeTopLevel,
  decodeInterior,
  decodeTopLevel,
  polygonToGeoJson,
  pointerString,
} from './values.js';
// Aggregate and distinct (issue 3).
export { toAggregateStage, decodeAggregateDocument, decodeDistinctValue } from './aggregate.js';
