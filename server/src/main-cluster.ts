/**
 * `strata start --workers N`: the primary process of a Node cluster. It serves nothing itself: it forks N
 * app processes that share one listening port (the primary hands connections out round-robin), relays
 * their pub/sub messages to each other when there is no Redis (schema, role, session and config caches, the
 * change feed, jobs accepted by a worker that does not run them; `IpcRelay`: a change goes only to the workers
 * that want its class), restarts a worker that dies, restarts
 * them all one by one on SIGHUP, and stops them all gracefully on SIGTERM/SIGINT. Part of the CLI.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { IpcRelay, MetricsGatherer } from './infra/index.js';
import type { Logger } from './infra/index.js';

/** Set in each worker's environment: its slot, 1..N (main.ts reads it). Slot 1 consumes the in-process job queue. */
const WORKER_SLOT_ENV = 'STRATA_WORKER_SLOT';

/** What a worker tells the primary once its port is open. */
export interface WorkerListening {
  readonly strataWorker: 'listening';
  readonly port: number;
  readonly host: string;
}

export function isWorkerListening(value: unknown): value is WorkerListening {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v['strataWorker'] === 'listening' && typeof v['port'] === 'number' && typeof v['host'] === 'string';
}

/** A worker that dies again within this long of its start is restarted after a growing delay. */
const QUICK_DEATH_MS = 5000;
const MAX_RESTART_DELAY_MS = 30_000;

/**
 * Runs the cluster's primary until it is stopped. Resolves with the address once every worker listens;
 * exits the process with the worker's exit code when one fails during the first start (a wrong option, an
 * unreachable database, a taken port), since starting it again would fail the same way.
 */
export async function runPrimary(options: {
  workers: number;
  logger: Logger;
  /** Forwarded to every worker (besides the environment the primary has). */
  env: NodeJS.ProcessEnv;
}): Promise<{ port: number; host: string }> {
  const { workers, logger } = options;
  const slots = new Map<number, Worker>();
  const startedAt = new Map<Worker, number>();
  const restartDelay = new Map<number, number>();
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  /** Workers being replaced on purpose: their exit is not a crash. */
  const retiring = new Set<Worker>();

  const relay = new IpcRelay();
  // One /metrics for the port: the scraped worker gathers every worker's registry through here.
  const gatherer = new MetricsGatherer();
  cluster.on('message', (worker, message: unknown) => {
    if (!gatherer.receive(worker.id, message)) relay.receive(worker.id, message);
  });

  const fork = (slot: number): Worker => {
    const worker = cluster.fork({ ...options.env, [WORKER_SLOT_ENV]: String(slot) });
    relay.add(worker.id, (message) => {
      if (worker.isConnected()) worker.send(message, undefined, () => undefined);
    });
    gatherer.add(worker.id, (message) => {
      if (worker.isConnected()) worker.send(message, undefined, () => undefined);
    });
    slots.set(slot, worker);
    startedAt.set(worker, Date.now());
    return worker;
  };

  /** Resolves with the worker's address once it listens; rejects with its exit code if it ends first. */
  const listening = (worker: Worker): Promise<WorkerListening> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: unknown): void => {
        if (!isWorkerListening(message)) return;
        worker.off('exit', onExit);
        worker.off('message', onMessage);
        resolve(message);
      };
      const onExit = (code: number | null): void => {
        worker.off('message', onMessage);
        reject(new WorkerExit(code ?? 1));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
    });

  const stopWorker = (worker: Worker): Promise<void> =>
    new Promise((resolve) => {
      if (worker.isDead()) return resolve();
      retiring.add(worker);
      worker.once('exit', () => resolve());
      worker.process.kill('SIGTERM');
    });

  cluster.on('exit', (worker, code, signal) => {
    relay.remove(worker.id);
    gatherer.remove(worker.id);
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    startedAt.delete(worker);
    if (phase !== 'running' || retiring.delete(worker)) return;
    const slot = [...slots.entries()].find(([, w]) => w === worker)?.[0];
    if (slot === undefined) return;
    const delay = lived < QUICK_DEATH_MS ? Math.min(MAX_RESTART_DELAY_MS, (restartDelay.get(slot) ?? 500) * 2) : 0;
    restartDelay.set(slot, delay);
    logger.error(
      { slot, pid: worker.process.pid, code, signal, restartInMs: delay },
      'a worker stopped; restarting it',
    );
    setTimeout(() => {
      if (phase === 'running') fork(slot);
    }, delay).unref();
  });

  // The first worker alone first: it creates the database's tables, so the others open a ready file.
  let address: WorkerListening;
  try {
    address = await listening(fork(1));
    await Promise.all(Array.from({ length: workers - 1 }, (_, i) => listening(fork(i + 2))));
  } catch (err) {
    phase = 'stopping';
    await Promise.all([...slots.values()].map(stopWorker));
    process.exit(err instanceof WorkerExit ? err.code : 1);
  }
  phase = 'running';

  let restarting: Promise<void> | undefined;
  /**
   * One slot at a time: the old worker finishes its requests and stops, then a new one starts; the others keep
   * serving the port meanwhile. Stop-then-start (not the reverse) so two job consumers never overlap in slot 1.
   */
  const restartAll = async (): Promise<void> => {
    logger.info({ workers }, 'SIGHUP: restarting the workers one by one');
    for (const slot of [...slots.keys()].sort((a, b) => a - b)) {
      if (phase !== 'running') return;
      const old = slots.get(slot);
      if (old !== undefined) await stopWorker(old);
      if (phase !== 'running') return;
      try {
        await listening(fork(slot));
      } catch (err) {
        logger.error(
          { slot, code: err instanceof WorkerExit ? err.code : undefined },
          'a restarted worker failed to start',
        );
        return;
      }
    }
    logger.info({ workers }, 'every worker restarted');
  };
  process.on('SIGHUP', () => {
    restarting ??= restartAll().finally(() => {
      restarting = undefined;
    });
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: stopping the workers without waiting');
      for (const worker of slots.values()) worker.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    phase = 'stopping';
    logger.info({ signal }, 'shutting down: each worker finishes its in-flight requests');
    void Promise.all([...slots.values()].map(stopWorker)).then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return { port: address.port, host: address.host };
}

class WorkerExit extends Error {
  constructor(readonly code: number) {
    super(`worker exited with code ${code}`);
  }
}
