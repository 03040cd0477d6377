// Parse's generated GraphQL API through graphql-request, per operation (issue 15): the schema mutations, a
// class's get / find / create / update / delete with every field type, pointers (link, createAndLink) and
// relations (add, remove, createAndAdd), Relay cursors and global ids, users, cloud functions, files, Parse
// Config, and the error and access behaviour (HTTP 200 + extensions.code, 209 as REST's 400, introspection).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ClientError } from 'graphql-request';
import { compatTargets, graphqlClient, graphqlHeaders, graphqlURL, rawGraphQL } from '../helpers/index.js';
import type { CompatTarget } from '../helpers/index.js';

const cloud = fileURLToPath(new URL('./fixtures/graphql-cloud/main.js', import.meta.url));
const suffix = (): string => randomBytes(3).toString('hex');
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

interface Viewer {
  sessionToken: string;
  user: { id: string; objectId: string; username: string };
}

for (const spec of compatTargets({ cloud })) {
  describe(`GraphQL operations [${spec.name}]`, { skip: spec.skip }, () => {
    let target: CompatTarget;
    const master = () => graphqlClient(target, { master: true });
    const client = (sessionToken?: string) => graphqlClient(target, sessionToken === undefined ? {} : { sessionToken });
    const author = `GqlAuthor${suffix()}`;
    const book = `GqlBook${suffix()}`;
    const Author = author;
    const authorSingle = author.charAt(0).toLowerCase() + author.slice(1);
    const Book = book;
    const bookSingle = book.charAt(0).toLowerCase() + book.slice(1);

    before(async () => {
      target = await spec.start();
      await master().request(
        `mutation { createClass(input: { name: "${author}", schemaFields: { addStrings: [{ name: "name" }], addNumbers: [{ name: "born" }] } }) { class { name } } }`,
      );
      await master().request(
        `mutation ($input: ClassInput!) { createClass(input: $input) { class { name schemaFields { name ... on SchemaPointerField { targetClassName } } } } }`,
        {
          input: {
            name: book,
            schemaFields: {
              addStrings: [{ name: 'title' }],
              addNumbers: [{ name: 'pages' }],
              addBooleans: [{ name: 'published' }],
              addDates: [{ name: 'releasedAt' }],
              addArrays: [{ name: 'tags' }],
              addObjects: [{ name: 'meta' }],
              addGeoPoint: { name: 'location' },
              addBytes: [{ name: 'blob' }],
              addFiles: [{ name: 'cover' }],
              addPointers: [{ name: 'author', targetClassName: author }],
              addRelations: [{ name: 'readers', targetClassName: '_User' }],
            },
          },
        },
      );
    });
    after(async () => {
      await target?.close();
    });

    it("health answers true, GET works too, and a wrong app id is REST's bare 403", async () => {
      assert.deepEqual(await client().request('{ health }'), { health: true });
      const get = await fetch(`${graphqlURL(target)}?query=${encodeURIComponent('{ health }')}`, {
        headers: graphqlHeaders(target),
      });
      assert.equal(get.status, 200);
      assert.deepEqual(await get.json(), { data: { health: true } });
      const wrong = await rawGraphQL(
        target,
        { query: '{ health }' },
        { headers: { 'X-Parse-Application-Id': 'nope' } },
      );
      assert.equal(wrong.status, 403);
      assert.deepEqual(wrong.body, { error: 'unauthorized' });
    });

    it('class and classes show the schema to the master key only', async () => {
      const data = await master().request<{
        class: { name: string; schemaFields: { name: string; targetClassName?: string }[] };
      }>(
        `query ($name: String!) { class(name: $name) { name schemaFields { name ... on SchemaPointerField { targetClassName } } } }`,
        { name: book },
      );
      assert.equal(data.class.name, book);
      assert.deepEqual(
        data.class.schemaFields.find((f) => f.name === 'author'),
        { name: 'author', targetClassName: author },
      );
      const listed = await master().request<{ classes: { name: string }[] }>('{ classes { name } }');
      assert.ok(listed.classes.some((c) => c.name === author));
      const refused = await rawGraphQL(target, { query: '{ classes { name } }' });
      assert.equal(refused.status, 200);
      assert.equal(refused.body.errors?.[0]?.extensions?.['code'], 119);
    });

    it('create with every field type, then get by global id, objectId and node(id)', async () => {
      const created = await client().request<Record<string, { [k: string]: unknown }>>(
        `mutation ($fields: Create${Book}FieldsInput) {
          create${Book}(input: { fields: $fields, clientMutationId: "m1" }) {
            clientMutationId
            ${bookSingle} { id objectId title pages published releasedAt meta blob
              tags { ... on Element { value } }
              location { latitude longitude }
              author { objectId name born }
              ACL { public { read write } }
            }
          }
        }`,
        {
          fields: {
            title: 'Dune',
            pages: 412.5,
            published: true,
            releasedAt: '1965-08-01T00:00:00.000Z',
            tags: ['sf', 3, { deep: true }],
            meta: { isbn: '978', nested: { n: 1 } },
            location: { latitude: 10, longitude: 20 },
            blob: b64('bytes!'),
            author: { createAndLink: { name: 'Herbert', born: 1920 } },
          },
        },
      );
      const payload = created[`create${Book}`] as { clientMutationId: string; [k: string]: unknown };
      assert.equal(payload.clientMutationId, 'm1');
      const obj = payload[bookSingle] as Record<string, unknown>;
      assert.equal(obj['title'], 'Dune');
      assert.equal(obj['pages'], 412.5);
      assert.equal(obj['published'], true);
      assert.equal(obj['releasedAt'], '1965-08-01T00:00:00.000Z');
      assert.deepEqual(obj['tags'], [{ value: 'sf' }, { value: 3 }, { value: { deep: true } }]);
      assert.deepEqual(obj['meta'], { isbn: '978', nested: { n: 1 } });
      assert.deepEqual(obj['location'], { latitude: 10, longitude: 20 });
      assert.equal(obj['blob'], b64('bytes!'));
      assert.deepEqual((obj['author'] as Record<string, unknown>)['name'], 'Herbert');
      assert.deepEqual(obj['ACL'], { public: { read: true, write: true } });
      const objectId = obj['objectId'] as string;
      assert.equal(obj['id'], b64(`${book}:${objectId}`));

      for (const id of [obj['id'] as string, objectId]) {
        const got = await client().request<Record<string, { title: string }>>(
          `query ($id: ID!) { ${bookSingle}(id: $id) { title } }`,
          { id },
        );
        assert.equal(got[bookSingle]?.title, 'Dune');
      }
      const node = await client().request<{ node: { __typename: string; title: string } }>(
        `query ($id: ID!) { node(id: $id) { __typename ... on ${Book} { title } } }`,
        { id: obj['id'] },
      );
      assert.deepEqual(node.node, { __typename: Book, title: 'Dune' });
    });

    it('find: where per type, pointer have, order, first / after cursors, skip and count', async () => {
      const herbert = await client().request<Record<string, Record<string, { objectId: string }>>>(
        `mutation { create${Author}(input: { fields: { name: "Le Guin" } }) { ${authorSingle} { objectId } } }`,
      );
      const leGuinId = herbert[`create${Author}`]?.[authorSingle]?.objectId as string;
      for (let i = 0; i < 5; i += 1) {
        await client().request(
          `mutation ($f: Create${Book}FieldsInput) { create${Book}(input: { fields: $f }) { clientMutationId } }`,
          { f: { title: `Earthsea ${i}`, pages: 100 + i, tags: ['fantasy'], author: { link: leGuinId } } },
        );
      }
      type Page = Record<
        string,
        {
          count: number;
          edges: { cursor: string; node: { title: string; pages: number } }[];
          pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string };
        }
      >;
      const plural = `${bookSingle}s`;
      const first = await client().request<Page>(
        `query ($where: ${Book}WhereInput) { ${plural}(where: $where, order: [pages_DESC], first: 2) {
          count edges { cursor node { title pages } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
        { where: { author: { have: { name: { equalTo: 'Le Guin' } } }, pages: { greaterThanOrEqualTo: 101 } } },
      );
      const page = first[plural];
      assert.ok(page);
      assert.equal(page.count, 4);
      assert.deepEqual(
        page.edges.map((e) => e.node.pages),
        [104, 103],
      );
      assert.deepEqual(
        page.edges.map((e) => e.cursor),
        [b64('arrayconnection:0'), b64('arrayconnection:1')],
      );
      assert.deepEqual(page.pageInfo, {
        hasNextPage: true,
        hasPreviousPage: false,
        endCursor: b64('arrayconnection:1'),
      });
      const next = await client().request<Page>(
        `query ($after: String) { ${plural}(where: { title: { matchesRegex: "^Earthsea" } }, order: [pages_DESC], first: 10, after: $after) {
          edges { cursor node { pages } } pageInfo { hasNextPage hasPreviousPage } } }`,
        { after: page.pageInfo.endCursor },
      );
      assert.deepEqual(
        next[plural]?.edges.map((e) => e.node.pages),
        [102, 101, 100],
      );
      assert.deepEqual(next[plural]?.edges.map((e) => e.cursor)[0], b64('arrayconnection:2'));
      assert.deepEqual(next[plural]?.pageInfo, { hasNextPage: false, hasPreviousPage: true });
      const skipped = await client().request<Page>(
        `{ ${plural}(where: { title: { in: ["Earthsea 0", "Earthsea 4", "nope"] } }, order: [pages_ASC], skip: 1) { edges { node { pages } } } }`,
      );
      assert.deepEqual(
        skipped[plural]?.edges.map((e) => e.node.pages),
        [104],
      );
      const arrays = await client().request<Page>(
        `{ ${plural}(where: { tags: { contains: ["fantasy"] }, OR: [{ pages: { equalTo: 100 } }, { pages: { equalTo: 103 } }] }, order: [pages_ASC]) { count edges { node { pages } } } }`,
      );
      assert.deepEqual(
        arrays[plural]?.edges.map((e) => e.node.pages),
        [100, 103],
      );
      assert.equal(arrays[plural]?.count, 2);
    });

    it('update sets and unsets fields, adds / removes / creates relation members; delete answers the object', async () => {
      const user = await client().request<{ signUp: { viewer: Viewer } }>(
        `mutation ($f: CreateUserFieldsInput) { signUp(input: { fields: $f }) { viewer { sessionToken user { objectId username } } } }`,
        { f: { username: `reader_${suffix()}`, password: 'pw' } },
      );
      const readerId = user.signUp.viewer.user.objectId;
      const created = await client().request<Record<string, Record<string, { id: string }>>>(
        `mutation { create${Book}(input: { fields: { title: "Solaris", pages: 200 } }) { ${bookSingle} { id } } }`,
      );
      const id = created[`create${Book}`]?.[bookSingle]?.id as string;
      // Users are not publicly readable: the master key reads the relation back.
      const updated = await master().request<Record<string, Record<string, Record<string, unknown>>>>(
        `mutation ($id: ID!, $f: Update${Book}FieldsInput) { update${Book}(input: { id: $id, fields: $f }) {
          ${bookSingle} { title pages readers { count edges { node { objectId username } } } } } }`,
        {
          id,
          f: {
            title: 'Solaris (1961)',
            pages: null,
            readers: { add: [readerId], createAndAdd: [{ username: `new_${suffix()}`, password: 'pw' }] },
          },
        },
      );
      const after1 = updated[`update${Book}`]?.[bookSingle] as {
        title: string;
        pages: null;
        readers: { count: number };
      };
      assert.equal(after1.title, 'Solaris (1961)');
      assert.equal(after1.pages, null);
      assert.equal(after1.readers.count, 2);
      const removed = await master().request<
        Record<string, Record<string, { readers: { count: number; edges: { node: { objectId: string } }[] } }>>
      >(
        `mutation ($id: ID!, $r: ID!) { update${Book}(input: { id: $id, fields: { readers: { remove: [$r] } } }) {
          ${bookSingle} { readers { count edges { node { objectId } } } } } }`,
        { id, r: readerId },
      );
      assert.equal(removed[`update${Book}`]?.[bookSingle]?.readers.count, 1);
      const deleted = await client().request<Record<string, Record<string, { title: string }>>>(
        `mutation ($id: ID!) { delete${Book}(input: { id: $id }) { ${bookSingle} { title } } }`,
        { id },
      );
      assert.equal(deleted[`delete${Book}`]?.[bookSingle]?.title, 'Solaris (1961)');
      const gone = await rawGraphQL(target, {
        query: `query ($id: ID!) { ${bookSingle}(id: $id) { title } }`,
        variables: { id },
      });
      assert.equal(gone.status, 200);
      assert.equal(gone.body.errors?.[0]?.extensions?.['code'], 101);
      assert.equal(gone.body.errors?.[0]?.message, 'Object not found.');
    });

    it("users: signUp, logIn, viewer, logOut; a revoked token is REST's 400 {code:209}; viewer without a session is 209", async () => {
      const username = `ann_${suffix()}`;
      const signed = await client().request<{ signUp: { viewer: Viewer } }>(
        `mutation ($u: String!) { signUp(input: { fields: { username: $u, password: "secret" } }) { viewer { sessionToken user { id username } } } }`,
        { u: username },
      );
      assert.equal(signed.signUp.viewer.user.username, username);
      const logged = await client().request<{ logIn: { viewer: Viewer } }>(
        `mutation ($u: String!) { logIn(input: { username: $u, password: "secret" }) { viewer { sessionToken user { username } } } }`,
        { u: username },
      );
      const token = logged.logIn.viewer.sessionToken;
      const me = await client(token).request<{ viewer: Viewer }>('{ viewer { sessionToken user { username } } }');
      assert.equal(me.viewer.user.username, username);
      assert.equal(me.viewer.sessionToken, token);
      const anonymous = await rawGraphQL(target, { query: '{ viewer { sessionToken } }' });
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.body.errors?.[0]?.extensions?.['code'], 209);
      const wrongPassword = await rawGraphQL(target, {
        query: `mutation { logIn(input: { username: "${username}", password: "nope" }) { viewer { sessionToken } } }`,
      });
      assert.equal(wrongPassword.body.errors?.[0]?.extensions?.['code'], 101);
      const out = await client(token).request<{ logOut: { ok: boolean } }>('mutation { logOut(input: {}) { ok } }');
      assert.equal(out.logOut.ok, true);
      const revoked = await rawGraphQL(target, { query: '{ health }' }, { sessionToken: token });
      assert.equal(revoked.status, 400);
      assert.deepEqual(revoked.body, { code: 209, error: 'Invalid session token' });
    });

    it("another user's updateUser and deleteUser answer 206; one's own update works", async () => {
      const sign = async (name: string) =>
        (
          await client().request<{ signUp: { viewer: Viewer } }>(
            `mutation ($u: String!) { signUp(input: { fields: { username: $u, password: "pw" } }) { viewer { sessionToken user { id objectId username } } } }`,
            { u: `${name}_${suffix()}` },
          )
        ).signUp.viewer;
      const alice = await sign('alice');
      const bob = await sign('bob');
      const hijack = await rawGraphQL(
        target,
        {
          query:
            'mutation ($id: ID!) { updateUser(input: { id: $id, fields: { email: "x@example.com" } }) { user { id } } }',
          variables: { id: alice.user.id },
        },
        { sessionToken: bob.sessionToken },
      );
      assert.equal(hijack.body.errors?.[0]?.extensions?.['code'], 206);
      const destroy = await rawGraphQL(
        target,
        {
          query: 'mutation ($id: ID!) { deleteUser(input: { id: $id }) { user { id } } }',
          variables: { id: alice.user.id },
        },
        { sessionToken: bob.sessionToken },
      );
      assert.equal(destroy.body.errors?.[0]?.extensions?.['code'], 206);
      const own = await client(alice.sessionToken).request<{ updateUser: { user: { email: string } } }>(
        'mutation ($id: ID!) { updateUser(input: { id: $id, fields: { email: "alice@example.com" } }) { user { email } } }',
        { id: alice.user.id },
      );
      assert.equal(own.updateUser.user.email, 'alice@example.com');
    });

    it('callCloudCode runs a registered function by enum name; its Parse.Error keeps its code', async () => {
      const hello = await client().request<{ callCloudCode: { result: string } }>(
        'mutation { callCloudCode(input: { functionName: hello, params: { name: "graph" } }) { result } }',
      );
      assert.equal(hello.callCloudCode.result, 'Hello graph');
      const failed = await rawGraphQL(target, {
        query: 'mutation { callCloudCode(input: { functionName: fail }) { result } }',
      });
      assert.equal(failed.status, 200);
      assert.equal(failed.body.errors?.[0]?.extensions?.['code'], 102);
      assert.equal(failed.body.errors?.[0]?.message, 'That request makes no sense.');
      const unknown = await rawGraphQL(target, {
        query: 'mutation { callCloudCode(input: { functionName: nope }) { result } }',
      });
      assert.equal(unknown.status, 400);
    });

    it('createFile takes a multipart upload; the file links to an object through FileInput', async () => {
      // Logged-in users may upload (Parse's default); the public may not.
      const uploader = await client().request<{ signUp: { viewer: Viewer } }>(
        `mutation ($u: String!) { signUp(input: { fields: { username: $u, password: "pw" } }) { viewer { sessionToken } } }`,
        { u: `uploader_${suffix()}` },
      );
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({
          query: 'mutation ($file: Upload!) { createFile(input: { upload: $file }) { fileInfo { name url } } }',
          variables: { file: null },
        }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', new Blob(['hello file'], { type: 'text/plain' }), 'note.txt');
      const response = await fetch(graphqlURL(target), {
        method: 'POST',
        headers: graphqlHeaders(target, { sessionToken: uploader.signUp.viewer.sessionToken }),
        body: form,
      });
      const body = (await response.json()) as { data: { createFile: { fileInfo: { name: string; url: string } } } };
      assert.equal(response.status, 200, JSON.stringify(body));
      const info = body.data.createFile.fileInfo;
      assert.match(info.name, /note\.txt$/);
      assert.equal(await (await fetch(info.url)).text(), 'hello file');
      const linked = await client().request<Record<string, Record<string, { cover: { name: string; url: string } }>>>(
        `mutation ($f: Create${Book}FieldsInput) { create${Book}(input: { fields: $f }) { ${bookSingle} { cover { name url } } } }`,
        { f: { title: 'With cover', cover: { file: { __type: 'File', name: info.name } } } },
      );
      assert.equal(linked[`create${Book}`]?.[bookSingle]?.cover.name, info.name);
      assert.equal(linked[`create${Book}`]?.[bookSingle]?.cover.url, info.url);
    });

    it('cloudConfig and updateCloudConfig: master key only', async () => {
      await master().request(
        'mutation { updateCloudConfig(input: { paramName: "gqlFlag", value: { on: true }, isMasterKeyOnly: false }) { cloudConfig { value } } }',
      );
      const read = await master().request<{ cloudConfig: { value: unknown; isMasterKeyOnly: boolean } }>(
        '{ cloudConfig(paramName: "gqlFlag") { value isMasterKeyOnly } }',
      );
      assert.deepEqual(read.cloudConfig, { value: { on: true }, isMasterKeyOnly: false });
      const refused = await rawGraphQL(target, { query: '{ cloudConfig(paramName: "gqlFlag") { value } }' });
      assert.equal(refused.body.errors?.[0]?.extensions?.['code'], 119);
      const write = await rawGraphQL(target, {
        query: 'mutation { updateCloudConfig(input: { paramName: "gqlFlag", value: 1 }) { cloudConfig { value } } }',
      });
      assert.equal(write.body.errors?.[0]?.extensions?.['code'], 119);
    });

    it('introspection is 403 without the master key; __typename is allowed; no "Did you mean" hints for clients', async () => {
      const probe = await rawGraphQL(target, { query: '{ __schema { types { name } } }' });
      assert.equal(probe.status, 403);
      assert.equal(probe.body.errors?.[0]?.message, 'Introspection is not allowed');
      const typeProbe = await rawGraphQL(target, { query: `{ __type(name: "${Book}") { fields { name } } }` });
      assert.equal(typeProbe.status, 403);
      const allowed = await master().request<{ __schema: { types: { name: string }[] } }>(
        '{ __schema { types { name } } }',
      );
      assert.ok(allowed.__schema.types.some((t) => t.name === Book));
      assert.deepEqual(await client().request('{ __typename health }'), { __typename: 'Query', health: true });
      const typo = await rawGraphQL(target, { query: `{ ${bookSingle}s { edges { node { titel } } } }` });
      assert.equal(typo.status, 400);
      assert.ok(typo.body.errors?.[0]?.message.includes('titel'));
      assert.ok(!typo.body.errors?.[0]?.message.includes('Did you mean'), typo.body.errors?.[0]?.message);
      const masterTypo = await rawGraphQL(
        target,
        { query: `{ ${bookSingle}s { edges { node { titel } } } }` },
        { master: true },
      );
      assert.ok(masterTypo.body.errors?.[0]?.message.includes('Did you mean'));
    });

    it('a client error from graphql-request carries the Parse code in extensions', async () => {
      await assert.rejects(
        client().request(
          `mutation { update${Book}(input: { id: "nope", fields: { title: "x" } }) { clientMutationId } }`,
        ),
        (err: unknown) => {
          assert.ok(err instanceof ClientError);
          assert.equal(err.response.status, 200);
          assert.equal(err.response.errors?.[0]?.extensions?.['code'], 101);
          return true;
        },
      );
    });

    it('last / before page backwards from the end; a Polygon is returned closed and found by geoIntersects', async (t) => {
      const shape = `GqlShape${suffix()}`;
      await master().request(
        `mutation { createClass(input: { name: "${shape}", schemaFields: { addNumbers: [{ name: "n" }], addPolygons: [{ name: "area" }] } }) { class { name } } }`,
      );
      const single = shape.charAt(0).toLowerCase() + shape.slice(1);
      for (let n = 1; n <= 5; n += 1) {
        await client().request(`mutation { create${shape}(input: { fields: { n: ${n} } }) { clientMutationId } }`);
      }
      type Page = Record<
        string,
        {
          edges: { cursor: string; node: { n: number } }[];
          pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean };
        }
      >;
      const plural = `${single}s`;
      const last = await client().request<Page>(
        `{ ${plural}(order: [n_ASC], last: 2) { edges { cursor node { n } } pageInfo { hasPreviousPage hasNextPage } } }`,
      );
      assert.deepEqual(
        last[plural]?.edges.map((e) => e.node.n),
        [4, 5],
      );
      assert.deepEqual(
        last[plural]?.edges.map((e) => e.cursor),
        [b64('arrayconnection:3'), b64('arrayconnection:4')],
      );
      assert.equal(last[plural]?.pageInfo.hasPreviousPage, true);
      const before = await client().request<Page>(
        `query ($before: String) { ${plural}(order: [n_ASC], before: $before, last: 2) { edges { node { n } } } }`,
        { before: b64('arrayconnection:3') },
      );
      assert.deepEqual(
        before[plural]?.edges.map((e) => e.node.n),
        [2, 3],
      );

      if (target.nestedArraysUnsupported !== undefined) {
        t.diagnostic(`Polygon part skipped: ${target.nestedArraysUnsupported}`);
        return;
      }
      const ring = [
        { latitude: 0, longitude: 0 },
        { latitude: 0, longitude: 10 },
        { latitude: 10, longitude: 10 },
        { latitude: 10, longitude: 0 },
      ];
      const made = await client().request<
        Record<string, Record<string, { area: { latitude: number; longitude: number }[] }>>
      >(
        `mutation ($area: [GeoPointInput!]) { create${shape}(input: { fields: { n: 99, area: $area } }) { ${single} { area { latitude longitude } } } }`,
        { area: ring },
      );
      const area = made[`create${shape}`]?.[single]?.area;
      assert.deepEqual(area, [...ring, ring[0]], 'returned closed');
      const hit = await client().request<Page>(
        `{ ${plural}(where: { area: { geoIntersects: { point: { latitude: 5, longitude: 5 } } } }) { edges { node { n } } } }`,
      );
      assert.deepEqual(
        hit[plural]?.edges.map((e) => e.node.n),
        [99],
      );
      const miss = await client().request<Page>(
        `{ ${plural}(where: { area: { geoIntersects: { point: { latitude: 50, longitude: 50 } } } }) { edges { node { n } } } }`,
      );
      assert.deepEqual(miss[plural]?.edges, []);
    });
  });
}
