import { ErrorCode, ParseError } from '../errors/index.js';
import { randomString } from '../lib/index.js';
import type { Condition } from '../query/index.js';
import { decodeValue, encodeValue, isPlainObject } from '../schema/index.js';
import type { ClassSchema, ParseValue, SchemaRegistry } from '../schema/index.js';
import type { StorageAdapter, UpdateOp } from '../storage/index.js';
import type { JobScheduleSource, JobStatusRecord, JobStatusStore, StoredJobSchedule } from '../cloud/index.js';
import type { ChangeSink } from './change-sink.js';
import { insertObject, updateObject } from './object-writes.js';

/**
 * The storage seam core owns for cloud's job runner: the `_JobStatus` rows of runs and the `_JobSchedule`
 * rows it installs. Cloud declares the interfaces (it may not import core or storage writes of its own);
 * `app.ts` builds these and passes them to the `JobRunner`. `_JobStatus` rows are written through core's object
 * writes (`object-writes.ts`), so each is on the change feed like any other object write.
 */

const STATUS_CLASS = '_JobStatus';
const RECOVERY_BATCH = 1000;

/**
 * Cloud's `JobStatusStore` on the app's storage, as parse-server writes `_JobStatus` (no triggers, no
 * RestWrite): the class is master-only and these rows are the server's own bookkeeping.
 */
export function createStorageJobStatusStore(options: {
  storage: StorageAdapter;
  schemas: SchemaRegistry;
  /** The change feed the writes are published on. */
  changes: ChangeSink;
  now?: () => Date;
}): JobStatusStore {
  const { storage, schemas } = options;
  const writes = { storage, changes: options.changes };
  const now = options.now ?? (() => new Date());
  const schema = async (): Promise<ClassSchema> => {
    const found = await schemas.get(STATUS_CLASS);
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
        await insertObject(writes, {
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
      await updateObject(writes, {
        schema: await schema(),
        objectId,
        where: byId(objectId),
        update: { fields, updatedAt: now() },
      });
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

const SCHEDULE_CLASS = '_JobSchedule';
const MAX_SCHEDULES = 1000;

/** Cloud's `JobScheduleSource`: the rows of `_JobSchedule` the job runner installs. */
export function createStorageJobScheduleSource(options: {
  storage: StorageAdapter;
  schemas: SchemaRegistry;
}): JobScheduleSource {
  return {
    async list() {
      const schema = await options.schemas.get(SCHEDULE_CLASS);
      if (schema === undefined) return [];
      const rows = await options.storage.find({
        schema,
        where: { kind: 'constant', value: true },
        limit: MAX_SCHEDULES,
      });
      const out: StoredJobSchedule[] = [];
      for (const row of rows) {
        const f = row.fields;
        if (typeof f['jobName'] !== 'string') continue;
        out.push({
          objectId: row.objectId,
          jobName: f['jobName'],
          ...(typeof f['params'] === 'string' ? { params: f['params'] } : {}),
          ...(typeof f['startAfter'] === 'string' ? { startAfter: f['startAfter'] } : {}),
          ...(Array.isArray(f['daysOfWeek']) ? { daysOfWeek: f['daysOfWeek'] } : {}),
          ...(typeof f['timeOfDay'] === 'string' ? { timeOfDay: f['timeOfDay'] } : {}),
          ...(typeof f['repeatMinutes'] === 'number' ? { repeatMinutes: f['repeatMinutes'] } : {}),
        });
      }
      return out;
    },
  };
}
