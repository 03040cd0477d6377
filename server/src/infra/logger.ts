import { pino } from 'pino';
import type { DestinationStream, LevelWithSilent, Logger as PinoLogger } from 'pino';
import { prettyDestination } from './log-pretty.js';
import type { LogBuffer } from './log-buffer.js';

/**
 * The structured logger every component receives from `app.ts`: pino, JSON lines by default, or one readable
 * line per entry with `format: 'pretty'` (`--log-format pretty`, the default on a terminal).
 */
export type Logger = PinoLogger;

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Default `json`. */
  readonly format?: LogFormat;
  /** Colour the level in pretty lines (for a terminal). */
  readonly color?: boolean;
  /** Where lines go (tests pass a stream to read them back). Default: stdout, written synchronously. */
  readonly destination?: DestinationStream;
  /** Also keeps every line in memory (for `GET /scriptlog`). */
  readonly buffer?: LogBuffer;
}

// Credentials that may show up in logged request headers or bodies; pino replaces them with "[Redacted]".
const REDACTED_PATHS = [
  'req.headers["x-parse-master-key"]',
  'req.headers["x-parse-maintenance-key"]',
  'req.headers["x-parse-session-token"]',
  'req.headers["x-parse-rest-api-key"]',
  'req.headers["x-parse-javascript-key"]',
  'req.headers["x-parse-client-key"]',
  'req.headers["x-parse-windows-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'masterKey',
  'sessionToken',
  'password',
];

/**
 * Creates the process logger.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ port: 1337 }, 'listening');
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: REDACTED_PATHS };
  // Synchronous writes: the last lines before an exit (a failed start, a shutdown) are never lost.
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  const shown = options.format === 'pretty' ? prettyDestination({ out, color: options.color ?? false }) : out;
  if (options.buffer === undefined || options.level === 'silent') return pino(base, shown);
  // Both streams take every line the logger's level lets through.
  return pino(
    base,
    pino.multistream([
      { stream: shown, level: options.level },
      { stream: options.buffer, level: options.level },
    ]),
  );
}
