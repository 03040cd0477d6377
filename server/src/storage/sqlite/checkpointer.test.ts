import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ClassSchema } from '../../schema/index.js';
import { COMMITS_PER_CHECKPOINT } from './checkpointer.js';
import { createSqliteStorage } from './index.js';

// The WAL checkpointer (checkpointer.ts): after enough commits a thread copies the WAL into the database file, so
// the file grows while the event loop's own automatic checkpoint (at far more pages) has not run.
const dir = mkdtempSync(join(tmpdir(), 'strata-checkpointer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

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

/** The database file's size after `commits` commits of one ~2 KB row each (about 2 pages per commit). */
async function fileSizeAfterCommits(options: { path: string; checkpointThread: boolean; commits: number }) {
  const storage = createSqliteStorage({ path: options.path, checkpointThread: options.checkpointThread });
  await storage.initialize();
  await storage.createClass(schema);
  const start = statSync(options.path).size;
  for (let i = 0; i < options.commits; i++) {
    await storage.insert({ schema, object: { objectId: `o${i}`, fields: { text: 'x'.repeat(2000) } } });
  }
  // The thread answers on its own time: wait (bounded) for the file to grow, without asserting on time.
  for (let tries = 0; tries < 200 && statSync(options.path).size === start; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const end = statSync(options.path).size;
  await storage.close();
  return { start, end };
}

describe('sqlite WAL checkpointer', () => {
  it('copies the WAL into the file from its thread after enough commits, not from the writer', async () => {
    const commits = COMMITS_PER_CHECKPOINT + 20;
    const threaded = await fileSizeAfterCommits({ path: join(dir, 'a.sqlite'), checkpointThread: true, commits });
    assert.ok(threaded.end > threaded.start + commits * 2000, `${threaded.start} -> ${threaded.end} bytes`);
    // The same commits without the thread stay in the WAL (under the writer's 1,000-page automatic checkpoint).
    const alone = await fileSizeAfterCommits({ path: join(dir, 'b.sqlite'), checkpointThread: false, commits });
    assert.equal(alone.end, alone.start);
  });
});
