import { createHash } from 'node:crypto';
import type { JsonObject } from './types.js';

export type JobState = 'running' | 'succeeded' | 'failed';
/** `api`: started by `POST /jobs` (Parse's value); `schedule`: started by a cron schedule (Strata's). */
export type JobSource = 'api' | 'schedule';

/** One `_JobStatus` row as the job runner reads it. */
export interface JobStatusRecord {
  readonly objectId: string;
  readonly jobName: string;
  readonly status: string;
  readonly source: string;
  /** REST JSON, as the job was started with. */
  readonly params: JsonObject;
  readonly attempts: number;
}

export interface JobStatusChange {
  readonly status?: JobState;
  readonly message?: string;
  readonly progress?: number;
  readonly finishedAt?: Date;
  /** Counts one more attempt started. */
  readonly countAttempt?: boolean;
}

/**
 * Where job runs are recorded (`_JobStatus`, spec/mongo-layout.md §3.8). The row written when a job is
 * accepted is also the in-process queue's durable record: a server that restarts runs the rows a dead
 * process left `running` again.
 */
export interface JobStatusStore {
  /**
   * Writes the row of a new run (status `running`, ACL `{}`: master key only). With `objectId`, a row that
   * exists already is kept (a retried scheduled run) and its id returned.
   */
  create(record: { objectId?: string; jobName: string; params: JsonObject; source: JobSource }): Promise<string>;
  update(objectId: string, change: JobStatusChange): Promise<void>;
  get(objectId: string): Promise<JobStatusRecord | undefined>;
  /** Rows Strata wrote that are still `running`: runs a stopped process never finished. */
  unfinished(): Promise<JobStatusRecord[]>;
}

/**
 * The `_JobStatus` id of a queue job that no API call created (a scheduled run): derived from the queue's
 * id so every retry of the run writes to the same row.
 */
export function statusIdFor(queueJobId: string): string {
  const digest = createHash('sha256').update(queueJobId).digest();
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < 10; i++) id += alphabet[(digest[i] as number) % 62];
  return id;
}
