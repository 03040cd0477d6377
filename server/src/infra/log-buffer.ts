/**
 * The last N log lines of this process, kept in memory for `GET /scriptlog` (parse-server's logs API, read by
 * parse-dashboard and Strata's dashboard): the same JSON lines the logger writes to stdout, request log
 * lines included, parsed once. A ring buffer: old lines fall off, nothing is stored on disk, and each server
 * answers with its own lines (a deployment's full history belongs in a log collector).
 */
export interface LogEntry {
  readonly timestamp: string;
  /** Parse's names: error, warn, info, debug (pino's trace → debug, fatal → error). */
  readonly level: 'error' | 'warn' | 'info' | 'debug';
  readonly message: string;
  readonly requestId?: string;
  readonly [key: string]: unknown;
}

export interface LogQuery {
  /** The least severe level returned (`info` returns info, warn and error, as parse-server's info log does). */
  readonly level?: string;
  readonly size?: number;
  readonly order?: 'asc' | 'desc';
  readonly from?: Date;
  readonly until?: Date;
  readonly requestId?: string;
  /** The `_JobStatus` id of a job run: the lines its `request.log` wrote. */
  readonly jobId?: string;
}

const SEVERITY: Readonly<Record<LogEntry['level'], number>> = { error: 50, warn: 40, info: 30, debug: 20 };
/** parse-server's winston levels, and pino's, mapped onto ours. */
const LEVEL_NAMES: Readonly<Record<string, LogEntry['level']>> = {
  error: 'error',
  fatal: 'error',
  warn: 'warn',
  info: 'info',
  verbose: 'debug',
  debug: 'debug',
  silly: 'debug',
  trace: 'debug',
};

function levelOf(pinoLevel: unknown): LogEntry['level'] {
  const n = typeof pinoLevel === 'number' ? pinoLevel : 30;
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  return 'debug';
}

export class LogBuffer {
  private readonly entries: LogEntry[] = [];
  private next = 0;

  constructor(private readonly capacity = 2000) {}

  /** A pino destination: receives each serialized JSON line. */
  write(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const { level, time, msg, reqId, pid: _pid, hostname: _hostname, ...rest } = record;
    const entry: LogEntry = {
      ...rest,
      timestamp: new Date(typeof time === 'number' ? time : Date.now()).toISOString(),
      level: levelOf(level),
      message: typeof msg === 'string' ? msg : '',
      ...(typeof reqId === 'string' ? { requestId: reqId } : {}),
    };
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** The matching entries, newest first unless `order: 'asc'`; at most `size` (default 100). */
  query(query: LogQuery = {}): LogEntry[] {
    const min = SEVERITY[LEVEL_NAMES[query.level ?? 'info'] ?? 'info'];
    const from = query.from?.getTime() ?? -Infinity;
    const until = query.until?.getTime() ?? Infinity;
    const size = Math.max(0, Math.min(query.size ?? 100, this.capacity));
    const ordered =
      this.entries.length < this.capacity
        ? this.entries
        : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    const matches = ordered.filter((e) => {
      const at = Date.parse(e.timestamp);
      return (
        SEVERITY[e.level] >= min &&
        at >= from &&
        at <= until &&
        (query.requestId === undefined || e.requestId === query.requestId) &&
        (query.jobId === undefined || e['jobId'] === query.jobId)
      );
    });
    const newestFirst = query.order !== 'asc';
    const picked = newestFirst ? matches.slice(-size).reverse() : matches.slice(-size);
    return picked;
  }
}
