import { createHash } from 'node:crypto';
import { ErrorCode, ParseError } from '../errors/index.js';
import { randomString } from '../lib/index.js';
import type { Condition } from '../query/index.js';
import { decodeValue, encodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema, ParseValue, SchemaRegistry } from '../schema/index.js';
import type { StorageAdapter, UpdateOp } from '../storage/index.js';
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

const CLASS = '_JobStatus';
const RECOVERY_BATCH = 1000;

/**
 * The store on the app's storage directly, as parse-server writes `_JobStatus` (no triggers, no RestWrite):
 * the class is master-only and these rows are the server's own bookkeeping.
 */
export function createStorageJobStatusStore(options: {
  storage: StorageAdapter;
  schemas: SchemaRegistry;
  now?: () => Date;
}): JobStatusStore {
  const { storage, schemas } = options;
  const now = options.now ?? (() => new Date());
  const schema = async (): Promise<ClassSchema> => {
    const found = await schemas.get(CLASS);
    if (found === undefined)
      throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, { message: 'No _JobStatus schema.' });
    return found;
  };
  const byId = (objectId: string): Condition => ({ kind: 'eq', path: ['objectId'], value: objectId });

  return {
    async create(record) {
      const objectId = record.objectId ?? randomString(10);
      const at = now();
      try {
        await storage.insert({
          schema: await schema(),
          object: {
            objectId,
            createdAt: at,
            updatedAt: at,
            ACL: {},
            fields: {
              jobName: record.jobName,
              source: record.source,
              status: 'running',
              params: decodeValue(record.params),
              attempts: 0,
            },
          },
        });
      } catch (err) {
        if (!(record.objectId !== undefined && err instanceof ParseError && err.code === ErrorCode.DUPLICATE_VALUE)) {
          throw err;
        }
      }
      return objectId;
    },
    async update(objectId, change) {
      const fields: Record<string, UpdateOp> = {};
      if (change.status !== undefined) fields['status'] = { op: 'set', value: change.status };
      if (change.message !== undefined) fields['message'] = { op: 'set', value: change.message };
      if (change.progress !== undefined) fields['progress'] = { op: 'set', value: change.progress };
      if (change.finishedAt !== undefined) fields['finishedAt'] = { op: 'set', value: change.finishedAt };
      if (change.countAttempt === true) fields['attempts'] = { op: 'increment', amount: 1 };
      await storage.updateOne({ schema: await schema(), where: byId(objectId), update: { fields, updatedAt: now() } });
    },
    async get(objectId) {
      const [row] = await storage.find({ schema: await schema(), where: byId(objectId), limit: 1 });
      return row === undefined ? undefined : toRecord(row);
    },
    async unfinished() {
      // Only rows Strata wrote (they carry `attempts`): a parse-server database may hold `running` rows of
      // jobs parse-server lost long ago, which nobody expects to run now.
      const where: Condition = {
        kind: 'and',
        conditions: [
          { kind: 'eq', path: ['status'], value: 'running' },
          { kind: 'exists', path: ['attempts'], exists: true },
        ],
      };
      const out: JobStatusRecord[] = [];
      for (let skip = 0; ; skip += RECOVERY_BATCH) {
        const rows = await storage.find({
          schema: await schema(),
          where,
          sort: [{ path: ['createdAt'], direction: 1 }],
          skip,
          limit: RECOVERY_BATCH,
        });
        out.push(...rows.map(toRecord));
        if (rows.length < RECOVERY_BATCH) return out;
      }
    },
  };
}

function toRecord(row: { objectId: string; fields: Record<string, ParseValue> }): JobStatusRecord {
  const { fields } = row;
  const params = fields['params'];
  const encoded = params === undefined || params === null ? {} : encodeValue(params, { fileURL: (name) => name });
  return {
    objectId: row.objectId,
    jobName: typeof fields['jobName'] === 'string' ? fields['jobName'] : '',
    status: typeof fields['status'] === 'string' ? fields['status'] : '',
    source: typeof fields['source'] === 'string' ? fields['source'] : '',
    params: isPlainObject(encoded) ? encoded : {},
    attempts: typeof fields['attempts'] === 'number' ? fields['attempts'] : 0,
  };
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
