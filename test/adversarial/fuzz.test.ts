/**
 * Property-based fuzzing of every REST route (issue 11): fast-check generates requests of every route family
 * under every kind of caller (requests.ts, payloads.ts) and sends them, 16 at a time, over keep-alive
 * connections to a real Strata listening on loopback in this process. Oracles, for every request:
 * - no 5xx, no request unanswered after 5 s (a hang), no connection dropped without an answer (a crash);
 * - no answer to a non-master caller contains a planted secret (a protected field, another user's private
 *   object, email and session token, an installation's device token), and no answer at all contains a
 *   password hash;
 * - nothing pollutes this process's prototypes.
 * Afterwards the server must still answer a plain create / get / find / update / delete and a sign-up and
 * log-in correctly.
 *
 * Seeded and bounded: STRATA_FUZZ_SEED (default fixed) makes a run reproducible, STRATA_FUZZ_REQUESTS
 * (default 60,000 on SQLite: CI's REST share of the ≥100,000 generated requests per run, the rest go through
 * the other doors in fuzz-doors.test.ts) and STRATA_FUZZ_MONGO_REQUESTS (default 3,000 on MongoDB/FerretDB,
 * which is two orders of magnitude slower here) set the counts, STRATA_FUZZ_CONCURRENCY (16) the requests in
 * flight, STRATA_FUZZ_HANG_MS (5,000) the wait before an answer counts as a hang; the time limits are
 * fuzz-budget.ts's. `node bench/fuzz.js` sends 1,000,000 across all doors, the doors and shards of REST in
 * parallel processes (a shard is this file with another STRATA_FUZZ_SEED).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { CloudRegistry } from '../../server/src/cloud/index.js';
import { createCloudAPI } from '../../server/src/cloud-api.js';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import { describeWithMongo } from '../../server/src/testing/mongo.test-util.js';
import { DOOR_TIMEOUT_MS, DoorBudget, IN_BACKGROUND } from './fuzz-budget.js';
import { plantVault, signUpAliceAndBob } from './fuzz-world.js';
import { FuzzClient } from './http-client.js';
import type { RawResponse } from './http-client.js';
import { requestArbitrary } from './requests.js';
import type { FuzzRequest, FuzzTarget } from './requests.js';

type Json = Record<string, unknown>;

const SEED = Number(process.env['STRATA_FUZZ_SEED'] ?? 20261207);
const CONCURRENCY = Number(process.env['STRATA_FUZZ_CONCURRENCY'] ?? 16);
const HANG_MS = Number(process.env['STRATA_FUZZ_HANG_MS'] ?? 5000);

const CANARY = {
  protectedField: 'CANARY-protected-5f1c9e',
  privateObject: 'CANARY-private-8a2d47',
  deviceToken: 'canary-device-token-3b9e0c',
  email: 'canary-bob-71d2@example.com',
} as const;

const FUNCTIONS = ['echo', 'fails', 'failsWithString', 'parseError', 'weird', 'whoami', 'saves'] as const;

function registerCloud(registry: CloudRegistry): void {
  const cloud = createCloudAPI(registry);
  cloud.defineFunction('echo', ({ params }) => params);
  cloud.defineFunction('fails', () => {
    throw new Error('a function that throws');
  });
  cloud.defineFunction('failsWithString', () => {
    throw 'a thrown string';
  });
  cloud.defineFunction('parseError', () => {
    throw { code: 141, message: 'a Parse-style error' };
  });
  cloud.defineFunction('weird', ({ params }) => ({
    when: new Date(0),
    nested: [[[params]]],
    big: 2 ** 60,
    nothing: null,
  }));
  cloud.defineFunction('whoami', (request) => ({ user: request.user?.objectId ?? null, master: request.master }));
  registry.defineTrigger({
    triggerName: 'beforeSave',
    className: 'FzB',
    source: 'strata',
    handler: (request) => {
      const object = request.object as Json;
      if (object['str'] === 'reject') return Promise.reject(new Error('rejected by beforeSave'));
      return Promise.resolve({ changes: { touched: true } });
    },
  });
  registry.defineTrigger({
    triggerName: 'afterSave',
    className: 'FzB',
    source: 'strata',
    handler: () => Promise.reject(new Error('afterSave failures are logged, not answered')),
  });
}

interface Tally {
  sent: number;
  notSent: number;
  failed: number;
  byFamily: Record<string, number>;
  byStatus: Record<string, number>;
  failures: Array<{ kind: string; request: FuzzRequest; response: RawResponse }>;
  /** The slowest answers, for the log. */
  slowest: Array<{ ms: number; request: FuzzRequest }>;
}

function fuzzTests(backend: 'sqlite' | 'mongodb', requests: number): void {
  let server: TestServer;
  let client: FuzzClient;
  let target: FuzzTarget & { sessionToken: string };
  let bobToken: string;
  const secrets: string[] = [];

  async function master(method: string, path: string, body?: unknown): Promise<Json> {
    const response = await server.call({ method, path, master: true, ...(body === undefined ? {} : { body }) });
    assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as Json;
  }

  before(async () => {
    server = await startTestServer({
      backend,
      cloudSetup: registerCloud,
      passwordHashCost: 4,
      authRateLimit: 0,
      authRateLimitAccount: 0,
      maxBodySize: 256 * 1024,
      // No appName / publicServerURL: the email flows then answer code 1 as a 400, which the fuzzer checks too.
    });
    const { port } = new URL(server.url);
    client = new FuzzClient({ host: '127.0.0.1', port: Number(port), hangMs: HANG_MS, sockets: CONCURRENCY });

    // Bob owns the canaries; nobody but this test knows his password.
    const { alice, bob } = await signUpAliceAndBob(server, CANARY);
    bobToken = String(bob['sessionToken']);

    await master('POST', '/schemas/FzB', { className: 'FzB', fields: { str: { type: 'String' } } });
    await master('POST', '/schemas/FzA', {
      className: 'FzA',
      fields: {
        str: { type: 'String' },
        num: { type: 'Number' },
        bool: { type: 'Boolean' },
        when: { type: 'Date' },
        ptr: { type: 'Pointer', targetClass: 'FzB' },
        rel: { type: 'Relation', targetClass: 'FzB' },
        arr: { type: 'Array' },
        obj: { type: 'Object' },
        geo: { type: 'GeoPoint' },
        file: { type: 'File' },
        bytes: { type: 'Bytes' },
      },
    });
    const objectIds: string[] = [];
    const bIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const b = await master('POST', '/classes/FzB', { str: `b${i}` });
      bIds.push(String(b['objectId']));
    }
    for (let i = 0; i < 20; i++) {
      const a = await master('POST', '/classes/FzA', {
        str: `item ${i}`,
        num: i,
        bool: i % 2 === 0,
        when: { __type: 'Date', iso: new Date(Date.UTC(2024, 0, 1 + i)).toISOString() },
        ptr: { __type: 'Pointer', className: 'FzB', objectId: bIds[i % bIds.length] },
        rel: { __op: 'AddRelation', objects: [{ __type: 'Pointer', className: 'FzB', objectId: bIds[0] }] },
        arr: [i, `t${i % 3}`, { k: i }],
        obj: { k: i, nested: { deep: [i] } },
        geo: { __type: 'GeoPoint', latitude: i, longitude: -i },
        bytes: { __type: 'Bytes', base64: Buffer.from(`b${i}`).toString('base64') },
        ...(i % 5 === 0 ? { ACL: { [String(alice['objectId'])]: { read: true, write: true } } } : {}),
      });
      objectIds.push(String(a['objectId']));
    }
    objectIds.push(...bIds.slice(0, 5));

    // The canaries: values no non-master answer may ever contain.
    await plantVault({ master, canaries: CANARY, bobId: String(bob['objectId']) });
    await master('POST', '/classes/_Installation', {
      installationId: 'canary-installation',
      deviceType: 'ios',
      deviceToken: CANARY.deviceToken,
      ACL: {},
    });
    secrets.push(...Object.values(CANARY), bobToken);

    const upload = await server.call({
      method: 'POST',
      path: '/files/seed.txt',
      raw: 'seed file',
      headers: { 'Content-Type': 'text/plain', 'X-Parse-Session-Token': String(alice['sessionToken']) },
    });
    assert.equal(upload.status, 201, JSON.stringify(upload.body));

    target = {
      mount: '/parse',
      appId: 'test-app',
      clientKey: 'test-client-key',
      masterKey: 'test-master-key',
      sessionToken: String(alice['sessionToken']),
      userId: String(alice['objectId']),
      objectIds,
      functions: FUNCTIONS,
      files: [String((upload.body as Json)['name'])],
      transactions: true,
    };
  });

  after(async () => {
    client?.close();
    await server?.close();
  });

  /** The fuzzer's own session dies when a fuzzed request logs it out or changes the password: get another. */
  async function refreshSession(): Promise<void> {
    const me = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': target.sessionToken } });
    if (me.status === 200) return;
    const again = await server.call({
      method: 'POST',
      path: '/loginAs',
      body: { userId: target.userId },
      master: true,
    });
    if (again.status === 200) {
      target.sessionToken = String((again.body as Json)['sessionToken']);
      return;
    }
    // The user itself was deleted by a fuzzed request: act as a new one.
    const fresh = await server.call({
      method: 'POST',
      path: '/users',
      body: { username: `alice-${Date.now()}`, password: 'pw' },
    });
    assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
    target.sessionToken = String((fresh.body as Json)['sessionToken']);
  }

  function judge(request: FuzzRequest, response: RawResponse, tally: Tally): void {
    tally.byFamily[request.family] = (tally.byFamily[request.family] ?? 0) + 1;
    if (tally.slowest.length < 8 || response.ms > (tally.slowest[7]?.ms ?? 0)) {
      tally.slowest.push({ ms: response.ms, request });
      tally.slowest.sort((a, b) => b.ms - a.ms).splice(8);
    }
    const statusKey = response.hung ? 'hang' : response.status === 0 ? 'dropped' : String(response.status);
    tally.byStatus[statusKey] = (tally.byStatus[statusKey] ?? 0) + 1;
    const fail = (kind: string): void => {
      tally.failed += 1;
      if (tally.failures.length < 200) tally.failures.push({ kind, request, response });
    };
    if (response.hung) return fail(`no answer within ${HANG_MS} ms`);
    if (response.status === 0) return fail(`connection dropped: ${response.error ?? ''}`);
    if (response.status >= 500) return fail(`HTTP ${response.status}`);
    if (/\$2[aby]\$\d\d\$/.test(response.body)) return fail('a password hash in the answer');
    if (request.caller !== 'master') {
      for (const secret of secrets) if (response.body.includes(secret)) return fail(`leaked ${secret}`);
    }
  }

  function prototypesClean(): boolean {
    const probe = {} as Json;
    return (
      probe['polluted'] === undefined &&
      Object.getOwnPropertyNames(Object.prototype).every((name) => PROTOTYPE_NAMES.has(name)) &&
      ([] as unknown as Json)['polluted'] === undefined
    );
  }

  it(
    `sends ${requests.toLocaleString('en')} generated requests: no 5xx, hang, crash or leak`,
    { timeout: DOOR_TIMEOUT_MS },
    async () => {
      const tally: Tally = {
        sent: 0,
        notSent: 0,
        failed: 0,
        byFamily: {},
        byStatus: {},
        failures: [],
        slowest: [],
      };
      const started = Date.now();
      const budget = new DoorBudget(`rest-${backend}`, requests, () => tally.sent);
      await fc.assert(
        fc.asyncProperty(
          fc.array(requestArbitrary(target), { minLength: CONCURRENCY, maxLength: CONCURRENCY }),
          async (batch) => {
            if (budget.expired()) return;
            const responses = await Promise.all(batch.map((request) => client.send(request)));
            let sessionDied = false;
            for (const [i, response] of responses.entries()) {
              const request = batch[i] as FuzzRequest;
              if (response.status === -1) {
                tally.notSent += 1;
                continue;
              }
              tally.sent += 1;
              const viaSession = request.caller === 'session' || request.caller === 'bodyCredentials';
              if (viaSession && response.body.includes('"code":209')) sessionDied = true;
              judge(request, response, tally);
            }
            assert.ok(prototypesClean(), 'a request polluted Object.prototype');
            if (sessionDied) await refreshSession();
          },
        ),
        {
          seed: SEED,
          numRuns: Math.ceil(requests / CONCURRENCY),
          endOnFailure: true,
          // At the time limit fast-check stops drawing too (the property alone would skip the rest one by one).
          interruptAfterTimeLimit: Math.max(1, budget.stopAt - Date.now()),
          markInterruptAsFailure: false,
        },
      );
      const cutShort = budget.finish(tally.sent, tally.sent + tally.notSent >= requests);
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `# fuzz (${backend}): ${tally.sent.toLocaleString('en')} requests in ${seconds.toFixed(0)} s ` +
          `(${Math.round(tally.sent / seconds)}/s), seed ${SEED}; ${tally.notSent} not sendable by node's client\n` +
          `#   by family: ${JSON.stringify(tally.byFamily)}\n#   by status: ${JSON.stringify(tally.byStatus)}`,
      );
      for (const { ms, request } of tally.slowest) {
        console.log(
          `#   slow: ${ms.toFixed(0)} ms ${request.caller} ${request.method} ${request.path.slice(0, 200)} ${String(request.body ?? '').slice(0, 200)}`,
        );
      }
      for (const failure of tally.failures.slice(0, Number(process.env['STRATA_FUZZ_PRINT'] ?? 25))) {
        const { request, response } = failure;
        const body =
          request.body === undefined
            ? ''
            : typeof request.body === 'string'
              ? request.body
              : `<${request.body.length} bytes>`;
        console.log(
          `# FAIL ${failure.kind}: ${request.caller} ${request.method} ${request.path.slice(0, 400)}\n` +
            `#   headers ${JSON.stringify(request.headers)}\n#   body ${body.slice(0, 600)}\n#   → ${response.body.slice(0, 300)}`,
        );
      }
      assert.equal(tally.failed, 0, `${tally.failed} failing requests (the first ones are printed above)`);
      assert.equal(cutShort, undefined, cutShort);
      if (!budget.stopped)
        assert.ok(tally.sent >= requests * 0.99, `only ${tally.sent} of ${requests} requests were sendable`);
    },
  );

  it('answers correctly afterwards', async () => {
    // fetch says only 'fetch failed': name the socket error, so a server that stopped accepting shows why.
    const health = await server.call({ path: '/health' }).catch((err: unknown) => {
      const cause = err instanceof Error ? err.cause : undefined;
      return assert.fail(`GET /health failed: ${String(err)}; cause: ${String(cause)}`);
    });
    assert.equal(health.status, 200);
    // A class of its own: fuzzed master requests may have changed the fuzz classes' permissions.
    const created = await server.call({
      method: 'POST',
      path: '/classes/AfterFuzz',
      body: { str: 'after the storm', num: 7 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String((created.body as Json)['objectId']);
    const got = await server.call({ path: `/classes/AfterFuzz/${id}` });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal((got.body as Json)['str'], 'after the storm');
    const where = encodeURIComponent(JSON.stringify({ str: 'after the storm', num: { $gte: 7 } }));
    const found = await server.call({ path: `/classes/AfterFuzz?where=${where}` });
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(
      ((found.body as Json)['results'] as Json[]).map((r) => r['objectId']),
      [id],
    );
    const updated = await server.call({
      method: 'PUT',
      path: `/classes/AfterFuzz/${id}`,
      body: { num: { __op: 'Increment', amount: 1 } },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal((updated.body as Json)['num'], 8);
    const deleted = await server.call({ method: 'DELETE', path: `/classes/AfterFuzz/${id}` });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal((await server.call({ path: `/classes/AfterFuzz/${id}` })).status, 404);
    const username = `after-${Date.now()}`;
    const signUp = await server.call({ method: 'POST', path: '/users', body: { username, password: 'pw-after' } });
    assert.equal(signUp.status, 201, JSON.stringify(signUp.body));
    const login = await server.call({ method: 'POST', path: '/login', body: { username, password: 'pw-after' } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    const me = await server.call({
      path: '/users/me',
      headers: { 'X-Parse-Session-Token': String((login.body as Json)['sessionToken']) },
    });
    assert.equal((me.body as Json)['username'], username);
    // The canaries' owner is untouched: the fuzzer never acted as bob.
    const bob = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': bobToken } });
    assert.equal((bob.body as Json)['email'], CANARY.email);
    assert.ok(prototypesClean());
  });
}

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

if (IN_BACKGROUND !== false) {
  console.log(`# skipping the REST fuzz: ${IN_BACKGROUND}`);
  describe('REST fuzzing', { skip: IN_BACKGROUND }, () => undefined);
} else {
  describe('REST fuzzing (SQLite)', () => fuzzTests('sqlite', Number(process.env['STRATA_FUZZ_REQUESTS'] ?? 60_000)));
  describeWithMongo('REST fuzzing (MongoDB)', () =>
    fuzzTests('mongodb', Number(process.env['STRATA_FUZZ_MONGO_REQUESTS'] ?? 3000)),
  );
}
