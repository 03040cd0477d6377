/**
 * The harness of the doors' fuzz (fuzz-doors.test.ts): its settings from the environment (see that file), the tally
 * of answers and its report, the oracles every HTTP door shares, and the world it runs against: one real Strata on
 * loopback (SQLite) with GraphQL, LiveQuery, files and the dashboard on, seeded with the fuzz classes, alice and
 * bob, the canaries' vault and two dashboard sessions.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcrypt';
import fc from 'fast-check';
import type { CloudRegistry } from '../../server/src/cloud/index.js';
import { createCloudAPI } from '../../server/src/cloud-api.js';
import { startTestServer } from '../../server/src/testing/test-server.test-util.js';
import type { TestServer } from '../../server/src/testing/test-server.test-util.js';
import type { DoorBudget } from './fuzz-budget.js';
import { plantVault, signUpAliceAndBob } from './fuzz-world.js';
import { FuzzClient } from './http-client.js';
import type { RawRequest, RawResponse } from './http-client.js';
import { value, where } from './payloads.js';
import type { Json } from './payloads.js';

export type Obj = Record<string, unknown>;

export const SEED = Number(process.env['STRATA_FUZZ_SEED'] ?? 20261207);
export const COUNTS = {
  graphql: Number(process.env['STRATA_FUZZ_GRAPHQL'] ?? 6000),
  live: Number(process.env['STRATA_FUZZ_LIVE'] ?? 20_000),
  files: Number(process.env['STRATA_FUZZ_FILES'] ?? 8000),
  dashboard: Number(process.env['STRATA_FUZZ_DASHBOARD'] ?? 8000),
};
/** Replays from draw N on (each door's draw i has seed `SEED * <door prime> + i`, printed with each failure). */
export const FROM = Number(process.env['STRATA_FUZZ_FROM'] ?? 0);
export const CONCURRENCY = Number(process.env['STRATA_FUZZ_CONCURRENCY'] ?? 16);
export const GRAPHQL_CONCURRENCY = Number(process.env['STRATA_FUZZ_GRAPHQL_CONCURRENCY'] ?? 4);
export const LIVE_LANES = Number(process.env['STRATA_FUZZ_LIVE_LANES'] ?? 8);
// A hang is an answer that never comes; 15 s (REST's fuzz waits 5) keeps a saturated 2-core machine's queueing
// from reading as one.
export const HANG_MS = Number(process.env['STRATA_FUZZ_HANG_MS'] ?? 15_000);
const MAX_BODY = 256 * 1024;
export const MAX_UPLOAD = 128 * 1024;
export const MAX_FRAME = 64 * 1024;
export const APP = { appId: 'test-app', clientKey: 'test-client-key', masterKey: 'test-master-key' };
export const READ_ONLY_KEY = 'test-read-only-master-key';
export const DASHBOARD_SECRET = `dash-secret-${randomBytes(8).toString('hex')}`;

export const CANARY = {
  protectedField: 'CANARY-protected-d00r5a',
  privateObject: 'CANARY-private-d00r5b',
  email: 'canary-doors-bob@example.com',
} as const;

interface Tally {
  sent: number;
  failed: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  failures: string[];
  /** The slowest answers, for the log. */
  slowest: Array<{ ms: number; what: string }>;
}
export const newTally = (): Tally => ({ sent: 0, failed: 0, byKind: {}, byStatus: {}, failures: [], slowest: [] });
export function count(tally: Tally, kind: string, status: string): void {
  tally.sent += 1;
  tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
  tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
}
export function fail(tally: Tally, message: string): void {
  tally.failed += 1;
  if (tally.failures.length < 30) tally.failures.push(message);
}
export function report(door: string, tally: Tally, started: number): void {
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `# fuzz door ${door}: ${tally.sent.toLocaleString('en')} requests in ${seconds.toFixed(0)} s ` +
      `(${Math.round(tally.sent / Math.max(seconds, 0.001))}/s), seed ${SEED}\n` +
      `#   by kind: ${JSON.stringify(tally.byKind)}\n#   by status: ${JSON.stringify(tally.byStatus)}`,
  );
  for (const { ms, what } of tally.slowest) console.log(`#   slow: ${ms.toFixed(0)} ms ${what}`);
  for (const failure of tally.failures.slice(0, 25)) console.log(`# FAIL ${failure}`);
}
/** Answers may be file bytes: the log gets them with anything unprintable as a dot. */
const printable = (text: string): string => text.replace(/[^\x20-\x7e]/g, '.');
export const show = (text: string | Uint8Array | undefined, n = 300): string =>
  text === undefined ? '' : typeof text === 'string' ? text.slice(0, n) : `<${text.length} bytes>`;

/** Runs `total` draws `parallel` at a time: `one(i)` sends draw i and judges it. Stops when the budget is spent. */
export async function drive(
  plan: { total: number; parallel: number; budget: DoorBudget },
  one: (i: number) => Promise<void>,
): Promise<void> {
  const { total, parallel, budget } = plan;
  let next = FROM;
  const end = FROM + total;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < end && !budget.expired()) await one(next++);
    }),
  );
}

function registerCloud(registry: CloudRegistry): void {
  const cloud = createCloudAPI(registry);
  cloud.defineFunction('echo', ({ params }) => params);
  cloud.defineFunction('whoami', (request) => ({ user: request.user?.objectId ?? null, master: request.master }));
  cloud.defineFunction('fails', () => {
    throw new Error('a function that throws');
  });
}

const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
export function prototypesClean(): boolean {
  return (
    ({} as Obj)['polluted'] === undefined &&
    Object.getOwnPropertyNames(Object.prototype).every((name) => PROTOTYPE_NAMES.has(name))
  );
}

/** The seeded server and what the doors' draws name; the fields that a fuzzed request may change are read live. */
export interface DoorsWorld {
  readonly server: TestServer;
  readonly client: FuzzClient;
  /** The fuzzer's (alice's) session, renewed by `refreshSession` when a fuzzed request ended it. */
  readonly sessionToken: string;
  readonly aliceId: string;
  readonly bobId: string;
  readonly bobToken: string;
  readonly vaultIds: readonly string[];
  readonly ids: readonly string[];
  readonly secrets: readonly string[];
  readonly values: readonly Json[];
  readonly wheres: readonly Json[];
  readonly adminCookie: string;
  readonly adminCsrf: string;
  readonly viewerCookie: string;
  readonly viewerCsrf: string;
  readonly headersFor: (caller: string) => Record<string, string>;
  readonly refreshSession: () => Promise<void>;
  readonly judgeHttp: (
    tally: Tally,
    sent: { label: string; request: RawRequest; response: RawResponse; masterCaller: boolean },
  ) => boolean;
  close(): Promise<void>;
}

/** Starts and seeds the server (closed again if seeding fails). */
export async function startDoorsWorld(): Promise<DoorsWorld> {
  let server!: TestServer;
  let client!: FuzzClient;
  let sessionToken = '';
  let aliceId = '';
  let bobId = '';
  let bobToken = '';
  let vaultIds: string[] = [];
  const ids: string[] = [];
  const secrets: string[] = [];
  let values: Json[] = [];
  let wheres: Json[] = [];
  let adminCookie = '';
  let adminCsrf = '';
  let viewerCookie = '';
  let viewerCsrf = '';

  async function master(method: string, path: string, body?: unknown): Promise<Obj> {
    const response = await server.call({ method, path, master: true, ...(body === undefined ? {} : { body }) });
    assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as Obj;
  }
  const headersFor = (caller: string): Record<string, string> => {
    switch (caller) {
      case 'client':
        return { 'X-Parse-Application-Id': APP.appId, 'X-Parse-REST-API-Key': APP.clientKey };
      case 'session':
        return {
          'X-Parse-Application-Id': APP.appId,
          'X-Parse-REST-API-Key': APP.clientKey,
          'X-Parse-Session-Token': sessionToken,
        };
      case 'master':
        return { 'X-Parse-Application-Id': APP.appId, 'X-Parse-Master-Key': APP.masterKey };
      case 'wrongKey':
        return { 'X-Parse-Application-Id': APP.appId, 'X-Parse-REST-API-Key': 'wrong', 'X-Parse-Master-Key': 'wrong' };
      default:
        return {};
    }
  };
  /** The fuzzer's session dies when a fuzzed request logs it out: get another for the same user. */
  async function refreshSession(): Promise<void> {
    const me = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': sessionToken } });
    if (me.status === 200) return;
    const again = await server.call({ method: 'POST', path: '/loginAs', body: { userId: aliceId }, master: true });
    if (again.status === 200) sessionToken = String((again.body as Obj)['sessionToken']);
  }
  /** The answer-level oracles every HTTP door shares. */
  function judgeHttp(
    tally: Tally,
    sent: { label: string; request: RawRequest; response: RawResponse; masterCaller: boolean },
  ): boolean {
    const { label, request, response, masterCaller } = sent;
    const statusKey = response.hung ? 'hang' : response.status === 0 ? 'dropped' : String(response.status);
    const where = `${label} ${request.method} ${request.path.slice(0, 200)} ${show(request.body, 200)} → ${response.status} ${printable(response.body.slice(0, 300))}`;
    if (response.status === -1) return false;
    count(tally, label, statusKey);
    if (tally.slowest.length < 5 || response.ms > (tally.slowest[4]?.ms ?? 0)) {
      tally.slowest.push({ ms: response.ms, what: where.slice(0, 400) });
      tally.slowest.sort((a, b) => b.ms - a.ms).splice(5);
    }
    if (response.hung) fail(tally, `no answer within ${HANG_MS} ms: ${where}`);
    else if (response.status === 0) fail(tally, `connection dropped (${response.error ?? ''}): ${where}`);
    else if (response.status >= 500) fail(tally, `HTTP ${response.status}: ${where}`);
    else if (/\$2[aby]\$\d\d\$/.test(response.body)) fail(tally, `a password hash: ${where}`);
    else if (!masterCaller && secrets.some((s) => response.body.includes(s))) fail(tally, `leaked a canary: ${where}`);
    else return true;
    return false;
  }

  const close = async (): Promise<void> => {
    client?.close();
    await server?.close();
  };
  const seed = async (): Promise<void> => {
    const assets = mkdtempSync(join(tmpdir(), 'strata-fuzz-dash-'));
    writeFileSync(join(assets, 'index.html'), '<!doctype html><title>dash</title>');
    const users = [
      { username: 'admin', passwordHash: bcrypt.hashSync('admin-password', 4) },
      { username: 'viewer', passwordHash: bcrypt.hashSync('viewer-password', 4), readOnly: true },
    ];
    server = await startTestServer({
      cloudSetup: registerCloud,
      passwordHashCost: 4,
      authRateLimit: 0,
      authRateLimitAccount: 0,
      maxBodySize: MAX_BODY,
      maxUploadSize: MAX_UPLOAD,
      readOnlyMasterKey: READ_ONLY_KEY,
      dashboardUsers: () => users,
      dashboardAssets: assets,
      dashboardSecret: DASHBOARD_SECRET,
      liveQueryMaxFrame: MAX_FRAME,
      liveQueryMaxSubscriptions: 20,
      liveQueryMaxConnectionsPerIp: 200,
    });
    const { port } = new URL(server.url);
    client = new FuzzClient({ host: '127.0.0.1', port: Number(port), hangMs: HANG_MS, sockets: CONCURRENCY });

    const { alice, bob } = await signUpAliceAndBob(server, CANARY);
    aliceId = String(alice['objectId']);
    sessionToken = String(alice['sessionToken']);
    bobId = String(bob['objectId']);
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
        arr: { type: 'Array' },
        obj: { type: 'Object' },
        geo: { type: 'GeoPoint' },
      },
    });
    for (let i = 0; i < 10; i++) {
      const b = await master('POST', '/classes/FzB', { str: `b${i}` });
      const a = await master('POST', '/classes/FzA', {
        str: `item ${i}`,
        num: i,
        bool: i % 2 === 0,
        ptr: { __type: 'Pointer', className: 'FzB', objectId: String(b['objectId']) },
        arr: [i],
        obj: { k: i },
        geo: { __type: 'GeoPoint', latitude: i, longitude: -i },
        ...(i % 3 === 0 ? { ACL: { [aliceId]: { read: true, write: true } } } : {}),
      });
      ids.push(String(a['objectId']), String(b['objectId']));
    }
    vaultIds = await plantVault({
      master,
      canaries: CANARY,
      bobId,
      extra: { hits: { type: 'Number', value: 0 } },
    });
    ids.push(...vaultIds, aliceId, bobId);
    secrets.push(...Object.values(CANARY), bobToken);

    values = fc.sample(value, { seed: SEED, numRuns: 400 });
    wheres = fc.sample(where, { seed: SEED + 1, numRuns: 400 });

    // Dashboard sessions, taken before the fuzzer's sign-in attempts use up the sign-in rate limit.
    const signIn = async (username: string, password: string): Promise<{ cookie: string; csrf: string }> => {
      const response = await fetch(`${server.url}/dashboard/api/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as Obj;
      return {
        cookie: (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
        csrf: String(body['csrfToken']),
      };
    };
    ({ cookie: adminCookie, csrf: adminCsrf } = await signIn('admin', 'admin-password'));
    ({ cookie: viewerCookie, csrf: viewerCsrf } = await signIn('viewer', 'viewer-password'));
  };
  try {
    await seed();
  } catch (err) {
    await close();
    throw err;
  }
  return {
    server,
    client,
    get sessionToken() {
      return sessionToken;
    },
    aliceId,
    bobId,
    bobToken,
    vaultIds,
    ids,
    secrets,
    values,
    wheres,
    adminCookie,
    adminCsrf,
    viewerCookie,
    viewerCsrf,
    headersFor,
    refreshSession,
    judgeHttp,
    close,
  };
}
