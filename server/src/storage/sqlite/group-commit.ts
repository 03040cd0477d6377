import type { SqliteDriver } from './driver.js';
import { toStorageError } from './driver.js';

/** One write of a group: its statements, run when the group has the lock, and its caller's promise. */
interface Queued {
  readonly work: () => unknown;
  readonly resolve: (result: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** One open group: the writes queued since it opened, all run in one transaction and acknowledged by one COMMIT. */
interface Group {
  readonly writes: Queued[];
  /** Settles when the group's COMMIT has returned (or the group failed). */
  readonly committed: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
  /** Attempts at the write lock refused so far, and when the first was. */
  refused: number;
  since: number;
}

/** How long the event loop sleeps between two refused attempts at the write lock: 25 us, doubling, up to 1 ms. */
const FIRST_WAIT_US = 25;
const LONGEST_WAIT_US = 1000;

/**
 * Group commit for the writes made outside a transaction: the first write opens a group, every write made before
 * the event loop's next check phase (`setImmediate`: the other requests that arrived in the same poll) joins it,
 * and there all of them run in one IMMEDIATE transaction that one COMMIT ends. Each write's promise settles only after that COMMIT, so
 * nothing is acknowledged before it is durable (WAL, synchronous=NORMAL: a committed transaction survives a crash
 * of the process); if the COMMIT fails, every write of the group fails and none is acknowledged.
 *
 * Why: a commit costs the WAL frames of every page the transaction touched, their write syscalls, the WAL
 * index update and, every 1,000 pages, a checkpoint on the event loop; ~11 % of a create's server CPU went to
 * BEGIN/COMMIT alone with one commit per write. Writes to the same table touch the same pages, so k writes in
 * one commit cost about one write's commit.
 *
 * The statements run only at that point, so the write lock is held for their SQL alone, not across the requests'
 * other work: with `--workers N` the other processes write meanwhile. When one of them holds the lock, the group
 * does not let SQLite's busy handler sleep (1 ms, 2, 5, 10..., the whole event loop with it): it lets the loop
 * read what arrived (more writes join the group), sleeps a few microseconds and tries again, up to the busy timeout.
 *
 * A write's own statements roll back alone when they fail: a single statement by SQLite's statement journal, a
 * multi-statement write by its savepoint (`SqliteDriver.atomic` nests as one). An error after which SQLite
 * rolled back the whole transaction (I/O, disk full) fails the group. Readers on this connection wait for the
 * open group's COMMIT (`pending`), so no answer ever shows a write that might not be committed.
 */
export class GroupCommit {
  #open: Group | null = null;
  /** For the sleeps between attempts at the lock (`Atomics.wait`: no CPU, microsecond resolution). */
  readonly #sleeper = new Int32Array(new SharedArrayBuffer(4));

  constructor(
    private readonly driver: SqliteDriver,
    /** Told after each group's COMMIT (the WAL checkpointer counts them). */
    private readonly onCommit: () => void = () => {},
  ) {}

  /** The open group's commit, for a reader or a transaction that must not see or join its writes. */
  get pending(): Promise<void> | null {
    return this.#open?.committed ?? null;
  }

  /**
   * Queues `work` (synchronous statements on the connection) in the open group, opening one if none is, and
   * answers its result once the group has committed.
   */
  async write<T>(work: () => T): Promise<T> {
    const group = this.#open ?? this.#begin();
    const result = new Promise<unknown>((resolve, reject) => group.writes.push({ work, resolve, reject }));
    return (await result) as T;
  }

  #begin(): Group {
    let resolve = (): void => {};
    let reject = (_err: unknown): void => {};
    const committed = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group whose every write failed in its own statement has no one awaiting it.
    committed.catch(() => {});
    const group: Group = { writes: [], committed, resolve, reject, refused: 0, since: 0 };
    this.#open = group;
    setImmediate(() => this.#commit(group));
    return group;
  }

  #commit(group: Group): void {
    if (this.#open !== group) return;
    let locked: boolean;
    try {
      locked = this.driver.tryBeginImmediate();
    } catch (err) {
      this.#open = null;
      return this.#failAll(group, { failed: group.writes, err });
    }
    if (!locked) return this.#retry(group);
    this.#open = null;
    const done: Array<{ readonly write: Queued; readonly result: unknown }> = [];
    for (const [i, write] of group.writes.entries()) {
      try {
        done.push({ write, result: write.work() });
      } catch (err) {
        write.reject(toStorageError(err));
        // SQLite rolls the whole transaction back after some errors (I/O, full disk, out of memory): the writes
        // run before this one are gone too, and those after it have not run.
        if (!this.driver.inTransaction) {
          return this.#failAll(group, { failed: done.map((d) => d.write), err, requeued: group.writes.slice(i + 1) });
        }
      }
    }
    try {
      this.driver.run('COMMIT');
    } catch (err) {
      return this.#failAll(group, { failed: done.map((d) => d.write), err });
    }
    group.resolve();
    for (const { write, result } of done) write.resolve(result);
    this.onCommit();
  }

  /**
   * Another process holds the write lock: the next attempt comes after the loop has read what arrived meanwhile
   * and a short sleep; past the busy timeout the group fails with SQLite's own error.
   */
  #retry(group: Group): void {
    const now = performance.now();
    if (group.refused++ === 0) group.since = now;
    if (now - group.since > this.driver.busyTimeoutMs) {
      this.#open = null;
      const err = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      return this.#failAll(group, { failed: group.writes, err });
    }
    const waitUs = Math.min(LONGEST_WAIT_US, FIRST_WAIT_US * 2 ** Math.min(group.refused - 1, 6));
    setImmediate(() => {
      Atomics.wait(this.#sleeper, 0, 0, waitUs / 1000);
      this.#commit(group);
    });
  }

  /**
   * Fails `failed` (and the group's commit) with `err` after rolling back; `requeued` writes, which never ran, go
   * to a new group.
   */
  #failAll(
    group: Group,
    failure: { readonly failed: readonly Queued[]; readonly err: unknown; readonly requeued?: readonly Queued[] },
  ): void {
    const { failed, err, requeued = [] } = failure;
    this.#rollBack();
    const error = toStorageError(err);
    for (const write of failed) write.reject(error);
    group.reject(error);
    if (requeued.length > 0) (this.#open ?? this.#begin()).writes.push(...requeued);
  }

  #rollBack(): void {
    try {
      if (this.driver.inTransaction) this.driver.run('ROLLBACK');
    } finally {
      // The rollback may have undone DDL a write made (a new table or column).
      this.driver.forgetAllTables();
    }
  }
}
