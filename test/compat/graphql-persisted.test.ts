// Persisted GraphQL operations (issue 15 item 6): a file of documents by SHA-256, named by `documentId` or by
// Apollo's APQ extension, over POST, GET, batches and the WebSocket. With --graphql-persisted-only a client-key
// caller runs only those documents (an attacker's own query is refused before it is parsed, 400 code 119);
// the master key is not bound. Without it, APQ registers a client's document on first use, as Apollo expects.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compatTargets, graphqlHeaders, graphqlURL, rawGraphQL } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import { openGraphQLSocket } from '../helpers/graphql-ws.js';

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const HEALTH = 'query Health { health }';
const dir = mkdtempSync(join(tmpdir(), 'strata-persisted-'));
const file = join(dir, 'persisted-documents.json');
writeFileSync(file, JSON.stringify({ [sha(HEALTH)]: HEALTH }));
after(() => rmSync(dir, { recursive: true, force: true }));

const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

for (const spec of compatTargets({ config: { graphQLPersistedOperations: file, graphQLPersistedOnly: true } })) {
  describe(`GraphQL persisted operations only [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    before(async () => {
      target = await spec.start();
    });
    after(async () => {
      await target?.close();
    });

    it('runs a persisted document by documentId, APQ hash or its exact text, over POST and GET', async () => {
      for (const body of [
        { documentId: sha(HEALTH) },
        { documentId: `sha256:${sha(HEALTH)}` },
        { extensions: apq(sha(HEALTH)) },
        { query: HEALTH },
      ]) {
        const answer = await rawGraphQL(target, body as never);
        assert.equal(answer.status, 200, JSON.stringify(body));
        assert.deepEqual(answer.body, { data: { health: true } });
      }
      const get = await fetch(`${graphqlURL(target)}?documentId=${sha(HEALTH)}`, { headers: graphqlHeaders(target) });
      assert.equal(get.status, 200);
      assert.deepEqual(await get.json(), { data: { health: true } });
    });

    it("refuses a client's own document (400, 119) before it runs; the master key is not bound", async () => {
      const own = await rawGraphQL(target, { query: '{ health users { count } }' });
      assert.equal(own.status, 400);
      assert.equal(own.body.errors?.[0]?.extensions?.['code'], 119);
      assert.equal(own.body.data, undefined);
      const batch = await rawGraphQL(target, [{ documentId: sha(HEALTH) }, { query: '{ __typename }' }]);
      assert.equal(batch.status, 400);
      const get = await fetch(`${graphqlURL(target)}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: graphqlHeaders(target),
      });
      assert.equal(get.status, 400);
      // Registering a new document through APQ is refused too (its hash is right, but it is not in the file).
      const text = '{ __typename }';
      const register = await rawGraphQL(target, { query: text, extensions: apq(sha(text)) } as never);
      assert.equal(register.status, 400);
      assert.equal(register.body.errors?.[0]?.extensions?.['code'], 119);
      const unknown = await rawGraphQL(target, { documentId: sha('nothing') } as never);
      assert.equal(unknown.body.errors?.[0]?.message, 'PersistedQueryNotFound');
      const master = await rawGraphQL(target, { query: '{ __typename }' }, { master: true });
      assert.deepEqual(master.body, { data: { __typename: 'Query' } });
    });

    it('a subscription over the WebSocket must be persisted too (refused: 119)', async () => {
      const socket = openGraphQLSocket(target);
      try {
        const refused = await socket.subscribe('subscription { onUpdateUser { objectId } }').next();
        assert.equal(refused.kind, 'error');
        assert.equal(refused.kind === 'error' ? refused.errors[0]?.extensions?.['code'] : undefined, 119);
      } finally {
        await socket.dispose();
      }
    });
  });
}

for (const spec of compatTargets({ config: { graphQLPersistedOperations: file } })) {
  describe(`GraphQL automatic persisted queries [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    before(async () => {
      target = await spec.start();
    });
    after(async () => {
      await target?.close();
    });

    it('answers PersistedQueryNotFound, registers the text sent with its hash, then runs it by hash', async () => {
      const text = `{ health n${Date.now()}: health }`;
      const first = await rawGraphQL(target, { extensions: apq(sha(text)) } as never);
      assert.equal(first.status, 200);
      assert.equal(first.body.errors?.[0]?.message, 'PersistedQueryNotFound');
      const wrong = await rawGraphQL(target, { query: text, extensions: apq(sha('other')) } as never);
      assert.equal(wrong.status, 400);
      const registered = await rawGraphQL(target, { query: text, extensions: apq(sha(text)) } as never);
      assert.equal(registered.status, 200);
      assert.equal(registered.body.data?.['health'], true);
      const byHash = await rawGraphQL(target, { extensions: apq(sha(text)) } as never);
      assert.equal(byHash.body.data?.['health'], true);
      // Any document still runs as text without the only-persisted mode.
      assert.deepEqual((await rawGraphQL(target, { query: '{ __typename }' })).body, {
        data: { __typename: 'Query' },
      });
    });
  });
}
