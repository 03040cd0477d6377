/**
 * `strata start --workers N` as the command sees it: how many processes, the primary's start (its cluster
 * logic is in `main-cluster.ts`, imported only there), and a worker's side (its slot and the pub/sub the
 * primary relays). Part of the CLI (only `main.ts` imports it).
 */
import { availableParallelism } from 'node:os';
import type { Config, ResolvedOptions } from './config/index.js';
import { createLogger } from './infra/index.js';
import { keysBanner } from './main-config.js';
import type { KeysOutcome } from './main-config.js';
import type { ClusterWorker } from './main-start.js';

/** Set by the primary in each worker's environment (main-cluster.ts reads it too). */
export const WORKER_SLOT_ENV = 'STRATA_WORKER_SLOT';

/**
 * `--workers`, else the number of cores with NODE_ENV=production and 1 otherwise. `--dev` and an in-memory
 * SQLite database (one per process: the workers would not share it) always run one process.
 */
export function workerCount(options: { options: ResolvedOptions; env: NodeJS.ProcessEnv }): number {
  const { workers, dev, databaseURI } = options.options;
  if (dev === true || databaseURI === 'sqlite::memory:') return 1;
  return workers ?? (options.env['NODE_ENV'] === 'production' ? availableParallelism() : 1);
}

/** The primary of `--workers N`: forks the workers, prints what a single server prints once they listen. */
export async function startPrimary(options: {
  config: Config;
  keys?: KeysOutcome;
  workers: number;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { config, keys } = options;
  const terminal = process.stdout.isTTY;
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat ?? (terminal ? 'pretty' : 'json'),
    color: terminal && !process.env['NO_COLOR'],
  });
  const { runPrimary } = await import('./main-cluster.js');
  const address = await runPrimary({ workers: options.workers, logger, env: {} });
  if (keys?.created) process.stderr.write(keysBanner(config, keys, address));
  logger.info(
    { ...address, workers: options.workers, mountPath: config.mountPath, role: config.role },
    'strata is listening',
  );
}

/** In a worker of `--workers N`: its slot and the primary's pub/sub relay; undefined in a single server. */
export async function clusterWorker(env: NodeJS.ProcessEnv): Promise<ClusterWorker | undefined> {
  const send = process.send?.bind(process);
  const slot = Number(env[WORKER_SLOT_ENV]);
  if (send === undefined || !Number.isInteger(slot) || slot < 1) return undefined;
  const { ClusterMetrics, createIpcPubSub } = await import('./infra/index.js');
  // A worker whose primary is gone (killed without a chance to stop it) stops too, instead of holding the port.
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  const metrics = new ClusterMetrics({ send: (message) => void send(message, undefined, undefined, () => undefined) });
  process.on('message', (message) => void metrics.receive(message));
  return {
    slot,
    metrics,
    pubsub: createIpcPubSub({
      send: (message) => void send(message, undefined, undefined, () => undefined),
      listen: (listener) => {
        process.on('message', listener);
        return () => process.off('message', listener);
      },
    }),
    listening: (address) => void send({ strataWorker: 'listening', ...address }, undefined, undefined, () => undefined),
  };
}
