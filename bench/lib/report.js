// Turns collected results into the console table (req/s, p50, p99, ratio to parse-server per scenario,
// and cold start medians). Pure formatting: it measures nothing and writes no files.

const BASELINE = 'parse-server';

const num = (n, digits = 0) =>
  typeof n === 'number' && Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';

function pad(cells, widths) {
  return cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
}

/** Ratio of a target's req/s to parse-server's for one scenario, or null when either is missing. */
export function throughputRatio(results, target, scenario) {
  const mine = results.targets[target]?.scenarios?.[scenario]?.requestsPerSec;
  const base = results.targets[BASELINE]?.scenarios?.[scenario]?.requestsPerSec;
  return typeof mine === 'number' && base ? mine / base : null;
}

/** How many times faster than parse-server a target starts (parse median / target median). */
export function coldStartRatio(results, target) {
  const mine = results.targets[target]?.coldStart?.medianMs;
  const base = results.targets[BASELINE]?.coldStart?.medianMs;
  return mine && base ? base / mine : null;
}

export function formatTable(results, { scenarios, targets }) {
  const header = [
    'scenario',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx/errors',
    'cores srv/db/other',
    `vs ${BASELINE}`,
  ];
  const rows = [];
  for (const scenario of scenarios.filter((s) => s !== 'cold')) {
    for (const target of targets) {
      const r = results.targets[target]?.scenarios?.[scenario];
      if (!r) continue;
      if (r.failed !== undefined) {
        rows.push([scenario, target, 'not measured', '', '', '', '', '']);
        continue;
      }
      const ratio = target === BASELINE ? '' : throughputRatio(results, target, scenario);
      rows.push([
        scenario,
        target,
        num(r.requestsPerSec),
        num(r.latencyMs.p50),
        num(r.latencyMs.p99),
        `${r.non2xx}/${r.errors}`,
        r.cpu ? `${num(r.cpu.serverCores, 1)}/${num(r.cpu.databaseCores, 1)}/${num(r.cpu.otherCores, 1)}` : '-',
        ratio === '' ? '' : ratio === null ? '-' : `${num(ratio, 2)}x`,
      ]);
    }
  }
  if (scenarios.includes('cold')) {
    for (const target of targets) {
      const c = results.targets[target]?.coldStart;
      if (!c) continue;
      const ratio = target === BASELINE ? '' : coldStartRatio(results, target);
      rows.push([
        'cold start',
        target,
        `median ${num(c.medianMs)} ms`,
        '',
        '',
        '',
        '',
        ratio === '' ? '' : ratio === null ? '-' : `${num(ratio, 2)}x faster`,
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const lines = [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => pad(r, widths))];
  for (const target of targets) {
    const t = results.targets[target];
    if (t?.status && t.status !== 'ok') lines.push(`${target}: ${t.status}: ${String(t.reason).split('\n')[0]}`);
  }
  return lines.join('\n');
}
