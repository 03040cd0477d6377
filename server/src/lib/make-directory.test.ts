import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeDirectory, makeDirectorySync } from './make-directory.js';

// `/proc/nope/x` made Node 20's recursive mkdir spin forever at full CPU; these must fail instead. The test
// runner's timeout is the only guard needed: a regression hangs rather than answering wrong.
describe('makeDirectory', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-mkdir-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates missing ancestors with the mode, and accepts an existing directory', async () => {
    const deep = join(root, 'a', 'b', 'c');
    makeDirectorySync(deep, { mode: 0o700 });
    assert.equal(statSync(deep).mode & 0o777, 0o700);
    assert.equal(statSync(join(root, 'a')).mode & 0o777, 0o700);
    makeDirectorySync(deep);
    await makeDirectory(join(root, 'x', 'y'), { mode: 0o700 });
    assert.ok(statSync(join(root, 'x', 'y')).isDirectory());
  });

  it('fails under a file (ENOTDIR) instead of looping', async () => {
    const file = join(root, 'file');
    writeFileSync(file, '');
    assert.throws(() => makeDirectorySync(join(file, 'sub')), { code: 'ENOTDIR' });
    await assert.rejects(makeDirectory(join(file, 'sub')), { code: 'ENOTDIR' });
  });

  it(
    'fails under /proc (ENOENT) instead of looping',
    { skip: process.platform !== 'linux' && 'needs Linux /proc' },
    async () => {
      assert.throws(() => makeDirectorySync('/proc/strata-nope/x'), { code: 'ENOENT' });
      await assert.rejects(makeDirectory('/proc/strata-nope/x'), { code: 'ENOENT' });
    },
  );
});
