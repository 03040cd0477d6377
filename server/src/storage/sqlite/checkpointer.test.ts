import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ClassSchema } from '../../schema/index.js';
import { COMMITS_PER_CHECKPOINT } from './checkpointer.js';
import { createSqliteStorage } from './index.js';
import { scratchDatabasePaths } from './scratch-paths.test-util.js';

// The WAL checkpointer (checkpointer.ts): after enough commits a thread copies the WAL into the database file, so
// the file grows while the event loop's own automatic checkpoint (at far more pages) has not run.
const nextPath = scratchDatabasePaths('checkpointer');

const schema: ClassSchema = {
  className: 'Item',
  fields: {
    objectId: { type: 'String' },
    createdAt: { type: 'Date' },
    updatedAt: { type: 'Date' },
    ACL: { type: 'ACL' },
    text: { type: 'String' },
  },
};

const ROW_BYTES = 2000;

/** The database file's size after `commits` commits of one ~2 KB row each (about 2 pages per commit). */
async function fileSizeAfterCommits(options: { path: string; checkpointThread: boolean; commits: number }) {
  const storage = createSqliteStorage({ path: options.path, checkpointThread: options.checkpointThread });
  await storage.initialize();
  await storage.createClass(schema);
  const start = statSync(options.path).size;
  for (let i = 0; i < options.commits; i++) {
    await storage.insert({ schema, object: { objectId: `o${i}`, fields: { text: 'x'.repeat(ROW_BYTES) } } });
  }
  // The thread answers on its own time, and a checkpoint caught half-way shows a file only partly grown: wait
  // (bounded, not asserted on time) until the file holds at least the first request's rows, or the bound ends.
  const expected = start + COMMITS_PER_CHECKPOINT * ROW_BYTES;
  for (let tries = 0; tries < 2000 && options.checkpointThread && statSync(options.path).size <= expected; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const end = statSync(options.path).size;
  await storage.close();
  return { start, end };
}

describe('sqlite WAL checkpointer', () => {
  it('copies the WAL into the file from its thread after enough commits, not from the writer', async () => {
    const commits = COMMITS_PER_CHECKPOINT + 20;
    const threaded = await fileSizeAfterCommits({ path: nextPath(), checkpointThread: true, commits });
    // The request goes at the 100th commit; the thread may start its copy before the last 20 are written.
    const rowsCopied = COMMITS_PER_CHECKPOINT * ROW_BYTES;
    assert.ok(threaded.end > threaded.start + rowsCopied, `${threaded.start} -> ${threaded.end} bytes`);
    // The same commits without the thread stay in the WAL (under the writer's 1,000-page automatic checkpoint).
    const alone = await fileSizeAfterCommits({ path: nextPath(), checkpointThread: false, commits });
    assert.equal(alone.end, alone.start);
  });
});
