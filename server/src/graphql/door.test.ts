import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { capturedLogger, rawUpgrade } from '../testing/door-probes.test-util.js';
import { APP_ID, CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { GraphQLDoor } from './door.js';
import type { GraphQLDoorOptions } from './door.js';

// The GraphQL engine (graphql, graphql-ws, ws, the schema generator) is loaded by the door on the first GraphQL
// request or socket, not at start (cold start, issue 17 item 5). These tests hold it to: nothing loads before
// GraphQL is asked for; concurrent first requests and sockets share one load and are all answered; a load that
// fails answers each request with a clear 500, never a hang.

const HEADERS = {
  'Content-Type': 'application/json',
  'X-Parse-Application-Id': APP_ID,
  'X-Parse-REST-API-Key': CLIENT_KEY,
};

/** A graphql-transport-ws socket up to `connection_ack`; resolves with the first message's type. */
function openSocket(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    ws.once('open', () => {
      const payload = { 'X-Parse-Application-Id': APP_ID, 'X-Parse-Javascript-Key': CLIENT_KEY };
      ws.send(JSON.stringify({ type: 'connection_init', payload }));
    });
    ws.once('message', (data: Buffer) => {
      ws.close();
      resolve((JSON.parse(data.toString()) as { type: string }).type);
    });
    ws.once('error', reject);
  });
}

describe('GraphQL door: the engine loads on the first GraphQL request or socket', () => {
  let server: TestServer;
  const log = capturedLogger();

  before(async () => {
    server = await startTestServer({ logger: log.logger });
  });
  after(async () => server.close());

  it('is not loaded by REST traffic, then loads once for concurrent first requests and sockets', async () => {
    const created = await server.call({ method: 'POST', path: '/classes/DoorItem', body: { n: 1 } });
    assert.equal(created.status, 201);
    assert.equal((await server.call({ path: '/classes/DoorItem' })).status, 200);
    assert.equal(log.count('GraphQL engine loaded'), 0);

    const queries = Array.from({ length: 6 }, async () => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ query: '{ health doorItems { count } }' }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    });
    const sockets = Array.from({ length: 3 }, () => openSocket(server.url));
    const [answers, acks] = await Promise.all([Promise.all(queries), Promise.all(sockets)]);
    for (const answer of answers) {
      assert.deepEqual(answer, { status: 200, body: { data: { health: true, doorItems: { count: 1 } } } });
    }
    assert.deepEqual(acks, ['connection_ack', 'connection_ack', 'connection_ack']);
    assert.equal(log.count('GraphQL engine loaded'), 1);
  });
});

describe('GraphQL door: an engine that fails to load', () => {
  const log = capturedLogger();
  let loads = 0;
  let http: Server;
  let url = '';

  before(async () => {
    // Nothing of these options is read: the engine they would be given to never loads.
    const door = new GraphQLDoor({
      schema: {} as GraphQLDoorOptions['schema'],
      http: { path: '/graphql' } as GraphQLDoorOptions['http'],
      logger: log.logger,
      load: () => {
        loads += 1;
        return Promise.reject(new Error('Cannot find package graphql'));
      },
    });
    http = createServer((req, res) => door.handle(req, res, { ip: undefined, protocol: 'http', log: log.logger }));
    http.on('upgrade', (req, socket, head: Buffer) => door.upgrade(req, socket, head));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(async () => new Promise<void>((resolve) => http.close(() => resolve())));

  it('answers every request, concurrent ones included, 500 {"code":1}, and logs the cause once', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: HEADERS,
          body: '{"query":"{health}"}',
        });
        return { status: response.status, body: (await response.json()) as unknown };
      }),
    );
    for (const answer of answers) {
      assert.deepEqual(answer, { status: 500, body: { code: 1, message: 'Internal server error.' } });
    }
    assert.equal(loads, 1);
    assert.equal(log.count('GraphQL could not be loaded'), 1);
  });

  it('answers a socket upgrade with HTTP 500 and closes it', async () => {
    const reply = await rawUpgrade((http.address() as AddressInfo).port, '/graphql');
    assert.match(reply, /^HTTP\/1\.1 500 /);
    assert.equal(loads, 1);
  });
});
