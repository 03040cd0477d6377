import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { parseCommandLine, resolveOptions } from './config/index.js';
import { ParseError } from './errors/index.js';
import { startTestServer } from './testing/test-server.test-util.js';
import type { TestServer } from './testing/test-server.test-util.js';

// `--sqlite-read-nice` and `--sqlite-read-idle`: a real app with read threads, asked for counts (which always run
// on a thread), then this process's threads as Linux lists them in /proc/self/task/<tid>/{comm,stat}: the read
// threads (named `strata-read`) run the configured steps below the server's priority and, by default, under the
// SCHED_IDLE policy; the main thread keeps its own priority and policy.
const perThreadNice = existsSync('/proc/thread-self');
const hasChrt = perThreadNice && spawnSync('chrt', ['--version']).status === 0;
const SCHED_OTHER = 0;

interface OsThread {
  readonly tid: number;
  readonly name: string;
  readonly nice: number;
  readonly policy: number;
}

/**
 * This process's threads; `stat`'s 19th field is the nice value and its 41st the scheduling policy (fields
 * counted from the pid, so the indexes below are three less, after the `(comm)` one).
 */
function threads(): OsThread[] {
  const out: OsThread[] = [];
  for (const entry of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const name = readFileSync(`/proc/self/task/${entry}/comm`, 'utf8').trim();
      out.push({ tid: Number(entry), name, nice: Number(fields[16]), policy: Number(fields[38]) });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** Starts the read threads: two counts at once take one thread each (a count never runs on the main connection). */
async function useReadThreads(server: TestServer): Promise<void> {
  const created = await server.call({ method: 'POST', path: '/classes/Item', body: { n: 1 } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const counts = await Promise.all(
    [1, 2].map(() => server.call({ path: `/classes/Item?count=1&limit=0&where=${encodeURIComponent('{"n":1}')}` })),
  );
  for (const counted of counts) assert.deepEqual(counted.body, { results: [], count: 1 });
}

async function readThreadsOf(overrides: {
  sqliteReadNice?: number;
  sqliteReadIdle?: boolean;
}): Promise<{ read: OsThread[]; main: OsThread }> {
  const server = await startTestServer({ sqliteReadThreads: 2, ...overrides });
  try {
    await useReadThreads(server);
    const listed = threads();
    const main = listed.find((t) => t.tid === process.pid);
    assert.ok(main !== undefined, 'the main thread is listed');
    return { read: listed.filter((t) => t.name === 'strata-read'), main };
  } finally {
    await server.close();
  }
}

async function niceOfReadThreads(overrides: { sqliteReadNice: number }): Promise<{ read: number[]; main: number }> {
  const { read, main } = await readThreadsOf(overrides);
  return { read: read.map((t) => t.nice), main: main.nice };
}

describe('sqlite read threads run below the server priority (--sqlite-read-nice)', () => {
  const skip = perThreadNice ? false : 'no /proc/thread-self: per-thread nice is Linux only (the option does nothing)';
  const own = getPriority();

  it('runs every read thread at the configured nice, and leaves the main thread at its own', { skip }, async () => {
    const { read, main } = await niceOfReadThreads({ sqliteReadNice: 7 });
    assert.ok(read.length >= 1 && read.length <= 2, `one or two read threads, got ${read.length}`);
    assert.deepEqual(
      read,
      read.map(() => Math.min(19, own + 7)),
    );
    assert.equal(main, own);
  });

  it('0 keeps the read threads at the server priority', { skip }, async () => {
    const { read, main } = await niceOfReadThreads({ sqliteReadNice: 0 });
    assert.ok(read.length >= 1, 'the read threads are named and listed');
    assert.deepEqual(
      read,
      read.map(() => own),
    );
    assert.equal(main, own);
  });

  it('defaults to 10 and refuses values outside 0..19 with the option named', () => {
    assert.equal(resolveOptions({ cwd: '/srv', env: {} }).sqliteReadNice, 10);
    assert.equal(resolveOptions({ cwd: '/srv', env: { STRATA_SQLITE_READ_NICE: '0' } }).sqliteReadNice, 0);
    const refusal = (argv: string[], env: Record<string, string> = {}): string => {
      try {
        resolveOptions({ flags: parseCommandLine(argv).flags, env, cwd: '/srv' });
      } catch (err) {
        assert.ok(err instanceof ParseError);
        return err.message;
      }
      return 'accepted';
    };
    assert.equal(
      refusal(['--sqlite-read-nice', '20']),
      '--sqlite-read-nice: expected an integer between 0 and 19, got "20"',
    );
    assert.equal(
      refusal([], { STRATA_SQLITE_READ_NICE: '-1' }),
      'STRATA_SQLITE_READ_NICE: expected an integer between 0 and 19, got "-1"',
    );
    assert.equal(
      refusal(['--sqlite-read-nice', 'low']),
      '--sqlite-read-nice: expected an integer between 0 and 19, got "low"',
    );
  });
});

describe('sqlite read threads and SCHED_IDLE (--sqlite-read-idle)', () => {
  const skip = hasChrt ? false : 'no /proc/thread-self or no util-linux `chrt`: the threads keep the nice value only';

  // Which SQL goes to the SCHED_IDLE threads (SQL that once took > 20 ms of CPU) is read-pool.test.ts's.
  it(
    'by default cheap reads (counts) run on threads under the normal policy, at the nice value',
    { skip },
    async () => {
      const { read, main } = await readThreadsOf({ sqliteReadNice: 10 });
      assert.ok(read.length >= 1, 'the read threads are named and listed');
      assert.deepEqual(
        read.map((t) => [t.policy, t.nice]),
        read.map(() => [SCHED_OTHER, Math.min(19, getPriority() + 10)]),
      );
      assert.equal(main.policy, SCHED_OTHER);
    },
  );

  it('defaults to on; --no-sqlite-read-idle and STRATA_SQLITE_READ_IDLE=false turn it off', () => {
    assert.equal(resolveOptions({ cwd: '/srv', env: {} }).sqliteReadIdle, true);
    assert.equal(
      resolveOptions({ cwd: '/srv', env: {}, flags: parseCommandLine(['--no-sqlite-read-idle']).flags }).sqliteReadIdle,
      false,
    );
    assert.equal(resolveOptions({ cwd: '/srv', env: { STRATA_SQLITE_READ_IDLE: 'false' } }).sqliteReadIdle, false);
  });
});
