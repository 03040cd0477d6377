import { isPlainObject } from '../../schema/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { GlobalConfigChange, GlobalConfigData } from '../aggregate-types.js';
import type { SqliteDriver } from './driver.js';
import { GLOBAL_CONFIG_TABLE, GRAPHQL_CONFIG_TABLE, quote } from './names.js';
import { parseJsonText, toJson } from './value-codec.js';

/**
 * Parse Config on SQLite: one row (`objectId` "1", as parse-server's `_GlobalConfig` document) in the
 * `_GlobalConfig` table, with `params` as JSON in the SQLite codec's form and `masterKeyOnly` flags.
 */
const TABLE = quote(GLOBAL_CONFIG_TABLE);

function ensureTable(driver: SqliteDriver): void {
  driver.exec(
    `CREATE TABLE IF NOT EXISTS ${TABLE} ("objectId" TEXT PRIMARY KEY, "params" TEXT NOT NULL, "masterKeyOnly" TEXT NOT NULL)`,
  );
}

function exists(driver: SqliteDriver): boolean {
  return driver.tableColumns(GLOBAL_CONFIG_TABLE) !== undefined;
}

export function readGlobalConfig(driver: SqliteDriver): GlobalConfigData {
  if (!exists(driver)) return { params: {}, masterKeyOnly: {} };
  const row = driver.get(`SELECT "params", "masterKeyOnly" FROM ${TABLE} WHERE "objectId" = '1'`);
  const params = parseJsonText(row?.['params']);
  const flags = parseJsonText(row?.['masterKeyOnly']);
  const masterKeyOnly: Record<string, boolean> = {};
  if (isPlainObject(flags)) for (const [key, value] of Object.entries(flags)) masterKeyOnly[key] = value === true;
  return { params: isPlainObject(params) ? params : {}, masterKeyOnly };
}

export function writeGlobalConfig(driver: SqliteDriver, change: GlobalConfigChange): void {
  if (!exists(driver)) ensureTable(driver);
  driver.atomic(() => {
    const current = readGlobalConfig(driver);
    const params: Record<string, ParseValue> = { ...current.params };
    const masterKeyOnly: Record<string, boolean> = { ...current.masterKeyOnly };
    for (const [key, value] of Object.entries(change.set)) {
      params[key] = value;
      masterKeyOnly[key] = change.masterKeyOnly[key] === true;
    }
    for (const key of change.unset) {
      delete params[key];
      delete masterKeyOnly[key];
    }
    driver.run(
      `INSERT INTO ${TABLE} ("objectId", "params", "masterKeyOnly") VALUES ('1', ?, ?) ` +
        `ON CONFLICT ("objectId") DO UPDATE SET "params" = excluded."params", "masterKeyOnly" = excluded."masterKeyOnly"`,
      [JSON.stringify(toJson(params)), JSON.stringify(masterKeyOnly)],
    );
  });
}

const GRAPHQL_TABLE = quote(GRAPHQL_CONFIG_TABLE);

/** The GraphQL config (`_GraphQLConfig`): one row, objectId "1" as parse-server's document, `config` as JSON. */
export function readGraphQLConfig(driver: SqliteDriver): Record<string, unknown> {
  if (driver.tableColumns(GRAPHQL_CONFIG_TABLE) === undefined) return {};
  const row = driver.get(`SELECT "config" FROM ${GRAPHQL_TABLE} WHERE "objectId" = '1'`);
  const config = parseJsonText(row?.['config']);
  return isPlainObject(config) ? config : {};
}

/** Replaces the whole GraphQL config (parse-server `$set`s `config`). */
export function writeGraphQLConfig(driver: SqliteDriver, config: Readonly<Record<string, unknown>>): void {
  driver.exec(`CREATE TABLE IF NOT EXISTS ${GRAPHQL_TABLE} ("objectId" TEXT PRIMARY KEY, "config" TEXT NOT NULL)`);
  driver.run(
    `INSERT INTO ${GRAPHQL_TABLE} ("objectId", "config") VALUES ('1', ?) ` +
      `ON CONFLICT ("objectId") DO UPDATE SET "config" = excluded."config"`,
    [JSON.stringify(config)],
  );
}
