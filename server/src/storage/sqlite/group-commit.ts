import type { SqliteDriver } from './driver.js';
import { toStorageError } from './driver.js';

/** One open group: the writes made since its BEGIN, all acknowledged by one COMMIT. */
interface Group {
  /** Settles when the group's COMMIT has returned (or the group was rolled back). */
  readonly committed: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Group commit for the writes made outside a transaction: the first write opens an IMMEDIATE transaction, every
 * write made before the event loop's next check phase (`setImmediate`: the other requests that arrived in the
 * same poll) joins it, and one COMMIT ends them all. Each write's promise settles only after that COMMIT, so
 * nothing is acknowledged before it is durable (WAL, synchronous=NORMAL: a committed transaction survives a crash
 * of the process); if the COMMIT fails, every write of the group fails and none is acknowledged.
 *
 * Why: a commit costs the WAL frames of every page the transaction touched, their write syscalls, the WAL
 * index update and, every 1,000 pages, a checkpoint on the event loop; ~11 % of a create's server CPU went to
 * BEGIN/COMMIT alone with one commit per write. Writes to the same table touch the same pages, so k writes in
 * one commit cost about one write's commit.
 *
 * A write's own statements roll back alone when they fail: a single statement by SQLite's statement journal, a
 * multi-statement write by its savepoint (`SqliteDriver.atomic` nests as one). An error after which SQLite
 * rolled back the whole transaction (I/O, disk full) fails the group. Readers on this connection wait for the
 * open group's COMMIT (`pending`), so no answer ever shows a write that might not be committed.
 */
export class GroupCommit {
  #open: Group | null = null;

  constructor(private readonly driver: SqliteDriver) {}

  /** The open group's commit, for a reader or a transaction that must not see or join its writes. */
  get pending(): Promise<void> | null {
    return this.#open?.committed ?? null;
  }

  /**
   * Runs `work` (synchronous statements on the connection) in the open group, opening one if none is, and
   * answers its result once the group has committed.
   */
  async write<T>(work: () => T): Promise<T> {
    const group = this.#open ?? this.#begin();
    let result: T;
    try {
      result = work();
    } catch (err) {
      // SQLite rolls the whole transaction back after some errors (I/O, full disk, out of memory): the writes
      // made before this one in the group are gone too.
      if (!this.driver.inTransaction) this.#fail(group, err);
      throw toStorageError(err);
    }
    await group.committed;
    return result;
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
    const group: Group = { committed, resolve, reject };
    this.driver.run('BEGIN IMMEDIATE');
    this.#open = group;
    setImmediate(() => this.#commit(group));
    return group;
  }

  #commit(group: Group): void {
    if (this.#open !== group) return; // failed meanwhile
    this.#open = null;
    try {
      this.driver.run('COMMIT');
    } catch (err) {
      this.#rollBack();
      group.reject(toStorageError(err));
      return;
    }
    group.resolve();
  }

  #fail(group: Group, err: unknown): void {
    if (this.#open === group) this.#open = null;
    this.#rollBack();
    group.reject(toStorageError(err));
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
