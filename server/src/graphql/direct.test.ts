/**
 * The common GraphQL request runs without yoga's pipeline (direct.ts, for CPU per request): every answer it
 * gives must be the one yoga gives. Each request below is sent twice, as is (eligible for the direct path) and
 * with an empty `extensions` member (which always goes through yoga); status, media type and body must match,
 * and the debug log says which requests the direct path answered, so a change that silently sends everything
 * to yoga (or nothing) fails here too.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../infra/index.js';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { regularMediaType } from './direct.js';

interface Sent {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: unknown;
}

describe('GraphQL direct path answers as yoga does', { timeout: 120_000 }, () => {
  let server: TestServer;
  let logged = '';
  const directCount = (): number => logged.split('\n').filter((line) => line.includes('"graphql":"direct"')).length;
  let ownerId = '';

  before(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    server = await startTestServer({ logger: createLogger({ level: 'debug', destination }) });
    const owner = await server.call({ method: 'POST', path: '/classes/DirectOwner', body: { name: 'ada', tier: 2 } });
    ownerId = (owner.body as { objectId: string }).objectId;
    for (let i = 0; i < 5; i++) {
      await server.call({
        method: 'POST',
        path: '/classes/DirectItem',
        body: {
          score: i,
          name: `item-${i}`,
          owner: { __type: 'Pointer', className: 'DirectOwner', objectId: ownerId },
        },
      });
    }
  });
  after(async () => server.close());

  async function send(body: Record<string, unknown>, options: { master?: boolean; accept?: string }): Promise<Sent> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Parse-Application-Id': APP_ID,
        ...(options.master === true ? { 'X-Parse-Master-Key': MASTER_KEY } : { 'X-Parse-REST-API-Key': CLIENT_KEY }),
        ...(options.accept === undefined ? {} : { Accept: options.accept }),
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as text
    }
    return { status: response.status, contentType: response.headers.get('content-type'), body: parsed };
  }

  /** Sends `body` both ways; returns the direct one after checking it equals yoga's. */
  async function same(
    body: Record<string, unknown>,
    options: { master?: boolean; accept?: string; direct: boolean },
  ): Promise<Sent> {
    const before = directCount();
    const direct = await send(body, options);
    assert.equal(directCount() - before, options.direct ? 1 : 0, `direct path taken: ${JSON.stringify(body)}`);
    const viaYoga = await send({ ...body, extensions: {} }, options);
    assert.equal(directCount() - before, options.direct ? 1 : 0, 'a request with extensions never goes direct');
    assert.deepEqual(direct, viaYoga, JSON.stringify(body));
    return direct;
  }

  const PAGE = `query Page($low: Float!) {
    directItems(where: { score: { greaterThanOrEqualTo: $low } }, order: [score_DESC], first: 3) {
      count edges { cursor node { objectId score name owner { objectId name tier } } } pageInfo { hasNextPage }
    }
  }`;

  it('a page with a nested pointer, variables, every Accept form', async () => {
    const page = await same({ query: PAGE, variables: { low: 1 } }, { direct: true });
    assert.equal(page.status, 200);
    assert.equal(page.contentType, 'application/json; charset=utf-8');
    const edges = (page.body as { data: { directItems: { edges: { node: { score: number; owner: unknown } }[] } } })
      .data.directItems.edges;
    assert.deepEqual(
      edges.map((edge) => edge.node.score),
      [4, 3, 2],
    );
    assert.deepEqual(edges[0]?.node.owner, { objectId: ownerId, name: 'ada', tier: 2 });
    for (const accept of [
      'application/json',
      'application/graphql-response+json',
      'application/graphql-response+json, application/json',
      'application/json;q=0.9, application/graphql-response+json',
      '*/*',
      'application/*',
    ]) {
      await same({ query: PAGE, variables: { low: 3 } }, { accept, direct: true });
    }
    const official = await same(
      { query: PAGE, variables: { low: 0 } },
      { accept: 'application/graphql-response+json', direct: true },
    );
    assert.equal(official.contentType, 'application/graphql-response+json; charset=utf-8');
  });

  it('resolver errors (Parse codes, HTTP 200), operation names, mutations', async () => {
    const missing = await same({ query: '{ directItem(id: "nope") { objectId } }' }, { direct: true });
    assert.equal(missing.status, 200);
    assert.equal((missing.body as { errors: { extensions: { code: number } }[] }).errors[0]?.extensions.code, 101);
    await same({ query: '{ directItem(id: "nope") { objectId } }' }, { master: true, direct: true });
    const twoOps = 'query A { directItems { count } } query B { directOwners { count } }';
    const b = await same({ query: twoOps, operationName: 'B' }, { direct: true });
    assert.deepEqual(b.body, { data: { directOwners: { count: 1 } } });
    await same({ query: '{ directItems { count } }', variables: null, operationName: null }, { direct: true });
    const update = await same(
      {
        query: 'mutation { updateDirectItem(input: { id: "nope", fields: { score: 1 } }) { directItem { objectId } } }',
      },
      { direct: true },
    );
    assert.equal((update.body as { errors: { extensions: { code: number } }[] }).errors[0]?.extensions.code, 101);
    const before = directCount();
    const created = await send(
      { query: 'mutation { createDirectItem(input: { fields: { score: 99 } }) { directItem { score } } }' },
      {},
    );
    assert.deepEqual(created.body, { data: { createDirectItem: { directItem: { score: 99 } } } });
    assert.equal(directCount() - before, 1);
  });

  it('requests that fail before running, and introspection, are yoga’s', async () => {
    const syntax = await same({ query: '{ directItems { ' }, { direct: false });
    assert.equal(syntax.status, 400);
    const unknownField = await same({ query: '{ directItemz { count } }' }, { direct: false });
    assert.equal(unknownField.status, 400);
    assert.doesNotMatch(JSON.stringify(unknownField.body), /Did you mean/);
    await same({ query: PAGE, variables: { low: 'high' } }, { direct: false });
    await same({ query: PAGE }, { direct: false });
    await same({ query: '{ directItems { count } }', operationName: 'Nope' }, { direct: false });
    const introspection = '{ __schema { queryType { name } } }';
    const refused = await same({ query: introspection }, { direct: false });
    assert.equal(refused.status, 403);
    const master = await same({ query: introspection }, { master: true, direct: true });
    assert.deepEqual(master.body, { data: { __schema: { queryType: { name: 'Query' } } } });
    await same({ query: PAGE, variables: { low: 1 } }, { accept: 'text/event-stream', direct: false });
    await same({ query: PAGE, variables: { low: 1 } }, { accept: 'application/json; charset=latin1', direct: false });
  });
});

describe('regularMediaType (yoga’s choice of answer type)', () => {
  it('follows the Accept order, prefers application/json within one entry, utf-8 only', () => {
    assert.equal(regularMediaType(undefined), 'application/json');
    assert.equal(regularMediaType('application/graphql-response+json'), 'application/graphql-response+json');
    assert.equal(regularMediaType('application/json, application/graphql-response+json'), 'application/json');
    assert.equal(
      regularMediaType('application/graphql-response+json, application/json'),
      'application/graphql-response+json',
    );
    assert.equal(regularMediaType('application/*'), 'application/json');
    assert.equal(regularMediaType('text/event-stream'), undefined);
    assert.equal(regularMediaType('application/json; charset=latin1'), undefined);
  });
});
