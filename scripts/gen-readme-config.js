#!/usr/bin/env node
// Regenerates the configuration table in README.md from server/src/config/options.ts (between the marker
// comments). Usage: node scripts/gen-readme-config.js [--check]   (--check: exit 1 if the README is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const readmePath = resolve(root, 'README.md');
const { spliceOptionsTable } = await tsImport('../server/src/config/index.ts', import.meta.url);

const current = readFileSync(readmePath, 'utf8');
const next = spliceOptionsTable(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md configuration table is out of date: run node scripts/gen-readme-config.js');
    process.exit(1);
  }
  console.log('README.md configuration table is up to date');
} else if (next === current) {
  console.log('README.md configuration table already up to date');
} else {
  writeFileSync(readmePath, next);
  console.log('README.md configuration table regenerated');
}
