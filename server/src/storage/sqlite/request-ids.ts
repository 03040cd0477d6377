import type { RequestIdClaim, RequestIdState } from '../adapter.js';
import type { SqliteDriver } from './driver.js';
import { REQUEST_IDS_TABLE, quote } from './names.js';

/**
 * `X-Parse-Request-Id` records on SQLite: the `_Idempotency` table, keyed by `reqId` (the primary key makes
 * a claim atomic), with `expire` as epoch milliseconds. Expired rows are replaced by the next claim of
 * their id and swept on every claim, so the table stays as small as the ids of the last TTL.
 */
const SQL_NAME = REQUEST_IDS_TABLE;
const TABLE = quote(SQL_NAME);

function ensureTable(driver: SqliteDriver): void {
  if (driver.tableColumns(SQL_NAME) !== undefined) return;
  driver.exec(
    `CREATE TABLE IF NOT EXISTS ${TABLE} ("reqId" TEXT PRIMARY KEY, "token" TEXT NOT NULL, ` +
      `"fingerprint" TEXT NOT NULL, "expire" INTEGER NOT NULL, "response" TEXT)`,
  );
  driver.exec(`CREATE INDEX IF NOT EXISTS ${quote(`${SQL_NAME}_expire`)} ON ${TABLE} ("expire")`);
}

export function claimRequestId(driver: SqliteDriver, claim: RequestIdClaim): RequestIdState {
  ensureTable(driver);
  return driver.atomic(() => {
    const now = claim.now.getTime();
    driver.run(`DELETE FROM ${TABLE} WHERE "expire" <= ?`, [now]);
    const row = driver.get(`SELECT "fingerprint", "response" FROM ${TABLE} WHERE "reqId" = ?`, [claim.reqId]);
    if (row !== undefined) {
      const response = row['response'];
      return {
        claimed: false,
        fingerprint: String(row['fingerprint']),
        ...(typeof response === 'string' ? { response } : {}),
      };
    }
    driver.run(`INSERT INTO ${TABLE} ("reqId", "token", "fingerprint", "expire") VALUES (?, ?, ?, ?)`, [
      claim.reqId,
      claim.token,
      claim.fingerprint,
      claim.expire.getTime(),
    ]);
    return { claimed: true };
  });
}

export function completeRequestId(
  driver: SqliteDriver,
  options: { reqId: string; token: string; response: string | undefined },
): void {
  ensureTable(driver);
  driver.run(`UPDATE ${TABLE} SET "response" = ? WHERE "reqId" = ? AND "token" = ?`, [
    options.response ?? null,
    options.reqId,
    options.token,
  ]);
}

export function releaseRequestId(driver: SqliteDriver, options: { reqId: string; token: string }): void {
  ensureTable(driver);
  driver.run(`DELETE FROM ${TABLE} WHERE "reqId" = ? AND "token" = ?`, [options.reqId, options.token]);
}
