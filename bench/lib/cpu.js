// CPU accounting around one measurement (Linux /proc): how many cores the whole machine, the server under
// test and this load generator used. What is left over is everything else (the database server for
// parse-server, FerretDB for strata-mongo, and any other process competing for the 2 cores).
// Returns null where /proc is unavailable.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

function machineTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
  const idleAll = idle + iowait;
  return { busy: user + nice + system + irq + softirq + steal, total: idleAll + user + nice + system + irq + softirq + steal };
}

function processTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of the full line)
}

/** Starts accounting for `pid`; call the returned function after the measurement to get core counts. */
export function startCpuAccounting(pid) {
  let before;
  try {
    before = { machine: machineTicks(), server: processTicks(pid), self: process.cpuUsage(), at: performance.now() };
  } catch {
    return () => null;
  }
  return () => {
    try {
      const machine = machineTicks();
      const server = processTicks(pid);
      const self = process.cpuUsage(before.self);
      const elapsedMs = performance.now() - before.at;
      const total = machine.total - before.machine.total;
      const cores = total / ((elapsedMs / 1000) * 100) || 1; // ticks are 1/100 s per core
      const busyCores = ((machine.busy - before.machine.busy) / total) * cores;
      const serverCores = ((server - before.server) / total) * cores;
      const loadGeneratorCores = (self.user + self.system) / 1000 / elapsedMs;
      const round = (n) => Number(n.toFixed(2));
      return {
        machineBusyCores: round(busyCores),
        serverCores: round(serverCores),
        loadGeneratorCores: round(loadGeneratorCores),
        otherCores: round(Math.max(0, busyCores - serverCores - loadGeneratorCores)),
      };
    } catch {
      return null;
    }
  };
}
