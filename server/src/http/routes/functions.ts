import { ErrorCode, ParseError } from '../../errors/index.js';
import { assertAllowedKey } from '../../schema/index.js';
import type { ApiRequest, ApiResponse, RouteDefinition } from '../api-types.js';
import type { EncodingContext } from '../encoding-context.js';
import { originOf } from '../origin.js';

/**
 * `POST /functions/:name` (rest.md §11, spec/cloud.md §5): params are the JSON body merged with the query
 * string, handed to the function as REST JSON; the answer is `200 {"result": …}` (`{}` when the function
 * returned nothing), with the status and headers the function chose, if any.
 */
export function functionRoutes(encoding: EncodingContext): RouteDefinition[] {
  return [
    {
      method: 'POST',
      path: '/functions/:functionName',
      // Parse 9 accepts multipart/form-data here (rest.md §1.4, §11): text parts as params, files as
      // `{filename, contentType, data: Buffer}`.
      multipart: true,
      handler: (r) => callFunction(encoding, r),
    },
  ];
}

async function callFunction(encoding: EncodingContext, request: ApiRequest): Promise<ApiResponse> {
  const name = request.params['functionName'] as string;
  const params: Record<string, unknown> = { ...request.body, ...request.query };
  assertSafeParams(params, encoding.maxDepth);
  const answer = await request.core.runFunction({
    auth: request.auth,
    name,
    params,
    origin: originOf(request, encoding),
  });
  assertSendable(answer.result);
  return {
    ...(answer.status === undefined ? {} : { status: checkedStatus(answer.status) }),
    ...(answer.headers === undefined ? {} : { headers: checkedHeaders(answer.headers) }),
    body: answer.result === undefined ? {} : { result: answer.result },
  };
}

/** A result JSON cannot carry (a cycle, a BigInt) is the function's failure, not the server's. */
function assertSendable(result: unknown): void {
  try {
    JSON.stringify(result);
  } catch (err) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, {
      message: 'The function returned a value that is not JSON.',
      cause: err,
    });
  }
}

function checkedStatus(status: unknown): number {
  if (typeof status === 'number' && Number.isInteger(status) && status >= 200 && status <= 599) return status;
  throw new ParseError(ErrorCode.SCRIPT_FAILED, {
    message: `The function answered an invalid HTTP status: ${String(status)}`,
  });
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = typeof value === 'number' ? String(value) : value;
    if (!HEADER_NAME.test(name) || typeof text !== 'string' || /[\r\n\0]/.test(text)) {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `The function answered an invalid header: ${name}` });
    }
    out[name] = text;
  }
  return out;
}

/** Params stay JSON for the function, but never carry prototype keys, and never nest deeper than bodies may. */
function assertSafeParams(value: unknown, depth: number): void {
  // A multipart file's bytes: not JSON to walk.
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (depth < 0) throw new ParseError(ErrorCode.INVALID_JSON, { message: 'Nested data is too deep' });
  if (Array.isArray(value)) {
    for (const item of value) assertSafeParams(item, depth - 1);
    return;
  }
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    assertAllowedKey(key, child);
    assertSafeParams(child, depth - 1);
  }
}
