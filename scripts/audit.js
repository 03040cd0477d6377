#!/usr/bin/env node
// `npm audit` for CI (issue 19 item 5): fails on any high or critical advisory, in production or development
// dependencies, unless .ci/audit-exceptions.json lists it with the reason it does not apply to Strata.
// Usage: node scripts/audit.js [--json-file <npm audit --json output>]   (the file form is for testing)
// When the advisory database cannot be reached (offline, or a registry mirror without the audit endpoint), it
// says so and exits 0: that is a skipped check with its reason printed, not a pass.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const BLOCKING = new Set(['high', 'critical']);

const fileAt = process.argv.indexOf('--json-file');
const report = fileAt === -1 ? runAudit() : JSON.parse(readFileSync(process.argv[fileAt + 1], 'utf8'));
const exceptions = JSON.parse(readFileSync(resolve(root, '.ci/audit-exceptions.json'), 'utf8')).exceptions;

// npm reports a failed audit as `{error: {...}}`, or (an HTTP error from the registry) `{message, statusCode}`.
if (report.error !== undefined || report.vulnerabilities === undefined) {
  const summary = [report.error?.summary, report.message, report.error?.code, 'no report']
    .find((text) => typeof text === 'string' && text !== '')
    .split('\n')[0];
  console.log(`npm audit SKIPPED: the advisory database could not be reached (${summary}).`);
  console.log('Run `node scripts/audit.js` where registry.npmjs.org answers to check the dependencies.');
  process.exit(0);
}

const found = blockingAdvisories(report);
const unexplained = found.filter((advisory) => !exceptions.some((e) => matches(e, advisory)));
const stale = exceptions.filter((e) => !found.some((advisory) => matches(e, advisory)));
const counts = report.metadata?.vulnerabilities ?? {};
console.log(
  `npm audit: ${counts.total ?? 0} advisories (critical ${counts.critical ?? 0}, high ${counts.high ?? 0}, ` +
    `moderate ${counts.moderate ?? 0}, low ${counts.low ?? 0}) over ${report.metadata?.dependencies?.total ?? '?'} packages`,
);
for (const advisory of found) {
  const exception = exceptions.find((e) => matches(e, advisory));
  const tag = exception === undefined ? 'UNEXPLAINED' : 'excepted';
  console.log(`  ${tag} ${advisory.severity} ${advisory.name} ${advisory.id}: ${advisory.title}`);
  if (exception !== undefined) console.log(`    why: ${exception.reason}`);
}
for (const e of stale) console.log(`  note: exception ${e.advisory} (${e.package}) no longer matches; remove it`);
if (unexplained.length > 0) {
  console.log(
    `${unexplained.length} high/critical advisories without an explained exception in .ci/audit-exceptions.json`,
  );
  process.exit(1);
}
console.log('npm audit: no unexplained high or critical advisory');

function runAudit() {
  const result = spawnSync('npm', ['audit', '--json', '--include=dev'], { cwd: root, encoding: 'utf8' });
  try {
    return JSON.parse(result.stdout);
  } catch {
    return { error: { summary: (result.stderr || result.stdout || `exit ${result.status}`).trim() } };
  }
}

/** The high/critical advisories of npm's report (`vulnerabilities[name].via` objects carry them). */
function blockingAdvisories(audit) {
  const out = new Map();
  for (const vulnerability of Object.values(audit.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      if (typeof via !== 'object' || !BLOCKING.has(via.severity)) continue;
      const id = String(via.url ?? via.source).replace(/^https:\/\/github\.com\/advisories\//, '');
      out.set(`${via.name} ${id}`, { id, name: via.name, severity: via.severity, title: via.title ?? '' });
    }
  }
  return [...out.values()];
}

function matches(exception, advisory) {
  return exception.advisory === advisory.id && exception.package === advisory.name;
}
