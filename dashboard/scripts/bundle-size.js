#!/usr/bin/env node
// Prints the size of the built dashboard (dist/, from `vite build`): each JavaScript and CSS file, minified
// and gzipped, and the total a first visit downloads. Usage: node dashboard/scripts/bundle-size.js
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
let total = 0;
let totalGzip = 0;
for (const file of files(dist)
  .filter((f) => /\.(js|css|html)$/.test(f))
  .sort()) {
  const bytes = readFileSync(file);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  total += bytes.length;
  totalGzip += gzip;
  process.stdout.write(
    `  ${relative(dist, file).padEnd(40)} ${kb(bytes.length).padStart(10)} ${kb(gzip).padStart(10)} gzip\n`,
  );
}
process.stdout.write(`@strata/dashboard bundle: ${kb(total)} min, ${kb(totalGzip)} min+gzip\n`);
