// What an attacker holding only the client key can do to the GraphQL door (issue 15 items 3, 6): depth, alias,
// complexity and fragment bombs, oversized documents and batches, introspection probes in disguise, hidden
// fields tested through where filters and ordering, malformed requests. Every answer must be a clear 4xx /
// Parse error, quickly; never a 500, a hang or a leak.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { compatTargets, graphqlClient, graphqlHeaders, graphqlURL, rawGraphQL } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';

const suffix = (): string => randomBytes(3).toString('hex');

for (const spec of compatTargets()) {
  describe(`GraphQL attacks [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    const cls = `GqlChain${suffix()}`;
    const single = cls.charAt(0).toLowerCase() + cls.slice(1);
    let victimToken: string;

    before(async () => {
      target = await spec.start();
      const master = graphqlClient(target, { master: true });
      await master.request(
        `mutation { createClass(input: { name: "${cls}", schemaFields: { addStrings: [{ name: "label" }] } }) { class { name } } }`,
      );
      await master.request(
        `mutation { updateClass(input: { name: "${cls}", schemaFields: { addPointers: [{ name: "parent", targetClassName: "${cls}" }] } }) { class { name } } }`,
      );
      const victim = await graphqlClient(target).request<{ signUp: { viewer: { sessionToken: string } } }>(
        `mutation { signUp(input: { fields: { username: "victim_${suffix()}", password: "pw", email: "victim_${suffix()}@example.com" } }) { viewer { sessionToken } } }`,
      );
      victimToken = victim.signUp.viewer.sessionToken;
    });
    after(async () => {
      await target?.close();
    });

    const refused = (answer: { status: number; body: { errors?: { message: string }[] } }, pattern: RegExp): void => {
      assert.ok(answer.status >= 400 && answer.status < 500, `status ${answer.status}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.errors?.[0]?.message ?? '', pattern);
    };

    it('a depth bomb is refused before it runs', async () => {
      let selection = 'objectId';
      for (let i = 0; i < 40; i += 1) selection = `parent { ${selection} }`;
      const answer = await rawGraphQL(target, { query: `{ ${single}s { edges { node { ${selection} } } } }` });
      refused(answer, /depth/);
    });

    it('an alias bomb is refused', async () => {
      const aliases = Array.from({ length: 500 }, (_, i) => `a${i}: health`).join(' ');
      refused(await rawGraphQL(target, { query: `{ ${aliases} }` }), /aliases/);
    });

    it('a fragment fan-out (2^30 fields) is refused by complexity, at once', async () => {
      const fragments = ['fragment F0 on Query { health }'];
      for (let i = 1; i <= 30; i += 1) fragments.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
      const answer = await rawGraphQL(target, { query: `{ ...F30 } ${fragments.join(' ')}` });
      refused(answer, /complexity/);
    });

    it('a document past the token limit is refused by the parser', async () => {
      const fields = Array.from({ length: 12_000 }, () => '__typename').join(' ');
      refused(await rawGraphQL(target, { query: `{ ${fields} }` }), /tokens/);
    });

    it('a huge batch is refused; a small one runs', async () => {
      const batch = Array.from({ length: 1000 }, () => ({ query: '{ health }' }));
      const answer = await rawGraphQL(target, batch);
      assert.ok(answer.status >= 400 && answer.status < 500, `status ${answer.status}`);
      const small = await rawGraphQL(target, [{ query: '{ health }' }, { query: '{ h: health }' }]);
      assert.equal(small.status, 200);
      assert.deepEqual(small.body, [{ data: { health: true } }, { data: { h: true } }]);
    });

    it('introspection in disguise (alias, fragment, inline fragment, __type) is still 403', async () => {
      for (const query of [
        '{ s: __schema { queryType { name } } }',
        '{ ...Probe } fragment Probe on Query { __schema { types { name } } }',
        '{ ... on Query { __type(name: "User") { fields { name } } } }',
        '{ health __type(name: "Query") { name } }',
      ]) {
        const answer = await rawGraphQL(target, { query });
        assert.equal(answer.status, 403, query);
        assert.equal(answer.body.errors?.[0]?.message, 'Introspection is not allowed');
      }
    });

    it("hidden fields cannot be tested: another user's email through where and order", async () => {
      const where = await rawGraphQL(target, {
        query: '{ users(where: { email: { matchesRegex: "^victim" } }) { count } }',
      });
      assert.equal(where.status, 200);
      assert.equal(where.body.data ?? null, null);
      assert.equal(where.body.errors?.[0]?.extensions?.['code'], 119);
      const order = await rawGraphQL(target, { query: '{ users(order: [email_ASC]) { count } }' });
      assert.equal(order.body.errors?.[0]?.extensions?.['code'], 119);
      const password = await rawGraphQL(target, {
        query: '{ users(where: { password: { exists: true } }) { count } }',
      });
      assert.equal(password.status, 400);
      const sessions = await rawGraphQL(target, { query: '{ sessions { count edges { node { sessionToken } } } }' });
      assert.equal(sessions.body.errors?.[0]?.extensions?.['code'], 209);
      const own = await graphqlClient(target, { sessionToken: victimToken }).request<{ sessions: { count: number } }>(
        '{ sessions { count } }',
      );
      assert.equal(own.sessions.count, 1);
    });

    it('nested have filters past the sub-query depth answer a Parse error', async () => {
      let where = '{ label: { equalTo: "x" } }';
      for (let i = 0; i < 30; i += 1) where = `{ parent: { have: ${where} } }`;
      const answer = await rawGraphQL(target, { query: `{ ${single}s(where: ${where}) { count } }` });
      assert.ok(answer.status < 500, `status ${answer.status}`);
      assert.equal(typeof answer.body.errors?.[0]?.extensions?.['code'], 'number');
    });

    it('malformed requests: bad JSON, a GET mutation, a broken multipart, a huge body', async () => {
      const bad = await fetch(graphqlURL(target), {
        method: 'POST',
        headers: { ...graphqlHeaders(target), 'Content-Type': 'application/json' },
        body: '{"query": ',
      });
      assert.equal(bad.status, 400);
      const getMutation = await fetch(
        `${graphqlURL(target)}?query=${encodeURIComponent('mutation { logOut(input: {}) { ok } }')}`,
        { headers: graphqlHeaders(target) },
      );
      assert.equal(getMutation.status, 405);
      const form = new FormData();
      form.append('operations', '{not json');
      const multipart = await fetch(graphqlURL(target), {
        method: 'POST',
        headers: graphqlHeaders(target),
        body: form,
      });
      assert.ok(multipart.status >= 400 && multipart.status < 500, `multipart status ${multipart.status}`);
      const huge = await fetch(graphqlURL(target), {
        method: 'POST',
        headers: { ...graphqlHeaders(target), 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ health }', variables: { pad: 'x'.repeat(25 * 1024 * 1024) } }),
      });
      assert.equal(huge.status, 413);
    });

    it('after all of it the server still answers', async () => {
      assert.deepEqual(await graphqlClient(target).request('{ health }'), { health: true });
    });
  });
}
