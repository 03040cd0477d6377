import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { ErrorCode, ParseError } from '../../errors/index.js';
import { RegexCache } from '../../query/index.js';
import { registerGeoFunctions } from './geo-functions.js';
import type { SqlValue } from './value-codec.js';

export interface SqliteDriverOptions {
  /** A file path, or `:memory:`. */
  readonly path: string;
  /** How long a write waits for another process's lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** A read-only connection to an existing file (the read pool's threads): no pragmas that write. */
  readonly readonly?: boolean;
}

export type Row = Record<string, SqlValue>;
/** A row as an array, in the statement's select-list order. */
export type RawRow = readonly SqlValue[];

const MAX_CACHED_STATEMENTS = 1000;
/** Each compiled RE2 program may hold a few MB of DFA states, so few are kept. */
const MAX_CACHED_REGEXPS = 64;
/** Thrown by `strata_rows_left` when a bounded statement visits one row too many (never leaves the driver). */
const OVER_ROW_BUDGET = Symbol('strata.overRowBudget');

/**
 * The SQL function a bounded read's WHERE starts with: `strata_rows_left(rowid) AND (...)`. Every row the
 * statement visits calls it before any other term (an expression on the rowid alone is covered by every index,
 * so SQLite tests it first, even before reading the row), and past the budget it stops the statement.
 */
export const ROWS_LEFT_SQL = 'strata_rows_left(rowid)';

/**
 * The SQLite driver: one better-sqlite3 connection with Strata's pragmas, a prepared-statement cache
 * keyed by SQL text, the `regexp` user function, a cache of each table's columns, and error mapping to
 * ParseError. It knows nothing about Parse values or conditions (that is the dialect's job).
 */
export class SqliteDriver {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private readonly rawStatements = new Map<string, Statement>();
  private readonly regexps = new RegexCache(MAX_CACHED_REGEXPS);
  private readonly columns = new Map<string, ReadonlySet<string>>();
  /** Bumped whenever DDL may have changed a table, so callers can tell their cached checks are stale. */
  ddlVersion = 0;
  /**
   * One transaction function for every `atomic` call, the work passed as its argument: better-sqlite3 builds a
   * new wrapper (four variants, defined properties) per `db.transaction(fn)`, about 5 us on every write.
   */
  private readonly atomicRun: Database.Transaction<(work: () => unknown) => unknown>;
  /** Rows a bounded statement (`allRawWithin`) may still visit; unbounded otherwise. */
  private rowsLeft = Number.POSITIVE_INFINITY;
  /** How long a statement waits for another process's lock (SQLite's busy handler, which sleeps 1 ms and more). */
  readonly busyTimeoutMs: number;
  /** `tryBeginImmediate`'s statements, prepared once: busy timeout off, BEGIN IMMEDIATE, busy timeout back on. */
  private readonly tryBegin: { readonly noWait: Statement; readonly begin: Statement; readonly wait: Statement };

  constructor(options: SqliteDriverOptions) {
    try {
      const readonly = options.readonly === true;
      this.db = new Database(options.path, readonly ? { readonly, fileMustExist: true } : {});
      if (!readonly) {
        // WAL + NORMAL: a committed transaction survives a crash of the process (not of the OS). WAL also lets
        // readers (the read pool, other worker processes) read while one writer writes.
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
      }
      this.db.pragma('foreign_keys = OFF');
      this.busyTimeoutMs = Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000));
      this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      this.tryBegin = {
        noWait: this.db.prepare('PRAGMA busy_timeout = 0'),
        begin: this.db.prepare('BEGIN IMMEDIATE'),
        wait: this.db.prepare(`PRAGMA busy_timeout = ${this.busyTimeoutMs}`),
      };
      this.db.function('regexp', { varargs: true, deterministic: true }, (...args: unknown[]) => this.regexp(args));
      // Not deterministic: SQLite must call it for every row, never once for the statement. One argument (the
      // rowid: better-sqlite3 takes the arity from the parameter list), unused.
      this.db.function('strata_rows_left', { deterministic: false }, (_rowid: unknown) => {
        this.rowsLeft -= 1;
        if (this.rowsLeft < 0) throw OVER_ROW_BUDGET;
        return 1;
      });
      registerGeoFunctions(this.db);
      this.atomicRun = this.db.transaction((work: () => unknown) => work());
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /** `regexp(pattern, value)` (the REGEXP operator) or `regexp(pattern, flags, value)`: 1, or 0 on no match. */
  private regexp(args: readonly unknown[]): number {
    const [pattern, flagsOrValue, maybeValue] = args;
    const flags = args.length >= 3 ? flagsOrValue : '';
    const value = args.length >= 3 ? maybeValue : flagsOrValue;
    if (typeof pattern !== 'string' || typeof flags !== 'string' || typeof value !== 'string') return 0;
    // RE2 (linear time): a client's pattern runs here, on the event loop, once per row. A bad pattern
    // matches nothing instead of failing the query (the parser refused it already).
    const re = this.regexps.get({ pattern, flags });
    return re !== null && re.test(value) ? 1 : 0;
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.forgetStatements();
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  run(sql: string, params: readonly unknown[] = []): number {
    try {
      return this.statement(sql).run(...params).changes;
    } catch (err) {
      throw toStorageError(err);
    }
  }

  get(sql: string, params: readonly unknown[] = []): Row | undefined {
    try {
      return this.statement(sql).get(...params) as Row | undefined;
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /**
   * Rows as arrays in select-list order: better-sqlite3 then skips building one keyed object per row, which
   * was a measurable share of every find (the hottest read path).
   */
  allRaw(sql: string, params: readonly unknown[] = []): RawRow[] {
    try {
      return this.rawStatement(sql).all(...params) as RawRow[];
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /**
   * `allRaw` for a statement whose WHERE starts with `ROWS_LEFT_SQL`: `undefined`, having stopped it, once it
   * visits more than `maxRows` rows. A read that cannot be known cheap in advance runs here on the calling thread
   * with bounded work, instead of paying a trip to a read thread.
   */
  allRawWithin(sql: string, params: readonly unknown[], maxRows: number): RawRow[] | undefined {
    this.rowsLeft = maxRows;
    try {
      return this.rawStatement(sql).all(...params) as RawRow[];
    } catch (err) {
      if (err === OVER_ROW_BUDGET) return undefined;
      throw toStorageError(err);
    } finally {
      this.rowsLeft = Number.POSITIVE_INFINITY;
    }
  }

  private rawStatement(sql: string): Statement {
    let stmt = this.rawStatements.get(sql);
    if (stmt === undefined) {
      if (this.rawStatements.size >= MAX_CACHED_STATEMENTS) this.forgetStatements();
      stmt = this.db.prepare(sql).raw(true);
      this.rawStatements.set(sql, stmt);
    }
    return stmt;
  }

  all(sql: string, params: readonly unknown[] = []): Row[] {
    try {
      return this.statement(sql).all(...params) as Row[];
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /** Runs DDL or several statements (not cached). Drops every cached statement, since the schema changed. */
  exec(sql: string): void {
    try {
      this.db.exec(sql);
    } catch (err) {
      throw toStorageError(err);
    } finally {
      this.forgetStatements();
      this.ddlVersion++;
    }
  }

  pragma(source: string): unknown {
    try {
      return this.db.pragma(source);
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /**
   * Runs `work` synchronously in one IMMEDIATE transaction (or a savepoint when one is already open), so a
   * read-modify-write cannot interleave with another writer, in this process or another one.
   */
  atomic<T>(work: () => T): T {
    try {
      return this.atomicRun.immediate(work) as T;
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /**
   * BEGIN IMMEDIATE without waiting: false at once when another process holds the write lock (SQLITE_BUSY), where
   * SQLite's own busy handler would put the whole event loop to sleep for 1 ms, then 2, 5, 10... The caller
   * retries when it sees fit (`group-commit.ts`); every other statement still waits with the busy timeout.
   */
  tryBeginImmediate(): boolean {
    const { noWait, begin, wait } = this.tryBegin;
    // A refusal is expected under load: no stack trace for it (capturing one cost ~20 us per attempt).
    const stackTraceLimit = Error.stackTraceLimit;
    noWait.get();
    try {
      Error.stackTraceLimit = 0;
      begin.run();
      return true;
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_BUSY') return false;
      throw toStorageError(err);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
      wait.get();
    }
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** The columns of a table (unquoted SQL name), or `undefined` when the table does not exist. Cached. */
  tableColumns(table: string): ReadonlySet<string> | undefined {
    const cached = this.columns.get(table);
    if (cached !== undefined) return cached;
    const rows = this.all('SELECT name FROM pragma_table_info(?)', [table]);
    if (rows.length === 0) return undefined;
    const names = new Set(rows.map((row) => String(row['name'])));
    this.columns.set(table, names);
    return names;
  }

  /** Prepared statements may describe tables DDL has since changed: drop both caches. */
  private forgetStatements(): void {
    this.statements.clear();
    this.rawStatements.clear();
  }

  /**
   * Forgets every cached fact about every table: after a rollback, which may have undone DDL (a table or
   * column created inside the transaction no longer exists).
   */
  forgetAllTables(): void {
    this.ddlVersion++;
    this.columns.clear();
    this.forgetStatements();
  }

  /** Forgets cached facts about a table after DDL touched it. */
  forgetTable(table: string): void {
    this.ddlVersion++;
    this.columns.delete(table);
    this.forgetStatements();
  }

  close(): void {
    this.forgetStatements();
    if (this.db.open) this.db.close();
  }

  get isOpen(): boolean {
    return this.db.open;
  }
}

function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/**
 * What SQLite says when a statement is beyond its compile-time limits: too many bound values, an expression
 * nested or chained too deep, a compound select or a LIKE pattern too big, a string or blob too long. Each is
 * caused by the size of what was asked (a huge `$in`, `$all` or `$or`, mostly sent with the master key,
 * which the query cost limit exempts), not by a fault of the server.
 */
const TOO_BIG =
  /too many SQL variables|Expression tree is too large|too many terms in compound SELECT|parser stack overflow|too many arguments on function|LIKE or GLOB pattern too complex|string or blob too big/i;

/**
 * Unique violations → 137 DUPLICATE_VALUE; a statement over SQLite's limits → 102 INVALID_QUERY; ParseErrors
 * pass through; anything else → 1 with `cause`.
 */
export function toStorageError(err: unknown): ParseError {
  if (err instanceof ParseError) return err;
  const code = sqliteCode(err);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new ParseError(ErrorCode.DUPLICATE_VALUE, { cause: err });
  }
  if (err instanceof Error && (code === 'SQLITE_ERROR' || code === 'SQLITE_TOOBIG') && TOO_BIG.test(err.message)) {
    return new ParseError(ErrorCode.INVALID_QUERY, {
      message: `Query is too complex for the database (${err.message}).`,
      cause: err,
    });
  }
  return new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: err });
}

/** True for the driver error SQLite raises when a column exists already (a concurrent addFields). */
export function isDuplicateColumnError(err: unknown): boolean {
  const cause = err instanceof ParseError ? err.cause : err;
  return cause instanceof Error && /duplicate column name/i.test(cause.message);
}
