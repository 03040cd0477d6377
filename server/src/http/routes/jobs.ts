import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';

/**
 * `POST /jobs/:jobName` and `POST /jobs` with `{"jobName": ...}` (master key; rest.md §11, cloud.md §6):
 * answers `{}` at once with the run's id in `X-Parse-Job-Status-Id`; the job runs on a worker.
 */
export function jobRoutes(): RouteDefinition[] {
  return [
    { method: 'POST', path: '/jobs', handler: startJob },
    { method: 'POST', path: '/jobs/:jobName', handler: startJob },
  ];
}

async function startJob(request: ApiRequest): Promise<ApiResponse> {
  const statusId = await request.core.jobs.start({
    auth: request.auth,
    jobName: request.params['jobName'] ?? request.body['jobName'],
    // Parse's params: the body with the query string on top.
    params: { ...request.body, ...request.query },
    origin: {
      ...(request.ip === undefined ? {} : { ip: request.ip }),
      ...(request.headers === undefined ? {} : { headers: request.headers }),
    },
  });
  return { body: {}, headers: { 'X-Parse-Job-Status-Id': statusId } };
}
