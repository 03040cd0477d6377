#!/usr/bin/env node
// Runs every *.test.ts under the given workspace folders (default: all) with node's test runner,
// straight from source through tsx. Usage: node scripts/test.js [server|sdk|dashboard|test|<dir>|<file.test.ts> ...]
// [-- node-test-args]
// It ends with one line saying what was skipped, why, and how to run it (node's own summary counts a skipped
// suite of 40 tests as one skip, so "skipped 5" hid that most service suites had not run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const argv = process.argv.slice(2);
const dashdash = argv.indexOf('--');
const folders = (dashdash === -1 ? argv : argv.slice(0, dashdash)).filter(Boolean);
const extra = dashdash === -1 ? [] : argv.slice(dashdash + 1);
const roots = folders.length > 0 ? folders : ['server', 'sdk', 'dashboard', 'test'];

function collect(dir, out) {
  if (!statSync(dir).isDirectory()) {
    out.push(dir);
    return out;
  }
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = roots.flatMap((folder) => collect(resolve(root, folder), [])).sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const skipsDir = mkdtempSync(join(tmpdir(), 'strata-test-skips-'));
const skipsFile = join(skipsDir, 'skips.jsonl');
const reporters = [
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  `--test-reporter=${join(root, 'scripts/test-skip-reporter.js')}`,
  `--test-reporter-destination=${skipsFile}`,
];
const args = ['--import', 'tsx', '--test', ...reporters, ...extra, ...files.map((f) => relative(root, f))];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
const summary = skipSummary(readSkips(skipsFile));
rmSync(skipsDir, { recursive: true, force: true });
if (summary !== undefined) console.log(`\n${summary}`);
process.exit(result.status ?? 1);

function readSkips(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

/** Skips grouped by what they need: MongoDB, Redis, or their own reason. */
function skipSummary(skips) {
  if (skips.length === 0) return undefined;
  const groups = new Map();
  for (const skip of skips) {
    const need = /MONGODB/.test(skip.reason)
      ? 'without MongoDB (STRATA_TEST_MONGODB_URI is not set)'
      : /REDIS/.test(skip.reason)
        ? 'without Redis (STRATA_TEST_REDIS_URL is not set)'
        : `(${skip.reason || 'no reason given'})`;
    const group = groups.get(need) ?? { suites: 0, tests: 0 };
    group[skip.type === 'suite' ? 'suites' : 'tests'] += 1;
    groups.set(need, group);
  }
  const count = ({ suites, tests }) =>
    [
      suites > 0 ? `${suites} suite${suites === 1 ? '' : 's'}` : '',
      tests > 0 ? `${tests} test${tests === 1 ? '' : 's'}` : '',
    ]
      .filter(Boolean)
      .join(' + ');
  const parts = [...groups].sort((a, b) => b[1].suites + b[1].tests - (a[1].suites + a[1].tests));
  const services = skips.some((s) => /MONGODB|REDIS/.test(s.reason));
  const how = services ? ' To run them: `bash .ci/run` starts FerretDB and Redis and runs everything.' : '';
  return `SKIPPED: ${parts.map(([need, group]) => `${count(group)} ${need}`).join('; ')}.${how}`;
}
