// Pointers through GraphQL are batched per request (issue 15 item 4): a page of 20 reviews, each pointing at
// its own author, reads the authors with one find on the author class, not 20. Counted by a beforeFind
// trigger on GqlAuthor (fixtures/graphql-cloud), which runs once per core find, i.e. once per storage query
// on that class. Triggers and validation apply exactly as through REST.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { compatTargets, graphqlClient, rawGraphQL } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';

const cloud = fileURLToPath(new URL('./fixtures/graphql-cloud/main.js', import.meta.url));

for (const spec of compatTargets({ cloud })) {
  describe(`GraphQL pointer batching [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;

    before(async () => {
      target = await spec.start();
      const master = graphqlClient(target, { master: true });
      await master.request(
        'mutation { createClass(input: { name: "GqlAuthor", schemaFields: { addStrings: [{ name: "name" }] } }) { class { name } } }',
      );
      await master.request(
        'mutation { createClass(input: { name: "GqlReview", schemaFields: { addNumbers: [{ name: "stars" }], addPointers: [{ name: "author", targetClassName: "GqlAuthor" }] } }) { class { name } } }',
      );
      for (let i = 0; i < 20; i += 1) {
        await master.request(
          'mutation ($name: String!) { createGqlReview(input: { fields: { stars: 3, author: { createAndLink: { name: $name } } } }) { clientMutationId } }',
          { name: `author ${i}` },
        );
      }
    });
    after(async () => {
      await target?.close();
    });

    it('a page of 20 objects with a nested pointer costs one find on the pointed-at class', async () => {
      const client = graphqlClient(target);
      await client.request('mutation { callCloudCode(input: { functionName: resetAuthorFinds }) { result } }');
      const page = await client.request<{ gqlReviews: { edges: { node: { author: { name: string } } }[] } }>(
        '{ gqlReviews(first: 20, order: [createdAt_ASC]) { edges { node { stars author { name } } } } }',
      );
      assert.equal(page.gqlReviews.edges.length, 20);
      assert.deepEqual(
        page.gqlReviews.edges.map((e) => e.node.author.name),
        Array.from({ length: 20 }, (_, i) => `author ${i}`),
      );
      const finds = await client.request<{ callCloudCode: { result: number } }>(
        'mutation { callCloudCode(input: { functionName: authorFinds }) { result } }',
      );
      assert.equal(finds.callCloudCode.result, 1);
    });

    it("beforeSave's validation error comes back with its code, and nothing is saved", async () => {
      const answer = await rawGraphQL(target, {
        query: 'mutation { createGqlReview(input: { fields: { stars: 9 } }) { gqlReview { objectId } } }',
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.errors?.[0]?.extensions?.['code'], 142);
      assert.equal(answer.body.errors?.[0]?.message, 'Stars must be between 1 and 5.');
      const count = await graphqlClient(target, { master: true }).request<{ gqlReviews: { count: number } }>(
        '{ gqlReviews(where: { stars: { equalTo: 9 } }) { count } }',
      );
      assert.equal(count.gqlReviews.count, 0);
    });
  });
}
