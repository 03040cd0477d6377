import { isMasterLike, newSessionToken } from '../../auth/index.js';
import { ErrorCode, ParseError } from '../../errors/index.js';
import type { ParseValue } from '../../schema/index.js';
import type { FieldWrite, WriteInput } from '../write-input.js';
import type { ClassRules } from './rules.js';
import { userPointer } from './session-store.js';

/** Fields a client may never write on a session (rest.md §7); the server owns them. */
const SERVER_OWNED = ['user', 'sessionToken', 'expiresAt', 'createdWith', 'installationId'] as const;

/**
 * `_Session` rules (rest.md §7, security.md §6): a client only ever reads, updates or deletes its own
 * sessions (whatever the ACL says) and needs a session to touch the class at all (209); a client's
 * `POST /sessions` creates a restricted session for itself. The session cache drops a changed or deleted
 * session as a subscriber of the change feed (`sessionEvictionOf`).
 */
export const sessionRules: ClassRules = {
  restrictQuery({ auth }) {
    if (isMasterLike(auth)) return undefined;
    if (auth.kind !== 'user') throw sessionRequired();
    return { kind: 'eq', path: ['user'], value: userPointer(auth.userId) };
  },

  beforeWrite({ auth, input, isCreate }) {
    if (isMasterLike(auth)) return;
    if (auth.kind !== 'user') throw sessionRequired();
    if (input.ACL !== undefined) throw invalidKey('ACL');
    if (isCreate) return;
    for (const field of SERVER_OWNED) if (field in input.fields) throw invalidKey(field);
  },

  prepareCreate({ deps, auth, input }) {
    const set = (value: ParseValue): FieldWrite => ({ op: 'set', value });
    const fields: Record<string, FieldWrite> = { ...input.fields };
    const lengthMs = deps.users.sessionLengthMs;
    const expiresAt = lengthMs === undefined ? undefined : new Date(deps.users.now().getTime() + lengthMs);
    if (auth.kind === 'user') {
      // A client's session is always its own, restricted, with the server's token and expiry.
      for (const field of SERVER_OWNED) delete fields[field];
      fields['user'] = set(userPointer(auth.userId));
      fields['createdWith'] = set({ action: 'create' });
      if (auth.installationId !== undefined) fields['installationId'] = set(auth.installationId);
    } else {
      fields['createdWith'] ??= set({ action: 'create' });
    }
    fields['sessionToken'] ??= set(newSessionToken());
    if (expiresAt !== undefined) fields['expiresAt'] ??= set(expiresAt);
    const prepared: WriteInput = { ...input, fields };
    return Promise.resolve(prepared);
  },

  afterCreate({ input }) {
    // The 201 answer carries the whole new session, token included (rest.md §7).
    const echoed: Record<string, unknown> = {};
    for (const field of SERVER_OWNED) {
      const write = input.fields[field];
      if (write?.op === 'set') echoed[field] = write.value;
    }
    return Promise.resolve(echoed);
  },
};

function sessionRequired(): ParseError {
  return new ParseError(ErrorCode.INVALID_SESSION_TOKEN, { message: 'Session token required.' });
}

function invalidKey(field: string): ParseError {
  return new ParseError(ErrorCode.INVALID_KEY_NAME, { message: `Invalid key name: ${field}` });
}
