/**
 * `strata start` in one process: the logger, the app (imported lazily, once the configuration is known to be
 * valid), what a start prints (the keys banner on the first start, the dashboard hint), SIGTERM/SIGINT as a
 * graceful stop, and both sides of `--dev` (the supervisor, and the child's port handover). Part of the CLI
 * (only `main*.ts` import it).
 */
import type { Config } from './config/index.js';
import type { ClusterMetrics, Logger, PubSub } from './infra/index.js';
import { LogBuffer, createLogger } from './infra/index.js';
import { keysBanner } from './main-config.js';
import type { KeysOutcome } from './main-config.js';
import { dashboardUsersReader } from './main-dashboard-user.js';
import { describeStartupFailure } from './main-failure.js';
import type { FailedStep } from './main-failure.js';

function handleSignals(app: { close(): Promise<void> }, logger: Logger, options: { clusterWorker: boolean }): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests (send the signal again to force)');
    app.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  // A worker of `--workers N` is stopped by its primary (SIGTERM); Ctrl-C in a terminal reaches the whole
  // process group, and the worker would take the primary's SIGTERM that follows as a second, forcing signal.
  if (options.clusterWorker) process.on('SIGINT', () => undefined);
  else process.on('SIGINT', stop);
}

/** In a `--dev` child: waits, once the cloud code has loaded, until the supervisor has freed the port. */
export interface DevHandoff {
  loaded(): Promise<void>;
}

/**
 * The child side of `--dev`'s handover (see cloud/load-dev.ts): undefined outside a supervised child. A child
 * whose supervisor is gone (killed without a chance to stop it) stops too, instead of holding the port.
 */
export async function devHandoff(env: NodeJS.ProcessEnv): Promise<DevHandoff | undefined> {
  const send = process.send?.bind(process);
  if (env[DEV_CHILD_ENV] !== '1' || send === undefined) return undefined;
  const { DEV_GO, DEV_LOADED } = await import('./cloud/index.js');
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  return {
    loaded: () =>
      new Promise<void>((resolveGo) => {
        const onMessage = (message: unknown): void => {
          if (message !== DEV_GO) return;
          process.off('message', onMessage);
          resolveGo();
        };
        process.on('message', onMessage);
        send(DEV_LOADED);
      }),
  };
}

/** This process as one of `--workers N`: its slot (1..N) and the pub/sub the primary relays. */
export interface ClusterWorker {
  readonly slot: number;
  readonly pubsub: PubSub;
  /** `/metrics` of every worker of the port, gathered through the primary. */
  readonly metrics: ClusterMetrics;
  /** Tells the primary the port is open. */
  listening(address: { port: number; host: string }): void;
}

export async function start(options: {
  config: Config;
  keys?: KeysOutcome;
  dev?: DevHandoff;
  worker?: ClusterWorker;
}): Promise<void> {
  const { config, keys, dev, worker } = options;
  const terminal = process.stdout.isTTY;
  // The recent lines `GET /scriptlog` answers with (the dashboards' logs pages).
  const logs = new LogBuffer();
  const logger = createLogger({
    buffer: logs,
    level: config.logLevel,
    format: config.logFormat ?? (terminal ? 'pretty' : 'json'),
    color: terminal && !process.env['NO_COLOR'],
  });
  // Before cloud code loads: a rejection it leaks is logged instead of ending the process.
  const { installUnhandledRejectionGuard } = await import('./cloud/index.js');
  installUnhandledRejectionGuard(logger);
  const { createApp } = await import('./app.js');
  let step: FailedStep | undefined;
  let address: { port: number; host: string };
  try {
    const app = await createApp({
      config,
      logger,
      logs,
      dashboardUsers: await dashboardUsersReader(config, logger),
      ...(worker === undefined
        ? {}
        : { pubsub: worker.pubsub, consumeJobs: worker.slot === 1, clusterMetrics: worker.metrics }),
      onStartupStep: async (next) => {
        step = next;
        // The cloud code has loaded: under --dev, the previous server stops only now (it served meanwhile).
        if (next === 'database') await dev?.loaded();
      },
    });
    handleSignals(app, logger, { clusterWorker: worker !== undefined });
    step = 'listen';
    address = await app.listen();
  } catch (err) {
    // Under --dev a cloud code error is one line: the supervisor says what happens next.
    const failure = describeStartupFailure({ err, step, config, brief: dev !== undefined && step === 'cloud' });
    const lines = [...failure.lines];
    // The banner needs the address; without this line a failed first start would never say where the keys are.
    if (keys?.created) lines.push(`strata: the generated keys are in ${keys.path} (not shown: the start failed)`);
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(failure.exitCode);
  }
  if (worker !== undefined) {
    // The primary prints the banner and the dashboard line once for all workers.
    worker.listening(address);
    logger.info({ ...address, slot: worker.slot }, 'strata worker is listening');
    return;
  }
  if (keys?.created) process.stderr.write(keysBanner(config, keys, address));
  else if (keys) logger.info({ appId: config.appId, keysFile: keys.path }, 'using the keys generated on first start');
  if (config.dashboard !== false && (config.role === 'api' || config.role === 'all')) {
    // Beside the keys banner on a first start; a log line on later ones (stderr stays quiet then).
    const hint = await dashboardHint(config, address);
    if (keys?.created) process.stderr.write(hint);
    else logger.info(hint.trim().replace(/\s+/g, ' '));
  }
  logger.info(
    { ...address, mountPath: config.mountPath, role: config.role, database: config.databaseURI.split(':')[0] },
    'strata is listening',
  );
}

/** One line on every start of an api server: where the dashboard is, and how to create its first user. */
async function dashboardHint(config: Config, address: { port: number; host: string }): Promise<string> {
  const host = address.host === '0.0.0.0' || address.host === '::' ? 'localhost' : address.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/dashboard/`;
  const reader = await dashboardUsersReader(config, createLogger({ level: 'silent' }));
  if (reader().length > 0) return `strata: dashboard at ${url}\n`;
  return (
    `strata: dashboard at ${url} has no users yet; create the first one with\n` +
    `  npx strata dashboard-user add <name>${config.dashboardUsersFile === undefined ? '' : ` --dashboard-users-file ${config.dashboardUsersFile}`}\n`
  );
}

/** Set in the environment of the server a `--dev` supervisor starts. */
export const DEV_CHILD_ENV = 'STRATA_DEV_CHILD';

/**
 * `--dev`: this process only supervises; the server runs as a child (same node flags and arguments, minus
 * `--dev`) and is restarted when the cloud code changes. The child is marked so it does not supervise too.
 */
export async function superviseDevServer(options: {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cloud?: string;
}): Promise<void> {
  const { superviseDev } = await import('./cloud/index.js');
  const args = options.argv.filter((arg) => arg !== '--dev' && !arg.startsWith('--dev='));
  const supervisor = superviseDev({
    command: process.execPath,
    args: [...process.execArgv, process.argv[1] ?? '', ...args],
    env: { ...options.env, [DEV_CHILD_ENV]: '1' },
    ...(options.cloud === undefined ? {} : { cloudFile: options.cloud }),
    report: (line) => process.stderr.write(`${line}\n`),
  });
  const stop = (): void => {
    void supervisor.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
