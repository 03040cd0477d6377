/**
 * Calling a handler written for `Parse.Cloud`: `(request)` returning a value or promise, or the older
 * `(request, response)` answering through `response.success()` / `response.error()`, with
 * `response.status()` / `response.header()` shaping a function's HTTP answer. One mechanism serves
 * functions and triggers (a trigger's answer ignores status and headers).
 */
import { ParseError } from '../errors/index.js';
import { toHookError } from './errors.js';

export type UserHandler = (request: Record<string, unknown>, response?: ResponseObject) => unknown;

export interface ResponseObject {
  success(value?: unknown): void;
  error(error?: unknown): void;
  status(code: number): ResponseObject;
  header(name: string, value: string): ResponseObject;
}

/** What the handler answered, with the HTTP status and headers it set through `response`. */
export interface HandlerAnswer {
  readonly value: unknown;
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** Runs `handler` in either style; an error answered with a status set keeps that status. */
export function callHandler(options: {
  handler: UserHandler;
  request: Record<string, unknown>;
}): Promise<HandlerAnswer> {
  const { handler, request } = options;
  if (handler.length < 2) {
    return Promise.resolve()
      .then(() => handler(request))
      .then((value) => ({ value, headers: {} }));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    let status: number | undefined;
    const headers: Record<string, string> = {};
    const settle = (fn: () => void): void => {
      if (settled) throw new Error('response.success / response.error was already called.');
      settled = true;
      fn();
    };
    const answer = (value: unknown): HandlerAnswer => ({ value, headers, ...(status === undefined ? {} : { status }) });
    const fail = (error: unknown): void => {
      if (status === undefined) return reject(error ?? new Error('Script failed.'));
      const parseError = toHookError(error);
      reject(new ParseError(parseError.code, { message: parseError.message, httpStatus: status }));
    };
    const response: ResponseObject = {
      success: (value?: unknown) => settle(() => resolve(answer(value))),
      error: (error?: unknown) => settle(() => fail(error)),
      status: (code: number) => {
        if (!Number.isInteger(code) || code < 100 || code > 599) throw new Error(`Invalid HTTP status ${code}.`);
        status = code;
        return response;
      },
      header: (name: string, value: string) => {
        headers[String(name)] = String(value);
        return response;
      },
    };
    settleFromReturn({
      run: () => handler(request, response),
      isSettled: () => settled,
      settle,
      resolve: (value) => resolve(answer(value)),
      reject: fail,
    });
  });
}

/**
 * A `(request, response)` handler may also just return: an async handler's settled promise, or a value
 * other than undefined, answers like `response.success` / `response.error` (a sync handler returning
 * nothing is waiting to call `response` later).
 */
function settleFromReturn(options: {
  run: () => unknown;
  isSettled: () => boolean;
  settle: (fn: () => void) => void;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}): void {
  const { isSettled, settle } = options;
  const fail = (err: unknown): void => {
    if (!isSettled()) settle(() => options.reject(err));
  };
  let returned: unknown;
  try {
    returned = options.run();
  } catch (err) {
    fail(err);
    return;
  }
  if (typeof (returned as { then?: unknown } | undefined)?.then === 'function') {
    (returned as Promise<unknown>).then((value) => {
      if (!isSettled()) settle(() => options.resolve(value));
    }, fail);
  } else if (returned !== undefined && !isSettled()) {
    settle(() => options.resolve(returned));
  }
}
