// The GraphQL gaps of issue 15 closed (with graphql-request, graphql-ws and raw HTTP against a running server):
// webhook functions in the `CloudCodeFunction` enum, following `/hooks` without a restart; `createFile` storing
// metadata and tags as REST files do; and Parse's GraphQL config (`/graphql-config`, `_GraphQLConfig`): master key
// only, checked, and obeyed by the schema — a class it leaves out cannot be reached through GraphQL, not by its
// queries, nor through pointers, relations, arrays, sub-queries, `node` or subscriptions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { compatTargets, graphqlClient, graphqlHeaders, graphqlURL, rawGraphQL, rest } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';
import { openGraphQLSocket } from '../helpers/graphql-ws.js';

const cloud = fileURLToPath(new URL('./fixtures/graphql-gaps/main.js', import.meta.url));
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** A webhook endpoint on loopback: answers `{success}` as Parse's webhooks do, and counts its calls. */
async function startWebhook(): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      calls += 1;
      const params = (JSON.parse(body) as { params?: { name?: string } }).params ?? {};
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ success: `webhook says hi to ${params.name ?? 'nobody'}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/fn`,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const spec of compatTargets({ cloud, config: { outboundAllowIps: ['127.0.0.1'] } })) {
  describe(`GraphQL gaps: webhook functions, file metadata, GraphQL config [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    let webhook: Awaited<ReturnType<typeof startWebhook>>;
    let token = '';
    const master = () => graphqlClient(target, { master: true });
    const enumValues = async (): Promise<string[]> => {
      const data = await master().request<{ __type: { enumValues: { name: string }[] } | null }>(
        '{ __type(name: "CloudCodeFunction") { enumValues { name } } }',
      );
      return (data.__type?.enumValues ?? []).map((value) => value.name).sort();
    };
    const putConfig = (params: unknown, useMasterKey = true) =>
      rest(target, { method: 'PUT', path: '/graphql-config', body: { params }, useMasterKey });
    const codeOf = (result: { body: { errors?: { extensions?: Record<string, unknown> }[] } }): unknown =>
      result.body.errors?.[0]?.extensions?.['code'];
    const ids: { pub: string; secret: string } = { pub: '', secret: '' };

    before(async () => {
      target = await spec.start();
      webhook = await startWebhook();
      const signUp = await rest(target, {
        method: 'POST',
        path: '/users',
        body: { username: 'gaps-user', password: 'pw' },
      });
      token = (signUp.body as { sessionToken: string }).sessionToken;
      const schema = (className: string, fields: Record<string, unknown>) =>
        rest(target, {
          method: 'POST',
          path: `/schemas/${className}`,
          useMasterKey: true,
          body: { className, fields },
        });
      assert.equal((await schema('GqlSecret', { code: { type: 'String' } })).status, 200);
      const pub = await schema('GqlPublic', {
        title: { type: 'String' },
        note: { type: 'String' },
        pages: { type: 'Number' },
        secretRef: { type: 'Pointer', targetClass: 'GqlSecret' },
        vault: { type: 'Relation', targetClass: 'GqlSecret' },
        things: { type: 'Array' },
      });
      assert.equal(pub.status, 200);
      const secret = await rest(target, {
        method: 'POST',
        path: '/classes/GqlSecret',
        body: { code: 'the-secret-code' },
      });
      ids.secret = (secret.body as { objectId: string }).objectId;
      const pointer = { __type: 'Pointer', className: 'GqlSecret', objectId: ids.secret };
      const created = await rest(target, {
        method: 'POST',
        path: '/classes/GqlPublic',
        body: {
          title: 'open',
          note: 'n',
          pages: 3,
          secretRef: pointer,
          things: [pointer, 'plain'],
          vault: { __op: 'AddRelation', objects: [pointer] },
        },
      });
      ids.pub = (created.body as { objectId: string }).objectId;
    });
    after(async () => {
      await webhook?.close();
      await target?.close();
    });

    it('a function registered by /hooks/functions joins the CloudCodeFunction enum, and leaves it, without a restart', async () => {
      assert.deepEqual(await enumValues(), ['inProcess', 'lastFile', 'liveHooksSeen']);
      const call = 'mutation { callCloudCode(input: { functionName: viaHook, params: { name: "ann" } }) { result } }';
      assert.equal((await rawGraphQL(target, { query: call })).status, 400, 'not a value of the enum yet');

      const created = await rest(target, {
        method: 'POST',
        path: '/hooks/functions',
        useMasterKey: true,
        body: { functionName: 'viaHook', url: webhook.url },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.deepEqual(await enumValues(), ['inProcess', 'lastFile', 'liveHooksSeen', 'viaHook']);
      const answered = await rawGraphQL(target, { query: call });
      assert.deepEqual(answered.body, { data: { callCloudCode: { result: 'webhook says hi to ann' } } });
      assert.equal(webhook.calls(), 1);

      const removed = await rest(target, {
        method: 'PUT',
        path: '/hooks/functions/viaHook',
        useMasterKey: true,
        body: { __op: 'Delete' },
      });
      assert.equal(removed.status, 200);
      assert.deepEqual(await enumValues(), ['inProcess', 'lastFile', 'liveHooksSeen']);
      assert.equal((await rawGraphQL(target, { query: call })).status, 400);
      assert.equal(webhook.calls(), 1);
    });

    const upload = async (variables: Record<string, unknown>): Promise<{ status: number; body: unknown }> => {
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query:
            'mutation ($file: Upload!, $m: Object, $t: Object) { createFile(input: { upload: $file, metadata: $m, tags: $t }) { fileInfo { name url } } }',
          variables: { file: null, ...variables },
        }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', new Blob(['tagged file'], { type: 'text/plain' }), 'tagged.txt');
      const response = await fetch(graphqlURL(target), {
        method: 'POST',
        headers: graphqlHeaders(target, { sessionToken: token }),
        body: form,
      });
      return { status: response.status, body: await response.json() };
    };
    const lastFile = async () =>
      (await rest(target, { method: 'POST', path: '/functions/lastFile', useMasterKey: true })).body;

    it('createFile stores metadata and tags as a REST upload does; bad ones are refused and nothing is stored', async () => {
      const saved = await upload({ m: { author: 'ann' }, t: { kind: 'note' } });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const info = (saved.body as { data: { createFile: { fileInfo: { name: string; url: string } } } }).data.createFile
        .fileInfo;
      assert.equal(await (await fetch(info.url)).text(), 'tagged file');
      const meta = await fetch(`${target.serverURL}/files/${target.appId}/metadata/${info.name}`);
      assert.deepEqual(await meta.json(), { metadata: { author: 'ann' } });
      assert.deepEqual(await lastFile(), { result: { metadata: { author: 'ann' }, tags: { kind: 'note' } } });

      const bad = await upload({ m: { author: { nested: true } }, t: { kind: 'other' } });
      assert.equal(bad.status, 200);
      const errors = (bad.body as { errors?: { extensions?: { code?: number }; message: string }[] }).errors;
      assert.equal(errors?.[0]?.extensions?.code, 130, JSON.stringify(bad.body));
      assert.match(errors?.[0]?.message ?? '', /metadata/);
      const prohibited = await upload({ t: { $where: 'x' } });
      assert.ok(((prohibited.body as { errors?: unknown[] }).errors?.length ?? 0) > 0);
      // The file trigger saw no other upload.
      assert.deepEqual(await lastFile(), { result: { metadata: { author: 'ann' }, tags: { kind: 'note' } } });
    });

    it('/graphql-config: master key only; a client key can neither read nor change it; bad configs are 142', async () => {
      const empty = await rest(target, { method: 'GET', path: '/graphql-config', useMasterKey: true });
      assert.deepEqual(empty, { status: 200, body: {}, location: null });

      const clientRead = await rest(target, { method: 'GET', path: '/graphql-config' });
      assert.ok(clientRead.status >= 400 && clientRead.status < 500, String(clientRead.status));
      const clientWrite = await putConfig({ disabledForClasses: ['_User'] }, false);
      assert.ok(clientWrite.status >= 400 && clientWrite.status < 500, String(clientWrite.status));
      // A session token is no better than the client key.
      const asUser = await fetch(`${target.serverURL}/graphql-config`, {
        method: 'PUT',
        headers: {
          'X-Parse-Application-Id': target.appId,
          'X-Parse-Javascript-Key': target.javascriptKey,
          'X-Parse-Session-Token': token,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ params: { disabledForClasses: ['_User'] } }),
      });
      assert.ok(asUser.status >= 400 && asUser.status < 500, String(asUser.status));

      for (const params of [
        { enabledForClasses: 'GqlPublic' },
        { disabledForClasses: [1] },
        { surprise: true },
        { classConfigs: [{ className: 'GqlPublic', query: { get: 'no' } }] },
        { classConfigs: [{ className: 'GqlPublic', query: { findAlias: 'not a name!' } }] },
        { classConfigs: [{ className: '_User', type: { inputFields: { create: ['username'] } } }] },
        { classConfigs: [{ className: 'GqlPublic', type: { sortFields: [{ field: 'title', asc: 1, desc: false }] } }] },
        { classConfigs: [{ className: '', mutation: {} }] },
      ]) {
        const refused = await putConfig(params);
        assert.equal(refused.status, 400, JSON.stringify(params));
        assert.equal((refused.body as { code: number }).code, 142, JSON.stringify(refused.body));
        assert.match((refused.body as { error: string }).error, /^Invalid graphQLConfig: /);
      }
      const still = await rest(target, { method: 'GET', path: '/graphql-config', useMasterKey: true });
      assert.deepEqual(still.body, {});
      // Nothing changed for GraphQL either: the user operations and the classes are all there.
      const data = await master().request<{ gqlPublics: { count: number } }>('{ gqlPublics { count } }');
      assert.equal(data.gqlPublics.count, 1);
    });

    it('disabledForClasses: the class is unreachable through GraphQL (queries, pointers, relations, arrays, sub-queries, node, subscriptions)', async () => {
      // Reachable before.
      const before = await master().request<{ gqlPublic: { secretRef: { code: string } } }>(
        `query ($id: ID!) { gqlPublic(id: $id) { secretRef { code } } }`,
        { id: ids.pub },
      );
      assert.equal(before.gqlPublic.secretRef.code, 'the-secret-code');

      const saved = await putConfig({ disabledForClasses: ['GqlSecret'] });
      assert.deepEqual(saved, { status: 200, body: { response: { result: true } }, location: null });
      assert.deepEqual((await rest(target, { method: 'GET', path: '/graphql-config', useMasterKey: true })).body, {
        disabledForClasses: ['GqlSecret'],
      });

      const refusedQueries = [
        '{ gqlSecrets { count } }',
        `{ gqlSecret(id: "${ids.secret}") { code } }`,
        `mutation { createGqlSecret(input: { fields: { code: "x" } }) { clientMutationId } }`,
        `{ gqlPublic(id: "${ids.pub}") { secretRef { objectId } } }`,
        `{ gqlPublic(id: "${ids.pub}") { vault { count } } }`,
        `{ gqlPublics(where: { secretRef: { have: { code: { equalTo: "the-secret-code" } } } }) { count } }`,
        `mutation { createGqlPublic(input: { fields: { secretRef: { createAndLink: { code: "x" } } } }) { clientMutationId } }`,
      ];
      for (const query of refusedQueries) {
        // As the master key: the config shapes the API for everyone (it is not a permission).
        const result = await rawGraphQL(target, { query }, { master: true });
        assert.equal(result.status, 400, `${query}: ${JSON.stringify(result.body)}`);
        assert.equal(result.body.data ?? null, null);
      }

      const globalId = b64(`GqlSecret:${ids.secret}`);
      const node = await rawGraphQL(target, { query: `{ node(id: "${globalId}") { id } }` }, { master: true });
      assert.equal(codeOf(node), 101, JSON.stringify(node.body));

      for (const where of [
        { className: 'GqlSecret', where: {} },
        { className: 'GqlPublic', where: { secretRef: { $inQuery: { className: 'GqlSecret', where: {} } } } },
        {
          className: 'GqlPublic',
          where: {
            $relatedTo: { object: { __type: 'Pointer', className: 'GqlSecret', objectId: ids.secret }, key: 'vault' },
          },
        },
      ]) {
        const sub = await rawGraphQL(
          target,
          {
            query:
              'query ($q: SubqueryInput!) { gqlPublics(where: { title: { inQueryKey: { query: $q, key: "title" } } }) { count } }',
            variables: { q: where },
          },
          { master: true },
        );
        assert.equal(codeOf(sub), 103, JSON.stringify(sub.body));
        assert.equal(sub.body.data ?? null, null);
      }

      // An array item pointing at the class stays a bare pointer: its object is not read.
      const items = await master().request<{ gqlPublic: { things: Record<string, unknown>[] } }>(
        `query ($id: ID!) { gqlPublic(id: $id) { things { __typename ... on Element { value } } } }`,
        { id: ids.pub },
      );
      assert.deepEqual(items.gqlPublic.things, [
        { __typename: 'Element', value: { __type: 'Pointer', className: 'GqlSecret', objectId: ids.secret } },
        { __typename: 'Element', value: 'plain' },
      ]);
      assert.doesNotMatch(JSON.stringify(items), /the-secret-code/);

      // No subscription either.
      const socket = openGraphQLSocket(target, { master: true });
      try {
        await socket.connected;
        const sub = socket.subscribe('subscription { onGqlSecretEvent { node { code } } }');
        const outcome = await sub.next();
        assert.equal(outcome.kind, 'error', JSON.stringify(outcome));
      } finally {
        await socket.dispose();
      }

      // The class itself is still served by REST (the config shapes GraphQL only).
      const viaRest = await rest(target, { method: 'GET', path: `/classes/GqlSecret/${ids.secret}` });
      assert.equal(viaRest.status, 200);
    });

    it('enabledForClasses keeps only the listed classes: without _User there are no user operations', async () => {
      assert.equal((await putConfig({ enabledForClasses: ['GqlPublic'] })).status, 200);
      const count = await master().request<{ gqlPublics: { count: number } }>('{ gqlPublics { count } }');
      assert.equal(count.gqlPublics.count, 1);
      for (const query of [
        '{ viewer { sessionToken } }',
        'mutation { logIn(input: { username: "gaps-user", password: "pw" }) { viewer { sessionToken } } }',
        '{ users { count } }',
        '{ gqlSecrets { count } }',
      ]) {
        const result = await rawGraphQL(target, { query }, { sessionToken: token });
        assert.equal(result.status, 400, `${query}: ${JSON.stringify(result.body)}`);
      }
    });

    it('classConfigs: output, constraint, sort and input fields, query and mutation toggles and aliases', async () => {
      const saved = await putConfig({
        classConfigs: [
          {
            className: 'GqlPublic',
            type: {
              inputFields: { create: ['title', 'pages'], update: ['pages'] },
              outputFields: ['title', 'pages'],
              constraintFields: ['pages'],
              sortFields: [{ field: 'pages', asc: false, desc: true }],
            },
            query: { get: false, findAlias: 'everyPublic' },
            mutation: { destroy: false, createAlias: 'addPublic' },
          },
        ],
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const client = graphqlClient(target, { sessionToken: token });
      const added = await client.request<{ addPublic: { gqlPublic: { objectId: string; title: string } } }>(
        'mutation { addPublic(input: { fields: { title: "second", pages: 9 } }) { gqlPublic { objectId title } } }',
      );
      assert.equal(added.addPublic.gqlPublic.title, 'second');
      const page = await client.request<{ everyPublic: { edges: { node: { title: string; pages: number } }[] } }>(
        '{ everyPublic(where: { pages: { greaterThan: 0 } }, order: [pages_DESC]) { edges { node { title pages } } } }',
      );
      assert.deepEqual(
        page.everyPublic.edges.map((edge) => edge.node),
        [
          { title: 'second', pages: 9 },
          { title: 'open', pages: 3 },
        ],
      );
      const updated = await client.request<{ updateGqlPublic: { gqlPublic: { pages: number } } }>(
        `mutation ($id: ID!) { updateGqlPublic(input: { id: $id, fields: { pages: 10 } }) { gqlPublic { pages } } }`,
        { id: added.addPublic.gqlPublic.objectId },
      );
      assert.equal(updated.updateGqlPublic.gqlPublic.pages, 10);
      for (const query of [
        `{ gqlPublic(id: "${ids.pub}") { title } }`,
        '{ gqlPublics { count } }',
        '{ everyPublic { edges { node { note } } } }',
        '{ everyPublic(where: { title: { equalTo: "open" } }) { count } }',
        '{ everyPublic(order: [pages_ASC]) { count } }',
        'mutation { addPublic(input: { fields: { note: "no" } }) { clientMutationId } }',
        `mutation { updateGqlPublic(input: { id: "${ids.pub}", fields: { title: "no" } }) { clientMutationId } }`,
        `mutation { deleteGqlPublic(input: { id: "${ids.pub}" }) { clientMutationId } }`,
        'mutation { createGqlPublic(input: { fields: { title: "x" } }) { clientMutationId } }',
      ]) {
        const result = await rawGraphQL(target, { query }, { sessionToken: token });
        assert.equal(result.status, 400, `${query}: ${JSON.stringify(result.body)}`);
      }
      // Back to the whole API: `{}` is a config too.
      assert.equal((await putConfig({})).status, 200);
      const whole = await master().request<{ gqlPublics: { count: number } }>('{ gqlPublics { count } }');
      assert.equal(whole.gqlPublics.count, 2);
    });
  });
}
