#!/usr/bin/env node
// The SDK's size budget: bundles the built package (dist/, from `tsc -b`) for the browser with esbuild,
// minified, gzips it and prints the sizes. Fails the build when the core (client, objects, queries, users)
// exceeds the budget, or when anything in the browser path needs a Node built-in (esbuild cannot resolve
// `node:*` for the browser platform). Usage: node sdk/scripts/size.js
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 15 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

const entries = {
  // What an app uses for objects, queries and users: the client (auth included), query builder, operations, ACLs.
  core: `export { createClient, Query, StrataError, ErrorCodes, acl, increment, add, addUnique, remove, unset,
    addRelation, removeRelation, pointer, geoPoint, localStorageAdapter } from './index.js';`,
  // Everything the package exports.
  full: `export * from './index.js';`,
  // Helpers alone must not pull in the client: proof that the package tree-shakes.
  helpers: `export { acl, increment, pointer } from './index.js';`,
};
const HELPERS_MAX_BYTES = 2 * 1024;

async function measure(name, contents) {
  const result = await build({
    stdin: { contents, resolveDir: dist, sourcefile: `${name}-entry.js`, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  return { name, min: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

if (!existsSync(join(dist, 'index.js'))) {
  process.stderr.write('sdk size: dist/index.js is missing; run `tsc -b` first\n');
  process.exit(1);
}
let results;
try {
  results = await Promise.all(Object.entries(entries).map(([name, contents]) => measure(name, contents)));
} catch (err) {
  process.stderr.write(`sdk size: the browser bundle does not build: ${err.message}\n`);
  process.exit(1);
}
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const r of results) {
  process.stdout.write(`@strata/sdk ${r.name}: ${kb(r.min)} min, ${kb(r.gzip)} min+gzip\n`);
}
const core = results.find((r) => r.name === 'core');
if (core.gzip > BUDGET_BYTES) {
  process.stderr.write(`@strata/sdk core is ${kb(core.gzip)} min+gzip, over its ${kb(BUDGET_BYTES)} budget\n`);
  process.exit(1);
}
const helpers = results.find((r) => r.name === 'helpers');
if (helpers.min > HELPERS_MAX_BYTES) {
  process.stderr.write(`@strata/sdk helpers alone bundle to ${kb(helpers.min)}: something defeats tree-shaking\n`);
  process.exit(1);
}
process.stdout.write(`@strata/sdk core within its ${kb(BUDGET_BYTES)} min+gzip budget\n`);
