/**
 * `strata start --dev`: the CLI supervises the server as a child process and restarts it when a file under
 * the cloud code's directory changes (debounced; `fs.watch` recursive). A restart is a fresh process, so the
 * reload is exact: nothing of the old module (timers, caches, registrations) survives. A child that exits by
 * itself (e.g. the new code fails to load) is not restarted until the next change.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';

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
  /** Stops watching and the child (SIGTERM, then SIGKILL after 10 s); resolves when it has exited. */
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
  let child: ChildProcess | undefined;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  const changed = new Set<string>();

  const start = (): void => {
    const started = spawn(options.command, [...options.args], { stdio: 'inherit', env: options.env });
    child = started;
    started.on('exit', (code, signal) => {
      if (child !== started) return;
      child = undefined;
      if (!stopping) {
        report(
          `strata --dev: the server exited (${signal ?? `code ${String(code)}`}); waiting for a change to restart it`,
        );
      }
    });
  };

  const restart = async (): Promise<void> => {
    const files = [...changed];
    changed.clear();
    const named = `${files.slice(0, 5).join(', ')}${files.length > 5 ? ', ...' : ''}`;
    report(`strata --dev: ${named} changed; restarting the server`);
    // A planned stop: the exit handler sees another child and stays quiet.
    const old = child;
    child = undefined;
    await stopChild(old);
    if (stopping) return;
    // Node 20's recursive watcher on Linux follows files by inode: a file replaced by rename (an editor's atomic
    // save, `sed -i`) is not watched any more, so its next in-place write went unnoticed. Watch afresh.
    watcher?.close();
    watcher = watchTree();
    start();
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
  start();

  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      watcher?.close();
      await stopChild(child);
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
