// CPU accounting around one measurement (Linux /proc): how many cores the whole machine, the server under
// test, its database server (PostgreSQL backends for parse-server, FerretDB for strata-mongo) and the load
// generator used: this process, plus the child processes it reaped meanwhile (wrk runs as one and exits at the end
// of its measurement, so its CPU is in this process's cutime/cstime by the time the accounting stops). What is left over is interference from other processes competing for the cores.
// Returns null where /proc is unavailable.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const idleAll = idle + iowait;
  return {
    busy: user + nice + system + irq + softirq + steal,
    total: idleAll + user + nice + system + irq + softirq + steal,
  };
}

/** This process's CPU ticks plus those of its children that have exited and been waited for. */
function loadGeneratorTicks() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime stime cutime cstime
}

function processTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of the full line)
}

/** Pids of running processes whose command name is `comm` (e.g. every `postgres` backend). */
export function pidsByCommand(comm) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Microseconds in one clock tick of /proc's CPU times (Linux USER_HZ is 100). */
export const TICK_US = 10_000;

/** utime + stime of `pid` and its descendants (a cluster's workers), in clock ticks; a process gone meanwhile counts 0. */
export function ticksOfTree(pid) {
  let sum = 0;
  for (const p of [pid, ...descendantPids(pid)]) {
    try {
      sum += processTicks(p);
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

/** Pids of `pid`'s descendants (Strata's cluster workers), from /proc. */
export function descendantPids(pid) {
  const parent = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out = [];
  const walk = (p) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

function ticksOf(pids) {
  const out = new Map();
  for (const pid of pids) {
    try {
      out.set(pid, processTicks(pid));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Ticks the database processes used between two snapshots (processes that appeared later count from 0). */
function databaseTicks(before, after) {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}

/**
 * Starts accounting for the server `pid` and the database processes `databasePids()` returns (called at
 * start and end, so short-lived backends are mostly caught); call the returned function after the
 * measurement to get core counts.
 */
export function startCpuAccounting(pid, { databasePids = () => [] } = {}) {
  let before;
  try {
    before = {
      machine: machineTicks(),
      server: processTicks(pid),
      database: ticksOf(databasePids()),
      self: loadGeneratorTicks(),
      at: performance.now(),
    };
  } catch {
    return () => null;
  }
  return () => {
    try {
      const machine = machineTicks();
      const server = processTicks(pid);
      const database = databaseTicks(before.database, ticksOf(databasePids()));
      const self = loadGeneratorTicks() - before.self;
      const elapsedMs = performance.now() - before.at;
      const total = machine.total - before.machine.total;
      const cores = total / ((elapsedMs / 1000) * 100) || 1; // ticks are 1/100 s per core
      const busyCores = ((machine.busy - before.machine.busy) / total) * cores;
      const serverCores = ((server - before.server) / total) * cores;
      const databaseCores = (database / total) * cores;
      const loadGeneratorCores = (self / total) * cores;
      const round = (n) => Number(n.toFixed(2));
      return {
        machineBusyCores: round(busyCores),
        serverCores: round(serverCores),
        databaseCores: round(databaseCores),
        loadGeneratorCores: round(loadGeneratorCores),
        otherCores: round(Math.max(0, busyCores - serverCores - databaseCores - loadGeneratorCores)),
      };
    } catch {
      return null;
    }
  };
}
