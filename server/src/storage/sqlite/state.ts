import type { ClassSchema } from '../../schema/index.js';
import { conditionToSql } from './condition-sql.js';
import type { ConditionContext } from './condition-sql.js';
import { valuesAtKey } from '../sub-query-values.js';
import type { SqliteDriver } from './driver.js';
import { GroupCommit } from './group-commit.js';
import type { Checkpointer } from './checkpointer.js';
import { ensureTable } from './schema-ddl.js';
import { TableLayout } from './table-layout.js';
import { ensureTextIndex } from './search-index.js';

/** State shared by the storage object and the views handed to transactions. */
export class SqliteState {
  readonly layouts = new WeakMap<ClassSchema, TableLayout>();
  /** The table columns each layout was last checked against (reset by any DDL). */
  readonly synced = new WeakMap<TableLayout, number>();
  /** Each layout's condition context (its closures read the driver at call time, so one per layout serves). */
  private readonly contexts = new WeakMap<TableLayout, ConditionContext>();
  /** Settles when the open transaction ends; other callers wait for it so they don't join it. */
  gate: Promise<void> | null = null;
  savepoints = 0;
  closed = false;
  /** Bounded finds (their SQL) that visited more rows than the budget: they go to the read pool directly. */
  readonly overRowBudget = new Set<string>();
  /** The writes made outside a transaction, committed together (`group-commit.ts`). */
  readonly group: GroupCommit;
  constructor(
    readonly driver: SqliteDriver,
    /** Checkpoints the WAL off the event loop (file databases); told of every group's commit. */
    readonly checkpointer?: Checkpointer,
  ) {
    this.group = new GroupCommit(driver, checkpointer === undefined ? undefined : () => checkpointer.committed());
  }

  rememberOverRowBudget(sql: string): void {
    // Bounded like the statement cache: past it, forgetting costs one more ~1 ms attempt per statement.
    if (this.overRowBudget.size >= 1000) this.overRowBudget.clear();
    this.overRowBudget.add(sql);
  }

  layout(schema: ClassSchema): TableLayout {
    let layout = this.layouts.get(schema);
    if (layout === undefined) {
      layout = new TableLayout(schema);
      this.layouts.set(schema, layout);
    }
    return layout;
  }

  /**
   * Makes sure the table has a column for every declared field. Returns false when the table does not
   * exist and `create` is false (reads of a class that was never written).
   */
  ready(layout: TableLayout, options: { create: boolean }): boolean {
    if (this.synced.get(layout) === this.driver.ddlVersion) return true;
    if (!options.create && this.driver.tableColumns(layout.sqlTable) === undefined) return false;
    ensureTable(this.driver, layout);
    this.synced.set(layout, this.driver.ddlVersion);
    return true;
  }

  /** The condition context of a table: made once per layout (every read compiles its condition with one). */
  context(layout: TableLayout): ConditionContext {
    let context = this.contexts.get(layout);
    if (context === undefined) this.contexts.set(layout, (context = this.newContext(layout)));
    return context;
  }

  private newContext(layout: TableLayout): ConditionContext {
    return {
      layout,
      tableExists: (table) => this.driver.tableColumns(table) !== undefined,
      textIndex: (path) => (path.length === 1 ? ensureTextIndex(this.driver, { layout, field: path[0] }) : undefined),
      subContext: (schema) => {
        const subLayout = this.layout(schema);
        return this.ready(subLayout, { create: false }) ? this.context(subLayout) : undefined;
      },
      selectValues: (options) => {
        // `$select` reads only the selected key of the matched rows (never whole objects of the class).
        const subLayout = this.layout(options.schema);
        if (!this.ready(subLayout, { create: false })) return [];
        const { sql, params } = conditionToSql(options.where, this.context(subLayout));
        const rows = this.driver.allRaw(`SELECT ${subLayout.selectList} FROM ${subLayout.table} WHERE ${sql}`, params);
        const keys = new Set([options.key[0]]);
        return valuesAtKey(
          rows.map((row) => subLayout.decodeRow(row, keys)),
          options.key,
        );
      },
    };
  }
}
