import type { ParseResult, RawValue, ValueKind } from './option-types.js';

/**
 * Value kinds for the JSON-valued user options (`accountLockout`, `passwordPolicy`, `authProviders`):
 * a JSON string in flags and env vars, an object in the config file. Each is validated here so a typo
 * stops the server at start instead of silently disabling a protection.
 */
export interface AccountLockoutSettings {
  readonly duration: number;
  readonly threshold: number;
  readonly unlockOnPasswordReset: boolean;
}

export interface PasswordPolicySettings {
  readonly validatorPattern?: string;
  readonly validationError?: string;
  readonly doNotAllowUsername?: boolean;
  readonly maxPasswordHistory?: number;
  readonly maxPasswordAge?: number;
  readonly resetTokenValidityDuration?: number;
  readonly resetTokenReuseIfValid?: boolean;
  readonly resetPasswordSuccessOnInvalidEmail?: boolean;
}

export interface AuthProviderOptionSettings {
  readonly enabled?: boolean;
  readonly clientId?: string | readonly string[];
  readonly issuer?: string | readonly string[];
  readonly jwksUri?: string;
  readonly algorithms?: readonly string[];
}

type Json = Record<string, unknown>;
const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = (problem: string): ParseResult<never> => ({ ok: false, problem });

function asObject(raw: RawValue): Json | string {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return 'expected a JSON object';
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : 'expected a JSON object';
}

function unknownKeys(object: Json, allowed: readonly string[]): string | undefined {
  const extra = Object.keys(object).filter((key) => !allowed.includes(key));
  return extra.length === 0 ? undefined : `unknown key ${JSON.stringify(extra[0])}`;
}

const isInt = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const isStringList = (value: unknown): value is string | string[] =>
  (typeof value === 'string' && value !== '') ||
  (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && v !== ''));

function jsonKind<T>(parse: (object: Json) => ParseResult<T>): ValueKind<T> {
  return {
    placeholder: '<json>',
    isSwitch: false,
    parse: (raw) => {
      const object = asObject(raw);
      return typeof object === 'string' ? fail(object) : parse(object);
    },
  };
}

/** `{"duration": minutes, "threshold": attempts, "unlockOnPasswordReset": bool}` (security.md §7). */
export function accountLockoutKind(): ValueKind<AccountLockoutSettings> {
  return jsonKind((o) => {
    const extra = unknownKeys(o, ['duration', 'threshold', 'unlockOnPasswordReset']);
    if (extra !== undefined) return fail(extra);
    const { duration, threshold, unlockOnPasswordReset = false } = o;
    if (typeof duration !== 'number' || !(duration > 0 && duration < 100000)) {
      return fail('duration must be a number of minutes greater than 0 and less than 100000');
    }
    if (!isInt(threshold, 1, 999)) return fail('threshold must be an integer from 1 to 999');
    if (typeof unlockOnPasswordReset !== 'boolean') return fail('unlockOnPasswordReset must be a boolean');
    return ok({ duration, threshold, unlockOnPasswordReset });
  });
}

const POLICY_KEYS = [
  'validatorPattern',
  'validationError',
  'doNotAllowUsername',
  'maxPasswordHistory',
  'maxPasswordAge',
  'resetTokenValidityDuration',
  'resetTokenReuseIfValid',
  'resetPasswordSuccessOnInvalidEmail',
] as const;

/** The `passwordPolicy` object (security.md §8); `validatorPattern` must compile as a regular expression. */
export function passwordPolicyKind(): ValueKind<PasswordPolicySettings> {
  return jsonKind((o) => {
    const extra = unknownKeys(o, POLICY_KEYS);
    if (extra !== undefined) return fail(extra);
    if (o['validatorPattern'] !== undefined) {
      if (typeof o['validatorPattern'] !== 'string') return fail('validatorPattern must be a string');
      try {
        new RegExp(o['validatorPattern']);
      } catch {
        return fail('validatorPattern is not a valid regular expression');
      }
    }
    if (o['validationError'] !== undefined && typeof o['validationError'] !== 'string') {
      return fail('validationError must be a string');
    }
    for (const key of ['doNotAllowUsername', 'resetTokenReuseIfValid', 'resetPasswordSuccessOnInvalidEmail']) {
      if (o[key] !== undefined && typeof o[key] !== 'boolean') return fail(`${key} must be a boolean`);
    }
    if (o['maxPasswordHistory'] !== undefined && !isInt(o['maxPasswordHistory'], 0, 20)) {
      return fail('maxPasswordHistory must be an integer from 0 to 20');
    }
    for (const key of ['maxPasswordAge', 'resetTokenValidityDuration']) {
      if (o[key] !== undefined && !(typeof o[key] === 'number' && o[key] > 0))
        return fail(`${key} must be a positive number`);
    }
    return ok(o as PasswordPolicySettings);
  });
}

/** `{"<name>": {clientId, issuer?, jwksUri?, algorithms?, enabled?}}` for third-party log-in. */
export function authProvidersKind(): ValueKind<Readonly<Record<string, AuthProviderOptionSettings>>> {
  return jsonKind((o) => {
    for (const [name, settings] of Object.entries(o)) {
      if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return fail(`provider name ${JSON.stringify(name)} is not valid`);
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
        return fail(`${name} must be an object`);
      }
      const s = settings as Json;
      const extra = unknownKeys(s, ['enabled', 'clientId', 'issuer', 'jwksUri', 'algorithms']);
      if (extra !== undefined) return fail(`${name}: ${extra}`);
      if (s['enabled'] !== undefined && typeof s['enabled'] !== 'boolean')
        return fail(`${name}.enabled must be a boolean`);
      if (s['enabled'] === false) continue;
      if (name !== 'anonymous' && !isStringList(s['clientId'])) return fail(`${name}.clientId is required`);
      if (s['issuer'] !== undefined && !isStringList(s['issuer']))
        return fail(`${name}.issuer must be a string or list`);
      if (s['jwksUri'] !== undefined && !(typeof s['jwksUri'] === 'string' && /^https?:\/\//.test(s['jwksUri']))) {
        return fail(`${name}.jwksUri must be an http(s) URL`);
      }
      const algorithms = s['algorithms'];
      if (
        algorithms !== undefined &&
        !(Array.isArray(algorithms) && algorithms.every((a) => a === 'RS256' || a === 'ES256'))
      ) {
        return fail(`${name}.algorithms may list RS256 and ES256`);
      }
    }
    return ok(o as Record<string, AuthProviderOptionSettings>);
  });
}
