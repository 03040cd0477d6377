import type { DestinationStream } from 'pino';

/**
 * `--log-format pretty`: turns each of pino's JSON lines into one line a person reads in a terminal,
 * `12:00:01.250 INFO  GET /parse/classes/GameScore 201 3.1ms  reqId=…`. Synchronous and dependency-free, so no
 * line is lost when the process exits right after writing it (a start-up failure) and it works without
 * dev dependencies. An error's stack follows its line, indented.
 */

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Readonly<Record<number, string>> = {
  10: '\u001b[90m',
  20: '\u001b[36m',
  30: '\u001b[32m',
  40: '\u001b[33m',
  50: '\u001b[31m',
  60: '\u001b[35m',
};
const RESET = '\u001b[0m';
/** Fields every line has, shown by the layout itself rather than as `key=value`. */
const LAYOUT_KEYS: ReadonlySet<string> = new Set(['level', 'time', 'msg', 'pid', 'hostname']);
/** An access-log line's own fields, shown as `METHOD path status duration`. */
const REQUEST_KEYS: ReadonlySet<string> = new Set(['method', 'path', 'status', 'ms']);

/** A pino destination writing pretty lines to `out`. */
export function prettyDestination(options: { out: DestinationStream; color: boolean }): DestinationStream {
  return { write: (line: string) => options.out.write(formatPrettyLine(line, options.color)) };
}

/** One JSON log line → one pretty line (plus an error stack, if any), ending with a newline. */
export function formatPrettyLine(json: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = typeof entry['level'] === 'number' ? entry['level'] : 30;
  const label = LEVELS[level] ?? String(level);
  const head = `${clock(entry['time'])} ${color ? `${COLORS[level] ?? ''}${label}${RESET}` : label}`;
  const request = entry['msg'] === 'request' && typeof entry['method'] === 'string';
  const message = request ? requestSummary(entry) : safe(String(entry['msg'] ?? ''));
  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(entry)) {
    if (LAYOUT_KEYS.has(key) || (request && REQUEST_KEYS.has(key)) || value === undefined) continue;
    if (key === 'err' && typeof value === 'object' && value !== null) {
      const err = value as { message?: unknown; stack?: unknown };
      fields.push(`err=${show(err.message ?? value)}`);
      if (typeof err.stack === 'string') stack = err.stack;
      continue;
    }
    fields.push(`${key}=${show(value)}`);
  }
  const line = fields.length === 0 ? `${head} ${message}` : `${head} ${message}  ${fields.join(' ')}`;
  if (stack === undefined) return `${line}\n`;
  // The stack's first line repeats the message.
  const frames = stack.split('\n').slice(1);
  return `${line}\n${frames.map((frame) => `    ${safe(frame.trim())}`).join('\n')}\n`;
}

function requestSummary(entry: Record<string, unknown>): string {
  const ms = typeof entry['ms'] === 'number' ? `${entry['ms']}ms` : '';
  return safe(`${String(entry['method'])} ${String(entry['path'] ?? '')} ${String(entry['status'] ?? '')} ${ms}`);
}

function clock(time: unknown): string {
  const date = typeof time === 'number' ? new Date(time) : new Date();
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A value as `key=value` shows it: bare when it is a plain word, else JSON (quotes, escapes). */
function show(value: unknown): string {
  if (typeof value === 'string') return /^[\w.:/@+-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Control characters (a client-sent path or id) must not move the terminal's cursor or forge a line. */
function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
