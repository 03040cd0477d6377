/**
 * scripts/audit.js, the CI's `npm audit` gate, on reports shaped like npm's (`npm audit --json`, npm 7+): an
 * unexplained high advisory fails it, moderate ones do not, an unreachable advisory database is a printed
 * skip. The live run is a step of .ci/run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../../scripts/audit.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'strata-audit-'));

function run(report: unknown): { status: number | null; out: string } {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(report));
  const result = spawnSync(process.execPath, [SCRIPT, '--json-file', file], { encoding: 'utf8' });
  return { status: result.status, out: result.stdout + result.stderr };
}

const advisory = (severity: string, id: string) => ({
  source: 1,
  name: 'left-pad',
  dependency: 'left-pad',
  title: 'Something bad',
  url: `https://github.com/advisories/${id}`,
  severity,
  range: '<2.0.0',
});

describe('scripts/audit.js', () => {
  it('fails on a high advisory nobody explained, naming it', () => {
    const { status, out } = run({
      vulnerabilities: {
        'left-pad': { name: 'left-pad', severity: 'high', via: [advisory('high', 'GHSA-aaaa-bbbb-cccc')] },
      },
      metadata: { vulnerabilities: { high: 1, total: 1 } },
    });
    assert.equal(status, 1, out);
    assert.match(out, /UNEXPLAINED high left-pad GHSA-aaaa-bbbb-cccc/);
  });

  it('passes moderate and low advisories, and transitive entries that only point at a package', () => {
    const { status, out } = run({
      vulnerabilities: {
        'left-pad': { name: 'left-pad', severity: 'moderate', via: [advisory('moderate', 'GHSA-dddd-eeee-ffff')] },
        wrapper: { name: 'wrapper', severity: 'moderate', via: ['left-pad'] },
      },
      metadata: { vulnerabilities: { moderate: 2, total: 2 } },
    });
    assert.equal(status, 0, out);
    assert.match(out, /no unexplained high or critical advisory/);
  });

  it('prints a skip with its reason when the advisory database cannot be reached', () => {
    const { status, out } = run({ error: { code: 'ENOAUDIT', summary: 'audit endpoint returned an error' } });
    assert.equal(status, 0, out);
    assert.match(out, /SKIPPED: the advisory database could not be reached \(audit endpoint returned an error\)/);
  });
});
