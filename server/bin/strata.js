#!/usr/bin/env node
// The `strata` CLI: runs the compiled server entry (dist/main.js), which parses the command line itself.
// `npm install` builds dist through the root `prepare` script; `npm run build` rebuilds it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('strata: server/dist/main.js is missing; run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(entry.href);
