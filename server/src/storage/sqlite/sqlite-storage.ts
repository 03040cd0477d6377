import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type {
  ClassLevelPermissions,
  ClassSchema,
  FieldDefinition,
  IndexOptions,
  IndexSpec,
  ParseValue,
} from '../../schema/index.js';
import type {
  AggregateDocument,
  AggregateOptions,
  DistinctOptions,
  GlobalConfigChange,
  GlobalConfigData,
} from '../aggregate-types.js';
import type {
  FindOptions,
  RelationEdge,
  RequestIdClaim,
  RequestIdState,
  StorageAdapter,
  StoragePoolStats,
  StorageTransaction,
  StoredObject,
  UpdatedObject,
  UpdateSpec,
} from '../adapter.js';
import { compileAggregate, decodeAggregateRows, distinctPlan } from './aggregate.js';
import { applyUpdate } from '../apply-update.js';
import { conditionToSql, sortToSql } from './condition-sql.js';
import { ROWS_LEFT_SQL, toStorageError } from './driver.js';
import type { ReadPool } from './read-pool.js';
import { ROW_BUDGET, allCheap, isPointRead, sqlLimit } from './read-routing.js';
import { readGlobalConfig, readGraphQLConfig, writeGlobalConfig, writeGraphQLConfig } from './global-config.js';
import { claimRequestId, completeRequestId, releaseRequestId } from './request-ids.js';
import type { RawRow, SqliteDriver } from './driver.js';
import { joinTableSqlName, quote } from './names.js';
import { ensureJoinTable } from './schema-ddl.js';
import * as schemaStore from './schema-store.js';
import type { SqliteState } from './state.js';
import { orderBySql, scoreColumnSql, withScore } from './search-order.js';
import type { SqlPart } from './search-order.js';
import type { TableLayout } from './table-layout.js';

/**
 * The SQLite `StorageAdapter`. Every method runs synchronously on the one connection once it starts, so
 * operations never interleave; `transaction()` holds the others back (the gate) until its work settles.
 * Inside the work, use `tx.storage` only: a call on the outer adapter waits for the transaction to end,
 * which never happens while the work awaits it.
 */
export class SqliteStorage implements StorageAdapter {
  readonly kind = 'sqlite' as const;

  constructor(
    private readonly state: SqliteState,
    /** Set on the view given to a transaction's work while that transaction is open. */
    private readonly txScope: { open: boolean } | null,
    private readonly pool: ReadPool | undefined,
  ) {}

  /**
   * The read pool, for a read that may take a while: outside a transaction (whose reads must see its own
   * uncommitted writes, on this connection) and unless the condition pins one row by objectId with nothing
   * costly beside it (a get: a message to a thread would cost more than the read).
   */
  private poolFor(where: Condition): ReadPool | undefined {
    if (this.pool === undefined || (this.txScope !== null && this.txScope.open)) return undefined;
    return isPointRead(where) ? undefined : this.pool;
  }

  /**
   * Runs a compiled SELECT (the table's existence and columns were checked on this connection first): on a pool
   * thread when there is one, else here through `run()` again, as a transaction or write group may have opened
   * since the compiling call's gate check.
   */
  private async rows(options: {
    pool: ReadPool | undefined;
    sql: string;
    params: readonly unknown[];
    budgetMs: number | undefined;
  }): Promise<RawRow[]> {
    const { pool, sql, params } = options;
    if (pool === undefined) return this.run(() => this.driver.allRaw(sql, params));
    return pool.read({ sql, params, ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }) });
  }

  private get driver(): SqliteDriver {
    return this.state.driver;
  }

  /** Whether this view belongs to a transaction that is open (its calls run at once, inside it). */
  private get inOpenTransaction(): boolean {
    return this.txScope !== null && this.txScope.open;
  }

  /**
   * Runs a read (or a write that is not an object write) on the connection: outside a transaction, once no
   * transaction is open and the open write group has committed (so it never sees a write that is not durable).
   */
  private async run<T>(work: () => T): Promise<T> {
    if (!this.inOpenTransaction) {
      for (let waitFor = this.blocker(); waitFor !== null; waitFor = this.blocker()) await waitFor;
    }
    if (this.state.closed)
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'The SQLite storage is closed.' });
    try {
      return work();
    } catch (err) {
      throw toStorageError(err);
    }
  }

  /**
   * What a call outside the transaction must wait for: the open transaction, else the write group waiting for its
   * COMMIT; null when neither. Callers loop on it and start their work with no await after the last check.
   */
  private blocker(): Promise<unknown> | null {
    // A failed group's writes fail on their own; others only wait for it to end.
    return this.state.gate ?? this.state.group.pending?.catch(() => {}) ?? null;
  }

  /**
   * Runs an object write: inside an open transaction at once, else in the connection's write group
   * (`group-commit.ts`), answering once the group's COMMIT has returned.
   */
  private async write<T>(work: () => T): Promise<T> {
    if (this.inOpenTransaction) return this.run(work);
    while (this.state.gate !== null) await this.state.gate;
    if (this.state.closed)
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'The SQLite storage is closed.' });
    try {
      return await this.state.group.write(work);
    } catch (err) {
      throw toStorageError(err);
    }
  }

  initialize(): Promise<void> {
    return this.run(() => schemaStore.initializeTables(this.state));
  }

  ping(): Promise<void> {
    return this.run(() => {
      this.driver.get('SELECT 1');
    });
  }

  /** The writing connection (never waited for: it runs synchronously) plus the read pool's threads. */
  poolStats(): StoragePoolStats {
    if (this.state.closed) return { size: 0, inUse: 0, waiting: 0 };
    const pool = this.pool?.stats() ?? { inUse: 0, waiting: 0 };
    return { size: 1 + (this.pool?.size ?? 0), ...pool };
  }

  async close(): Promise<void> {
    if (this.txScope !== null) return; // a transaction's view does not own the connection
    for (let waitFor = this.blocker(); waitFor !== null; waitFor = this.blocker()) await waitFor;
    this.state.closed = true;
    await this.pool?.close();
    await this.state.checkpointer?.close();
    this.driver.close();
  }

  // ---- SchemaStore ----

  loadSchemas(): Promise<ClassSchema[]> {
    return this.run(() => schemaStore.loadSchemas(this.driver));
  }

  createClass(schema: ClassSchema): Promise<void> {
    return this.run(() => schemaStore.createClass(this.state, schema));
  }

  addFields(options: { className: string; fields: Readonly<Record<string, FieldDefinition>> }): Promise<void> {
    return this.run(() => schemaStore.addFields(this.state, options));
  }

  deleteFields(options: { schema: ClassSchema; fieldNames: readonly string[] }): Promise<void> {
    return this.run(() => schemaStore.deleteFields(this.driver, options));
  }

  setClassLevelPermissions(options: {
    className: string;
    classLevelPermissions: ClassLevelPermissions;
  }): Promise<void> {
    return this.run(() => schemaStore.setClassLevelPermissions(this.driver, options));
  }

  createIndex(options: { schema: ClassSchema; name: string; spec: IndexSpec; options?: IndexOptions }): Promise<void> {
    return this.run(() => schemaStore.createIndex(this.state, options));
  }

  dropIndex(options: { className: string; name: string }): Promise<void> {
    return this.run(() => schemaStore.dropIndex(this.driver, options));
  }

  deleteClass(options: { schema: ClassSchema }): Promise<void> {
    return this.run(() => schemaStore.deleteClass(this.driver, options));
  }

  // ---- objects ----

  insert(options: { schema: ClassSchema; object: StoredObject }): Promise<void> {
    return this.write(() => {
      const layout = this.state.layout(options.schema);
      this.state.ready(layout, { create: true });
      this.driver.run(layout.insertSql, layout.insertParams(options.object));
    });
  }

  /** Rows matching `query.where`; `tail` (ORDER BY / LIMIT) is appended with its own `tailParams`. */
  private select(
    layout: TableLayout,
    query: { where: Condition; tail?: string; tailParams?: readonly unknown[]; columns?: SqlPart },
  ): ReturnType<SqliteDriver['allRaw']> {
    const { tail = '', tailParams = [], columns } = query;
    const { sql, params } = conditionToSql(query.where, this.state.context(layout));
    return this.driver.allRaw(
      `SELECT ${layout.selectList}${columns?.sql ?? ''} FROM ${layout.table} WHERE ${sql}${tail}`,
      [...(columns?.params ?? []), ...params, ...tailParams],
    );
  }

  updateOne(options: { schema: ClassSchema; where: Condition; update: UpdateSpec }): Promise<UpdatedObject | null> {
    return this.write(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return null;
      // The read, the change and the write share one IMMEDIATE transaction: `before` is exactly what was replaced.
      const readModifyWrite = (): UpdatedObject | null => {
        const [row] = this.select(layout, { where: options.where, tail: ' LIMIT 1' });
        if (row === undefined) return null;
        const before = layout.decodeRow(row);
        const after = applyUpdate(before, options.update);
        this.driver.run(layout.updateSql, layout.updateParams(after));
        return { before, after };
      };
      // Already inside one (a write group's, or the caller's transaction), no savepoint is needed: the one UPDATE
      // rolls back alone if it fails (statement journal) and nothing before it wrote. A savepoint cost ~1 us.
      return this.driver.inTransaction ? readModifyWrite() : this.driver.atomic(readModifyWrite);
    });
  }

  updateMany(options: { schema: ClassSchema; where: Condition; update: UpdateSpec }): Promise<number> {
    return this.write(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return 0;
      return this.driver.atomic(() => {
        const rows = this.select(layout, { where: options.where });
        for (const row of rows) {
          const next = applyUpdate(layout.decodeRow(row), options.update);
          this.driver.run(layout.updateSql, layout.updateParams(next));
        }
        return rows.length;
      });
    });
  }

  deleteMany(options: { schema: ClassSchema; where: Condition }): Promise<number> {
    return this.write(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return 0;
      const { sql, params } = conditionToSql(options.where, this.state.context(layout));
      return this.driver.run(`DELETE FROM ${layout.table} WHERE ${sql}`, params);
    });
  }

  deleteReturning(options: { schema: ClassSchema; where: Condition }): Promise<StoredObject[]> {
    return this.write(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return [];
      const { sql, params } = conditionToSql(options.where, this.state.context(layout));
      // One statement: the rows come back as they were when deleted (SQLite ≥ 3.35 RETURNING).
      return this.driver
        .allRaw(`DELETE FROM ${layout.table} WHERE ${sql} RETURNING ${layout.selectList}`, params)
        .map((row) => layout.decodeRow(row));
    });
  }

  async find(options: FindOptions): Promise<StoredObject[]> {
    const pool = this.poolFor(options.where);
    // A read bound for a thread whose condition costs little per row is first tried here with a row budget:
    // most such reads (a page of an index, a narrow range) visit a few dozen rows, far cheaper than the trip to
    // a thread; one that visits more is stopped within ~1 ms and goes to the pool, as its SQL will from then on.
    const tryHere = pool !== undefined && allCheap(options.where);
    const compiled = await this.run(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return undefined;
      // ORDER BY: the explicit keys, `$score` as relevance, and distance for `$nearSphere` (search-order.ts).
      const ctx = this.state.context(layout);
      const order = orderBySql({ where: options.where, sort: options.sort, ctx });
      let tail = order.sql;
      const tailParams: unknown[] = [...order.params];
      if (options.limit !== undefined || (options.skip ?? 0) > 0) {
        // The limit is written into the SQL as a literal, the offset is bound. SQLite plans with a bound LIMIT's
        // value, so binding it marks the statement to be compiled again at every run (a get spent 3/4 of its
        // SQLite time re-preparing); an integer literal keeps the cached statement as it is, and the few limits
        // clients use give few statements.
        tail += ` LIMIT ${sqlLimit(options.limit)} OFFSET ?`;
        tailParams.push(Math.max(0, Math.trunc(options.skip ?? 0)));
      }
      const score = scoreColumnSql({ where: options.where, keys: options.keys, ctx });
      const { sql, params } = conditionToSql(options.where, ctx);
      const select = `SELECT ${layout.selectList}${score?.sql ?? ''} FROM ${layout.table} WHERE `;
      const allParams = [...(score?.params ?? []), ...params, ...tailParams];
      const bounded = tryHere ? `${select}${ROWS_LEFT_SQL} AND (${sql})${tail}` : undefined;
      const whole = `${select}${sql}${tail}`;
      // In the same turn as the gate check: no transaction can have begun on this connection meanwhile. Without a
      // pool the whole read runs here too (after the await, another request's transaction may be open on it).
      const here =
        pool === undefined
          ? this.driver.allRaw(whole, allParams)
          : bounded === undefined || this.state.overRowBudget.has(bounded)
            ? undefined
            : this.driver.allRawWithin(bounded, allParams, ROW_BUDGET);
      if (here === undefined && bounded !== undefined) this.state.rememberOverRowBudget(bounded);
      return { layout, score, sql: whole, params: allParams, here };
    });
    if (compiled === undefined) return [];
    const { layout, score } = compiled;
    const rows =
      compiled.here ??
      (await this.rows({ pool, sql: compiled.sql, params: compiled.params, budgetMs: options.maxTimeMs }));
    const keys = options.keys === undefined ? undefined : new Set(options.keys);
    return rows.map((row) =>
      score === undefined ? layout.decodeRow(row, keys) : withScore(layout.decodeRow(row, keys), row),
    );
  }

  /** `EXPLAIN QUERY PLAN` of the find's statement: `{ id, parent, detail }` rows (hints are ignored on SQLite). */
  explain(options: FindOptions): Promise<unknown> {
    return this.run(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return [];
      const { sql, params } = conditionToSql(options.where, this.state.context(layout));
      const order =
        options.sort !== undefined && options.sort.length > 0 ? ` ORDER BY ${sortToSql(options.sort, layout)}` : '';
      return this.driver
        .all(`EXPLAIN QUERY PLAN SELECT ${layout.selectList} FROM ${layout.table} WHERE ${sql}${order}`, params)
        .map((row) => ({ id: row['id'], parent: row['parent'], detail: row['detail'] }));
    });
  }

  async count(options: { schema: ClassSchema; where: Condition; maxTimeMs?: number }): Promise<number> {
    const pool = this.poolFor(options.where);
    const compiled = await this.run(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return undefined;
      const { sql, params } = conditionToSql(options.where, this.state.context(layout));
      return { sql: `SELECT count(*) AS n FROM ${layout.table} WHERE ${sql}`, params };
    });
    if (compiled === undefined) return 0;
    const [row] = await this.rows({ pool, ...compiled, budgetMs: options.maxTimeMs });
    return Number(row?.[0] ?? 0);
  }

  /**
   * The largest rowid: one step down the table's b-tree. Rows get increasing rowids (the tables have no
   * INTEGER PRIMARY KEY and are never vacuumed by us), so this is the row count plus the rows deleted in
   * between; an empty table answers 0.
   */
  async estimateCount(options: { schema: ClassSchema }): Promise<number> {
    return this.run(() => {
      const layout = this.state.layout(options.schema);
      if (!this.state.ready(layout, { create: false })) return 0;
      const [row] = this.driver.allRaw(`SELECT max(rowid) FROM ${layout.table}`, []);
      return Number(row?.[0] ?? 0);
    });
  }

  // ---- aggregate, distinct, Parse Config ----

  /** On a read thread outside a transaction: a pipeline over a large class is a scan, stopped at its budget. */
  async aggregate(options: AggregateOptions): Promise<AggregateDocument[]> {
    const pool = this.inOpenTransaction ? undefined : this.pool;
    const compiled = await this.run(() => compileAggregate(this.state, options));
    if (compiled === undefined) return [];
    return decodeAggregateRows(await this.rows({ pool, ...compiled, budgetMs: options.maxTimeMs }));
  }

  async distinct(options: DistinctOptions): Promise<ParseValue[]> {
    const { pipeline, decode } = distinctPlan(options);
    const budget = options.maxTimeMs === undefined ? {} : { maxTimeMs: options.maxTimeMs };
    return decode(await this.aggregate({ schema: options.schema, pipeline, ...budget }));
  }

  getGlobalConfig(): Promise<GlobalConfigData> {
    return this.run(() => readGlobalConfig(this.driver));
  }

  updateGlobalConfig(change: GlobalConfigChange): Promise<void> {
    return this.run(() => writeGlobalConfig(this.driver, change));
  }

  getGraphQLConfig(): Promise<Record<string, unknown>> {
    return this.run(() => readGraphQLConfig(this.driver));
  }

  setGraphQLConfig(config: Readonly<Record<string, unknown>>): Promise<void> {
    return this.run(() => writeGraphQLConfig(this.driver, config));
  }

  claimRequestId(claim: RequestIdClaim): Promise<RequestIdState> {
    return this.run(() => claimRequestId(this.driver, claim));
  }

  completeRequestId(options: { reqId: string; token: string; response: string | undefined }): Promise<void> {
    return this.run(() => completeRequestId(this.driver, options));
  }

  releaseRequestId(options: { reqId: string; token: string }): Promise<void> {
    return this.run(() => releaseRequestId(this.driver, options));
  }

  addRelation(edge: RelationEdge): Promise<void> {
    return this.write(() => {
      const joinTable = joinTableSqlName(edge.ownerClass, edge.field);
      ensureJoinTable(this.driver, joinTable);
      this.driver.run(`INSERT OR IGNORE INTO ${quote(joinTable)} ("owningId", "relatedId") VALUES (?, ?)`, [
        edge.owningId,
        edge.relatedId,
      ]);
    });
  }

  removeRelation(edge: RelationEdge): Promise<void> {
    return this.write(() => {
      const joinTable = joinTableSqlName(edge.ownerClass, edge.field);
      if (this.driver.tableColumns(joinTable) === undefined) return;
      this.driver.run(`DELETE FROM ${quote(joinTable)} WHERE "owningId" = ? AND "relatedId" = ?`, [
        edge.owningId,
        edge.relatedId,
      ]);
    });
  }

  async transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    if (this.txScope !== null && this.txScope.open) return this.savepoint(work);
    // Check and take the gate with no await in between, so two transactions cannot both get through (nor begin
    // while a write group is open).
    for (let waitFor = this.blocker(); waitFor !== null; waitFor = this.blocker()) await waitFor;
    if (this.state.closed)
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'The SQLite storage is closed.' });
    let release = (): void => {};
    this.state.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const scope = { open: true };
    try {
      this.driver.run('BEGIN IMMEDIATE');
      try {
        const result = await work({ storage: new SqliteStorage(this.state, scope, undefined) });
        this.driver.run('COMMIT');
        return result;
      } catch (err) {
        if (this.driver.inTransaction) this.driver.run('ROLLBACK');
        this.driver.forgetAllTables();
        throw err;
      }
    } finally {
      scope.open = false;
      this.state.gate = null;
      release();
    }
  }

  /** A transaction inside a transaction: a SAVEPOINT that rolls back alone when its work throws. */
  private async savepoint<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    const name = `strata_sp_${++this.state.savepoints}`;
    this.driver.run(`SAVEPOINT ${name}`);
    try {
      const result = await work({ storage: this });
      this.driver.run(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.driver.run(`ROLLBACK TO ${name}`);
      this.driver.run(`RELEASE ${name}`);
      this.driver.forgetAllTables();
      throw err;
    }
  }
}
