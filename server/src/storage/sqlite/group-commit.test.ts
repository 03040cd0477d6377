import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MATCH_ALL } from '../../query/index.js';
import type { ClassSchema } from '../../schema/index.js';
import type { StorageAdapter } from '../index.js';
import { createSqliteStorage } from './index.js';
import { scratchDatabasePaths } from './scratch-paths.test-util.js';

// Group commit (group-commit.ts): object writes made in the same turn of the event loop share one COMMIT, and
// none is answered before that COMMIT. Checked on real files, with a second connection as the outside observer.
const nextPath = scratchDatabasePaths('group-commit');

const schema: ClassSchema = {
  className: 'Item',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    ACL: { type: 'ACL' },
    n: { type: 'Number' },
  },
};

async function open(path: string): Promise<StorageAdapter> {
  const storage = createSqliteStorage({ path });
  await storage.initialize();
  await storage.createClass(schema);
  return storage;
}

/** Frames in the WAL file right now, read by another connection (the write-ahead log's length). */
function walFrames(path: string): number {
  const db = new Database(path);
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
    return row?.log ?? 0;
  } finally {
    db.close();
  }
}

const item = (id: string, n: number): { schema: ClassSchema; object: { objectId: string; fields: { n: number } } } => ({
  schema,
  object: { objectId: id, fields: { n } },
});

describe('sqlite group commit', () => {
  it('writes made in the same turn share one commit: far fewer WAL frames than one commit each', async () => {
    const groupedPath = nextPath();
    const grouped = await open(groupedPath);
    const before = walFrames(groupedPath);
    await Promise.all(Array.from({ length: 50 }, (_, i) => grouped.insert(item(`g${i}`, i))));
    const groupedFrames = walFrames(groupedPath) - before;
    await grouped.close();

    const oneByOnePath = nextPath();
    const oneByOne = await open(oneByOnePath);
    const start = walFrames(oneByOnePath);
    for (let i = 0; i < 50; i++) await oneByOne.insert(item(`s${i}`, i));
    const oneByOneFrames = walFrames(oneByOnePath) - start;
    await oneByOne.close();

    // One commit writes each page it changed once (a table leaf, its index leaf: a few frames); fifty commits write
    // those pages fifty times.
    assert.ok(oneByOneFrames >= 50, `one by one: ${oneByOneFrames} frames`);
    assert.ok(groupedFrames * 10 <= oneByOneFrames, `grouped ${groupedFrames} vs one by one ${oneByOneFrames}`);
  });

  it('a write is answered only once committed: another connection sees it when its promise settles', async () => {
    const path = nextPath();
    const storage = await open(path);
    const observer = new Database(path, { readonly: true });
    const [table] = observer
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'Item%'`)
      .pluck()
      .all() as string[];
    assert.ok(table !== undefined);
    const seen = observer.prepare(`SELECT count(*) FROM "${table}" WHERE "objectId" = ?`).pluck();
    const visibleWhenAnswered = await Promise.all(
      Array.from({ length: 10 }, (_, i) => storage.insert(item(`c${i}`, i)).then(() => seen.get(`c${i}`))),
    );
    assert.deepEqual(visibleWhenAnswered, Array(10).fill(1));
    // A read on the writing connection started beside a write waits for the commit, so it never shows a write that
    // could still be lost.
    const write = storage.insert(item('r1', 1));
    const read = storage.find({ schema, where: MATCH_ALL }).then((rows) => ({ rows, outside: seen.get('r1') }));
    await write;
    const { rows, outside } = await read;
    assert.ok(rows.some((row) => row.objectId === 'r1'));
    assert.equal(outside, 1);
    observer.close();
    await storage.close();
  });

  it('a failing write fails alone; the others of its group commit', async () => {
    const storage = await open(nextPath());
    await storage.insert(item('taken', 0));
    const results = await Promise.allSettled([
      storage.insert(item('a', 1)),
      storage.insert(item('taken', 2)),
      storage.updateOne({
        schema,
        where: { kind: 'eq', path: ['objectId'], value: 'taken' },
        update: { fields: { n: { op: 'increment', amount: 10 } }, updatedAt: new Date() },
      }),
      storage.insert(item('b', 3)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason.code, 137);
    const rows = await storage.find({ schema, where: MATCH_ALL });
    assert.deepEqual(rows.map((row) => row.objectId).sort(), ['a', 'b', 'taken']);
    assert.equal(rows.find((row) => row.objectId === 'taken')?.fields['n'], 0 + 10);
    await storage.close();
  });

  it('an update refused by a unique index in a group leaves its object as it was; the others commit', async () => {
    const storage = await open(nextPath());
    const coded: ClassSchema = {
      ...schema,
      className: 'Coded',
      fields: { ...schema.fields, code: { type: 'String' } },
    };
    await storage.createClass(coded);
    await storage.createIndex({ schema: coded, name: 'code_1', spec: { code: 1 }, options: { unique: true } });
    const row = (id: string, code: string) => ({ schema: coded, object: { objectId: id, fields: { code, n: 0 } } });
    await storage.insert(row('b', 'B'));
    const byId = (id: string) => ({ kind: 'eq', path: ['objectId'], value: id }) as const;
    const results = await Promise.allSettled([
      storage.insert(row('a', 'A')),
      storage.updateOne({
        schema: coded,
        where: byId('b'),
        update: {
          fields: { code: { op: 'set', value: 'A' }, n: { op: 'increment', amount: 1 } },
          updatedAt: new Date(),
        },
      }),
      storage.insert(row('c', 'C')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal((results[1] as PromiseRejectedResult).reason.code, 137);
    const rows = await storage.find({ schema: coded, where: MATCH_ALL });
    assert.deepEqual(rows.map((r) => `${r.objectId}:${String(r.fields['code'])}:${String(r.fields['n'])}`).sort(), [
      'a:A:0',
      'b:B:0',
      'c:C:0',
    ]);
    await storage.close();
  });

  it('a transaction begun while a group is open waits for its commit instead of failing', async () => {
    const storage = await open(nextPath());
    const write = storage.insert(item('w', 1));
    const inTransaction = storage.transaction(async (tx) => {
      await tx.storage.insert(item('t', 2));
      return (await tx.storage.find({ schema, where: MATCH_ALL })).length;
    });
    await write;
    assert.equal(await inTransaction, 2);
    // Writes made while the transaction is open wait for it, then form a group of their own.
    const results = await Promise.all([
      storage
        .transaction(async (tx) => {
          await tx.storage.insert(item('t2', 3));
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('roll back');
        })
        .catch((err: Error) => err.message),
      storage.insert(item('after', 4)),
    ]);
    assert.equal(results[0], 'roll back');
    const ids = (await storage.find({ schema, where: MATCH_ALL })).map((row) => row.objectId).sort();
    assert.deepEqual(ids, ['after', 't', 'w']);
    await storage.close();
  });

  // Another connection holding the write lock stands for another worker process (`--workers N`): SQLite tracks the
  // locks of connections in one process as it does across processes.
  it('while another connection holds the write lock, a group waits without stopping the event loop, then commits', async () => {
    const path = nextPath();
    const storage = await open(path);
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    let settled = false;
    const write = storage.insert(item('waited', 1)).finally(() => {
      settled = true;
    });
    // SQLite's busy handler would have put this whole thread to sleep inside BEGIN, then failed the write; here the
    // loop keeps turning and the write keeps waiting.
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    other.exec('COMMIT');
    await write;
    const rows = await storage.find({ schema, where: MATCH_ALL });
    assert.deepEqual(
      rows.map((r) => r.objectId),
      ['waited'],
    );
    other.close();
    await storage.close();
  });

  it('a group still refused the lock after the busy timeout fails its writes (none half-written), then writes go on', async () => {
    const path = nextPath();
    const seeded = await open(path);
    await seeded.close();
    const storage = createSqliteStorage({ path, busyTimeoutMs: 0 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const refused = await Promise.allSettled([storage.insert(item('x', 1)), storage.insert(item('y', 2))]);
    assert.deepEqual(
      refused.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    other.exec('COMMIT');
    await storage.insert(item('z', 3));
    const rows = await storage.find({ schema, where: MATCH_ALL });
    assert.deepEqual(
      rows.map((r) => r.objectId),
      ['z'],
    );
    other.close();
    await storage.close();
  });
});
