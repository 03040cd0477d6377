import type { StoredJobSchedule } from '../../cloud/index.js';
import { scheduleParams, scheduleRule } from '../../cloud/index.js';
import { decodeWriteBody, encodeObject, encodeSaveResult } from '../../core/index.js';
import { ErrorCode, ParseError, masterKeyRequired } from '../../errors/index.js';
import { isPlainObject } from '../../schema/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';
import type { JobLauncher } from './jobs.js';

const CLASS = '_JobSchedule';
const FIELDS = new Set(['jobName', 'description', 'params', 'startAfter', 'daysOfWeek', 'timeOfDay', 'repeatMinutes']);

/**
 * `/cloud_code/jobs` (master key; rest.md §3): the `_JobSchedule` rows parse-dashboard edits. Parse Server
 * only stores them; Strata also runs them (the job runner reloads its schedules after every change).
 */
export function jobScheduleRoutes(options: {
  jobs: JobLauncher | undefined;
  encoding: EncodingContext;
}): RouteDefinition[] {
  const { jobs, encoding } = options;
  return [
    { method: 'GET', path: '/cloud_code/jobs', handler: (r) => listSchedules(encoding, r) },
    { method: 'GET', path: '/cloud_code/jobs/data', handler: (r) => jobsData(jobs, r) },
    { method: 'POST', path: '/cloud_code/jobs', handler: (r) => createSchedule({ jobs, encoding }, r) },
    { method: 'PUT', path: '/cloud_code/jobs/:objectId', handler: (r) => updateSchedule({ jobs, encoding }, r) },
    { method: 'DELETE', path: '/cloud_code/jobs/:objectId', handler: (r) => deleteSchedule({ jobs, encoding }, r) },
  ];
}

function requireMaster(request: ApiRequest, options: { write: boolean }): void {
  if (request.auth.kind === 'master') return;
  if (request.auth.kind === 'readOnlyMaster') {
    if (!options.write) return;
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, {
      message: "read-only masterKey isn't allowed to change job schedules.",
    });
  }
  throw masterKeyRequired();
}

async function findSchedules(encoding: EncodingContext, request: ApiRequest): Promise<Record<string, unknown>[]> {
  const result = await request.core.find({
    auth: request.auth,
    className: CLASS,
    limit: 1000,
    origin: originOf(request, encoding),
  });
  const options = encoding.forRequest(request);
  return result.results.map((object) => encodeObject(object, options));
}

async function listSchedules(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  requireMaster(request, { write: false });
  return { body: await findSchedules(encoding, request) };
}

async function jobsData(jobs: JobLauncher | undefined, request: ApiRequest): Promise<ApiResponse> {
  requireMaster(request, { write: false });
  const rows = await request.core.find({ auth: request.auth, className: CLASS, limit: 1000, keys: ['jobName'] });
  const inUse = rows.results.map((row) => row.fields['jobName']).filter((name) => typeof name === 'string');
  return { body: { in_use: inUse, jobs: jobs?.jobNames() ?? [] } };
}

/** The body's `job_schedule`, checked: known fields only, a deployed job, a schedule that can run. */
function scheduleInput(
  jobs: JobLauncher | undefined,
  request: ApiRequest,
  options: { create: boolean },
): Record<string, unknown> {
  const schedule = request.body['job_schedule'];
  if (!isPlainObject(schedule)) {
    throw new ParseError(ErrorCode.INVALID_JSON, { message: 'job_schedule must be an object.' });
  }
  for (const key of Object.keys(schedule)) {
    if (!FIELDS.has(key)) throw new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid field name: ${key}.` });
  }
  const jobName = schedule['jobName'];
  if (
    (options.create || jobName !== undefined) &&
    !(typeof jobName === 'string' && jobs?.jobNames().includes(jobName))
  ) {
    // Parse's words; its code is 1 (a 500), but the request is at fault: 141, like an unknown job on POST /jobs.
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Cannot Schedule a job that is not deployed' });
  }
  const input: Record<string, unknown> = { ...schedule };
  // Parse's default: a schedule without a start begins now.
  if (options.create && input['startAfter'] === undefined) input['startAfter'] = new Date().toISOString();
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

async function createSchedule(
  options: { jobs: JobLauncher | undefined; encoding: EncodingContext },
  request: ApiRequest,
): Promise<ApiResponse> {
  requireMaster(request, { write: true });
  const input = scheduleInput(options.jobs, request, { create: true });
  const result = await request.core.create({
    auth: request.auth,
    className: CLASS,
    input: decodeWriteBody(input, { maxDepth: options.encoding.maxDepth }),
    origin: originOf(request, options.encoding),
  });
  await options.jobs?.reloadSchedules();
  return {
    status: 201,
    body: encodeSaveResult(result, { ...options.encoding.forRequest(request), created: true }),
  };
}

async function updateSchedule(
  options: { jobs: JobLauncher | undefined; encoding: EncodingContext },
  request: ApiRequest,
): Promise<ApiResponse> {
  requireMaster(request, { write: true });
  const input = scheduleInput(options.jobs, request, { create: false });
  const result = await request.core.update({
    auth: request.auth,
    className: CLASS,
    objectId: request.params['objectId'] as string,
    input: decodeWriteBody(input, { maxDepth: options.encoding.maxDepth }),
    origin: originOf(request, options.encoding),
  });
  await options.jobs?.reloadSchedules();
  return { body: encodeSaveResult(result, { ...options.encoding.forRequest(request), created: false }) };
}

async function deleteSchedule(
  options: { jobs: JobLauncher | undefined; encoding: EncodingContext },
  request: ApiRequest,
): Promise<ApiResponse> {
  requireMaster(request, { write: true });
  await request.core.destroy({
    auth: request.auth,
    className: CLASS,
    objectId: request.params['objectId'] as string,
    origin: originOf(request, options.encoding),
  });
  await options.jobs?.reloadSchedules();
  return { body: {} };
}
