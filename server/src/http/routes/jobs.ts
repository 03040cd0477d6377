import type { JsonObject } from '../../cloud/index.js';
import { ErrorCode, ParseError, masterKeyRequired } from '../../errors/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';

/** Starts cloud jobs: the app's `JobRunner` (cloud), seen through what the route needs. */
export interface JobLauncher {
  /** Records and queues a run; resolves with its `_JobStatus` id. Unknown job → 141 "Invalid job.". */
  start(request: {
    jobName: string;
    params: JsonObject;
    ip?: string;
    headers?: Readonly<Record<string, string | undefined>>;
  }): Promise<string>;
  /** The registered job names. */
  jobNames(): string[];
  /** Installs the schedules again after `_JobSchedule` changed. */
  reloadSchedules(): Promise<void>;
}

/**
 * `POST /jobs/:jobName` and `POST /jobs` with `{"jobName": ...}` (master key; rest.md §11, cloud.md §6):
 * answers `{}` at once with the run's id in `X-Parse-Job-Status-Id`; the job runs on a worker.
 */
export function jobRoutes(jobs: JobLauncher | undefined): RouteDefinition[] {
  return [
    { method: 'POST', path: '/jobs', handler: (r) => startJob(jobs, r) },
    { method: 'POST', path: '/jobs/:jobName', handler: (r) => startJob(jobs, r) },
  ];
}

async function startJob(jobs: JobLauncher | undefined, request: ApiRequest): Promise<ApiResponse> {
  if (request.auth.kind === 'readOnlyMaster') {
    throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, { message: "read-only masterKey isn't allowed to run a job." });
  }
  if (request.auth.kind !== 'master') throw masterKeyRequired();
  const jobName = request.params['jobName'] ?? request.body['jobName'];
  if (typeof jobName !== 'string' || jobName === '' || jobs === undefined) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'Invalid job.' });
  }
  // Parse's params: the body with the query string on top.
  const params: JsonObject = { ...request.body, ...request.query };
  const statusId = await jobs.start({
    jobName,
    params,
    ...(request.ip === undefined ? {} : { ip: request.ip }),
    ...(request.headers === undefined ? {} : { headers: singleValued(request.headers) }),
  });
  return { body: {}, headers: { 'X-Parse-Job-Status-Id': statusId } };
}

/** Repeated headers joined as Node joins them for display; the job runner drops credentials. */
function singleValued(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
