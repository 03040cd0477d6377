import type { ApiHandler, ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import { enforceAuthRateLimit } from '../auth-rate-limit.js';
import type { AuthRateLimits } from '../auth-rate-limit.js';
import { originOf } from '../origin.js';

/**
 * `POST /requestPasswordReset` and `POST /verificationEmailRequest` (rest.md §6.6–6.7): both answer `{}`.
 * Reset requests share the log-in / sign-up rate limits (per IP and per email).
 */
export function userEmailRoutes(options: { rateLimits?: AuthRateLimits } = {}): RouteDefinition[] {
  const limits = options.rateLimits ?? {};
  const limitedReset: ApiHandler = async (request) => {
    await enforceAuthRateLimit(limits, { ip: request.ip, account: param(request, 'email') });
    return requestPasswordReset(request);
  };
  return [
    { method: 'POST', path: '/requestPasswordReset', handler: limitedReset },
    { method: 'POST', path: '/verificationEmailRequest', handler: requestVerificationEmail },
  ];
}

function param(request: ApiRequest, name: string): unknown {
  return request.body[name] ?? request.query[name];
}

async function requestPasswordReset(request: ApiRequest): Promise<ApiResponse> {
  await request.core.requestPasswordReset({
    email: param(request, 'email'),
    auth: request.auth,
    origin: originOf(request),
  });
  return { body: {} };
}

async function requestVerificationEmail(request: ApiRequest): Promise<ApiResponse> {
  await request.core.requestVerificationEmail({ email: param(request, 'email') });
  return { body: {} };
}
