import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StartupStep } from './app.js';
import type { Config } from './config/index.js';
import { ErrorCode, ParseError } from './errors/index.js';

/**
 * A failed start as the operator reads it: one line saying what is wrong, one saying what to do, and an exit
 * code a process manager or script can tell apart. The stack is shown only at `--log-level debug` (or trace).
 */

/** Exit codes of `strata start` (the README lists them). */
export const EXIT_CODES = {
  /** Anything not listed below. */
  failed: 1,
  /** An option, the config file or the keys file is invalid. */
  configuration: 2,
  /** The cloud code module is missing or failed to load (syntax error, error thrown at load). */
  cloudCode: 3,
  /** The database or Redis could not be opened or reached. */
  backingService: 4,
  /** The port could not be listened on (in use, not permitted, no such address). */
  listen: 5,
} as const;

/** Where the start was when it failed: one of the app's steps, or listening on the port. */
export type FailedStep = StartupStep | 'listen';

export interface StartupFailure {
  /** Printed to stderr, each prefixed as given. */
  readonly lines: readonly string[];
  readonly exitCode: number;
}

/**
 * What to print and the exit code for an error thrown while starting.
 *
 * @example
 * const failure = describeStartupFailure({ err, step: 'listen', config });
 * process.stderr.write(failure.lines.join('\n') + '\n');
 */
export function describeStartupFailure(options: {
  err: unknown;
  step: FailedStep | undefined;
  config: Config;
  /** Say only the first line (the `--dev` supervisor adds its own). */
  brief?: boolean;
}): StartupFailure {
  const { err, step, config } = options;
  const failure = explain({ err, step, config });
  const debug = config.logLevel === 'debug' || config.logLevel === 'trace';
  const [first = '', ...rest] = failure.lines;
  const lines = options.brief === true ? [first] : [first, ...rest];
  return { exitCode: failure.exitCode, lines: debug ? [...lines, ...stackLines(err)] : lines };
}

function explain(options: { err: unknown; step: FailedStep | undefined; config: Config }): StartupFailure {
  const { err, step, config } = options;
  const reason = reasonOf(err);
  switch (step) {
    case 'listen':
      return listenFailure({ err, config });
    case 'cloud': {
      const missing = config.cloud !== undefined && !existsSync(resolve(config.cloud));
      return {
        exitCode: EXIT_CODES.cloudCode,
        lines: [
          `strata: ${reason}`,
          missing
            ? `  Check the path (relative to ${process.cwd()}), or leave out --cloud.`
            : '  Fix the cloud code and start again (with --dev, saving a file restarts the server).',
        ],
      };
    }
    case 'database':
      return {
        exitCode: EXIT_CODES.backingService,
        lines: [
          `strata: ${reason}`,
          config.databaseURI.startsWith('mongodb')
            ? '  Start MongoDB or fix --database-uri (STRATA_DATABASE_URI); --database-connect-timeout <ms> waits longer.'
            : '  Fix --database-uri sqlite:<path> or --data-dir: the directory must be creatable and writable by this user.',
        ],
      };
    case 'redis':
      return {
        exitCode: EXIT_CODES.backingService,
        lines: [
          `strata: ${reason}`,
          '  Start Redis or fix --redis-url (STRATA_REDIS_URL); leave it unset to run one server without Redis.',
        ],
      };
    default:
      return {
        exitCode: EXIT_CODES.failed,
        lines: [`strata: failed to start: ${reason}`, '  Run with --log-level debug to see where it failed.'],
      };
  }
}

function listenFailure(options: { err: unknown; config: Config }): StartupFailure {
  const { err, config } = options;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  const lines = ((): [string, string] => {
    switch (code) {
      case 'EADDRINUSE':
        return [
          `strata: port ${config.port} is already in use (listening on ${where}).`,
          '  Stop what is listening there (another strata?) or pick another port: --port <n> (or PORT, STRATA_PORT).',
        ];
      case 'EACCES':
        return [
          `strata: not allowed to listen on ${where} (EACCES).`,
          '  Ports below 1024 need privileges: pick another with --port <n>, or put a proxy in front.',
        ];
      case 'EADDRNOTAVAIL':
        return [
          `strata: ${config.host} is not an address of this machine (EADDRNOTAVAIL).`,
          '  Fix --host (STRATA_HOST): 0.0.0.0 listens on every interface, 127.0.0.1 on this machine only.',
        ];
      default:
        return [`strata: cannot listen on ${where}: ${reasonOf(err)}`, '  Check --host and --port.'];
    }
  })();
  return { exitCode: EXIT_CODES.listen, lines };
}

/** The most specific message: a ParseError with the generic "Internal server error." speaks through its cause. */
function reasonOf(err: unknown): string {
  let current: unknown = err;
  while (
    current instanceof ParseError &&
    current.code === ErrorCode.INTERNAL_SERVER_ERROR &&
    current.cause !== undefined &&
    current.message === 'Internal server error.'
  ) {
    current = current.cause;
  }
  const message = current instanceof Error ? current.message : String(current);
  // One line: a multi-line message (esbuild's, a driver's) keeps its first non-empty line.
  return (
    message
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? 'unknown error'
  );
}

/** The stack and its causes, indented, for `--log-level debug`. */
function stackLines(err: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const text = current instanceof Error ? (current.stack ?? current.message) : String(current);
    const prefix = depth === 0 ? '' : 'caused by: ';
    lines.push(...text.split('\n').map((line, i) => `    ${i === 0 ? prefix : ''}${line}`));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}
