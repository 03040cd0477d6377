/**
 * The local-directory store: the shared conformance suite, then what is specific to files on disk: the
 * layout, files put there by hand, stale temp files, stale sidecars, and names resolving outside the root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { FileStore } from './adapter.js';
import { bytesOf, runFileStoreConformance, sourceOf } from './conformance/index.js';
import { openFileStore } from './index.js';

const directories = new Map<FileStore, string>();

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isDirectory()) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

async function openTemp(): Promise<{ store: FileStore; directory: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'strata-files-'));
  const store = await openFileStore({ kind: 'local', directory });
  directories.set(store, directory);
  return { store, directory };
}

runFileStoreConformance({
  name: 'local',
  open: async () => (await openTemp()).store,
  destroy: async (store) => {
    await store.close();
    await rm(directories.get(store) ?? '/nonexistent', { recursive: true, force: true });
  },
  snapshot: async (store) => listFiles(directories.get(store) ?? '/nonexistent'),
});

describe('local store specifics', () => {
  let store: FileStore;
  let directory: string;
  before(async () => {
    ({ store, directory } = await openTemp());
  });
  after(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the bytes under the name and the attributes in a sidecar', async () => {
    await store.write({
      name: 'dir/photo.jpg',
      contentType: 'image/jpeg',
      source: sourceOf(Buffer.from('abc')),
      metadata: { a: 'b' },
    });
    assert.deepEqual(await listFiles(directory), ['.meta/dir/photo.jpg', 'dir/photo.jpg']);
    assert.equal((await stat(join(directory, 'dir/photo.jpg'))).mode & 0o777, 0o600);
  });

  it('serves a file put there by hand, without a sidecar', async () => {
    await writeFile(join(directory, 'by_hand.pdf'), 'manual');
    const info = await store.stat('by_hand.pdf');
    assert.equal(info?.size, 6);
    assert.equal(info?.contentType, 'application/pdf');
    assert.deepEqual(info?.metadata, {});
    assert.match(info?.etag ?? '', /^"[0-9a-f-]+"$/);
    assert.equal((await bytesOf((await store.read({ name: 'by_hand.pdf' }))!)).toString(), 'manual');
    assert.equal(await store.delete('by_hand.pdf'), true);
  });

  it('ignores a sidecar that does not belong to the data file beside it', async () => {
    await store.write({
      name: 'swap.txt',
      contentType: 'text/x-old',
      source: sourceOf(Buffer.from('old')),
      metadata: { v: '1' },
    });
    await writeFile(join(directory, 'swap.txt'), 'replaced by hand'); // new size, mtime
    const info = await store.stat('swap.txt');
    assert.equal(info?.size, 16);
    assert.equal(info?.contentType, 'text/plain');
    assert.deepEqual(info?.metadata, {});
  });

  it('removes temp files of interrupted writes older than an hour when opening', async () => {
    const stale = join(directory, '.tmp', 'stale.data');
    const fresh = join(directory, '.tmp', 'fresh.data');
    await writeFile(stale, 'half');
    await writeFile(fresh, 'in progress elsewhere');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    const reopened = await openFileStore({ kind: 'local', directory });
    const left = await readdir(join(directory, '.tmp'));
    assert.deepEqual(left, ['fresh.data']);
    await reopened.close();
    await rm(fresh);
  });

  it('does not follow a directory name to a file: stat/read/delete of a directory find nothing', async () => {
    await store.write({ name: 'folder/x.txt', source: sourceOf(Buffer.from('x')) });
    assert.equal(await store.stat('folder'), undefined);
    assert.equal(await store.read({ name: 'folder' }), undefined);
    assert.equal(await store.delete('folder'), false);
  });

  it('a name below a file (file "f", then "f/g") is a storage error, not a crash', async () => {
    await store.write({ name: 'plainfile', source: sourceOf(Buffer.from('x')) });
    const before = await listFiles(directory);
    await assert.rejects(
      store.write({ name: 'plainfile/child', source: sourceOf(Buffer.from('y')) }),
      (error: unknown) => {
        assert.ok(error instanceof ParseError);
        assert.equal(error.code, ErrorCode.FILE_SAVE_ERROR);
        return true;
      },
    );
    assert.deepEqual(await listFiles(directory), before);
  });
});
