import { ErrorCode } from '../errors/index.js';
import { toHookError, validationFailed } from './errors.js';
import type { CloudObjectJSON, FieldRule, HookRequestBase, Validator, ValidatorSpec } from './types.js';

/** What a validator checks, besides the request it is handed. */
export interface ValidationSubject {
  /** The hook request (function validators receive exactly this). */
  readonly request: HookRequestBase;
  /**
   * What `fields` checks: a function's params, or the trigger's object (REST JSON). Mutable: defaults and
   * constants are written into it, and the caller turns those writes into the save.
   */
  readonly data: Record<string, unknown> | undefined;
  /** Updates: the stored object, which a `constant` field is reverted to. */
  readonly original?: Readonly<Record<string, unknown>>;
  /** `_User` sign-up: the new user stands in for the missing session user (`requireUser`). */
  readonly signUpUser?: CloudObjectJSON;
  /** The caller's role names (without `role:`), resolved only when a role rule asks. */
  roleNames(): Promise<readonly string[]>;
}

/** Whether the hook itself runs after its validator passed (`skipWithMasterKey` skips it for the master key). */
export type ValidatorOutcome = 'run' | 'skip';

/**
 * Runs a hook's validator (spec/cloud.md §7). The function form always runs; the object form is skipped for
 * master-key requests unless `validateMasterKey`. Refusals are 142 with Parse's messages, unless the
 * validator threw a Parse error with its own code.
 */
export async function runValidator(validator: Validator, subject: ValidationSubject): Promise<ValidatorOutcome> {
  try {
    if (typeof validator === 'function') {
      await validator(subject.request);
      return 'run';
    }
    const skip = validator.skipWithMasterKey === true && subject.request.master;
    if (subject.request.master && validator.validateMasterKey !== true) return skip ? 'skip' : 'run';
    await checkSpec(validator, subject);
    return skip ? 'skip' : 'run';
  } catch (err) {
    throw toHookError(err, { code: ErrorCode.VALIDATION_ERROR, message: 'Validation failed.' });
  }
}

async function checkSpec(spec: ValidatorSpec, subject: ValidationSubject): Promise<void> {
  const { request } = subject;
  const user = request.user ?? subject.signUpUser;
  const needsUser =
    spec.requireUser === true || spec.requireAnyUserRoles !== undefined || spec.requireAllUserRoles !== undefined;
  if (needsUser && user === undefined) throw validationFailed('Validation failed. Please login to continue.');
  if (spec.requireMaster === true && !request.master) {
    throw validationFailed('Validation failed. Master key is required to complete this request.');
  }
  await checkFields(spec.fields, subject);
  await checkRoles(spec, subject);
  await checkUserKeys(spec.requireUserKeys, user);
}

async function checkFields(fields: ValidatorSpec['fields'], subject: ValidationSubject): Promise<void> {
  if (fields === undefined) return;
  const data = subject.data ?? {};
  if (Array.isArray(fields)) {
    for (const key of fields as readonly string[]) requireValue(data, key);
    return;
  }
  const pending: Promise<void>[] = [];
  for (const [key, rule] of Object.entries(fields as Readonly<Record<string, FieldRule | string>>)) {
    if (typeof rule === 'string') {
      requireValue(data, rule);
      continue;
    }
    if (rule === null || typeof rule !== 'object') continue;
    let value = data[key];
    if (rule.default !== undefined && rule.default !== null && isMissing(value)) {
      value = rule.default;
      setOwn(data, key, value);
    }
    if (rule.constant === true && subject.data !== undefined) {
      // A constant keeps its stored value on update, and its default on create.
      if (subject.original !== undefined) {
        value = subject.original[key];
        if (value === undefined) delete data[key];
        else setOwn(data, key, value);
      } else if (rule.default !== undefined && rule.default !== null) {
        value = rule.default;
        setOwn(data, key, value);
      }
    }
    if (rule.required === true) requireValue(data, key);
    if (rule.required !== true && value === undefined) continue;
    if (rule.type !== undefined) {
      const expected = typeName(rule.type);
      if (valueType(value) !== expected && !(expected === 'date' && isDateJSON(value))) {
        throw validationFailed(`Validation failed. Invalid type for ${key}. Expected: ${expected}`);
      }
    }
    if (rule.options !== undefined) pending.push(checkOptions({ rule, key, value }));
  }
  await Promise.all(pending);
}

async function checkRoles(spec: ValidatorSpec, subject: ValidationSubject): Promise<void> {
  if (spec.requireAnyUserRoles === undefined && spec.requireAllUserRoles === undefined) return;
  const resolve = async (rule: ValidatorSpec['requireAnyUserRoles']): Promise<readonly string[] | undefined> =>
    typeof rule === 'function' ? rule(subject.request) : rule;
  const [have, any, all] = await Promise.all([
    subject.roleNames(),
    resolve(spec.requireAnyUserRoles),
    resolve(spec.requireAllUserRoles),
  ]);
  const names = new Set(have.map((name) => (name.startsWith('role:') ? name.slice(5) : name)));
  if (any !== undefined && !any.some((role) => names.has(role))) {
    throw validationFailed('Validation failed. User does not match the required roles.');
  }
  if (all !== undefined && !all.every((role) => names.has(role))) {
    throw validationFailed('Validation failed. User does not match all the required roles.');
  }
}

async function checkUserKeys(keys: ValidatorSpec['requireUserKeys'], user: CloudObjectJSON | undefined): Promise<void> {
  if (keys === undefined) return;
  if (Array.isArray(keys)) {
    for (const key of keys as readonly string[]) {
      if (user === undefined) throw validationFailed('Please login to make this request.');
      if (isMissing(user[key]))
        throw validationFailed(`Validation failed. Please set data for ${key} on your account.`);
    }
    return;
  }
  const pending: Promise<void>[] = [];
  for (const [key, rule] of Object.entries(keys as Readonly<Record<string, FieldRule>>)) {
    if (user === undefined) throw validationFailed('Please login to make this request.');
    if (rule.options !== undefined) pending.push(checkOptions({ rule, key, value: user[key] }));
  }
  await Promise.all(pending);
}

async function checkOptions(options: { rule: FieldRule; key: string; value: unknown }): Promise<void> {
  const { rule, key, value } = options;
  const allowed = rule.options;
  if (typeof allowed === 'function') {
    let ok: unknown;
    try {
      ok = await (allowed as (value: unknown) => unknown)(value);
    } catch (err) {
      throw rule.error ?? (err === undefined || err === null ? `Validation failed. Invalid value for ${key}.` : err);
    }
    if (ok === false) throw rule.error ?? `Validation failed. Invalid value for ${key}.`;
    return;
  }
  const list = Array.isArray(allowed) ? (allowed as readonly unknown[]) : [allowed];
  if (!list.includes(value)) {
    throw validationFailed(rule.error ?? `Validation failed. Invalid option for ${key}. Expected: ${list.join(', ')}`);
  }
}

function requireValue(data: Record<string, unknown>, key: string): void {
  if (isMissing(data[key])) throw validationFailed(`Validation failed. Please specify data for ${key}.`);
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null;
}

/** `String` (the constructor Parse code passes) or `'String'` → `string`, as Parse names types in its messages. */
function typeName(type: NonNullable<FieldRule['type']>): string {
  return (typeof type === 'function' ? type.name : type).toLowerCase();
}

function valueType(value: unknown): string {
  return Array.isArray(value) ? 'array' : typeof value;
}

function isDateJSON(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { __type?: unknown }).__type === 'Date';
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__' || key === 'constructor') return;
  target[key] = value;
}
