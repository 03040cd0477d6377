/**
 * A fresh clone stays clean after `npm install`: package-lock.json must already be what npm computes from the
 * workspaces' package.json files (a lock committed without running npm, e.g. a workspace's new `engines`,
 * showed up as a modified file on a newcomer's first install). Runs npm itself, lock-only and offline, on a
 * copy of the manifests: seconds, no network, nothing installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('package-lock.json', () => {
  const copy = mkdtempSync(join(tmpdir(), 'strata-lock-'));
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('is what npm install computes from the package.json files (a clean clone stays clean)', (t) => {
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    for (const file of ['package.json', 'package-lock.json', ...root.workspaces.map((w) => `${w}/package.json`)]) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(copy, file));
    }
    const result = spawnSync(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'],
      { cwd: copy, encoding: 'utf8' },
    );
    if (result.status !== 0 && /ENOTCACHED/.test(result.stderr)) {
      // Offline, npm needs registry metadata from its cache, which a machine that never installed lacks.
      console.log('# lockfile test skipped: npm cache lacks package metadata (run npm install once)');
      t.skip('npm cache lacks package metadata (run npm install once)');
      return;
    }
    assert.equal(result.status, 0, result.stderr);
    const before = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
    const after = readFileSync(join(copy, 'package-lock.json'), 'utf8');
    assert.ok(
      after === before,
      'npm install would rewrite package-lock.json: run `npm install` at the repository root and commit the lock',
    );
  });
});
