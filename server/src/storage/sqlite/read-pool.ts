import type { Worker } from 'node:worker_threads';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { RawRow } from './driver.js';
import { startThread } from './start-thread.js';

/** A SELECT the main thread compiled, for a pool thread to run. */
export interface ReadRequest {
  readonly id: number;
  readonly sql: string;
  readonly params: readonly unknown[];
}

export type ReadReply =
  | { readonly id: number; readonly rows: RawRow[]; readonly cpuMs?: number }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

interface Pending {
  readonly request: ReadRequest;
  readonly budgetMs: number | undefined;
  resolve(rows: RawRow[]): void;
  reject(err: unknown): void;
}

interface Thread {
  readonly worker: Worker;
  /** Which lane it serves: the slow lane's threads run under `SCHED_IDLE`. */
  readonly slow: boolean;
  job: Pending | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * CPU milliseconds a statement may take on a thread before its SQL text is known as slow: ten times a page of an
 * index (well above a count or a find that an index serves), a tenth of a scan of a million rows.
 */
export const SLOW_STATEMENT_CPU_MS = 20;

/** How many SQL texts the pool remembers as slow (oldest forgotten first). */
const SLOW_SHAPES = 256;

/**
 * The SQLite read pool: `size` worker threads, each with its own read-only connection to the file, so a
 * long scan runs beside the event loop instead of on it. Requests wait in one FIFO queue for a free thread.
 * A request with a time budget that runs past it is answered with 124 and its thread is terminated and
 * replaced (better-sqlite3 cannot interrupt a statement: V8 stops the thread at its next JavaScript call, a
 * `regexp` or geo function per row, or when the statement ends), so a runaway scan never holds a client.
 * Threads start on first use, so a cold start pays nothing for them. Each thread lowers its own CPU priority by
 * `nice` (Linux): when the cores are busy, a scan on a thread takes the CPU the event loop leaves instead of
 * half of it. The budget stays wall-clock time, as the client waits it: a scan starved by the loop's work
 * reaches it sooner, which is the intended order under pressure (the runaway read loses, not the cheap ones).
 *
 * With `idle`, the pool has two lanes of up to `size` threads each. A statement runs on the fast lane (threads
 * at the nice value only) until its SQL text has once taken more than `SLOW_STATEMENT_CPU_MS` of a thread's CPU
 * or run past its budget; from then on that SQL runs on the slow lane, whose threads run under Linux's
 * `SCHED_IDLE` (thread-priority.ts): they get only CPU nothing else wants, and a waking event loop or any other
 * thread takes their core at once. So a client looping a scan costs the gets next to it almost nothing, and on
 * cores busy anyway only the known-slow SQL waits for its budget; counts and indexed finds keep the nice share.
 * The SQL text is the statement's shape (values are parameters). It goes back to the fast lane when a run
 * takes under a quarter of the limit (an index was added). CPU time, not wall time, so a statement starved of
 * CPU is not called slow for it.
 */
export class ReadPool {
  private readonly threads: Thread[] = [];
  /** Statements waiting for a thread: the fast lane's and the slow lane's. */
  private readonly queues: { readonly fast: Pending[]; readonly slow: Pending[] } = { fast: [], slow: [] };
  /** SQL texts that took more than `SLOW_STATEMENT_CPU_MS` (a Map keeps insertion order: the oldest goes first). */
  private readonly slowSql = new Map<string, true>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly options: {
      readonly path: string;
      readonly size: number;
      readonly busyTimeoutMs: number;
      /** Steps of CPU priority below the server's that each thread takes (0: the same); see thread-priority.ts. */
      readonly nice?: number;
      /** Run the threads under Linux's `SCHED_IDLE` policy: only on CPU nothing else wants; see thread-priority.ts. */
      readonly idle?: boolean;
    },
  ) {}

  /** The most threads it runs: `size`, or `size` per lane with `idle`. */
  get size(): number {
    return this.options.idle === true ? 2 * this.options.size : this.options.size;
  }

  /** Threads running a statement, and statements waiting for one. */
  stats(): { inUse: number; waiting: number } {
    return {
      inUse: this.threads.filter((t) => t.job !== undefined).length,
      waiting: this.queues.fast.length + this.queues.slow.length,
    };
  }

  /** True when `sql` runs on the slow lane (see the class comment). */
  isKnownSlow(sql: string): boolean {
    return this.slowSql.has(sql);
  }

  /** Runs one SELECT on a pool thread; rows come back as arrays in select-list order. */
  read(options: { sql: string; params: readonly unknown[]; budgetMs?: number }): Promise<RawRow[]> {
    if (this.closed) {
      return Promise.reject(
        new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'The SQLite storage is closed.' }),
      );
    }
    const lane = this.options.idle === true && this.slowSql.has(options.sql) ? 'slow' : 'fast';
    return new Promise((resolve, reject) => {
      this.queues[lane].push({
        request: { id: this.nextId++, sql: options.sql, params: options.params },
        budgetMs: options.budgetMs,
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const stopped = new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'The SQLite storage is closed.' });
    for (const pending of [...this.queues.fast.splice(0), ...this.queues.slow.splice(0)]) pending.reject(stopped);
    await Promise.all(
      this.threads.splice(0).map((thread) => {
        if (thread.timer !== undefined) clearTimeout(thread.timer);
        thread.job?.reject(stopped);
        return thread.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    for (const slow of [false, true]) {
      const queue = slow ? this.queues.slow : this.queues.fast;
      while (queue.length > 0) {
        let thread = this.threads.find((t) => t.slow === slow && t.job === undefined);
        if (thread === undefined && this.threads.filter((t) => t.slow === slow).length < this.options.size) {
          thread = this.spawn(slow);
        }
        if (thread === undefined) break;
        this.assign(thread, queue.shift() as Pending);
      }
    }
  }

  /** Remembers (or forgets) `sql` as slow after a run that took `cpuMs` of a thread's CPU. */
  private learn(sql: string, cpuMs: number): void {
    if (this.options.idle !== true) return;
    if (cpuMs > SLOW_STATEMENT_CPU_MS) {
      this.slowSql.delete(sql);
      this.slowSql.set(sql, true);
      if (this.slowSql.size > SLOW_SHAPES) this.slowSql.delete(this.slowSql.keys().next().value as string);
    } else if (cpuMs < SLOW_STATEMENT_CPU_MS / 4) this.slowSql.delete(sql);
  }

  private assign(thread: Thread, job: Pending): void {
    thread.job = job;
    if (job.budgetMs !== undefined) {
      const budgetMs = job.budgetMs;
      thread.timer = setTimeout(() => this.overBudget(thread, budgetMs), budgetMs);
    }
    thread.worker.postMessage(job.request);
  }

  private spawn(slow: boolean): Thread {
    const worker = startThread('read-worker', {
      path: this.options.path,
      busyTimeoutMs: this.options.busyTimeoutMs,
      nice: this.options.nice ?? 0,
      idle: slow,
    });
    // Not kept alive by an idle pool: the app's own close ends the threads.
    worker.unref();
    const thread: Thread = { worker, slow, job: undefined, timer: undefined };
    worker.on('message', (reply: ReadReply) => this.settle(thread, reply));
    worker.on('error', (err) => this.lost(thread, err));
    worker.on('exit', () => this.lost(thread, new Error('read thread exited')));
    this.threads.push(thread);
    return thread;
  }

  private settle(thread: Thread, reply: ReadReply): void {
    const job = thread.job;
    if (job === undefined || job.request.id !== reply.id) return;
    this.release(thread);
    if ('rows' in reply && reply.cpuMs !== undefined) this.learn(job.request.sql, reply.cpuMs);
    if ('rows' in reply) job.resolve(reply.rows);
    else {
      const cause = Object.assign(
        new Error(reply.error.message),
        reply.error.code === undefined ? {} : { code: reply.error.code },
      );
      job.reject(new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause }));
    }
    this.dispatch();
  }

  private release(thread: Thread): void {
    if (thread.timer !== undefined) clearTimeout(thread.timer);
    thread.timer = undefined;
    thread.job = undefined;
  }

  /** The budget ran out: the caller gets 124 now; the thread is abandoned and a fresh one takes its place. */
  private overBudget(thread: Thread, budgetMs: number): void {
    const job = thread.job;
    this.remove(thread);
    void thread.worker.terminate();
    if (job !== undefined) this.learn(job.request.sql, Number.POSITIVE_INFINITY);
    job?.reject(
      new ParseError(ErrorCode.TIMEOUT, {
        message: `The query ran longer than its time budget (${budgetMs} ms) and was stopped; add an index or narrow the query.`,
      }),
    );
    this.dispatch();
  }

  /** A thread that died (its connection failed to open, an uncaught error): its job fails, the next one gets a new thread. */
  private lost(thread: Thread, err: unknown): void {
    if (!this.threads.includes(thread)) return;
    const job = thread.job;
    this.remove(thread);
    job?.reject(new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { cause: err }));
    if (!this.closed) this.dispatch();
  }

  private remove(thread: Thread): void {
    if (thread.timer !== undefined) clearTimeout(thread.timer);
    const index = this.threads.indexOf(thread);
    if (index !== -1) this.threads.splice(index, 1);
  }
}
