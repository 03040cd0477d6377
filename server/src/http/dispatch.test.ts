/**
 * The dispatcher on its own: what every entrance (HTTP, `/batch`, cloud code's in-process SDK) gets from it.
 * A recording core stands in for the real one (the entrances are tested end to end by the API suites); the
 * routes are real route definitions in a real `RouteTable`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Auth, Credentials } from '../auth/index.js';
import type { Core, ReplayableResponse, RequestIdClaim } from '../core/index.js';
import { ErrorCode, ParseError } from '../errors/index.js';
import type { ApiRequest, RouteDefinition } from './api-types.js';
import { Dispatcher } from './dispatch.js';
import type { DispatchRequest } from './dispatch.js';
import { RouteTable } from './route-table.js';

const USER: Auth = { kind: 'user', userId: 'u1', sessionToken: 'r:good' };

interface Recording {
  readonly core: Core;
  readonly authenticated: Credentials[];
  readonly claims: string[];
}

/** Records `authenticate` and the request-id claim; `r:bad` is an unknown session (209). */
function recordingCore(claim: (requestId: string) => RequestIdClaim): Recording {
  const authenticated: Credentials[] = [];
  const claims: string[] = [];
  const core = {
    authenticate: (credentials: Credentials) => {
      authenticated.push(credentials);
      if (credentials.sessionToken === 'r:bad') return Promise.reject(new ParseError(ErrorCode.INVALID_SESSION_TOKEN));
      return Promise.resolve(credentials.sessionToken === undefined ? credentials.auth : USER);
    },
    claimRequestId: (request: { requestId: string }) => {
      claims.push(request.requestId);
      return Promise.resolve(claim(request.requestId));
    },
  } as unknown as Core;
  return { core, authenticated, claims };
}

const seen: ApiRequest[] = [];
const echo = (request: ApiRequest): Promise<ReplayableResponse> => {
  seen.push(request);
  return Promise.resolve({ body: { kind: request.auth.kind, params: request.params } });
};
const ROUTES: RouteDefinition[] = [
  { method: 'GET', path: '/classes/:className', batchable: true, handler: echo },
  { method: 'POST', path: '/login', sessionToken: 'ignore', handler: echo },
  { method: 'POST', path: '/fail', handler: () => Promise.reject(new ParseError(ErrorCode.SCRIPT_FAILED)) },
  { method: 'POST', path: '/batch', handler: echo },
];

function request(overrides: Partial<DispatchRequest>): DispatchRequest {
  return {
    method: 'GET',
    path: '/classes/Thing',
    query: {},
    body: {},
    caller: { credentials: { auth: { kind: 'public' } } },
    context: {},
    mountURL: 'http://localhost/parse',
    ...overrides,
  };
}

function dispatcher(recording: Recording): Dispatcher {
  return new Dispatcher({ core: recording.core, routes: new RouteTable(ROUTES), mountPath: '/parse' });
}

const RUN: RequestIdClaim = { kind: 'run', complete: () => Promise.resolve(), release: () => Promise.resolve() };

describe('Dispatcher', () => {
  it('resolves a presented session token before the handler, and keeps the token as presented', async () => {
    const recording = recordingCore(() => RUN);
    const credentials = { auth: { kind: 'public' as const }, sessionToken: 'r:good' };
    const response = await dispatcher(recording).dispatch(request({ caller: { credentials } }));
    assert.deepEqual(response.body, { kind: 'user', params: { className: 'Thing' } });
    assert.deepEqual(recording.authenticated, [credentials]);
    assert.equal(seen.at(-1)?.sessionToken, 'r:good');
  });

  it('a stale token fails the request (209) unless the route reads the token itself', async () => {
    const recording = recordingCore(() => RUN);
    const caller = { credentials: { auth: { kind: 'public' as const }, sessionToken: 'r:bad' } };
    await assert.rejects(dispatcher(recording).dispatch(request({ caller })), { code: 209 });
    const login = await dispatcher(recording).dispatch(request({ method: 'POST', path: '/login', caller }));
    assert.deepEqual(login.body, { kind: 'public', params: {} });
  });

  it('an already resolved caller (a batch sub-request) is not resolved again', async () => {
    const recording = recordingCore(() => RUN);
    const response = await dispatcher(recording).dispatch(request({ caller: { auth: USER, sessionToken: 'r:good' } }));
    assert.deepEqual(response.body, { kind: 'user', params: { className: 'Thing' } });
    assert.deepEqual(recording.authenticated, []);
  });

  it('no route: 404 {"error":"Cannot …"}; in a batch, a route /batch may not call: 107 "cannot route"', () => {
    const d = dispatcher(recordingCore(() => RUN));
    assert.throws(
      () => d.plan(request({ path: '/nope' })),
      (err: unknown) => err instanceof ParseError && err.httpStatus === 404 && err.bare,
    );
    assert.throws(() => d.plan(request({ method: 'POST', path: '/batch' }), { batched: true }), {
      code: ErrorCode.INVALID_JSON,
      message: 'cannot route POST /batch',
    });
    assert.equal(d.plan(request({}), { batched: true }).match.route.path, '/classes/:className');
  });

  it('a request id: a replay is answered without running; a success completes the claim, a failure releases it', async () => {
    const replay: RequestIdClaim = { kind: 'replay', response: { status: 201, body: { replayed: true } } };
    const before = seen.length;
    const replayed = await dispatcher(recordingCore(() => replay)).dispatch(
      request({ requestId: { id: 'r1', fingerprint: 'f' } }),
    );
    assert.deepEqual(replayed, { status: 201, body: { replayed: true } });
    assert.equal(seen.length, before, 'the handler did not run');

    const settled: string[] = [];
    const tracked: RequestIdClaim = {
      kind: 'run',
      complete: (response) => {
        settled.push(`complete ${JSON.stringify(response.body)}`);
        return Promise.resolve();
      },
      release: () => {
        settled.push('release');
        return Promise.resolve();
      },
    };
    const recording = recordingCore(() => tracked);
    await dispatcher(recording).dispatch(request({ requestId: { id: 'r2', fingerprint: 'f' } }));
    await assert.rejects(
      dispatcher(recording).dispatch(
        request({ method: 'POST', path: '/fail', requestId: { id: 'r3', fingerprint: 'f' } }),
      ),
      { code: ErrorCode.SCRIPT_FAILED },
    );
    assert.deepEqual(recording.claims, ['r2', 'r3']);
    assert.deepEqual(settled, ['complete {"kind":"public","params":{"className":"Thing"}}', 'release']);
  });
});
