import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { parsePipeline } from '../../query/index.js';
import type { Condition } from '../../query/index.js';
import type { ClassSchema } from '../../schema/index.js';
import { runStorageConformance } from '../conformance/index.js';
import type { StorageAdapter, StoredObject } from '../index.js';
import { createSqliteStorage } from './index.js';
import { scratchDatabasePaths } from './scratch-paths.test-util.js';
import { ReadPool, SLOW_STATEMENT_CPU_MS } from './read-pool.js';

// The read pool: finds and counts on worker threads with their own read-only connections. The conformance
// suite runs through it (same answers as the one connection), a write is seen by the next read, a runaway
// statement is stopped at its budget with 124 while other reads go on, and the pool survives it.
const nextPath = scratchDatabasePaths('read-pool');

runStorageConformance({
  name: 'sqlite with 2 read threads',
  create: async () => createSqliteStorage({ path: nextPath(), readThreads: 2 }),
  destroy: (storage) => storage.close(),
});

const schema: ClassSchema = {
  className: 'Row',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    ACL: { type: 'ACL' },
    n: { type: 'Number' },
  },
};
const at = new Date('2024-01-01T00:00:00.000Z');
const all: Condition = { kind: 'constant', value: true };

/**
 * Calls a JavaScript function on every step, forever: only the budget ends it. The argument changes each step,
 * or SQLite would evaluate the deterministic `regexp` once and loop without ever returning to JavaScript,
 * where V8 can stop the thread.
 */
const ENDLESS = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE regexp('^', CAST(x AS TEXT))) SELECT max(x) FROM c`;

describe('sqlite read pool', () => {
  it('a read after an acknowledged write sees it (read-your-writes through the threads)', async () => {
    const storage: StorageAdapter = createSqliteStorage({ path: nextPath(), readThreads: 2 });
    await storage.initialize();
    await storage.createClass(schema);
    for (let i = 1; i <= 40; i++) {
      await storage.insert({ schema, object: { objectId: `o${i}`, createdAt: at, updatedAt: at, fields: { n: i } } });
      const counted: Promise<number> = storage.count({ schema, where: all });
      const found: Promise<StoredObject[]> = storage.find({
        schema,
        where: { kind: 'compare', path: ['n'], op: 'gte', value: i },
      });
      const [count, rows] = await Promise.all([counted, found]);
      assert.equal(count, i);
      assert.deepEqual(
        rows.map((r) => r.objectId),
        [`o${i}`],
      );
    }
    assert.ok((storage.poolStats?.().size ?? 0) >= 3, 'the writer and two read threads');
    await storage.close();
  });

  it('stops a statement past its budget with 124, keeps serving meanwhile, and replaces the thread', async () => {
    const path = nextPath();
    const storage = createSqliteStorage({ path, readThreads: 1 });
    await storage.initialize();
    await storage.close();
    const pool = new ReadPool({ path, size: 2, busyTimeoutMs: 1000 });
    try {
      // Both threads started (two reads at once take one each), so the quick read below waits for nothing.
      await Promise.all([pool.read({ sql: 'SELECT 1', params: [] }), pool.read({ sql: 'SELECT 1', params: [] })]);
      const endless = pool.read({ sql: ENDLESS, params: [], budgetMs: 1500 });
      let endlessSettled = false;
      void endless.then(
        () => (endlessSettled = true),
        () => (endlessSettled = true),
      );
      // The other thread answers while the endless one runs.
      const quick = await pool.read({ sql: 'SELECT 1 + 1', params: [] });
      assert.deepEqual(quick, [[2]]);
      assert.equal(endlessSettled, false);
      await assert.rejects(endless, (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.equal(err.code, ErrorCode.TIMEOUT);
        assert.match(err.message, /time budget \(1500 ms\)/);
        return true;
      });
      // A fresh thread took the stopped one's place.
      for (let i = 0; i < 4; i++) assert.deepEqual(await pool.read({ sql: 'SELECT ?', params: [i] }), [[i]]);
    } finally {
      await pool.close();
    }
  });

  it('a find over the row budget of the event loop goes to a thread, with the same answer, as its SQL does later', async () => {
    const storage: StorageAdapter = createSqliteStorage({ path: nextPath(), readThreads: 1 });
    await storage.initialize();
    await storage.createClass(schema);
    await storage.transaction(async (tx) => {
      for (let i = 1; i <= 1200; i++) {
        await tx.storage.insert({
          schema,
          object: { objectId: `b${i}`, createdAt: at, updatedAt: at, fields: { n: i } },
        });
      }
    });
    const sort = [{ path: ['n'] as const, direction: -1 as const }];
    // A page of 20 visits 20 rows (answered on the event loop); 1,200 rows, or a filter that rejects all but
    // the last rows, visit more than the budget (answered by the thread): every answer is the full one.
    const page = await storage.find({ schema, where: all, sort, limit: 20 });
    assert.deepEqual(
      page.map((o) => o.fields['n']),
      Array.from({ length: 20 }, (_, k) => 1200 - k),
    );
    for (let round = 0; round < 2; round++) {
      assert.equal((await storage.find({ schema, where: all })).length, 1200);
      const few = await storage.find({
        schema,
        where: { kind: 'compare', path: ['n'], op: 'lte', value: 3 },
        sort,
        limit: 20,
      });
      assert.deepEqual(
        few.map((o) => o.fields['n']),
        [3, 2, 1],
      );
    }
    await storage.close();
  });

  it('runs an aggregation on a thread, where its time budget stops it with 124; a small one answers after', async () => {
    const storage: StorageAdapter = createSqliteStorage({ path: nextPath(), readThreads: 1 });
    await storage.initialize();
    const arrays: ClassSchema = { ...schema, fields: { ...schema.fields, arr: { type: 'Array' } } };
    await storage.createClass(arrays);
    const arr = Array.from({ length: 2_000 }, (_, k) => k);
    await storage.transaction(async (tx) => {
      for (let i = 1; i <= 50; i++) {
        await tx.storage.insert({
          schema: arrays,
          object: { objectId: `a${i}`, createdAt: at, updatedAt: at, fields: { n: i, arr } },
        });
      }
    });
    // 100,000 unwound documents, each through the JavaScript `regexp` (about 15 s of work on the main connection,
    // where there is no budget: it would answer, and this would fail); 100 ms of budget on the thread.
    const heavy = parsePipeline({
      pipeline: [{ $unwind: '$arr' }, { $match: { arr: { $regex: '^x' } } }, { $count: 'n' }],
      schema: arrays,
      maxDepth: 32,
    });
    await assert.rejects(
      async () => storage.aggregate?.({ schema: arrays, pipeline: heavy, maxTimeMs: 100 }),
      (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.equal(err.code, ErrorCode.TIMEOUT);
        return true;
      },
    );
    const small = parsePipeline({
      pipeline: [{ $match: { n: { $lte: 3 } } }, { $group: { _id: null, total: { $sum: '$n' } } }],
      schema: arrays,
      maxDepth: 32,
    });
    assert.deepEqual(await storage.aggregate?.({ schema: arrays, pipeline: small, maxTimeMs: 60_000 }), [
      { _id: null, total: 6 },
    ]);
    assert.deepEqual(
      await storage.distinct?.({
        schema: arrays,
        where: { kind: 'compare', path: ['n'], op: 'lte', value: 2 },
        field: ['n'],
        maxTimeMs: 60_000,
      }),
      [1, 2],
    );
    await storage.close();
  });

  it('answers a broken statement with a storage error, and the thread keeps serving', async () => {
    const path = nextPath();
    const storage = createSqliteStorage({ path });
    await storage.initialize();
    await storage.close();
    const pool = new ReadPool({ path, size: 1, busyTimeoutMs: 1000 });
    try {
      await assert.rejects(pool.read({ sql: 'SELECT * FROM "nope"', params: [] }), (err: unknown) => {
        assert.ok(err instanceof ParseError);
        assert.equal(err.code, ErrorCode.INTERNAL_SERVER_ERROR);
        return true;
      });
      assert.deepEqual(await pool.read({ sql: 'SELECT 3', params: [] }), [[3]]);
    } finally {
      await pool.close();
    }
  });
});

// `idle` (--sqlite-read-idle): SQL that once took more than SLOW_STATEMENT_CPU_MS of a thread's CPU runs from
// then on on the slow lane, whose threads run under SCHED_IDLE (policy 5 in /proc/<pid>/task/<tid>/stat); cheap SQL
// never does. The statement below counts 3,000,000 generated rows (hundreds of ms of CPU), or 10 (microseconds):
// the same SQL text, so the second run shows that a cheap run sends it back.
describe('sqlite read pool lanes (idle)', () => {
  const linux = existsSync('/proc/thread-self/schedstat') && spawnSync('chrt', ['--version']).status === 0;
  const skip = linux ? false : 'no /proc/thread-self/schedstat or no util-linux `chrt` (Linux only)';
  const COUNT_TO = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) SELECT count(*) FROM n';

  /** [name, policy] of this process's threads (`stat`'s 41st field, counted from the pid). */
  function policies(): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
        out.push([name, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38])]);
      } catch {
        // ended meanwhile
      }
    }
    return out;
  }
  const idleThreads = (): number =>
    policies().filter(([name, policy]) => name === 'strata-read' && policy === 5).length;

  it(
    'runs SQL that took more than the CPU limit on SCHED_IDLE threads from then on, and cheap SQL never',
    { skip },
    async () => {
      const path = nextPath();
      const storage = createSqliteStorage({ path });
      await storage.initialize();
      await storage.close();
      const pool = new ReadPool({ path, size: 1, busyTimeoutMs: 1000, idle: true });
      try {
        assert.equal(pool.size, 2, 'one thread per lane at most');
        assert.deepEqual(await pool.read({ sql: 'SELECT ?', params: [1] }), [[1]]);
        assert.equal(pool.isKnownSlow('SELECT ?'), false);
        assert.deepEqual(await pool.read({ sql: COUNT_TO, params: [3_000_000] }), [[3_000_000]]);
        assert.equal(pool.isKnownSlow(COUNT_TO), true, `more than ${SLOW_STATEMENT_CPU_MS} ms of CPU: known slow`);
        assert.equal(idleThreads(), 0, 'the first run was on the fast lane');
        // The next run of that SQL goes to the slow lane, whose thread is SCHED_IDLE; nothing else of the process is.
        assert.deepEqual(await pool.read({ sql: COUNT_TO, params: [10] }), [[10]]);
        assert.equal(idleThreads(), 1);
        assert.deepEqual(
          policies().filter(([name, policy]) => name !== 'strata-read' && policy !== 0),
          [],
          'no other thread took the policy',
        );
        // That run was cheap: the SQL is back on the fast lane; the cheap SQL never left it.
        assert.equal(pool.isKnownSlow(COUNT_TO), false);
        assert.equal(pool.isKnownSlow('SELECT ?'), false);
        assert.deepEqual(await pool.read({ sql: 'SELECT ?', params: [2] }), [[2]]);
      } finally {
        await pool.close();
      }
    },
  );

  it('without idle, one lane: slow SQL stays on threads under the normal policy', { skip }, async () => {
    const path = nextPath();
    const storage = createSqliteStorage({ path });
    await storage.initialize();
    await storage.close();
    const pool = new ReadPool({ path, size: 1, busyTimeoutMs: 1000 });
    try {
      for (let i = 0; i < 2; i++)
        assert.deepEqual(await pool.read({ sql: COUNT_TO, params: [3_000_000] }), [[3_000_000]]);
      assert.equal(pool.isKnownSlow(COUNT_TO), false);
      assert.equal(idleThreads(), 0);
    } finally {
      await pool.close();
    }
  });
});
