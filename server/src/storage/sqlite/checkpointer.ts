import type { Worker } from 'node:worker_threads';
import { startThread } from './start-thread.js';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs on the connection that commits, once
 * the WAL passes 1,000 pages: the event loop then copies those pages into the database file and waits for two
 * fsyncs (~2 % of a create's server CPU, and the loop stalled for the fsyncs). Instead, every `everyCommits`
 * commits of the writing connection this asks a thread with its own connection (checkpoint-worker.ts) for a
 * PASSIVE checkpoint, one at a time. The writer keeps a larger automatic checkpoint (`WRITER_AUTO_CHECKPOINT`)
 * as the bound: if the thread falls behind or dies, the WAL still cannot grow without limit. Durability is
 * unchanged: a commit is durable in the WAL before any checkpoint; the checkpoint only moves it into the file.
 * The thread starts on the first request, so a storage that writes little never starts it.
 */
export class Checkpointer {
  #worker: Worker | undefined;
  #commits = 0;
  #running = false;
  #stopped = false;

  constructor(private readonly options: { readonly path: string; readonly everyCommits: number }) {}

  /** Told of each commit of the writing connection. */
  committed(): void {
    this.#commits += 1;
    if (this.#commits < this.options.everyCommits || this.#running || this.#stopped) return;
    this.#commits = 0;
    this.#running = true;
    this.#thread().postMessage('checkpoint');
  }

  async close(): Promise<void> {
    this.#stopped = true;
    await this.#worker?.terminate();
  }

  #thread(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = startThread('checkpoint-worker', { path: this.options.path });
    // Not kept alive by the thread: the storage's close ends it.
    worker.unref();
    worker.on('message', () => {
      this.#running = false;
    });
    // A thread that cannot open or dies: no more requests; the writer's automatic checkpoint takes over.
    const lost = (): void => {
      this.#stopped = true;
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    this.#worker = worker;
    return worker;
  }
}

/** The writer's own automatic checkpoint (pages) while the thread checkpoints: only if the thread falls behind. */
export const WRITER_AUTO_CHECKPOINT = 4000;

/** Commits between two checkpoint requests: a few hundred WAL pages at the usual 2–10 pages per commit. */
export const COMMITS_PER_CHECKPOINT = 100;
