/**
 * What every `Parse.Cloud` registration shares: the fields every Parse hook request carries (`request.user` a
 * `Parse.User`, `request.config` with parse-server's names), validators adapted to see Parse objects, and
 * running a handler inside its app's Parse context.
 */
import type { Logger } from '../infra/index.js';
import type { ParseBridge } from './parse-bridge.js';
import { callHandler } from './parse-call.js';
import type { UserHandler } from './parse-call.js';
import { decodeParams, isJsonObject, toParseObject, toParseUser } from './parse-convert.js';
import { runInParseApp } from './parse-runtime.js';
import type { ParseSdk } from './parse-sdk-types.js';
import type { CloudObjectJSON, HookRequestBase, HookServerConfig, Validator, ValidatorSpec } from './types.js';

/** A trigger's answer: the handler's value (status and headers mean nothing to triggers). */
export function callTrigger(options: { handler: UserHandler; request: Record<string, unknown> }): Promise<unknown> {
  return callHandler(options).then((answer) => answer.value);
}

/** The fields every Parse hook request carries (spec/cloud.md §3), `user` as a `Parse.User`. */
export function baseRequest(sdk: ParseSdk, request: HookRequestBase): Record<string, unknown> {
  const user = toParseUser(sdk, { user: request.user, sessionToken: request.sessionToken });
  return {
    master: request.master,
    useMasterKey: request.master,
    isReadOnly: request.isReadOnly,
    ...(user === undefined ? {} : { user }),
    installationId: request.installationId,
    ip: request.ip,
    headers: request.headers,
    log: request.log,
    context: request.context,
    ...(request.config === undefined ? {} : { config: parseConfigView(request.config) }),
  };
}

/**
 * `request.config` with parse-server's names for what Strata shares (`applicationId`, `mount`, `serverURL`,
 * `publicServerURL`, `appName`) next to Strata's: read-only, and never a key.
 */
export function parseConfigView(config: HookServerConfig): Readonly<Record<string, unknown>> {
  return Object.freeze({
    ...config,
    applicationId: config.appId,
    mount: config.serverURL,
  });
}

/**
 * Parse validators see Parse objects: a function validator gets the request as the handler would, and role
 * lists given as functions too. The object form's other rules work on the protocol's JSON as they are.
 */
export function adaptValidator(options: {
  sdk: ParseSdk;
  bridge: ParseBridge;
  validator: unknown;
}): Validator | undefined {
  const { sdk, bridge, validator } = options;
  if (validator === undefined || validator === null) return undefined;
  const toParse = (request: HookRequestBase): Record<string, unknown> => {
    const record = request as unknown as Record<string, unknown>;
    const parseRequest: Record<string, unknown> = { ...record, ...baseRequest(sdk, request) };
    if (isJsonObject(record['params'])) parseRequest['params'] = decodeParams(sdk, record['params']);
    for (const key of ['object', 'original'] as const) {
      const value = record[key];
      if (isJsonObject(value) && typeof value['className'] === 'string') {
        parseRequest[key] = toParseObject(sdk, value as CloudObjectJSON);
      }
    }
    return parseRequest;
  };
  if (typeof validator === 'function') {
    const fn = validator as (request: Record<string, unknown>) => unknown;
    return async (request: HookRequestBase) => {
      await inScope(bridge, request, () => fn(toParse(request)));
    };
  }
  if (typeof validator !== 'object') return validator as Validator;
  const spec: Record<string, unknown> = { ...(validator as Record<string, unknown>) };
  for (const key of ['requireAnyUserRoles', 'requireAllUserRoles'] as const) {
    const roles = spec[key];
    if (typeof roles === 'function') {
      const fn = roles as (request: Record<string, unknown>) => unknown;
      spec[key] = async (request: HookRequestBase) =>
        (await inScope(bridge, request, () => fn(toParse(request)))) as readonly string[];
    }
  }
  return spec as ValidatorSpec;
}

/** Runs a hook in its app's Parse context, with the request's logger for the operations it starts. */
export function inScope<T>(bridge: ParseBridge, request: { readonly log: Logger }, fn: () => T): T {
  return runInParseApp(bridge, fn, request.log);
}

export function assertHandler(handler: unknown, where: string): void {
  if (typeof handler !== 'function') throw new Error(`${where} needs a handler function.`);
}
