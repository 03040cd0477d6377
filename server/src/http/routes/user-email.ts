import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';

/** `POST /requestPasswordReset` and `POST /verificationEmailRequest` (rest.md §6.6–6.7): both answer `{}`. */
export function userEmailRoutes(): RouteDefinition[] {
  return [
    { method: 'POST', path: '/requestPasswordReset', handler: requestPasswordReset },
    { method: 'POST', path: '/verificationEmailRequest', handler: requestVerificationEmail },
  ];
}

function param(request: ApiRequest, name: string): unknown {
  return request.body[name] ?? request.query[name];
}

async function requestPasswordReset(request: ApiRequest): Promise<ApiResponse> {
  await request.core.requestPasswordReset({ email: param(request, 'email') });
  return { body: {} };
}

async function requestVerificationEmail(request: ApiRequest): Promise<ApiResponse> {
  await request.core.requestVerificationEmail({ email: param(request, 'email') });
  return { body: {} };
}
