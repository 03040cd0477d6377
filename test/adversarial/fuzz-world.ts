/**
 * What the REST fuzz (`fuzz.test.ts`) and the every-door fuzz (`fuzz-doors.test.ts`) both seed before they
 * fire: the two users and the Vault of canaries, the values no answer to a caller without the master key may
 * ever contain.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';

type Json = Record<string, unknown>;

/** The canaries a suite plants (each suite has its own values, so a leak names the suite that planted it). */
export interface Canaries {
  readonly protectedField: string;
  readonly privateObject: string;
  /** Bob's email (not readable by other users). */
  readonly email: string;
}

/**
 * alice, the fuzzer's own session, and bob, who owns the canaries: his email is one, his password is random
 * and known to nobody.
 */
export async function signUpAliceAndBob(server: TestServer, canaries: Canaries): Promise<{ alice: Json; bob: Json }> {
  const signUp = async (username: string, email: string, password: string): Promise<Json> => {
    const response = await server.call({ method: 'POST', path: '/users', body: { username, password, email } });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body as Json;
  };
  const alice = await signUp('alice', 'alice@example.com', 'pw');
  const bob = await signUp('bob', canaries.email, `bob-${randomBytes(16).toString('hex')}`);
  return { alice, bob };
}

/**
 * The Vault class: anyone may find, get and create, nobody may update or delete; `secret` is protected. Two
 * objects: one public whose `secret` is a canary, one only bob may read whose `note` is one. `extra` fields are
 * declared with their type and set on both objects. Answers their objectIds.
 */
export async function plantVault(options: {
  master: (method: string, path: string, body?: unknown) => Promise<Json>;
  canaries: Canaries;
  bobId: string;
  extra?: Readonly<Record<string, { readonly type: string; readonly value: unknown }>>;
}): Promise<[string, string]> {
  const { master, canaries, bobId } = options;
  const extra = Object.entries(options.extra ?? {});
  const extraFields = Object.fromEntries(extra.map(([name, field]) => [name, { type: field.type }]));
  const extraValues = Object.fromEntries(extra.map(([name, field]) => [name, field.value]));
  await master('POST', '/schemas/Vault', {
    className: 'Vault',
    fields: { secret: { type: 'String' }, note: { type: 'String' }, ...extraFields },
    classLevelPermissions: {
      find: { '*': true },
      count: { '*': true },
      get: { '*': true },
      create: { '*': true },
      update: {},
      delete: {},
      addField: {},
      protectedFields: { '*': ['secret'] },
    },
  });
  const open = await master('POST', '/classes/Vault', {
    secret: canaries.protectedField,
    note: 'public',
    ...extraValues,
  });
  const hidden = await master('POST', '/classes/Vault', {
    note: canaries.privateObject,
    ...extraValues,
    ACL: { [bobId]: { read: true, write: true } },
  });
  return [String(open['objectId']), String(hidden['objectId'])];
}
