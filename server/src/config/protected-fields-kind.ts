import type { ParseResult, RawValue, ValueKind } from './option-types.js';

/**
 * The server-wide `protectedFields` option (spec/security.md §5): `{ className: { key: [field, ...] } }`,
 * merged into every class's CLP `protectedFields`. A JSON string in flags and env vars, an object in the
 * config file. Keys are `*`, `authenticated`, `role:<name>`, `userField:<field>` or a user id.
 */
export type ProtectedFieldsSetting = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

const fail = (problem: string): ParseResult<never> => ({ ok: false, problem });

export function protectedFieldsKind(): ValueKind<ProtectedFieldsSetting> {
  return {
    placeholder: '<json>',
    isSwitch: false,
    parse: (raw: RawValue) => {
      let value: unknown = raw;
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw);
        } catch {
          return fail('expected a JSON object');
        }
      }
      if (!isRecord(value)) return fail('expected a JSON object of class names');
      for (const [className, rules] of Object.entries(value)) {
        if (!isRecord(rules)) return fail(`expected an object of keys for class ${JSON.stringify(className)}`);
        for (const [key, fields] of Object.entries(rules)) {
          if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string' && field !== '')) {
            return fail(`expected a list of field names for ${className}.${key}`);
          }
        }
      }
      return { ok: true, value: value as ProtectedFieldsSetting };
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
