#!/usr/bin/env node
// `npm start`'s prestart: redoes the builds `npm install` did (the root `prepare` script: `tsc -b` for the
// TypeScript projects, Vite for the dashboard) only when a source is newer than its last build, e.g. after a
// `git pull`, so a start normally costs a directory walk instead of loading the compiler. It runs as its own
// npm script, before `start`: `start` itself is a single `exec node ...`, so the signal that stops
// `npm start` reaches the server.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** The newest modification time of the sources under `dir` (tests and build output included: cheap, safe). */
function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|tsx|mts|cts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why `project` needs a build, or undefined when its build info is newer than every input. */
function staleReason(project) {
  const dir = join(root, project);
  const info = join(dir, 'dist/.tsbuildinfo');
  if (!existsSync(info)) return `${project} was never built`;
  const built = statSync(info).mtimeMs;
  const inputs = [join(dir, 'tsconfig.json'), join(root, 'tsconfig.base.json')].filter((f) => existsSync(f));
  const newest = Math.max(newestSource(join(dir, 'src')), ...inputs.map((f) => statSync(f).mtimeMs));
  return newest > built ? `${project}'s sources changed since its last build` : undefined;
}

/** Why the dashboard (Vite, from its sources and the SDK's) needs a build, or undefined. */
function dashboardStaleReason() {
  const dir = join(root, 'dashboard');
  if (!existsSync(join(dir, 'vite.config.ts'))) return undefined;
  const built = join(dir, 'dist/index.html');
  if (!existsSync(built)) return 'the dashboard was never built';
  const inputs = ['index.html', 'vite.config.ts', 'package.json'].map((f) => join(dir, f)).filter((f) => existsSync(f));
  const newest = Math.max(
    newestSource(join(dir, 'src')),
    newestSource(join(root, 'sdk/src')),
    ...inputs.map((f) => statSync(f).mtimeMs),
  );
  return newest > statSync(built).mtimeMs ? "the dashboard's sources changed since its last build" : undefined;
}

function run(what, command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`strata: ${what} failed (see above); fix it, or run \`npm run build\` to see it again\n`);
    process.exit(result.status ?? 1);
  }
}

const projects = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')).references.map((r) => r.path);
const reasons = projects.map(staleReason).filter((reason) => reason !== undefined);
if (reasons.length > 0) {
  process.stderr.write(`strata: ${reasons.join('; ')}: building (tsc -b)\n`);
  run('the build', process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-b']);
}
const dashboard = dashboardStaleReason();
if (dashboard !== undefined) {
  process.stderr.write(`strata: ${dashboard}: building it (npm run build -w @strata/dashboard)\n`);
  run("the dashboard's build", process.platform === 'win32' ? 'npm.cmd' : 'npm', [
    'run',
    'build',
    '--silent',
    '-w',
    '@strata/dashboard',
  ]);
}
