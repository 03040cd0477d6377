import { ErrorCode, ParseError } from '../errors/index.js';
import type { HookSample, Logger } from '../infra/index.js';
import { HookCalls } from './hook-calls.js';
import type { HookCaller, HookRateLimiterFactory } from './hook-calls.js';
import { fileReplacement, isObjectJSON, isPatch, isPushJSON, nonEmptyPatch, diffObjects } from './hook-results.js';
import type { CloudRegistry } from './registry.js';
import { FILE_TRIGGER_CLASS, PUSH_TRIGGER_CLASS, triggerKey } from './registry.js';
import type {
  AfterPushRequest,
  AfterFindRequest,
  BeforePushRequest,
  AuthTriggerName,
  BeforeFindRequest,
  BeforeFindResult,
  CloudObjectJSON,
  CloudQueryJSON,
  FileSaveResult,
  FunctionResult,
  HookRequestBase,
  HookServerConfig,
  JsonObject,
  LiveTriggerName,
  LiveTriggerSignatures,
  PushJSON,
  SavePatch,
} from './types.js';

export type { HookCaller, HookRateLimiterFactory } from './hook-calls.js';

export interface CloudRunnerOptions {
  readonly registry: CloudRegistry;
  /** How long a function or trigger may run before its request fails with 141. */
  readonly timeoutMs: number;
  /** Logs hook failures nobody else sees (afterSave errors, late rejections). */
  readonly logger: Logger;
  readonly rateLimiter?: HookRateLimiterFactory;
  /** The server as hooks see it (`request.config`), read per request: the local URL is known once listening. */
  readonly serverConfig?: () => HookServerConfig;
  /** Told of every function and trigger run (its duration and whether it failed): metrics and metering. */
  readonly observe?: (sample: HookSample) => void;
}

/** A save trigger's view of the write (REST JSON), as core builds it. */
export interface SaveHookInput {
  readonly className: string;
  readonly caller: HookCaller;
  readonly object: CloudObjectJSON;
  readonly original?: CloudObjectJSON;
  readonly dirtyKeys: readonly string[];
  /** A `_User` create (sign-up): the new user counts as the user for `requireUser`. */
  readonly signUp?: boolean;
}

/**
 * Runs the developer's hooks for core: builds each request, runs the validator, applies rate limits and the
 * timeout, and turns every failure into a Parse error (spec/cloud.md §4). Nothing a hook does (throw, reject,
 * hang, return garbage) escapes as anything but a ParseError, and a late answer after the timeout is ignored.
 */
export class CloudRunner {
  readonly #registry: CloudRegistry;
  readonly #logger: Logger;
  readonly #serverConfig: (() => HookServerConfig) | undefined;
  readonly #calls: HookCalls;

  constructor(options: CloudRunnerOptions) {
    this.#registry = options.registry;
    this.#logger = options.logger;
    this.#serverConfig = options.serverConfig;
    this.#calls = new HookCalls({
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      rateLimiter: options.rateLimiter,
      observe: options.observe,
    });
  }

  get registry(): CloudRegistry {
    return this.#registry;
  }

  /** The server logger, for hooks called without a request (internal operations). */
  get logger(): Logger {
    return this.#logger;
  }

  /** Fast path: false means core can skip every hook step for the class. */
  hasTriggers(className: string): boolean {
    return this.#registry.hasTriggers(className);
  }

  has(triggerName: Parameters<CloudRegistry['trigger']>[0], className: string): boolean {
    return this.#registry.hasTriggers(className) && this.#registry.trigger(triggerName, className) !== undefined;
  }

  /**
   * beforeSave: the validator (whose `default`/`constant` rules may change the object), then the trigger.
   * Answers the changes to apply on top of the client's write (REST JSON / `__op`), or undefined for none.
   */
  async beforeSave(input: SaveHookInput): Promise<SavePatch | undefined> {
    const trigger = this.#registry.trigger('beforeSave', input.className);
    if (trigger === undefined) return undefined;
    const object: Record<string, unknown> = { ...input.object };
    const before = { ...input.object } as Record<string, unknown>;
    const request = {
      ...this.#base(input.caller),
      triggerName: 'beforeSave' as const,
      object: object as CloudObjectJSON,
      ...(input.original === undefined ? {} : { original: input.original }),
      dirtyKeys: input.dirtyKeys,
    };
    const what = `beforeSave of ${input.className}`;
    const outcome = await this.#calls.validate({
      key: triggerKey('beforeSave', input.className),
      validator: trigger.validator,
      subject: {
        request,
        data: object,
        ...(input.original === undefined ? {} : { original: input.original }),
        ...(input.signUp === true ? { signUpUser: input.object } : {}),
        roleNames: () => input.caller.roleNames(),
      },
      caller: input.caller,
    });
    const validatorChanges = diffObjects(before, object);
    if (outcome === 'skip') return nonEmptyPatch(validatorChanges);
    const result = await this.#calls.call({
      what,
      run: () => trigger.handler(request),
      observed: { kind: 'trigger', name: 'beforeSave', className: input.className },
    });
    const changes = { ...validatorChanges, ...(isPatch(result) ? result.changes : {}) };
    return nonEmptyPatch(changes);
  }

  /** afterSave: errors are logged, never sent (the write happened). A returned object alters the response. */
  async afterSave(input: SaveHookInput): Promise<CloudObjectJSON | undefined> {
    const trigger = this.#registry.trigger('afterSave', input.className);
    if (trigger === undefined) return undefined;
    const request = {
      ...this.#base(input.caller),
      triggerName: 'afterSave' as const,
      object: input.object,
      ...(input.original === undefined ? {} : { original: input.original }),
      dirtyKeys: input.dirtyKeys,
    };
    try {
      const outcome = await this.#calls.validate({
        key: triggerKey('afterSave', input.className),
        validator: trigger.validator,
        subject: { request, data: { ...input.object }, roleNames: () => input.caller.roleNames() },
        caller: input.caller,
      });
      if (outcome === 'skip') return undefined;
      const result = await this.#calls.call({
        what: `afterSave of ${input.className}`,
        run: () => trigger.handler(request),
        observed: { kind: 'trigger', name: 'afterSave', className: input.className },
      });
      return isObjectJSON(result) ? result : undefined;
    } catch (err) {
      input.caller.log.error({ err, className: input.className }, 'afterSave trigger failed');
      return undefined;
    }
  }

  /** beforeDelete / afterDelete: a failure fails the request (afterDelete's too, after the delete, as Parse). */
  async deleteTrigger(
    triggerName: 'beforeDelete' | 'afterDelete',
    input: { className: string; caller: HookCaller; object: CloudObjectJSON },
  ): Promise<void> {
    const trigger = this.#registry.trigger(triggerName, input.className);
    if (trigger === undefined) return;
    const request = { ...this.#base(input.caller), triggerName, object: input.object };
    await this.#calls.validateAndCall({
      key: triggerKey(triggerName, input.className),
      validator: trigger.validator,
      subject: { request, data: { ...input.object }, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
      what: `${triggerName} of ${input.className}`,
      run: () => trigger.handler(request),
      observed: { kind: 'trigger', name: triggerName, className: input.className },
    });
  }

  /** beforeFind: answers a replacement query, objects to return instead of querying, or undefined. */
  async beforeFind(input: {
    className: string;
    caller: HookCaller;
    query: CloudQueryJSON;
    count: boolean;
    isGet: boolean;
  }): Promise<BeforeFindResult> {
    const trigger = this.#registry.trigger('beforeFind', input.className);
    if (trigger === undefined) return undefined;
    const request: BeforeFindRequest = {
      ...this.#base(input.caller),
      triggerName: 'beforeFind',
      query: input.query,
      count: input.count,
      isGet: input.isGet,
    };
    const result = await this.#calls.validateAndCall({
      key: triggerKey('beforeFind', input.className),
      validator: trigger.validator,
      subject: { request, data: undefined, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
      what: `beforeFind of ${input.className}`,
      run: () => trigger.handler(request),
      observed: { kind: 'trigger', name: 'beforeFind', className: input.className },
    });
    if (result === undefined || result === null || typeof result !== 'object') return undefined;
    if ('objects' in result && Array.isArray(result.objects)) return { objects: result.objects.filter(isObjectJSON) };
    if ('query' in result && result.query !== null && typeof result.query === 'object') return { query: result.query };
    return undefined;
  }

  /** afterFind: answers the objects to return instead (REST JSON), or undefined to keep the found ones. */
  async afterFind(input: {
    className: string;
    caller: HookCaller;
    objects: readonly CloudObjectJSON[];
    query: CloudQueryJSON;
    isGet: boolean;
  }): Promise<CloudObjectJSON[] | undefined> {
    const trigger = this.#registry.trigger('afterFind', input.className);
    if (trigger === undefined) return undefined;
    const request: AfterFindRequest = {
      ...this.#base(input.caller),
      triggerName: 'afterFind',
      objects: input.objects,
      query: input.query,
      isGet: input.isGet,
    };
    const result = await this.#calls.validateAndCall({
      key: triggerKey('afterFind', input.className),
      validator: trigger.validator,
      subject: { request, data: undefined, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
      what: `afterFind of ${input.className}`,
      run: () => trigger.handler(request),
      observed: { kind: 'trigger', name: 'afterFind', className: input.className },
    });
    return Array.isArray(result) ? result.filter(isObjectJSON) : undefined;
  }

  /** beforeLogin, afterLogin, afterLogout, beforePasswordResetRequest: a failure fails the request. */
  async authTrigger(
    triggerName: AuthTriggerName,
    input: { className: string; caller: HookCaller; object: CloudObjectJSON },
  ): Promise<void> {
    const trigger = this.#registry.trigger(triggerName, input.className);
    if (trigger === undefined) return;
    const request = { ...this.#base(input.caller), triggerName, object: input.object };
    await this.#calls.validateAndCall({
      key: triggerKey(triggerName, input.className),
      validator: trigger.validator,
      subject: { request, data: { ...input.object }, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
      what: `${triggerName} trigger`,
      run: () => trigger.handler(request),
      observed: { kind: 'trigger', name: triggerName, className: input.className },
    });
  }

  /**
   * The `Parse.File` triggers (class `@File`): `object` is the file (`{name, contentType, size, metadata,
   * tags}`). Any failure fails the request; a thrown string or `Error` takes the file default code (130 for
   * saves, 153 for deletes) instead of 141. A beforeSave may answer the file to store instead (FileSaveResult),
   * checked here for shape only: the files route applies it under the same rules as a client's upload.
   */
  async fileTrigger(
    triggerName: 'beforeSave' | 'afterSave' | 'beforeDelete' | 'afterDelete',
    input: { caller: HookCaller; object: CloudObjectJSON; errorCode: ErrorCode; errorMessage: string },
  ): Promise<FileSaveResult['file'] | undefined> {
    const trigger = this.#registry.trigger(triggerName, FILE_TRIGGER_CLASS);
    if (trigger === undefined) return undefined;
    const request = {
      ...this.#base(input.caller),
      triggerName,
      object: input.object,
      ...(triggerName === 'beforeSave' || triggerName === 'afterSave' ? { dirtyKeys: [] } : {}),
    };
    const handler = trigger.handler as (request: unknown) => Promise<unknown>;
    const result = await this.#calls.validateAndCall({
      key: triggerKey(triggerName, FILE_TRIGGER_CLASS),
      validator: trigger.validator,
      subject: { request, data: { ...input.object }, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
      what: `${triggerName} of a file`,
      run: () => handler(request),
      observed: { kind: 'trigger', name: triggerName, className: FILE_TRIGGER_CLASS },
      errors: { code: input.errorCode, message: input.errorMessage },
    });
    return triggerName === 'beforeSave' ? fileReplacement(result) : undefined;
  }

  /** Whether a LiveQuery hook is registered: the socket server builds no request otherwise. */
  hasLive(triggerName: LiveTriggerName, className: string): boolean {
    return this.#registry.liveTrigger(triggerName, className) !== undefined;
  }

  /**
   * A LiveQuery hook (beforeConnect, beforeSubscribe, afterLiveQueryEvent) under the cloud timeout: whatever it
   * does wrong (throw, reject, hang) comes back as a ParseError (141 unless it threw a Parse error of its own),
   * which the socket server sends as an error frame. Undefined when none is registered.
   */
  async liveTrigger<T extends LiveTriggerName>(
    triggerName: T,
    input: {
      className: string;
      caller: HookCaller;
      request: Omit<LiveTriggerSignatures[T]['request'], keyof HookRequestBase>;
    },
  ): Promise<LiveTriggerSignatures[T]['result'] | undefined> {
    const trigger = this.#registry.liveTrigger(triggerName, input.className);
    if (trigger === undefined) return undefined;
    const request = { ...this.#base(input.caller), ...input.request } as LiveTriggerSignatures[T]['request'];
    return this.#calls.call({
      what: `${triggerName} of ${input.className}`,
      run: () => trigger.handler(request),
      observed: { kind: 'trigger', name: triggerName, className: input.className },
    });
  }

  /**
   * beforePush: the validator (`fields` checks the push's `data`), then the hook. Answers the changed push
   * (REST JSON, to be checked again as a request body) or undefined to send it unchanged; any failure refuses
   * the push with the hook's error (141 unless it threw a Parse error with its own code).
   */
  async beforePush(input: { caller: HookCaller; push: PushJSON; source: string }): Promise<PushJSON | undefined> {
    const hook = this.#registry.pushHook('beforePush');
    if (hook === undefined) return undefined;
    const push = JSON.parse(JSON.stringify(input.push)) as PushJSON;
    const request: BeforePushRequest = {
      ...this.#base(input.caller),
      triggerName: 'beforePush',
      push,
      source: input.source,
    };
    const result = await this.#calls.validateAndCall({
      key: `beforePush:${PUSH_TRIGGER_CLASS}`,
      validator: hook.validator,
      subject: { request, data: push.data as Record<string, unknown>, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
      what: 'beforePush',
      run: () => hook.handler(request),
      observed: { kind: 'trigger', name: 'beforePush', className: PUSH_TRIGGER_CLASS },
    });
    // The hook answers `{ push }`, or changes `request.push` in place (what a validator's default did too).
    const changed = isPushJSON(result) ? result.push : push;
    return JSON.stringify(changed) === JSON.stringify(input.push) ? undefined : changed;
  }

  /** afterPush: told once when a push finished; errors (and a hang past the timeout) are logged only. */
  async afterPush(input: {
    caller: HookCaller;
    outcome: Omit<AfterPushRequest, keyof HookRequestBase | 'triggerName'>;
  }): Promise<void> {
    const hook = this.#registry.pushHook('afterPush');
    if (hook === undefined) return;
    const request: AfterPushRequest = { ...this.#base(input.caller), triggerName: 'afterPush', ...input.outcome };
    try {
      await this.#calls.validateAndCall({
        key: `afterPush:${PUSH_TRIGGER_CLASS}`,
        validator: hook.validator,
        subject: { request, data: undefined, roleNames: () => input.caller.roleNames() },
        caller: input.caller,
        what: 'afterPush',
        run: () => hook.handler(request),
        observed: { kind: 'trigger', name: 'afterPush', className: PUSH_TRIGGER_CLASS },
      });
    } catch (err) {
      input.caller.log.error({ err, pushId: input.outcome.pushStatusId }, 'afterPush failed');
    }
  }

  /** `POST /functions/:name`: unknown → 141 `Invalid function: "<name>"`; the validator runs first. */
  async runFunction(input: { name: string; params: JsonObject; caller: HookCaller }): Promise<FunctionResult> {
    const fn = this.#registry.function(input.name);
    if (fn === undefined) {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Invalid function: "${input.name}"` });
    }
    const params: Record<string, unknown> = { ...input.params };
    const request = { ...this.#base(input.caller), functionName: input.name, params };
    const outcome = await this.#calls.validate({
      key: `function:${input.name}`,
      validator: fn.validator,
      subject: { request, data: params, roleNames: () => input.caller.roleNames() },
      caller: input.caller,
    });
    if (outcome === 'skip') return { result: undefined };
    const result = await this.#calls.call({
      what: `Cloud function "${input.name}"`,
      run: () => fn.handler(request),
      observed: { kind: 'function', name: input.name },
    });
    if (result === null || typeof result !== 'object' || !('result' in result)) return { result: undefined };
    return result;
  }

  /** The fields every hook request carries; `config` is a fresh frozen view each time (hooks cannot change it). */
  #base(caller: HookCaller): HookRequestBase {
    const config = this.#serverConfig?.();
    return {
      ...caller.info,
      context: caller.context,
      log: caller.log,
      ...(config === undefined ? {} : { config: Object.freeze({ ...config }) }),
    };
  }

  /** Closes the rate limiters' connections. */
  close(): Promise<void> {
    return this.#calls.close();
  }
}
