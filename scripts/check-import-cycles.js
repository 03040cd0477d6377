#!/usr/bin/env node
// Fails when relative imports between source files form a cycle (import type lines included: a type cycle
// is still a design cycle; dynamic import() included: a lazy load is still a dependency). Walks server/src,
// sdk/src and dashboard/src. Usage: node scripts/check-import-cycles.js
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g;
/** `import('./x.js')` with a literal relative path, anywhere in the file (comments are not told apart). */
const DYNAMIC_IMPORT = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) sources(full, out);
    else if ((name.endsWith('.ts') || name.endsWith('.tsx')) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const files = ['server/src', 'sdk/src', 'dashboard/src'].flatMap((d) => sources(join(root, d)));
const known = new Set(files);
const edges = new Map(files.map((file) => [file, []]));
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const match of [...text.matchAll(IMPORT), ...text.matchAll(DYNAMIC_IMPORT)]) {
    // `./x.js` is the source `./x.ts`, or `./x.tsx` for the dashboard's components.
    const base = resolve(dirname(file), match[1].replace(/\.js$/, ''));
    const target = [`${base}.ts`, `${base}.tsx`].find((candidate) => known.has(candidate));
    if (target !== undefined) edges.get(file).push(target);
  }
}

// Tarjan's strongly connected components: every component with more than one file is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(file) {
  const node = { index, low: index, onStack: true };
  index++;
  state.set(file, node);
  stack.push(file);
  for (const next of edges.get(file)) {
    const seen = state.get(next);
    if (seen === undefined) {
      visit(next);
      node.low = Math.min(node.low, state.get(next).low);
    } else if (seen.onStack) node.low = Math.min(node.low, seen.index);
  }
  if (node.low === node.index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || edges.get(file).includes(file)) cycles.push(component);
  }
}
for (const file of files) if (!state.has(file)) visit(file);

if (cycles.length > 0) {
  for (const cycle of cycles) console.error(`import cycle: ${cycle.map((f) => relative(root, f)).join(' ↔ ')}`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} files`);
