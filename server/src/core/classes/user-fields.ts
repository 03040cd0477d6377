import { ErrorCode, ParseError } from '../../errors/index.js';
import type { Condition } from '../../query/index.js';
import type { CoreDeps } from '../deps.js';
import type { WriteInput } from '../write-input.js';

/**
 * Checks on the `_User` fields Parse validates itself: username and password present, email well-formed,
 * username and email unique ignoring case. Used by sign-up and by updates of a user.
 */

const EMAIL = /^.+@.+$/;

/** The value a write sets for `field`; `undefined` when the write does not touch it. */
export function setValueOf(input: WriteInput, field: string): unknown {
  const write = input.fields[field];
  if (write === undefined) return undefined;
  // Any operation other than a plain set (Delete, Increment...) is not a usable value for these fields.
  return write.op === 'set' ? write.value : null;
}

export function assertUsername(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new ParseError(ErrorCode.USERNAME_MISSING);
}

export function assertPassword(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new ParseError(ErrorCode.PASSWORD_MISSING);
}

export function assertEmail(value: unknown): asserts value is string {
  if (typeof value !== 'string' || !EMAIL.test(value)) {
    throw new ParseError(ErrorCode.INVALID_EMAIL_ADDRESS, { message: 'Email address format is invalid.' });
  }
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * 202 / 203 when another user already has this username / email in any letter case. Checked before the
 * write so the answer names the field; the unique indexes stay the backstop against races.
 */
export async function assertUnique(
  deps: CoreDeps,
  options: { username?: string | undefined; email?: string | undefined; exceptUserId?: string },
): Promise<void> {
  const schema = await deps.schemas.get('_User');
  if (schema === undefined) return;
  const checks: Array<[string, string | undefined, ErrorCode]> = [
    ['username', options.username, ErrorCode.USERNAME_TAKEN],
    ['email', options.email, ErrorCode.EMAIL_TAKEN],
  ];
  for (const [field, value, code] of checks) {
    if (value === undefined) continue;
    const same: Condition = { kind: 'regex', path: [field], pattern: `^${escapeRegex(value)}$`, flags: 'i' };
    const where: Condition =
      options.exceptUserId === undefined
        ? same
        : { kind: 'and', conditions: [same, { kind: 'ne', path: ['objectId'], value: options.exceptUserId }] };
    if ((await deps.storage.count({ schema, where })) > 0) throw new ParseError(code);
  }
}
