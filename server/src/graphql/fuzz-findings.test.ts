/**
 * GraphQL answers that were code 1 "Internal server error" (a 500 inside a 200), found by
 * test/adversarial/fuzz-doors.test.ts:
 * - `signUp` when the sign-up opens no session: a master-key sign-up (Parse's "cloud" sign-up) or an unverified
 *   email that may not log in; `viewer` is non-null, so the answer broke it. Now a Parse code that says why.
 * - an explicit `null` for `text`, `inQueryKey` or `notInQueryKey` in a where: dereferenced. Now no constraint.
 * - (the 1,000,000-request run) an Array field holding a `null` item: `Element.value` was non-null, so the item
 *   failed. Now `{value: null}`.
 * - (the same run) `cloudConfig(paramName: "__proto__")` once the config held a master-only parameter: the
 *   resolver read Object.prototype as the parameter's flag. Now own keys only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

describe('GraphQL inputs the fuzzer found answering code 1', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ passwordHashCost: 4 });
  });
  after(() => server.close());

  const signUp = async (username: string, master: boolean): Promise<Record<string, unknown>> => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'X-Parse-Application-Id': APP_ID,
        ...(master ? { 'X-Parse-Master-Key': MASTER_KEY } : { 'X-Parse-REST-API-Key': CLIENT_KEY }),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        query: `mutation { signUp(input: { fields: { username: "${username}", password: "pw" } }) { viewer { sessionToken user { username } } } }`,
      }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  };

  it('signUp with the master key: 209 saying no session was opened, and the user exists', async () => {
    const answer = await signUp('cloud-made', true);
    const errors = answer['errors'] as Array<{ message: string; extensions: { code: number } }>;
    assert.equal(errors[0]?.extensions.code, 209, JSON.stringify(answer));
    assert.match(errors[0]?.message ?? '', /master key opens no session/);
    const users = await server.call({ path: '/users?where=%7B%22username%22%3A%22cloud-made%22%7D', master: true });
    assert.equal(((users.body as { results: unknown[] }).results ?? []).length, 1);
  });

  it('an explicit null for an object-valued where operator is answered, not an internal error', async () => {
    await server.call({ method: 'POST', path: '/classes/Note', body: { title: 'one' } });
    for (const op of ['text', 'inQueryKey', 'notInQueryKey']) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': APP_ID,
          'X-Parse-REST-API-Key': CLIENT_KEY,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          query: 'query ($w: NoteWhereInput) { notes(where: $w) { count } }',
          variables: { w: { title: { [op]: null } } },
        }),
      });
      const answer = (await response.json()) as { data?: { notes?: { count?: unknown } }; errors?: unknown };
      assert.equal(answer.errors, undefined, `${op}: ${JSON.stringify(answer)}`);
      assert.equal(typeof answer.data?.notes?.count, 'number', op);
    }
  });

  it('an Array field with a null item answers {value: null}, not an internal error', async () => {
    await server.call({ method: 'POST', path: '/classes/Bag', body: { arr: [null, 1, { a: null }, [null]] } });
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'X-Parse-Application-Id': APP_ID,
        'X-Parse-REST-API-Key': CLIENT_KEY,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ query: '{ bags { edges { node { arr { ... on Element { value } } } } } }' }),
    });
    const answer = (await response.json()) as { data?: unknown; errors?: unknown };
    assert.equal(answer.errors, undefined, JSON.stringify(answer));
    assert.deepEqual(answer.data, {
      bags: { edges: [{ node: { arr: [{ value: null }, { value: 1 }, { value: { a: null } }, { value: [null] }] } }] },
    });
  });

  it('cloudConfig of a prototype name is a missing parameter, not an internal error', async () => {
    const headers = {
      'X-Parse-Application-Id': APP_ID,
      'X-Parse-Master-Key': MASTER_KEY,
      'Content-Type': 'application/json',
    };
    const set = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        query:
          'mutation { updateCloudConfig(input: { paramName: "p", value: 1, isMasterKeyOnly: true }) { clientMutationId } }',
      }),
    });
    assert.equal(set.status, 200, await set.text());
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query: 'query ($n: String!) { cloudConfig(paramName: $n) { value isMasterKeyOnly } }',
          variables: { n: name },
        }),
      });
      const answer = (await response.json()) as unknown;
      assert.deepEqual(answer, { data: { cloudConfig: { value: null, isMasterKeyOnly: false } } }, name);
    }
  });

  it('signUp with the client key: the viewer, as before', async () => {
    const answer = await signUp('self-made', false);
    const data = answer['data'] as { signUp: { viewer: { sessionToken: string; user: { username: string } } } };
    assert.equal(data.signUp.viewer.user.username, 'self-made');
    assert.match(data.signUp.viewer.sessionToken, /^r:/);
  });
});
