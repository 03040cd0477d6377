import { encodeObject, encodeSaveResult } from '../../core/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';

/**
 * `/cloud_code/jobs` (master key; rest.md §3): the `_JobSchedule` rows parse-dashboard edits. Parse Server
 * only stores them; Strata also runs them (core's job operations reload the schedules after every change).
 */
export function jobScheduleRoutes(encoding: EncodingContext): RouteDefinition[] {
  return [
    { method: 'GET', path: '/cloud_code/jobs', handler: (r) => listSchedules(encoding, r) },
    { method: 'GET', path: '/cloud_code/jobs/data', handler: jobsData },
    // Strata's own (not Parse's): what the dashboard's cloud code page lists.
    {
      method: 'GET',
      path: '/cloud_code/registry',
      handler: (r) => Promise.resolve({ body: r.core.listCloudCode({ auth: r.auth }) }),
    },
    { method: 'POST', path: '/cloud_code/jobs', handler: (r) => createSchedule(encoding, r) },
    { method: 'PUT', path: '/cloud_code/jobs/:objectId', handler: (r) => updateSchedule(encoding, r) },
    { method: 'DELETE', path: '/cloud_code/jobs/:objectId', handler: (r) => deleteSchedule(encoding, r) },
  ];
}

async function listSchedules(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const schedules = await request.core.jobs.listSchedules({
    auth: request.auth,
    origin: originOf(request, encoding),
  });
  const options = encoding.forRequest(request);
  return { body: schedules.map((object) => encodeObject(object, options)) };
}

async function jobsData(request: ApiRequest): Promise<ApiResponse> {
  return { body: await request.core.jobs.scheduleData({ auth: request.auth }) };
}

async function createSchedule(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const result = await request.core.jobs.createSchedule({
    auth: request.auth,
    schedule: request.body['job_schedule'],
    origin: originOf(request, encoding),
  });
  return { status: 201, body: encodeSaveResult(result, { ...encoding.forRequest(request), created: true }) };
}

async function updateSchedule(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const result = await request.core.jobs.updateSchedule({
    auth: request.auth,
    objectId: request.params['objectId'] as string,
    schedule: request.body['job_schedule'],
    origin: originOf(request, encoding),
  });
  return { body: encodeSaveResult(result, { ...encoding.forRequest(request), created: false }) };
}

async function deleteSchedule(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  await request.core.jobs.deleteSchedule({
    auth: request.auth,
    objectId: request.params['objectId'] as string,
    origin: originOf(request, encoding),
  });
  return { body: {} };
}
