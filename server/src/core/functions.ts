import type { Auth } from '../auth/index.js';
import type { FunctionResult, JsonObject } from '../cloud/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { CoreDeps } from './deps.js';
import { hookCaller } from './hook-caller.js';
import type { RequestOrigin } from './hook-caller.js';

export interface FunctionCall {
  readonly auth: Auth;
  readonly name: string;
  /** REST JSON params (body merged with query string). */
  readonly params: JsonObject;
  readonly origin?: RequestOrigin;
}

/**
 * `POST /functions/:name` (spec/cloud.md §5): runs the developer's function with the caller's identity
 * (the read-only master key runs it too, as `master` with `isReadOnly`). Unknown → 141.
 */
export async function runFunction(deps: CoreDeps, request: FunctionCall): Promise<FunctionResult> {
  const runner = deps.cloud;
  if (runner === undefined || runner.registry.function(request.name) === undefined) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Invalid function: "${request.name}"` });
  }
  const caller = await hookCaller(deps, { auth: request.auth, origin: request.origin });
  return runner.runFunction({ name: request.name, params: request.params, caller });
}
