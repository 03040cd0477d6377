import { requireMaster } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { scheduleParams, scheduleRule } from '../cloud/index.js';
import type { JsonObject, StoredJobSchedule } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import { isPlainObject } from '../schema/index.js';
import { create } from './create.js';
import { decodeWriteBody } from './decode-write.js';
import { destroy } from './delete.js';
import type { CoreDeps } from './deps.js';

export type { JobLauncher } from './deps.js';
import { find } from './find.js';
import type { RequestOrigin } from './hook-caller.js';
import type { OutputObject, SaveResult } from './output.js';
import { update } from './update.js';

/**
 * Cloud jobs as operations (rest.md §3 and §11, spec/cloud.md §6): starting a run (`POST /jobs`) and the
 * `_JobSchedule` rows parse-dashboard edits (`/cloud_code/jobs`). Parse Server only stores schedules; Strata
 * also runs them (the job runner reloads its schedules after every change). Master key only; the read-only
 * master key may list but not change or start anything.
 */

export interface StartJobRequest {
  readonly auth: Auth;
  /** As the client sent it; anything but a non-empty string is 141 "Invalid job.". */
  readonly jobName: unknown;
  /** REST JSON params (Parse's: the body with the query string on top). */
  readonly params: JsonObject;
  /** The request's ip and headers, which the job sees (its runner drops credentials). */
  readonly origin?: Pick<RequestOrigin, 'ip' | 'headers'>;
}

/** Starts a run; resolves with its `_JobStatus` id (answered in `X-Parse-Job-Status-Id`). */
export function startJob(deps: CoreDeps, request: StartJobRequest): Promise<string> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: 'run a job' });
  const { jobName, origin } = request;
  const jobs = deps.jobs;
  if (typeof jobName !== 'string' || jobName === '' || jobs === undefined) {
    return Promise.reject(new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Invalid job.' }));
  }
  return jobs.start({
    jobName,
    params: request.params,
    ...(origin?.ip === undefined ? {} : { ip: origin.ip }),
    ...(origin?.headers === undefined ? {} : { headers: singleValued(origin.headers) }),
  });
}

/** Repeated headers joined as Node joins them for display. */
function singleValued(headers: NonNullable<RequestOrigin['headers']>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = typeof value === 'string' ? value : value.join(', ');
  }
  return out;
}

const SCHEDULES = '_JobSchedule';
const MAX_SCHEDULES = 1000;
const SCHEDULE_FIELDS = new Set([
  'jobName',
  'description',
  'params',
  'startAfter',
  'daysOfWeek',
  'timeOfDay',
  'repeatMinutes',
]);
const CHANGE_SCHEDULES = 'change job schedules';

export interface JobSchedulesRequest {
  readonly auth: Auth;
  readonly origin?: RequestOrigin;
}

/** `GET /cloud_code/jobs`: every stored schedule. */
export async function listJobSchedules(deps: CoreDeps, request: JobSchedulesRequest): Promise<OutputObject[]> {
  requireMaster(request.auth, { access: 'read' });
  const result = await find(deps, {
    auth: request.auth,
    className: SCHEDULES,
    limit: MAX_SCHEDULES,
    ...(request.origin === undefined ? {} : { origin: request.origin }),
  });
  return result.results;
}

/** `GET /cloud_code/jobs/data`: the job names schedules use, and the jobs deployed. */
export async function jobScheduleData(
  deps: CoreDeps,
  request: { auth: Auth },
): Promise<{ in_use: string[]; jobs: string[] }> {
  requireMaster(request.auth, { access: 'read' });
  const rows = await find(deps, { auth: request.auth, className: SCHEDULES, limit: MAX_SCHEDULES, keys: ['jobName'] });
  const inUse = rows.results.map((row) => row.fields['jobName']).filter((name) => typeof name === 'string');
  return { in_use: inUse, jobs: deps.jobs?.jobNames() ?? [] };
}

export interface SaveJobScheduleRequest extends JobSchedulesRequest {
  /** The body's `job_schedule`, as sent. */
  readonly schedule: unknown;
}

/** `POST /cloud_code/jobs`: stores a schedule of a deployed job and installs it. */
export async function createJobSchedule(deps: CoreDeps, request: SaveJobScheduleRequest): Promise<SaveResult> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_SCHEDULES });
  const input = scheduleInput(deps, { schedule: request.schedule, create: true });
  const result = await create(deps, {
    auth: request.auth,
    className: SCHEDULES,
    input: decodeWriteBody(input, { maxDepth: deps.options.maxNestingDepth }),
    ...(request.origin === undefined ? {} : { origin: request.origin }),
  });
  await deps.jobs?.reloadSchedules();
  return result;
}

/** `PUT /cloud_code/jobs/:objectId`. */
export async function updateJobSchedule(
  deps: CoreDeps,
  request: SaveJobScheduleRequest & { objectId: string },
): Promise<SaveResult> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_SCHEDULES });
  const input = scheduleInput(deps, { schedule: request.schedule, create: false });
  const result = await update(deps, {
    auth: request.auth,
    className: SCHEDULES,
    objectId: request.objectId,
    input: decodeWriteBody(input, { maxDepth: deps.options.maxNestingDepth }),
    ...(request.origin === undefined ? {} : { origin: request.origin }),
  });
  await deps.jobs?.reloadSchedules();
  return result;
}

/** `DELETE /cloud_code/jobs/:objectId`. */
export async function deleteJobSchedule(
  deps: CoreDeps,
  request: JobSchedulesRequest & { objectId: string },
): Promise<void> {
  requireMaster(request.auth, { access: 'write', readOnlyAction: CHANGE_SCHEDULES });
  await destroy(deps, {
    auth: request.auth,
    className: SCHEDULES,
    objectId: request.objectId,
    ...(request.origin === undefined ? {} : { origin: request.origin }),
  });
  await deps.jobs?.reloadSchedules();
}

/** A `job_schedule`, checked: known fields only, a deployed job, a schedule that can run. */
function scheduleInput(deps: CoreDeps, options: { schedule: unknown; create: boolean }): Record<string, unknown> {
  const { schedule } = options;
  if (!isPlainObject(schedule)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'job_schedule must be an object.' });
  }
  for (const key of Object.keys(schedule)) {
    if (!SCHEDULE_FIELDS.has(key)) {
      throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid field name: ${key}.` });
    }
  }
  const jobName = schedule['jobName'];
  if (
    (options.create || jobName !== undefined) &&
    !(typeof jobName === 'string' && deps.jobs?.jobNames().includes(jobName))
  ) {
    // Parse's words; its code is 1 (a 500), but the request is at fault: 141, like an unknown job on POST /jobs.
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Cannot Schedule a job that is not deployed' });
  }
  const input: Record<string, unknown> = { ...schedule };
  // Parse's default: a schedule without a start begins now.
  if (options.create && input['startAfter'] === undefined) input['startAfter'] = deps.users.now().toISOString();
  const rule = scheduleRule(input as Omit<StoredJobSchedule, 'objectId' | 'jobName'>);
  if (typeof rule === 'string') throw new ParseError(ErrorCode.VALIDATION_ERROR, { message: rule });
  if (
    input['params'] !== undefined &&
    (typeof input['params'] !== 'string' || scheduleParams(input['params']) === undefined)
  ) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'params must be the JSON text of an object.' });
  }
  return input;
}
