import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MATCH_ALL } from '../../query/index.js';
import type { SortKey } from '../../query/index.js';
import type { ClassSchema } from '../../schema/index.js';
import { runStorageConformance } from '../conformance/index.js';
import type { StorageAdapter } from '../index.js';
import { createSqliteStorage } from './index.js';
import { scratchDatabasePaths } from './scratch-paths.test-util.js';

const nextPath = scratchDatabasePaths('sqlite');

runStorageConformance({
  name: 'sqlite (temp file)',
  create: async () => createSqliteStorage({ path: nextPath() }),
  destroy: (storage) => storage.close(),
});

const defaults = {
  objectId: { type: 'String' },
  createdAt: { type: 'Date' },
  updatedAt: { type: 'Date' },
  ACL: { type: 'ACL' },
} as const;
const schemaOf = (className: string, fields: ClassSchema['fields']): ClassSchema => ({
  className,
  fields: { ...defaults, ...fields },
});
const at = new Date('2024-01-01T00:00:00.000Z');

async function open(path: string): Promise<StorageAdapter> {
  const storage = createSqliteStorage({ path });
  await storage.initialize();
  return storage;
}

describe('sqlite specifics', () => {
  it('runs in WAL mode with synchronous=NORMAL', async () => {
    const path = nextPath();
    const storage = await open(path);
    const raw = new Database(path, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      raw.close();
    }
    await storage.close();
  });

  it('keeps data, schemas, indexes and relations across close and reopen', async () => {
    const path = nextPath();
    const schema = schemaOf('Keep', { title: { type: 'String' }, r: { type: 'Relation', targetClass: '_User' } });
    let storage = await open(path);
    await storage.createClass(schema);
    await storage.createIndex({ schema, name: 'title_1', spec: { title: 1 }, options: { unique: true } });
    await storage.insert({
      schema,
      object: { objectId: 'k1', createdAt: at, updatedAt: at, fields: { title: 'kept', _internal: [1] } },
    });
    await storage.addRelation({ ownerClass: 'Keep', field: 'r', owningId: 'k1', relatedId: 'u1' });
    await storage.close();

    storage = await open(path);
    const loaded = (await storage.loadSchemas()).find((s) => s.className === 'Keep');
    assert.deepEqual(loaded?.fields, schema.fields);
    assert.deepEqual(loaded?.indexes, { title_1: { title: 1 } });
    assert.deepStrictEqual(await storage.find({ schema, where: MATCH_ALL }), [
      { objectId: 'k1', createdAt: at, updatedAt: at, fields: { title: 'kept', _internal: [1] } },
    ]);
    assert.equal(
      await storage.count({ schema, where: { kind: 'relationHas', field: 'r', relatedIds: ['u1'], mode: 'any' } }),
      1,
    );
    await assert.rejects(storage.insert({ schema, object: { objectId: 'k2', fields: { title: 'kept' } } }), {
      code: 137,
    });
    await storage.close();
  });

  it('stores undeclared fields in _extra and declared ones in columns', async () => {
    const path = nextPath();
    const storage = await open(path);
    const schema = schemaOf('Extra', { shown: { type: 'Number' } });
    await storage.createClass(schema);
    await storage.insert({ schema, object: { objectId: 'e1', fields: { shown: 1, _hidden: { d: at }, nul: null } } });
    await storage.close();
    const raw = new Database(path, { readonly: true });
    try {
      const row = raw
        .prepare('SELECT "shown", "_extra", "createdAt", "_rperm" FROM "Extra$0" WHERE "objectId" = ?')
        .get('e1');
      assert.deepEqual(row, {
        shown: 1,
        _extra: '{"_hidden":{"d":{"__type":"Date","iso":"2024-01-01T00:00:00.000Z"}},"nul":null}',
        createdAt: null,
        _rperm: null,
      });
    } finally {
      raw.close();
    }
  });

  it('handles class names with ":" (join classes)', async () => {
    const storage = await open(nextPath());
    const schema = schemaOf('_Join:likes:Post', { owningId: { type: 'String' }, relatedId: { type: 'String' } });
    await storage.createClass(schema);
    await storage.insert({ schema, object: { objectId: 'j1', fields: { owningId: 'p1', relatedId: 'u1' } } });
    const found = await storage.find({ schema, where: { kind: 'eq', path: ['owningId'], value: 'p1' } });
    assert.deepEqual(
      found.map((o) => o.fields),
      [{ owningId: 'p1', relatedId: 'u1' }],
    );
    await storage.close();
  });

  it('a bad regex pattern matches nothing instead of failing', async () => {
    const storage = await open(nextPath());
    const schema = schemaOf('Rx', { s: { type: 'String' }, o: { type: 'Object' } });
    await storage.insert({ schema, object: { objectId: 'r1', fields: { s: 'x(', o: { s: 'x(' } } } });
    assert.deepEqual(
      await storage.find({ schema, where: { kind: 'regex', path: ['s'], pattern: '(', flags: '' } }),
      [],
    );
    assert.deepEqual(
      await storage.find({ schema, where: { kind: 'regex', path: ['o', 's'], pattern: '[', flags: 'i' } }),
      [],
    );
    assert.equal(await storage.count({ schema, where: { kind: 'regex', path: ['s'], pattern: 'x\\(', flags: '' } }), 1);
    await storage.close();
  });

  it('a value of the wrong type for a column is rejected with 111, not a crash', async () => {
    const storage = await open(nextPath());
    const schema = schemaOf('Typed', { n: { type: 'Number' } });
    await assert.rejects(storage.insert({ schema, object: { objectId: 't1', fields: { n: 'one' } } }), { code: 111 });
    await storage.insert({ schema, object: { objectId: 't2', fields: { n: 2 } } });
    await assert.rejects(
      storage.updateOne({
        schema,
        where: MATCH_ALL,
        update: { fields: { n: { op: 'set', value: 'two' } }, updatedAt: at },
      }),
      { code: 111 },
    );
    assert.equal((await storage.find({ schema, where: MATCH_ALL }))[0]?.fields['n'], 2);
    await storage.close();
  });

  it('writes the limit into the SQL as integer text, whatever number it is given', async () => {
    // The limit is SQL text, not a bound value (a bound LIMIT re-compiles the statement on every run): extreme
    // numbers must still make valid SQL and the same answers.
    const storage = await open(nextPath());
    const schema = schemaOf('Limited', { n: { type: 'Number' } });
    for (const n of [1, 2, 3]) await storage.insert({ schema, object: { objectId: `l${n}`, fields: { n } } });
    const sort: SortKey[] = [{ path: ['n'], direction: 1 }];
    const ns = async (options: { limit?: number; skip?: number }): Promise<unknown[]> =>
      (await storage.find({ schema, where: MATCH_ALL, sort, ...options })).map((o) => o.fields['n']);
    assert.deepEqual(await ns({ limit: 2 }), [1, 2]);
    assert.deepEqual(await ns({ limit: 2, skip: 1 }), [2, 3]);
    assert.deepEqual(await ns({ limit: 0 }), []);
    assert.deepEqual(await ns({ limit: 1.9 }), [1]);
    assert.deepEqual(await ns({ limit: 1e300 }), [1, 2, 3]);
    assert.deepEqual(await ns({ limit: Number.POSITIVE_INFINITY, skip: 2 }), [3]);
    assert.deepEqual(await ns({ limit: -5 }), []);
    assert.deepEqual(await ns({ skip: 1 }), [2, 3]);
    await storage.close();
  });

  it('a second connection sees committed writes and concurrent addFields of the same field is safe', async () => {
    const path = nextPath();
    const one = await open(path);
    const two = await open(path);
    await one.addFields({ className: 'Shared', fields: { a: { type: 'String' } } });
    await two.addFields({ className: 'Shared', fields: { a: { type: 'String' } } });
    await assert.rejects(two.addFields({ className: 'Shared', fields: { a: { type: 'Number' } } }), { code: 111 });
    const schema = schemaOf('Shared', { a: { type: 'String' } });
    await one.insert({ schema, object: { objectId: 's1', fields: { a: 'x' } } });
    assert.deepEqual(
      (await two.find({ schema, where: MATCH_ALL })).map((o) => o.fields),
      [{ a: 'x' }],
    );
    await one.close();
    await two.close();
  });

  it('insert into a class without a schema row creates its table', async () => {
    const storage = await open(nextPath());
    const schema = schemaOf('Implicit', { v: { type: 'Array' } });
    await storage.insert({ schema, object: { objectId: 'i1', fields: { v: [1] } } });
    assert.equal(await storage.count({ schema, where: { kind: 'eq', path: ['v'], value: 1 } }), 1);
    await storage.close();
  });

  it('operations wait for an open transaction instead of joining it', async () => {
    const storage = await open(nextPath());
    const schema = schemaOf('Gate', { n: { type: 'Number' } });
    await storage.createClass(schema);
    let outside: Promise<void> | undefined;
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.storage.insert({ schema, object: { objectId: 'in', fields: { n: 1 } } });
        outside = storage.insert({ schema, object: { objectId: 'out', fields: { n: 2 } } });
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('roll back');
      }),
      /roll back/,
    );
    await outside;
    assert.deepEqual(
      (await storage.find({ schema, where: MATCH_ALL })).map((o) => o.objectId),
      ['out'],
    );
    await storage.close();
  });

  it('a database whose field columns took reserved names (rowid, rank) is renamed in place on open', async () => {
    // The layout before reserved names were mapped: a field `rowid` was a column "rowid", which the full-text
    // index (content_rowid 'rowid') and its triggers then joined rows by.
    const path = nextPath();
    const legacy = new Database(path);
    const fields = { ...defaults, body: { type: 'String' }, rowid: { type: 'Number' }, rank: { type: 'Number' } };
    legacy.exec(`
      CREATE TABLE "_SCHEMA" ("className" TEXT PRIMARY KEY NOT NULL, "schema" TEXT NOT NULL);
      CREATE TABLE "Note$0" ("objectId" TEXT PRIMARY KEY NOT NULL, "createdAt" INTEGER, "updatedAt" INTEGER,
        "_rperm" TEXT, "_wperm" TEXT, "_extra" TEXT, "body" TEXT, "rowid" REAL, "rank" REAL);
      CREATE VIRTUAL TABLE "Note$0#fts#body" USING fts5("body", content='Note$0', content_rowid='rowid',
        tokenize='porter unicode61 remove_diacritics 2');
      CREATE TRIGGER "Note$0#fts#body#insert" AFTER INSERT ON "Note$0" BEGIN
        INSERT INTO "Note$0#fts#body" (rowid, "body") VALUES (new.rowid, new."body"); END;
    `);
    legacy.prepare('INSERT INTO "_SCHEMA" VALUES (?, ?)').run('Note', JSON.stringify({ fields }));
    const insert = legacy.prepare(
      'INSERT INTO "Note$0" ("objectId", "_rperm", "_wperm", "body", "rowid", "rank") VALUES (?, ?, ?, ?, ?, ?)',
    );
    insert.run('hidden', '[]', '[]', 'secret plan', null, null);
    insert.run('public', null, null, 'hello world', null, null);
    insert.run('decoy', null, null, 'decoy', 1, 7);
    legacy.close();

    const storage = await open(path);
    const schema = schemaOf('Note', fields as ClassSchema['fields']);
    const search = async (term: string): Promise<string[]> =>
      (
        await storage.find({
          schema,
          where: { kind: 'text', path: ['body'], term, caseSensitive: false, diacriticSensitive: false },
        })
      )
        .map((o) => o.objectId)
        .sort();
    assert.deepEqual(await search('hello'), ['public']);
    assert.deepEqual(await search('secret'), ['hidden'], 'the index joins by the real row id again');
    const decoy = (await storage.find({ schema, where: { kind: 'eq', path: ['objectId'], value: 'decoy' } }))[0];
    assert.deepEqual({ rowid: decoy?.fields['rowid'], rank: decoy?.fields['rank'] }, { rowid: 1, rank: 7 });
    await storage.close();
    const raw = new Database(path, { readonly: true });
    try {
      const columns = raw
        .prepare('SELECT name FROM pragma_table_info(?)')
        .all('Note$0')
        .map((row) => (row as { name: string }).name);
      assert.ok(columns.includes('rowid$') && columns.includes('rank$') && !columns.includes('rowid'), columns.join());
    } finally {
      raw.close();
    }
  });

  it('a rolled-back transaction forgets the table and columns it created', async () => {
    const storage = await open(nextPath());
    const schema = schemaOf('Fleeting', { n: { type: 'Number' } });
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.storage.createClass(schema);
        await tx.storage.addFields({ className: 'Fleeting', fields: { extra: { type: 'String' } } });
        await tx.storage.insert({ schema, object: { objectId: 'f1', fields: { n: 1 } } });
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(
      await storage.loadSchemas().then((all) => all.map((c) => c.className).filter((c) => c === 'Fleeting')),
      [],
    );
    // The cached "table exists" must not survive the rollback: this insert recreates the table.
    await storage.insert({ schema, object: { objectId: 'f2', fields: { n: 2 } } });
    assert.deepEqual(
      (await storage.find({ schema, where: MATCH_ALL })).map((o) => o.objectId),
      ['f2'],
    );
    await storage.close();
  });
});
