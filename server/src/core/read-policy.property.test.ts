/**
 * Property test of the read policy (issue 12 item 2): for random objects (ACLs over users, roles and `*`,
 * owner pointers, arrays of pointers), random callers (anonymous, users with random roles, master) and
 * random class-level permissions (open, role grants, pointer permissions, requiresAuthentication,
 * refusals), the objects `allows` accepts in memory are exactly those storage returns for the policy's
 * condition, on SQLite and on MongoDB (FerretDB). `_Session` runs too, for its class rule (own sessions).
 * Seeded, so a failure replays; the seed and the counterexample are printed by fast-check.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MongoClient } from 'mongodb';
import { MASTER, callerEntities } from '../auth/index.js';
import type { Auth } from '../auth/index.js';
import { MATCH_ALL } from '../query/index.js';
import { Pointer, defaultFieldsOf } from '../schema/index.js';
import type { ACL, ClassLevelPermissions, ClassSchema, ParseValue } from '../schema/index.js';
import { openStorage } from '../storage/index.js';
import type { StorageAdapter, StoredObject } from '../storage/index.js';
import { describeWithMongo, uniqueDatabaseName, withDatabase } from '../testing/mongo.test-util.js';
import type { Caller } from './caller.js';
import { createReadPolicy } from './read-policy.js';

const SEED = 20_241_207;
const USERS = ['u1', 'u2', 'u3'] as const;
const ROLES = ['A', 'B'] as const;
const ENTITIES = ['*', ...USERS, ...ROLES.map((r) => `role:${r}`)];

const DOC: ClassSchema = {
  className: 'Doc',
  fields: {
    ...defaultFieldsOf('Doc'),
    owner: { type: 'Pointer', targetClass: '_User' },
    editors: { type: 'Array' },
    tag: { type: 'String' },
  },
};
const SESSION: ClassSchema = {
  className: '_Session',
  fields: { ...defaultFieldsOf('_Session'), user: { type: 'Pointer', targetClass: '_User' } },
};

const userPointer = fc.constantFrom(...USERS).map((id) => new Pointer('_User', id));

const aclArb: fc.Arbitrary<ACL | undefined> = fc.option(
  fc.dictionary(
    fc.constantFrom(...ENTITIES),
    fc.record({ read: fc.boolean(), write: fc.boolean() }).map(({ read, write }) => ({
      ...(read ? { read: true as const } : {}),
      ...(write ? { write: true as const } : {}),
    })),
    { maxKeys: 4 },
  ),
  { nil: undefined },
);

/** Objects of `Doc`: an optional owner, editors mixing pointers and other values, a random ACL. */
const docArb = fc.record({
  owner: fc.option(userPointer, { nil: undefined }),
  editors: fc.option(fc.array(fc.oneof(userPointer, fc.constantFrom('u1', 'x')), { maxLength: 3 }), {
    nil: undefined,
  }),
  tag: fc.constantFrom('a', 'b'),
  ACL: aclArb,
});

const sessionArb = fc.record({ user: fc.option(userPointer, { nil: undefined }), ACL: aclArb });

/** Who reads: anonymous, a user with some roles, or the master key. */
const callerArb: fc.Arbitrary<{ auth: Auth; caller: Caller }> = fc.oneof(
  fc.constant({ auth: { kind: 'public' } as Auth, caller: { entities: callerEntities({}) } }),
  fc.record({ userId: fc.constantFrom(...USERS), roles: fc.subarray([...ROLES]) }).map(({ userId, roles }) => ({
    auth: { kind: 'user', userId, sessionToken: `r:${userId}` } as Auth,
    caller: { userId, entities: callerEntities({ userId, roleNames: roles }) },
  })),
  fc.constant({ auth: MASTER, caller: undefined }),
);

const clpArb: fc.Arbitrary<ClassLevelPermissions | undefined> = fc.constantFrom<ClassLevelPermissions | undefined>(
  undefined,
  { find: { '*': true } },
  { find: { 'role:A': true } },
  { find: { u2: true } },
  { find: {}, readUserFields: ['owner'] },
  { find: {}, readUserFields: ['editors'] },
  { find: { pointerFields: ['owner', 'editors'] } },
  { find: { 'role:B': true }, readUserFields: ['owner'] },
  { find: { requiresAuthentication: true } },
  { find: { requiresAuthentication: true }, readUserFields: ['editors'] },
  {},
);

function toStored(index: number, value: { ACL: ACL | undefined } & Record<string, unknown>): StoredObject {
  const fields: Record<string, ParseValue> = {};
  for (const [key, field] of Object.entries(value))
    if (key !== 'ACL' && field !== undefined) fields[key] = field as ParseValue;
  const at = new Date(Date.UTC(2024, 0, 1, 0, 0, index));
  return {
    objectId: `o${index}`,
    createdAt: at,
    updatedAt: at,
    fields,
    ...(value.ACL === undefined ? {} : { ACL: value.ACL }),
  };
}

/**
 * Stores `objects` as the only rows of `schema`'s class, then for each reader compares the ids `allows`
 * accepts with the ids storage returns for `restrict(everything)`.
 */
async function agree(options: {
  storage: StorageAdapter;
  schema: ClassSchema;
  objects: readonly StoredObject[];
  readers: readonly { auth: Auth; caller: Caller; clp: ClassLevelPermissions | undefined }[];
}): Promise<void> {
  const { storage, objects } = options;
  await storage.deleteMany({ schema: options.schema, where: MATCH_ALL });
  for (const object of objects) await storage.insert({ schema: options.schema, object });
  for (const { auth, caller, clp } of options.readers) {
    const schema: ClassSchema = clp === undefined ? options.schema : { ...options.schema, classLevelPermissions: clp };
    const policy = createReadPolicy({ auth, caller, schema, operations: ['find'], protectedFields: undefined });
    const inMemory = objects.filter((object) => policy.allows(object)).map((object) => object.objectId);
    if (policy.refusal !== undefined) {
      assert.deepEqual(inMemory, [], 'a refused policy allows nothing');
      assert.throws(
        () => policy.restrict(MATCH_ALL),
        (err: unknown) => err === policy.refusal,
      );
      continue;
    }
    const found = await storage.find({ schema, where: policy.restrict(MATCH_ALL) });
    const inStorage = found.map((object) => object.objectId).sort();
    assert.deepEqual(
      inMemory.sort(),
      inStorage,
      `caller ${JSON.stringify(caller)}, CLP ${JSON.stringify(clp)}, condition ${JSON.stringify(policy.condition)}`,
    );
  }
}

function propertySuite(options: {
  name: string;
  open: () => Promise<StorageAdapter>;
  dispose: (s: StorageAdapter) => Promise<void>;
  runs: number;
}): void {
  describe(`read policy: allows() agrees with storage (${options.name})`, () => {
    let storage: StorageAdapter;
    before(async () => {
      storage = await options.open();
      await storage.initialize();
      await storage.createClass(DOC);
      // initialize() creates _Session with its default fields (parse-server lists it on a fresh database).
    });
    after(async () => {
      if (storage !== undefined) await options.dispose(storage);
    });

    it('on a user class: ACL, roles, CLP grants, pointer permissions, requiresAuthentication', async () => {
      const readers = fc.array(fc.record({ reader: callerArb, clp: clpArb }), { minLength: 1, maxLength: 6 });
      await fc.assert(
        fc.asyncProperty(fc.array(docArb, { maxLength: 8 }), readers, async (docs, picked) => {
          await agree({
            storage,
            schema: DOC,
            objects: docs.map((doc, index) => toStored(index, doc)),
            readers: picked.map(({ reader, clp }) => ({ ...reader, clp })),
          });
        }),
        { seed: SEED, numRuns: options.runs },
      );
    });

    it('on _Session: the class rule (only one’s own sessions) on top of the ACL', async () => {
      const readers = fc.array(callerArb, { minLength: 1, maxLength: 4 });
      await fc.assert(
        fc.asyncProperty(fc.array(sessionArb, { maxLength: 6 }), readers, async (sessions, picked) => {
          await agree({
            storage,
            schema: SESSION,
            objects: sessions.map((session, index) => toStored(index, session)),
            readers: picked.map((reader) => ({ ...reader, clp: undefined })),
          });
        }),
        { seed: SEED + 1, numRuns: Math.ceil(options.runs / 2) },
      );
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'strata-read-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
propertySuite({
  name: 'sqlite',
  open: () => openStorage(`sqlite:${join(dir, 'policy.sqlite')}`),
  dispose: (storage) => storage.close(),
  runs: 200,
});

describeWithMongo('read policy property (mongodb)', (serverUri) => {
  const uri = withDatabase(serverUri, uniqueDatabaseName('strata_policy_'));
  propertySuite({
    name: 'mongodb',
    open: () => openStorage(uri),
    dispose: async (storage) => {
      await storage.close();
      const client = new MongoClient(uri);
      try {
        await client.db().dropDatabase();
      } finally {
        await client.close();
      }
    },
    // Every run rewrites the class over the wire: fewer runs keep FerretDB's share of the suite small.
    runs: 60,
  });
});
