import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition } from '../../query/index.js';
import { GeoPoint } from '../../schema/index.js';
import type { ClassSchema } from '../../schema/index.js';
import { classSchema, rejectsWithCode, sortedIds, stored } from '../conformance/harness.js';
import { conditionToSql } from './condition-sql.js';
import { SqliteDriver } from './driver.js';
import { createSqliteStorage } from './index.js';
import { scratchDatabasePaths } from './scratch-paths.test-util.js';
import { orderBySql } from './search-order.js';
import { TableLayout } from './table-layout.js';

/**
 * SQLite specifics of geo and text search that the conformance suite cannot see: the lat/lng prefilter
 * really uses the expression index, FTS5 indexes follow their field and class, and what the FTS5
 * tokenizer cannot honour is refused with 102.
 */

const nextPath = scratchDatabasePaths('sqlite-search');

const PLACES = classSchema('GeoPlace', { name: { type: 'String' }, location: { type: 'GeoPoint' } });
const DOCS = classSchema('TextDoc', { title: { type: 'String' } });

const text = (term: string, extra: Partial<Extract<Condition, { kind: 'text' }>> = {}): Condition => ({
  kind: 'text',
  path: ['title'],
  term,
  caseSensitive: false,
  diacriticSensitive: false,
  ...extra,
});

function planOf(options: { path: string; schema: ClassSchema; where: Condition }): string {
  const driver = new SqliteDriver({ path: options.path });
  try {
    const layout = new TableLayout(options.schema);
    const ctx = { layout, tableExists: (table: string) => driver.tableColumns(table) !== undefined };
    const { sql, params } = conditionToSql(options.where, ctx);
    const order = orderBySql({ where: options.where, sort: [], ctx });
    const rows = driver.all(`EXPLAIN QUERY PLAN SELECT "objectId" FROM ${layout.table} WHERE ${sql}${order.sql}`, [
      ...params,
      ...order.params,
    ]);
    return rows.map((row) => String(row['detail'])).join('\n');
  } finally {
    driver.close();
  }
}

function sqliteObjects(path: string): string[] {
  const driver = new SqliteDriver({ path });
  try {
    return driver
      .all(`SELECT name FROM sqlite_master WHERE name LIKE 'TextDoc%' ORDER BY name`)
      .map((row) => String(row['name']));
  } finally {
    driver.close();
  }
}

describe('sqlite geo and text search', () => {
  it('the GeoPoint prefilter is answered from the latitude/longitude index', async () => {
    const path = nextPath();
    const storage = createSqliteStorage({ path });
    await storage.initialize();
    await storage.createClass(PLACES);
    for (let i = 0; i < 50; i++) {
      const object = stored(`p${i}`, { name: `n${i}`, location: new GeoPoint(i - 25, i * 3 - 75) });
      await storage.insert({ schema: PLACES, object });
    }
    const near: Condition = {
      kind: 'nearSphere',
      path: ['location'],
      point: { latitude: 0, longitude: 0 },
      maxDistance: 0.1,
    };
    const box: Condition = {
      kind: 'withinBox',
      path: ['location'],
      southwest: { latitude: -1, longitude: -5 },
      northeast: { latitude: 2, longitude: 5 },
    };
    assert.deepEqual(sortedIds(await storage.find({ schema: PLACES, where: box })), ['p24', 'p25', 'p26']);
    await storage.close();
    for (const where of [near, box]) {
      const plan = planOf({ path, schema: PLACES, where });
      assert.match(plan, /SEARCH GeoPlace\$0_3 USING INDEX GeoPlace\$0_3#location#geo/, plan);
    }
  });

  it('refuses what FTS5 cannot honour with 102', async () => {
    const storage = createSqliteStorage({ path: nextPath() });
    await storage.initialize();
    await storage.createClass(DOCS);
    await storage.insert({ schema: DOCS, object: stored('d1', { title: 'Café' }) });
    await rejectsWithCode(storage.find({ schema: DOCS, where: text('Café', { caseSensitive: true }) }), 102);
    await rejectsWithCode(storage.find({ schema: DOCS, where: text('Café', { diacriticSensitive: true }) }), 102);
    await rejectsWithCode(storage.find({ schema: DOCS, where: text('Café', { language: 'es' }) }), 102);
    const english = await storage.find({ schema: DOCS, where: text('cafe', { language: 'english' }) });
    assert.deepEqual(sortedIds(english), ['d1']);
    await storage.close();
  });

  it('text on a field without a String column matches nothing', async () => {
    const storage = createSqliteStorage({ path: nextPath() });
    await storage.initialize();
    await storage.createClass(PLACES);
    await storage.insert({ schema: PLACES, object: stored('p1', { name: 'x', location: new GeoPoint(1, 1) }) });
    const where: Condition = { ...text('x'), path: ['location'] } as Condition;
    assert.deepEqual(await storage.find({ schema: PLACES, where }), []);
    const undeclared: Condition = { ...text('x'), path: ['nothing'] } as Condition;
    assert.deepEqual(await storage.find({ schema: PLACES, where: undeclared }), []);
    await storage.close();
  });

  it('the FTS5 index goes with its field and its class', async () => {
    const path = nextPath();
    const storage = createSqliteStorage({ path });
    await storage.initialize();
    await storage.createClass(DOCS);
    await storage.insert({ schema: DOCS, object: stored('d1', { title: 'green tea' }) });
    assert.deepEqual(sortedIds(await storage.find({ schema: DOCS, where: text('tea') })), ['d1']);
    assert.deepEqual(sqliteObjects(path).filter((name) => name.includes('#fts#')).length > 0, true);
    await storage.deleteFields({ schema: DOCS, fieldNames: ['title'] });
    assert.deepEqual(
      sqliteObjects(path).filter((name) => name.includes('#fts#')),
      [],
    );
    await storage.addFields({ className: 'TextDoc', fields: { title: { type: 'String' } } });
    await storage.insert({ schema: DOCS, object: stored('d2', { title: 'tea again' }) });
    assert.deepEqual(sortedIds(await storage.find({ schema: DOCS, where: text('tea') })), ['d2']);
    await storage.deleteClass({ schema: DOCS });
    assert.deepEqual(sqliteObjects(path), []);
    await storage.close();
  });
});
