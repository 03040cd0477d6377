import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A fresh temporary folder for one suite's SQLite files, removed when the suite's file ends: the returned
 * function names a new database file in it at each call.
 */
export function scratchDatabasePaths(prefix: string): () => string {
  const dir = mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  return () => join(dir, `db-${++counter}.sqlite`);
}
