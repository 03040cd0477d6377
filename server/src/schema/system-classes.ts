import type { FieldDefinition, FieldType } from './types.js';

/**
 * The built-in class definitions (spec/types.md §6): the fields every class has, each system class's own
 * default fields, which classes are volatile, which fields are required on create, and the internal
 * `_`-prefixed storage fields. Data only; the registry and core decide what to do with it.
 */

type Fields = Readonly<Record<string, FieldDefinition>>;

const STRING = { type: 'String' } as const;
const NUMBER = { type: 'Number' } as const;
const BOOLEAN = { type: 'Boolean' } as const;
const DATE = { type: 'Date' } as const;
const OBJECT = { type: 'Object' } as const;
const ARRAY = { type: 'Array' } as const;
const FILE = { type: 'File' } as const;

/** The fields every object has. */
export const DEFAULT_FIELDS: Fields = Object.freeze({
  objectId: STRING,
  createdAt: DATE,
  updatedAt: DATE,
  ACL: { type: 'ACL' },
});

/** Each system class's own fields, besides DEFAULT_FIELDS. */
const CLASS_FIELDS: Readonly<Record<string, Fields>> = {
  _User: { username: STRING, password: STRING, email: STRING, emailVerified: BOOLEAN, authData: OBJECT },
  _Installation: {
    installationId: STRING,
    deviceToken: STRING,
    channels: ARRAY,
    deviceType: STRING,
    pushType: STRING,
    GCMSenderId: STRING,
    timeZone: STRING,
    localeIdentifier: STRING,
    badge: NUMBER,
    appVersion: STRING,
    appName: STRING,
    appIdentifier: STRING,
    parseVersion: STRING,
  },
  _Role: {
    name: STRING,
    users: { type: 'Relation', targetClass: '_User' },
    roles: { type: 'Relation', targetClass: '_Role' },
  },
  _Session: {
    user: { type: 'Pointer', targetClass: '_User' },
    installationId: STRING,
    sessionToken: STRING,
    expiresAt: DATE,
    createdWith: OBJECT,
  },
  _Product: {
    productIdentifier: STRING,
    download: FILE,
    downloadName: STRING,
    icon: FILE,
    order: NUMBER,
    title: STRING,
    subtitle: STRING,
  },
  _PushStatus: {
    pushTime: STRING,
    source: STRING,
    query: STRING,
    payload: STRING,
    title: STRING,
    expiry: NUMBER,
    expiration_interval: NUMBER,
    status: STRING,
    numSent: NUMBER,
    numFailed: NUMBER,
    pushHash: STRING,
    errorMessage: OBJECT,
    sentPerType: OBJECT,
    failedPerType: OBJECT,
    sentPerUTCOffset: OBJECT,
    failedPerUTCOffset: OBJECT,
    count: NUMBER,
    // Strata additions: a sample of per-device failures, each part's resume point, the request's
    // provider options (collapse_id, push_type, notification...).
    failures: ARRAY,
    progress: OBJECT,
    pushOptions: OBJECT,
  },
  _JobStatus: {
    jobName: STRING,
    source: STRING,
    status: STRING,
    message: STRING,
    params: OBJECT,
    finishedAt: DATE,
    // Strata additions: how far the job says it is (0–100) and how many attempts were started.
    progress: NUMBER,
    attempts: NUMBER,
  },
  _JobSchedule: {
    jobName: STRING,
    description: STRING,
    params: STRING,
    startAfter: STRING,
    daysOfWeek: ARRAY,
    timeOfDay: STRING,
    lastRun: NUMBER,
    repeatMinutes: NUMBER,
  },
  _Audience: { name: STRING, query: STRING, lastUsed: DATE, timesUsed: NUMBER },
  _Idempotency: { reqId: STRING, expire: DATE },
  _Hooks: { functionName: STRING, className: STRING, triggerName: STRING, url: STRING },
  _GlobalConfig: { params: OBJECT, masterKeyOnly: OBJECT },
  _GraphQLConfig: { config: OBJECT },
  // Strata's metering rows (core/usage.ts): one per hour, kind and function, added to by every server.
  _Usage: {
    hour: DATE,
    kind: STRING,
    name: STRING,
    triggerClass: STRING,
    invocations: NUMBER,
    errors: NUMBER,
    computeMs: NUMBER,
  },
};

/**
 * System classes reachable through `/classes` and `/schemas` (valid class names). `_Hooks`,
 * `_GlobalConfig` and `_GraphQLConfig` have definitions too but only their own routes reach them.
 */
export const ROUTABLE_SYSTEM_CLASSES: ReadonlySet<string> = new Set([
  '_User',
  '_Installation',
  '_Role',
  '_Session',
  '_Product',
  '_PushStatus',
  '_JobStatus',
  '_JobSchedule',
  '_Audience',
  '_Idempotency',
]);

/** Classes with no stored schema: not listed by `GET /schemas`, master only. */
export const VOLATILE_CLASSES: ReadonlySet<string> = new Set([
  '_JobStatus',
  '_PushStatus',
  '_Hooks',
  '_GlobalConfig',
  '_GraphQLConfig',
  '_JobSchedule',
  '_Audience',
  '_Idempotency',
  '_Usage',
]);

/** Fields a create must provide (spec: `_Role` needs name and ACL; legacy `_Product` IAP fields). */
const REQUIRED_ON_CREATE: Readonly<Record<string, readonly string[]>> = {
  _Role: Object.freeze(['name', 'ACL']),
  _Product: Object.freeze(['productIdentifier', 'icon', 'order', 'title', 'subtitle']),
};

/**
 * Internal storage fields per class (never returned to clients, never in `_SCHEMA`). `_rperm`/`_wperm`
 * are not listed: they are the storage form of `ACL`, owned by each storage codec.
 */
const INTERNAL_FIELDS: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = {
  _User: {
    _hashed_password: STRING,
    _email_verify_token: STRING,
    _email_verify_token_expires_at: DATE,
    _perishable_token: STRING,
    _perishable_token_expires_at: DATE,
    _failed_login_count: NUMBER,
    _account_lockout_expires_at: DATE,
    _password_changed_at: DATE,
    _password_history: ARRAY,
    _session_token: STRING,
    // Legacy Parse.com marker, read through and never written; its type was never fixed.
    _tombstone: OBJECT,
  },
  _Session: { _session_token: STRING },
};

/** Prefix of the `_User` fields holding `authData.<provider>` in storage (`_auth_data_facebook`). */
export const AUTH_DATA_FIELD_PREFIX = '_auth_data_';

const NO_FIELDS: Fields = Object.freeze({});
const NO_NAMES: readonly string[] = Object.freeze([]);

/** DEFAULT_FIELDS plus the class's own default fields, computed once per system class. */
const ALL_DEFAULTS: ReadonlyMap<string, Fields> = new Map(
  Object.entries(CLASS_FIELDS).map(([className, fields]) => [
    className,
    Object.freeze({ ...DEFAULT_FIELDS, ...fields }),
  ]),
);

/** Every class with a hard-coded definition (routable or not). */
export function isSystemClass(className: string): boolean {
  return ALL_DEFAULTS.has(className);
}

export function isVolatileClass(className: string): boolean {
  return VOLATILE_CLASSES.has(className);
}

/**
 * The fields a class has without any stored schema: DEFAULT_FIELDS, plus the class's own defaults when
 * it is a system class. The returned object is shared and frozen.
 */
export function defaultFieldsOf(className: string): Fields {
  return ALL_DEFAULTS.get(className) ?? DEFAULT_FIELDS;
}

/** True when `fieldName` is one of the class's default fields (which cannot be added or deleted). */
export function isDefaultField(className: string, fieldName: string): boolean {
  return Object.hasOwn(defaultFieldsOf(className), fieldName);
}

/** The fields a create of this class must set (`[]` for most classes). */
export function requiredFieldsOnCreate(className: string): readonly string[] {
  return REQUIRED_ON_CREATE[className] ?? NO_NAMES;
}

/** The internal `_` fields of a class with their types (`{}` for classes without any). */
export function internalFields(className: string): Readonly<Record<string, FieldType>> {
  return INTERNAL_FIELDS[className] ?? NO_FIELDS;
}

/** True for an internal storage field of this class, including `_User`'s `_auth_data_<provider>`. */
export function isInternalField(className: string, fieldName: string): boolean {
  if (Object.hasOwn(internalFields(className), fieldName)) return true;
  return (
    className === '_User' &&
    fieldName.startsWith(AUTH_DATA_FIELD_PREFIX) &&
    fieldName.length > AUTH_DATA_FIELD_PREFIX.length
  );
}
