/**
 * Fuzzing through the doors beside REST (issue 19 item 1), against one real Strata on loopback (SQLite) with
 * GraphQL, LiveQuery, files and the dashboard on:
 * - GraphQL: operations generated from the live schema (introspected with the master key; graphql-ops.ts),
 *   valid and invalid, inline or through variables, single or batched, as client key, session, master, nobody;
 * - LiveQuery: raw `ws` frames (connect, subscribe, update, unsubscribe, junk, deep and huge) on 8 sockets while
 *   the master key keeps writing the canaries, so subscribers receive events;
 * - files: uploads of every size around the body limit, odd names and types; downloads with generated Range
 *   headers, checked byte for byte against what was stored; metadata; deletes;
 * - the dashboard: its sign-in, session cookie and CSRF checks, and the app API it proxies, as a signed-in
 *   admin, a read-only user, nobody, a forged cookie and a wrong CSRF token.
 * Oracles: no 5xx (nor GraphQL's "Internal server error", its 500 in a 200), no request or frame unanswered
 * after 5 s, no dropped connection or socket closed abnormally, no answer to a non-master caller holding a
 * canary (a protected field, another user's private object, email and session token), no key in any dashboard
 * answer, no dashboard app API success without a valid cookie, no write by the read-only user, no file deleted
 * without the master key, nothing polluting this process's prototypes; afterwards the server answers all four
 * doors and REST normally.
 *
 * Counts (STRATA_FUZZ_GRAPHQL, _LIVE, _FILES, _DASHBOARD) default to CI's share of the ≥100,000 per run:
 * 6,000 + 20,000 + 8,000 + 8,000 here and 60,000 REST in fuzz.test.ts (GraphQL costs the most per request).
 * STRATA_FUZZ_SEED and STRATA_FUZZ_FROM replay a failure (FROM also gives each of the bench's parallel shards of
 * a door its own draws); STRATA_FUZZ_CONCURRENCY (16 in flight: files, dashboard), STRATA_FUZZ_GRAPHQL_CONCURRENCY
 * (4) and STRATA_FUZZ_LIVE_LANES (8 sockets) set the parallelism; the time limits are fuzz-budget.ts's.
 * `node bench/fuzz.js` runs 1,000,000 across all doors, each door in its own process.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { getIntrospectionQuery } from 'graphql';
import type { IntrospectionQuery } from 'graphql';
import { dashboardRequest } from './dashboard-door.js';
import type { DashWorld } from './dashboard-door.js';
import {
  APP,
  CANARY,
  CONCURRENCY,
  COUNTS,
  DASHBOARD_SECRET,
  FROM,
  GRAPHQL_CONCURRENCY,
  HANG_MS,
  LIVE_LANES,
  MAX_FRAME,
  MAX_UPLOAD,
  READ_ONLY_KEY,
  SEED,
  count,
  drive,
  fail,
  newTally,
  prototypesClean,
  report,
  show,
  startDoorsWorld,
} from './doors-harness.js';
import type { DoorsWorld, Obj } from './doors-harness.js';
import { checkDownload, fileRequest } from './files-door.js';
import type { FilesWorld } from './files-door.js';
import { DOOR_TIMEOUT_MS, DoorBudget, IN_BACKGROUND } from './fuzz-budget.js';
import { GraphQLFuzzer } from './graphql-ops.js';
import type { RawRequest } from './http-client.js';
import { LiveLane, liveFrame } from './live-door.js';
import type { LiveCaller, LiveWorld } from './live-door.js';

if (IN_BACKGROUND !== false) console.log(`# skipping the doors' fuzz: ${IN_BACKGROUND}`);
describe('fuzzing GraphQL, LiveQuery, files and the dashboard (SQLite)', { skip: IN_BACKGROUND }, () => {
  let doors: DoorsWorld;

  before(async () => {
    doors = await startDoorsWorld();
  });

  after(async () => {
    await doors?.close();
  });

  it(
    `GraphQL: ${COUNTS.graphql.toLocaleString('en')} operations generated from the live schema`,
    { timeout: DOOR_TIMEOUT_MS },
    async () => {
      const { server, client, ids, values, headersFor, refreshSession, judgeHttp } = doors;
      const introspection = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { ...headersFor('master'), 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: getIntrospectionQuery() }),
      });
      assert.equal(introspection.status, 200);
      const schema = ((await introspection.json()) as { data: IntrospectionQuery }).data;
      const strings = ['FzA', 'FzB', 'Vault', 'str', 'item 1', 'alice', 'bob', 'pw', 'echo', 'whoami', 'fails', ...ids];
      const fuzzer = new GraphQLFuzzer(schema, {
        ids: [...ids, ...ids.map((id) => Buffer.from(`FzA:${id}`).toString('base64'))],
        values,
        strings,
        // The master caller leaves the schema, the canaries' class and the users alone, so a later client answer
        // holding a canary is a leak, not a permission the fuzzer granted.
        allowMutation: (name, caller) =>
          caller !== 'master' || !/class|vault|user|role|session|installation/i.test(name),
      });
      const tally = newTally();
      const started = Date.now();
      const budget = new DoorBudget('graphql', COUNTS.graphql, () => tally.sent);
      const callers = ['client', 'client', 'session', 'session', 'master', 'none', 'wrongKey'] as const;
      await drive({ total: COUNTS.graphql, parallel: GRAPHQL_CONCURRENCY, budget }, async (i) => {
        const seed = SEED * 7919 + i;
        const caller = callers[i % callers.length] as string;
        const draw = fuzzer.draw(seed, caller);
        const asGet =
          !Array.isArray(draw.body) &&
          !draw.mutation &&
          i % 11 === 0 &&
          typeof (draw.body as Obj)?.['query'] === 'string';
        const request: RawRequest = asGet
          ? {
              method: 'GET',
              path: `/graphql?query=${encodeURIComponent(String((draw.body as Obj)['query']))}`,
              headers: headersFor(caller),
            }
          : {
              method: 'POST',
              path: '/graphql',
              headers: { ...headersFor(caller), 'Content-Type': i % 29 === 0 ? 'text/plain' : 'application/json' },
              body: JSON.stringify(draw.body),
            };
        const response = await client.send(request);
        if (!judgeHttp(tally, { label: draw.kind, request, response, masterCaller: caller === 'master' })) return;
        // GraphQL's 500 travels inside a 200: an "Internal server error" with Parse code 1.
        if (/"message":"Internal server error\.?"/.test(response.body)) {
          fail(
            tally,
            `internal error (seed ${seed}, draw ${i}, ${caller}): ${show(request.body, 6000)} → ${response.body.slice(0, 300)}`,
          );
        }
        if (caller === 'session' && response.body.includes('"code":209')) await refreshSession();
        assert.ok(prototypesClean(), `seed ${seed} polluted Object.prototype`);
      });
      report('graphql', tally, started);
      const cutShort = budget.finish(tally.sent);
      assert.equal(tally.failed, 0, `${tally.failed} failing GraphQL requests (the first are printed above)`);
      assert.equal(cutShort, undefined, cutShort);
    },
  );

  it(
    `LiveQuery: ${COUNTS.live.toLocaleString('en')} raw frames on ${LIVE_LANES} sockets while the canaries change`,
    { timeout: DOOR_TIMEOUT_MS },
    async () => {
      const { server, bobId, vaultIds, ids, secrets, wheres } = doors;
      const world: LiveWorld = {
        ...APP,
        sessionToken: doors.sessionToken,
        classes: ['FzA', 'FzB', 'Vault', 'Vault', '_User', '_Session', '_Role', '_Installation', 'Missing'],
        wheres,
        fields: ['str', 'num', 'secret', 'note', 'email', 'sessionToken', 'ACL', '_rperm', '__proto__', 'hits'],
        maxFrame: MAX_FRAME,
      };
      const tally = newTally();
      const started = Date.now();
      const budget = new DoorBudget('live', COUNTS.live, () => tally.sent);
      let writing = true;
      // The master key keeps changing the canaries' objects and bob, so every subscription has events to leak.
      const writer = (async () => {
        let n = 0;
        while (writing) {
          n += 1;
          await server.call({
            method: 'PUT',
            path: `/classes/Vault/${vaultIds[n % 2] as string}`,
            body: { hits: { __op: 'Increment', amount: 1 } },
            master: true,
          });
          if (n % 4 === 0)
            await server.call({ method: 'PUT', path: `/users/${bobId}`, body: { hits: n }, master: true });
          if (n % 3 === 0)
            await server.call({
              method: 'PUT',
              path: `/classes/FzA/${ids[0] as string}`,
              body: { num: n },
              master: true,
            });
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const lanes = new Map<LiveLane, LiveCaller>();
      const callerOf = (lane: number): LiveCaller =>
        (['client', 'client', 'client', 'session', 'session', 'session', 'master', 'client'] as const)[lane % 8] ??
        'client';
      let next = FROM;
      let events = 0;
      let reopened = 0;
      /** Judges every frame the lane received since the last check, and forgets them (a long run keeps none). */
      const checkFrames = (lane: LiveLane, after: { caller: LiveCaller; label: string }): void => {
        const { caller, label } = after;
        for (const text of lane.frames.splice(0)) {
          let op = '';
          try {
            op = String((JSON.parse(text) as Obj)['op']);
          } catch {
            fail(tally, `a frame that is not JSON: ${text.slice(0, 200)} (after ${label})`);
          }
          if (['create', 'update', 'enter', 'leave', 'delete'].includes(op)) events += 1;
          if (caller !== 'master' && secrets.some((s) => text.includes(s)))
            fail(tally, `leaked a canary to ${caller}: ${text.slice(0, 300)} (after ${label})`);
          if (/Internal server error/i.test(text))
            fail(tally, `internal error frame: ${text.slice(0, 300)} (after ${label})`);
        }
      };
      await Promise.all(
        Array.from({ length: LIVE_LANES }, async (_, laneIndex) => {
          const caller = callerOf(laneIndex);
          let lane = await LiveLane.open(`${server.url}/parse`);
          lanes.set(lane, caller);
          while (next < FROM + COUNTS.live && !budget.expired()) {
            const i = next++;
            const seed = SEED * 104_729 + i;
            world.sessionToken = doors.sessionToken;
            const draw = liveFrame(seed, caller, world);
            const outcome = await lane.send(draw.frame, HANG_MS);
            const label = `seed ${seed} ${caller} ${draw.kind} ${show(draw.frame, 300)}`;
            // Events that arrive a moment after the answer are read with the next frame's (or at the end).
            checkFrames(lane, { caller, label });
            count(tally, draw.kind, outcome === 'closed' ? `closed ${lane.closed?.code ?? ''}` : outcome);
            if (outcome === 'hung') fail(tally, `no answer within ${HANG_MS} ms: ${label}`);
            if (outcome === 'closed') {
              // Only a frame over the limit may close the socket, with 1009; anything else is a server failure.
              const code = lane.closed?.code;
              if (!(draw.kind === 'huge' && code === 1009))
                fail(tally, `socket closed ${JSON.stringify(lane.closed)}: ${label}`);
              lane.close();
              lanes.delete(lane);
              lane = await LiveLane.open(`${server.url}/parse`);
              lanes.set(lane, caller);
              reopened += 1;
            }
            assert.ok(prototypesClean(), `${label} polluted Object.prototype`);
          }
        }),
      );
      writing = false;
      await writer;
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const [lane, caller] of lanes) {
        checkFrames(lane, { caller, label: 'the end of the run' });
        lane.close();
      }
      report('live', tally, started);
      console.log(`#   events received: ${events}; sockets reopened after a close: ${reopened}`);
      const cutShort = budget.finish(tally.sent);
      assert.equal(tally.failed, 0, `${tally.failed} failing frames (the first are printed above)`);
      assert.equal(cutShort, undefined, cutShort);
      if (COUNTS.live >= 1000) assert.ok(events > 0, 'the subscribers received events, so the leak oracle saw some');
    },
  );

  it(
    `files: ${COUNTS.files.toLocaleString('en')} uploads, ranged downloads, metadata reads and deletes`,
    { timeout: DOOR_TIMEOUT_MS },
    async () => {
      const { server, client, headersFor, judgeHttp } = doors;
      const known = new Map<string, Buffer>();
      for (const [i, size] of [0, 1, 10, 1000, 100_000].entries()) {
        const bytes = randomBytes(size);
        const upload = await server.call({
          method: 'POST',
          path: `/files/known${i}.bin`,
          raw: bytes as unknown as string,
          headers: { 'Content-Type': 'application/octet-stream' },
          master: true,
        });
        assert.equal(upload.status, 201, JSON.stringify(upload.body));
        known.set(String((upload.body as Obj)['name']), bytes);
      }
      const world: FilesWorld = { mount: '/parse', appId: APP.appId, known, maxBody: MAX_UPLOAD };
      const tally = newTally();
      const started = Date.now();
      const budget = new DoorBudget('files', COUNTS.files, () => tally.sent);
      await drive({ total: COUNTS.files, parallel: CONCURRENCY, budget }, async (i) => {
        const seed = SEED * 15_485_863 + i;
        const draw = fileRequest(seed, world);
        const request: RawRequest = { ...draw, headers: { ...headersFor(draw.caller), ...draw.headers } };
        const response = await client.send(request);
        if (!judgeHttp(tally, { label: draw.kind, request, response, masterCaller: draw.caller === 'master' })) return;
        const label = `seed ${seed} ${draw.caller} ${draw.method} ${draw.path.slice(0, 150)} ${draw.range ?? ''} → ${response.status}`;
        if ((draw.kind === 'download' || draw.kind === 'head') && draw.knownName !== undefined) {
          const problem = checkDownload(draw, response, known.get(draw.knownName) as Buffer);
          if (problem !== undefined) fail(tally, `${problem}: ${label}`);
        }
        if (draw.kind === 'delete' && draw.caller !== 'master' && response.status < 300)
          fail(tally, `deleted without the master key: ${label}`);
        if (draw.kind === 'upload' && (draw.body?.length ?? 0) > MAX_UPLOAD && response.status < 300)
          fail(tally, `stored a body over the limit: ${label}`);
      });
      report('files', tally, started);
      const cutShort = budget.finish(tally.sent);
      assert.equal(tally.failed, 0, `${tally.failed} failing file requests (the first are printed above)`);
      assert.equal(cutShort, undefined, cutShort);
      for (const [name, bytes] of known) {
        const got = await fetch(`${server.mountURL}/files/${APP.appId}/${name}`);
        assert.ok(Buffer.from(await got.arrayBuffer()).equals(bytes), `${name} unchanged`);
      }
    },
  );

  it(
    `dashboard: ${COUNTS.dashboard.toLocaleString('en')} requests to its session and app API`,
    { timeout: DOOR_TIMEOUT_MS },
    async () => {
      const { client, aliceId, bobId, ids, values, adminCookie, adminCsrf, viewerCookie, viewerCsrf, judgeHttp } =
        doors;
      const world: DashWorld = {
        appId: APP.appId,
        adminCookie,
        adminCsrf,
        viewerCookie,
        viewerCsrf,
        // Not the users' ids: the admin may delete what it names, and bob (the canaries' owner) must survive.
        ids: ids.filter((id) => id !== aliceId && id !== bobId),
        userIds: [aliceId, bobId],
        values,
      };
      const tally = newTally();
      const started = Date.now();
      const keys = [APP.masterKey, READ_ONLY_KEY, DASHBOARD_SECRET];
      const budget = new DoorBudget('dashboard', COUNTS.dashboard, () => tally.sent);
      await drive({ total: COUNTS.dashboard, parallel: CONCURRENCY, budget }, async (i) => {
        const seed = SEED * 32_452_843 + i;
        const draw = dashboardRequest(seed, world);
        const response = await client.send(draw);
        // A wrong or missing CSRF token still carries a valid cookie: reads are allowed, writes are not.
        const signedIn = ['admin', 'viewer', 'adminNoCsrf', 'otherCsrf'].includes(draw.caller);
        if (
          !judgeHttp(tally, { label: `${draw.kind}:${draw.caller}`, request: draw, response, masterCaller: signedIn })
        )
          return;
        const label = `seed ${seed} ${draw.caller} ${draw.method} ${draw.path.slice(0, 150)} ${show(draw.body, 150)} → ${response.status} ${response.body.slice(0, 200)}`;
        if (keys.some((key) => response.body.includes(key))) fail(tally, `a key in the answer: ${label}`);
        const ok = response.status >= 200 && response.status < 300;
        if (draw.kind === 'api' && ok && !signedIn)
          fail(tally, `the app API answered without a valid session: ${label}`);
        const write = !['GET', 'HEAD', 'OPTIONS'].includes(draw.method);
        if (draw.kind === 'api' && ok && write && (draw.caller === 'adminNoCsrf' || draw.caller === 'otherCsrf'))
          fail(tally, `a write without its CSRF token: ${label}`);
        if (
          draw.kind === 'api' &&
          ok &&
          write &&
          draw.caller === 'viewer' &&
          /\/classes\/|\/schemas|\/import\//.test(draw.path)
        )
          fail(tally, `the read-only user wrote: ${label}`);
      });
      report('dashboard', tally, started);
      const cutShort = budget.finish(tally.sent);
      assert.equal(tally.failed, 0, `${tally.failed} failing dashboard requests (the first are printed above)`);
      assert.equal(cutShort, undefined, cutShort);
    },
  );

  it('answers every door correctly afterwards', async () => {
    const { server, bobToken, adminCookie, headersFor } = doors;
    assert.equal((await server.call({ path: '/health' })).status, 200);
    const created = await server.call({ method: 'POST', path: '/classes/Probe', body: { str: 'after' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = String((created.body as Obj)['objectId']);
    const gql = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { ...headersFor('client'), 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: `{ probes { count } }` }),
    });
    assert.equal(gql.status, 200);
    assert.deepEqual(await gql.json(), { data: { probes: { count: 1 } } });
    const live = await LiveLane.open(`${server.url}/parse`);
    assert.equal(
      await live.send(JSON.stringify({ op: 'connect', applicationId: APP.appId, clientKey: APP.clientKey }), 10_000),
      'answered',
    );
    assert.equal(
      await live.send(
        JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Probe', where: {} } }),
        10_000,
      ),
      'answered',
    );
    assert.match(live.frames.at(-1) ?? '', /"op":"subscribed"/);
    const from = live.frames.length;
    await server.call({ method: 'PUT', path: `/classes/Probe/${id}`, body: { str: 'changed' } });
    for (let i = 0; i < 100 && !live.frames.slice(from).some((f) => f.includes('"op":"update"')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(
      live.frames.slice(from).some((f) => f.includes('"op":"update"')),
      'the update event arrived',
    );
    live.close();
    const upload = await server.call({
      method: 'POST',
      path: '/files/after.txt',
      raw: 'after',
      // The master key: fuzzed requests may have ended the fuzzer's session or deleted its user.
      master: true,
      headers: { 'Content-Type': 'text/plain' },
    });
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    const file = await fetch(`${server.mountURL}/files/${APP.appId}/${String((upload.body as Obj)['name'])}`, {
      headers: { Range: 'bytes=1-2' },
    });
    assert.equal(file.status, 206);
    assert.equal(await file.text(), 'ft');
    const dash = await fetch(`${server.url}/dashboard/api/apps/${APP.appId}/classes/Probe/${id}`, {
      headers: { Cookie: adminCookie },
    });
    assert.equal(dash.status, 200);
    assert.equal(((await dash.json()) as Obj)['str'], 'changed');
    // bob, the canaries' owner, is untouched: the fuzzer never acted as him.
    const bob = await server.call({ path: '/users/me', headers: { 'X-Parse-Session-Token': bobToken } });
    assert.equal((bob.body as Obj)['email'], CANARY.email);
    assert.ok(prototypesClean());
  });
});
