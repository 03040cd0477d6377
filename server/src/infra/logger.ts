import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { DestinationStream, LevelWithSilent, Logger as PinoLogger } from 'pino';

/**
 * The structured logger every component receives from `app.ts`: pino, JSON lines by default. Pretty output is
 * opt-in (the caller asks for it, typically when stdout is a terminal) and only used when the optional
 * `pino-pretty` package is installed; otherwise it silently stays JSON.
 */
export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Ask for human-readable output; ignored when pino-pretty is not installed or `destination` is given. */
  readonly pretty?: boolean;
  /** Where JSON lines go (tests pass a stream to read them back). Default: stdout. */
  readonly destination?: DestinationStream;
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

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the process logger.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ port: 1337 }, 'listening');
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: REDACTED_PATHS };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty && prettyAvailable()) {
    return pino({
      ...base,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  return pino(base);
}
