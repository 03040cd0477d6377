#!/usr/bin/env node
// Runs every *.test.ts under the given workspace folders (default: all) with node's test runner,
// straight from source through tsx. Usage: node scripts/test.js [server|sdk|dashboard|test|<dir>|<file.test.ts> ...]
// [-- node-test-args]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files.map((f) => relative(root, f))];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
