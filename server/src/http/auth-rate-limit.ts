import { ErrorCode, ParseError } from '../errors/index.js';
import type { RateLimiter } from '../infra/index.js';

/**
 * Rate limits for log-in, sign-up and password reset (issue 4 item 9): one budget per client IP and one
 * per account (username or email, case-insensitive), shared by the three actions so an attacker cannot
 * move to another door. Over the limit → 429 `{"code":100,"error":"Too many requests."}`.
 */
export interface AuthRateLimits {
  /** Undefined: no per-IP limit. */
  readonly ip?: RateLimiter;
  /** Undefined: no per-account limit. */
  readonly account?: RateLimiter;
}

export async function enforceAuthRateLimit(
  limits: AuthRateLimits,
  request: { ip: string | undefined; account: unknown },
): Promise<void> {
  const checks: Array<Promise<{ allowed: boolean }>> = [];
  if (limits.ip !== undefined && request.ip !== undefined) checks.push(limits.ip.hit(`auth:ip:${request.ip}`));
  if (limits.account !== undefined && typeof request.account === 'string' && request.account !== '') {
    checks.push(limits.account.hit(`auth:account:${request.account.toLowerCase()}`));
  }
  const results = await Promise.all(checks);
  if (results.some((r) => !r.allowed)) {
    throw new ParseError(ErrorCode.CONNECTION_FAILED, { message: 'Too many requests.', httpStatus: 429 });
  }
}
