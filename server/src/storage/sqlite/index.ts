/**
 * The SQLite storage backend (better-sqlite3): the embedded default behind `npm start`.
 *
 * Layout: one table per class (`_User`, `_Join:likes:Post`, ... quoted; names with upper-case letters get a
 * `$<positions>` suffix because SQLite identifiers ignore case while Parse names do not). Columns:
 * `objectId` (primary key), `createdAt`/`updatedAt` (INTEGER ms), `_rperm`/`_wperm` (JSON arrays, NULL =
 * no ACL = public), one typed column per declared field (TEXT String/Pointer id/File name/Bytes base64,
 * REAL Number, INTEGER Boolean and Date ms, JSON text for Object/Array/GeoPoint/Polygon, with nested special
 * values as Parse REST JSON), and `_extra`, a JSON object holding undeclared fields (internal `_` fields)
 * plus `"field": null` markers that tell a stored null from a missing column value. Relations live in
 * `_Join:<field>:<Class>` tables keyed (owningId, relatedId). Schemas are JSON rows in `_SCHEMA`.
 *
 * Split: `driver.ts` (connection, pragmas: WAL, synchronous=NORMAL, busy timeout; statement cache;
 * errors) and the dialect (`condition-sql.ts`, `value-codec.ts`, `table-layout.ts`, `schema-ddl.ts`; the
 * in-memory update is `../apply-update.ts`, shared with MongoDB). Conditions become one SQL expression with MongoDB semantics (json_each for array
 * contains, json_type guards, a cached `regexp` function, relation subqueries). Updates are
 * read-modify-write inside one IMMEDIATE transaction, atomic across processes too.
 *
 * It does not validate values against Parse's rules (the schema layer does).
 *
 * Aggregation (`aggregate-sql.ts`) compiles a pipeline to one statement with a CTE per stage over JSON
 * documents. Supported: `$match`, `$group` (ids: fields, constants, documents of fields; accumulators
 * `$sum $avg $min $max $first $last $push $addToSet $count`), `$project` (inclusion, exclusion, renames
 * `"$field"`, `$literal`), `$sort`, `$limit`, `$skip`, `$count`, `$unwind` (with `includeArrayIndex`,
 * `preserveNullAndEmptyArrays`), `$sample`; `distinct`. Anything else (`$lookup`, `$facet`, operator
 * expressions such as `$year`) is refused with 102 "… is not supported on SQLite", never approximated.
 * Parse Config lives in the one-row `_GlobalConfig` table.
 *
 * Relational queries (relational-sql.ts): `$inQuery` / `$notInQuery` become SQL subqueries in the same
 * statement (`"owner" IN (SELECT "objectId" FROM <sub table> WHERE <sub condition with the caller's ACL>)`,
 * nested sub-queries nest); `$select` / `$dontSelect` first read only the selected key of the sub-query's
 * rows (same connection, synchronously) and compare with them as `$in` does; `$containedBy` uses
 * `json_each`. `explain` answers `EXPLAIN QUERY PLAN` rows; `hint`, `comment` and read preferences are
 * ignored (one file, one planner).
 *
 * Geo and text search (geo-sql.ts, text-sql.ts, search-index.ts, search-order.ts): GeoPoint columns get an
 * expression index on `json_extract(col, '$.latitude' | '$.longitude')`; every geo condition first narrows
 * by a lat/lng range answerable from it, then applies the exact test through SQL functions registered on
 * the connection (`geo_distance` haversine, `geo_in_polygon` planar as MongoDB's 2d, `geo_polygon_contains`
 * with great-circle edges as 2dsphere). `$nearSphere` orders by distance when no order is given. `$text`
 * uses an external-content FTS5 table per searched String field (created on first search, kept in sync by
 * triggers, `porter unicode61 remove_diacritics 2`), bm25 for `$score`; case/diacritic-sensitive and
 * non-English searches are refused with 102.
 */
export { createSqliteStorage } from './open-storage.js';
export type { SqliteStorageOptions } from './open-storage.js';
