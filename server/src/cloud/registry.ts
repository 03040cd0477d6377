import { ErrorCode, ParseError } from '../errors/index.js';
import { CONNECT_TRIGGER_CLASS, LIVE_TRIGGER_NAMES, OBJECT_TRIGGER_NAMES, TRIGGER_NAMES } from './types.js';
import type {
  FunctionHandler,
  LiveTriggerHandler,
  LiveTriggerName,
  RegisteredLiveTrigger,
  JobHandler,
  JobOptions,
  RegisteredFunction,
  RegisteredJob,
  RegisteredTrigger,
  TriggerHandler,
  TriggerName,
  Validator,
  HookSource,
  PushHookHandler,
  PushHookName,
  RegisteredPushHook,
} from './types.js';

/** The pseudo class names file and config triggers are registered under (spec/cloud.md §1). */
export const FILE_TRIGGER_CLASS = '@File';
export const CONFIG_TRIGGER_CLASS = '@Config';
/** The pseudo class the push hooks are listed under (`/cloud_code/registry`). */
export const PUSH_TRIGGER_CLASS = '@Push';

const VALIDATOR_KEYS = new Set([
  'requireUser',
  'requireMaster',
  'validateMasterKey',
  'skipWithMasterKey',
  'requireAnyUserRoles',
  'requireAllUserRoles',
  'requireUserKeys',
  'fields',
  'rateLimit',
]);

/** Which triggers each special class accepts; other classes take the object and find triggers. */
const ALLOWED_BY_CLASS: Readonly<Record<string, readonly TriggerName[]>> = {
  _Session: ['afterLogout'],
  [CONFIG_TRIGGER_CLASS]: ['beforeSave', 'afterSave'],
  [FILE_TRIGGER_CLASS]: OBJECT_TRIGGER_NAMES,
};
const USER_ONLY: readonly TriggerName[] = ['beforeLogin', 'afterLogin', 'beforePasswordResetRequest'];

/** Everything webhooks register; replaces the in-process hook of the same name while set. */
export interface WebhookOverlay {
  readonly functions: ReadonlyMap<string, RegisteredFunction>;
  readonly triggers: ReadonlyMap<string, RegisteredTrigger>;
}

/**
 * Functions, triggers and jobs by name: one registry whichever API registered them. Registration checks
 * what Parse checks at registration time (allowed trigger/class pairs, validator keys, names) so a mistake
 * fails the server's start, not a client's request. Webhooks (`/hooks`) lie on top and win while they exist.
 */
export class CloudRegistry {
  private readonly functions = new Map<string, RegisteredFunction>();
  private readonly triggers = new Map<string, RegisteredTrigger>();
  private readonly jobs = new Map<string, RegisteredJob>();
  private readonly liveTriggers = new Map<string, RegisteredLiveTrigger>();
  private readonly pushHooks = new Map<PushHookName, RegisteredPushHook>();
  private readonly classesWithTriggers = new Set<string>();
  private webhooks: WebhookOverlay = { functions: new Map(), triggers: new Map() };

  defineFunction(options: { name: string; handler: FunctionHandler; validator?: Validator; source: HookSource }): void {
    assertName(options.name, 'function');
    assertValidator(options.validator);
    this.names = undefined;
    this.functions.set(options.name, {
      name: options.name,
      handler: options.handler,
      source: options.source,
      ...(options.validator === undefined ? {} : { validator: options.validator }),
    });
  }

  defineTrigger<T extends TriggerName>(options: {
    triggerName: T;
    className: string;
    handler: TriggerHandler<T>;
    validator?: Validator;
    source: HookSource;
  }): void {
    assertTriggerAllowed(options.triggerName, options.className);
    assertValidator(options.validator);
    const registered: RegisteredTrigger<T> = {
      triggerName: options.triggerName,
      className: options.className,
      handler: options.handler,
      source: options.source,
      ...(options.validator === undefined ? {} : { validator: options.validator }),
    };
    this.triggers.set(triggerKey(options.triggerName, options.className), registered as unknown as RegisteredTrigger);
    this.classesWithTriggers.add(options.className);
  }

  defineJob(options: { name: string; handler: JobHandler; options?: JobOptions; source: HookSource }): void {
    assertName(options.name, 'job');
    this.jobs.set(options.name, {
      name: options.name,
      handler: options.handler,
      options: options.options ?? {},
      source: options.source,
    });
  }

  /**
   * A LiveQuery hook: `beforeConnect` (class `@Connect`), `beforeSubscribe` / `afterLiveQueryEvent` on a class.
   * They are not object triggers: REST writes never see them, and webhooks cannot register them.
   */
  defineLiveTrigger<T extends LiveTriggerName>(options: {
    triggerName: T;
    className: string;
    handler: LiveTriggerHandler<T>;
    source: HookSource;
  }): void {
    const { triggerName, className } = options;
    if (!LIVE_TRIGGER_NAMES.includes(triggerName)) {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Unknown trigger ${JSON.stringify(triggerName)}.` });
    }
    if (typeof className !== 'string' || className === '') {
      throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `${triggerName} needs a class name.` });
    }
    const connect = triggerName === 'beforeConnect';
    if (connect ? className !== CONNECT_TRIGGER_CLASS : className.startsWith('@')) {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, {
        message: `Triggers of type ${triggerName} are not allowed on ${className}.`,
      });
    }
    this.liveTriggers.set(`${triggerName}:${className}`, {
      triggerName,
      className,
      handler: options.handler,
      source: options.source,
    } as unknown as RegisteredLiveTrigger);
  }

  liveTrigger<T extends LiveTriggerName>(triggerName: T, className: string): RegisteredLiveTrigger<T> | undefined {
    return this.liveTriggers.get(`${triggerName}:${className}`) as RegisteredLiveTrigger<T> | undefined;
  }

  /** `beforePush` / `afterPush` (one each; a second registration replaces the first, like triggers). */
  definePushHook<T extends PushHookName>(options: {
    name: T;
    handler: PushHookHandler<T>;
    validator?: Validator;
    source: HookSource;
  }): void {
    if (options.name !== 'beforePush' && options.name !== 'afterPush') {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Unknown push hook ${JSON.stringify(options.name)}.` });
    }
    if (typeof options.handler !== 'function') {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `${options.name} needs a handler function.` });
    }
    assertValidator(options.validator);
    this.pushHooks.set(options.name, {
      name: options.name,
      handler: options.handler,
      source: options.source,
      ...(options.validator === undefined ? {} : { validator: options.validator }),
    } as unknown as RegisteredPushHook);
  }

  pushHook<T extends PushHookName>(name: T): RegisteredPushHook<T> | undefined {
    return this.pushHooks.get(name) as RegisteredPushHook<T> | undefined;
  }

  function(name: string): RegisteredFunction | undefined {
    return this.webhooks.functions.get(name) ?? this.functions.get(name);
  }

  trigger<T extends TriggerName>(triggerName: T, className: string): RegisteredTrigger<T> | undefined {
    const key = triggerKey(triggerName, className);
    return (this.webhooks.triggers.get(key) ?? this.triggers.get(key)) as RegisteredTrigger<T> | undefined;
  }

  /** Fast path for the operations: false means no trigger of any kind is registered for the class. */
  hasTriggers(className: string): boolean {
    return this.classesWithTriggers.has(className) || this.webhookClasses.has(className);
  }

  job(name: string): RegisteredJob | undefined {
    return this.jobs.get(name);
  }

  /**
   * Every callable function name, in-process and webhook (`/hooks/functions`) alike, sorted and without
   * repeats: what a client may call, so what GraphQL's `CloudCodeFunction` enum lists.
   */
  functionNames(): readonly string[] {
    // Asked on every GraphQL request: kept until a function or the webhook overlay changes.
    this.names ??= [...new Set([...this.functions.keys(), ...this.webhooks.functions.keys()])].sort();
    return this.names;
  }

  private names: readonly string[] | undefined;

  /** Every in-process hook (for `/hooks` listings and the dashboard), webhooks excluded. */
  list(): {
    functions: RegisteredFunction[];
    triggers: RegisteredTrigger[];
    jobs: RegisteredJob[];
    liveTriggers: RegisteredLiveTrigger[];
    pushHooks: RegisteredPushHook[];
  } {
    return {
      functions: [...this.functions.values()],
      triggers: [...this.triggers.values()],
      jobs: [...this.jobs.values()],
      liveTriggers: [...this.liveTriggers.values()],
      pushHooks: [...this.pushHooks.values()],
    };
  }

  /** Replaces every webhook at once (the hooks store calls this after loading or changing `_Hooks`). */
  setWebhooks(overlay: WebhookOverlay): void {
    for (const trigger of overlay.triggers.values()) assertTriggerAllowed(trigger.triggerName, trigger.className);
    this.webhooks = overlay;
    this.names = undefined;
    this.webhookClasses = new Set([...overlay.triggers.values()].map((trigger) => trigger.className));
  }

  private webhookClasses = new Set<string>();
}

export function triggerKey(triggerName: TriggerName, className: string): string {
  return `${triggerName}:${className}`;
}

/** Function and job names: letters, digits, `_`, `.` and `-` (Parse allows dotted names), at most 256. */
export function assertName(name: string, what: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.length > 256) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Invalid ${what} name: ${JSON.stringify(name)}.` });
  }
}

/** Refuses an unknown trigger name or a trigger the class does not take (e.g. beforeSave on `_Session`). */
export function assertTriggerAllowed(triggerName: TriggerName, className: string): void {
  if (!TRIGGER_NAMES.includes(triggerName)) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Unknown trigger ${JSON.stringify(triggerName)}.` });
  }
  if (typeof className !== 'string' || className === '') {
    throw new ParseError(ErrorCode.INVALID_CLASS_NAME, { message: `${triggerName} needs a class name.` });
  }
  const special = ALLOWED_BY_CLASS[className];
  const allowed: readonly TriggerName[] =
    special ??
    (className === '_User'
      ? [...OBJECT_TRIGGER_NAMES, ...USER_ONLY]
      : className === '_PushStatus'
        ? ['afterSave']
        : OBJECT_TRIGGER_NAMES);
  if (!allowed.includes(triggerName)) {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, {
      message: `Triggers of type ${triggerName} are not allowed on ${className}.`,
    });
  }
}

function assertValidator(validator: Validator | undefined): void {
  if (validator === undefined || typeof validator === 'function') return;
  if (validator === null || typeof validator !== 'object') {
    throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: 'A validator must be a function or an object.' });
  }
  for (const key of Object.keys(validator)) {
    if (!VALIDATOR_KEYS.has(key)) {
      throw new ParseError(ErrorCode.SCRIPT_FAILED, { message: `Invalid validator key: ${key}.` });
    }
  }
}
