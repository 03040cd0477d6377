/**
 * `strata start --dev`: the CLI supervises the server as a child process and restarts it when a file under
 * the cloud code's directory changes (debounced; `fs.watch` recursive). A restart is a fresh process, so the
 * reload is exact: nothing of the old module (timers, caches, registrations) survives.
 *
 * The old server keeps serving while the new one loads the changed code: the new child says it has loaded
 * (`DEV_LOADED` over the IPC channel) before it opens the database or the port, and only then is the old one
 * stopped and the new one told to go on (`DEV_GO`). A new child that exits before saying so could not load
 * the code (a syntax error, an error thrown at load): it has printed why in one line, and the old server is
 * still the one answering, until the next change.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Sent by a `--dev` child once its cloud code has loaded, before it opens the database and the port. */
export const DEV_LOADED = 'strata-dev:loaded';
/** Sent to that child when the port is free: the previous server has stopped. */
export const DEV_GO = 'strata-dev:go';

export interface DevSupervisorOptions {
  /** The command that starts one server: `node [execArgv] main.js start ...` without `--dev`. */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The `--cloud` module; its directory is watched. Absent: the server runs, nothing is watched. */
  readonly cloudFile?: string;
  /** Where the supervisor says what it does (the CLI writes these lines to stderr). */
  readonly report: (line: string) => void;
  /** Quiet time after the last change before restarting (default 200 ms). */
  readonly debounceMs?: number;
}

export interface DevSupervisor {
  /** Stops watching and the children (SIGTERM, then SIGKILL after 10 s); resolves when they have exited. */
  stop(): Promise<void>;
}

/** Paths whose changes never mean new code: dependencies, VCS data, databases and editors' temp files. */
const IGNORED = [
  /(^|[\\/])node_modules([\\/]|$)/,
  /(^|[\\/])\.git([\\/]|$)/,
  /(^|[\\/])\.strata([\\/]|$)/,
  /\.(db|db-journal|db-wal|db-shm|swp|swx)$/,
  /~$/,
];

export function superviseDev(options: DevSupervisorOptions): DevSupervisor {
  const { report } = options;
  /** The server answering requests (it has been told to go on). */
  let serving: ChildProcess | undefined;
  /** A server loading new code, not yet holding the port. */
  let candidate: ChildProcess | undefined;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();

  const launch = (): void => {
    const child = spawn(options.command, [...options.args], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: options.env,
    });
    candidate = child;
    let loaded = false;
    child.on('message', (message: unknown) => {
      if (message !== DEV_LOADED || child !== candidate) return;
      loaded = true;
      void handOver(child);
    });
    child.on('exit', (code, signal) => {
      if (child === candidate) candidate = undefined;
      if (stopping) return;
      if (!loaded) {
        // It printed why; a candidate replaced by a newer one was stopped on purpose.
        if (signal === 'SIGTERM') return;
        report(
          serving === undefined
            ? 'strata --dev: the cloud code did not load; waiting for a change to try again'
            : 'strata --dev: the cloud code did not load; still serving the previous code until the next change',
        );
        return;
      }
      if (child !== serving) return;
      serving = undefined;
      report(
        `strata --dev: the server exited (${signal ?? `code ${String(code)}`}); waiting for a change to restart it`,
      );
    });
  };

  /** The new code loaded: stop the old server, then let the new one open the database and the port. */
  const handOver = async (child: ChildProcess): Promise<void> => {
    const old = serving;
    serving = undefined;
    await stopChild(old);
    if (stopping || child !== candidate) {
      await stopChild(child);
      return;
    }
    candidate = undefined;
    serving = child;
    child.send(DEV_GO);
  };

  const restart = async (): Promise<void> => {
    const files = [...changed];
    changed.clear();
    const named = `${files.slice(0, 5).join(', ')}${files.length > 5 ? ', ...' : ''}`;
    report(`strata --dev: ${named} changed; restarting the server`);
    // A candidate still loading older code is replaced by one loading the newest.
    const stale = candidate;
    candidate = undefined;
    await stopChild(stale);
    if (stopping) return;
    // Node 20's recursive watcher on Linux follows files by inode: a file replaced by rename (an editor's atomic
    // save, `sed -i`) is not watched any more, so its next in-place write went unnoticed. Watch afresh.
    watcher?.close();
    watcher = watchTree();
    launch();
  };

  const directory = options.cloudFile === undefined ? undefined : dirname(resolve(options.cloudFile));
  const watchTree = (): FSWatcher | undefined => {
    if (directory === undefined) return undefined;
    const created = watch(directory, { recursive: true }, (_event, name) => {
      const file = name === null ? directory : name.toString();
      if (IGNORED.some((pattern) => pattern.test(file))) return;
      changed.add(file);
      clearTimeout(timer);
      timer = setTimeout(() => void restart(), options.debounceMs ?? 200);
    });
    created.on('error', (err) => report(`strata --dev: watching ${directory} failed: ${err.message}`));
    return created;
  };

  let watcher = watchTree();
  report(
    directory === undefined
      ? 'strata --dev: no --cloud module given, so nothing is watched'
      : `strata --dev: watching ${directory} for changes`,
  );
  launch();

  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      watcher?.close();
      await Promise.all([stopChild(candidate), stopChild(serving)]);
    },
  };
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
