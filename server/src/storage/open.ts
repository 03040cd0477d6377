import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { StorageAdapter } from './adapter.js';

/**
 * Opens the backend a database URI names: `sqlite:<path>` (or `sqlite::memory:`) or `mongodb://` /
 * `mongodb+srv://`. Backends are imported on demand so that an embedded start never loads the MongoDB
 * driver (cold start), and vice versa.
 */
export async function openStorage(uri: string): Promise<StorageAdapter> {
  if (uri.startsWith('sqlite:')) {
    const { createSqliteStorage } = await import('./sqlite/index.js');
    const path = uri.slice('sqlite:'.length);
    // The first start creates the data directory (owner-only: it holds the database).
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return createSqliteStorage({ path });
  }
  if (uri.startsWith('mongodb://') || uri.startsWith('mongodb+srv://')) {
    const { createMongoStorage } = await import('./mongo/index.js');
    return createMongoStorage({ uri });
  }
  throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, {
    message: `Unsupported database URI "${uri}": use sqlite:<path> or mongodb://...`,
  });
}
