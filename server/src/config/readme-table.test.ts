import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { README_TABLE_END, README_TABLE_START, renderOptionsTable, spliceOptionsTable } from './docs-table.js';
import { OPTIONS } from './options.js';

// The README's configuration table is generated from options.ts; this fails when someone forgets to regenerate.
describe('README configuration table', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

  it('is up to date (run `node scripts/gen-readme-config.js`)', () => {
    assert.equal(spliceOptionsTable(readme), readme);
  });

  it('has one row per option plus the config file, between the markers', () => {
    const table = readme.slice(readme.indexOf(README_TABLE_START), readme.indexOf(README_TABLE_END));
    for (const option of OPTIONS) assert.ok(table.includes(`| \`${option.key}\` |`), `row for ${option.key}`);
    assert.equal(renderOptionsTable().split('\n').length, OPTIONS.length + 3);
  });
});
