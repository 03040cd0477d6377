import assert from 'node:assert/strict';
import { APP_ID, CLIENT_KEY } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

type Json = Record<string, unknown>;

export const pointer = (className: string, objectId: string): Json => ({ __type: 'Pointer', className, objectId });

/**
 * What the LiveQuery suites each wrote for themselves: connected raw clients (closed together at the end) and
 * master-key writes that must succeed. `server` is read when called, so a suite can build the kit before its
 * `before` starts the server.
 */
export class LiveTestKit {
  readonly clients: RawLiveClient[] = [];

  constructor(private readonly server: () => TestServer) {}

  /** A raw client connected with the client key (plus `fields`, e.g. a sessionToken). */
  readonly client = async (fields: Json = {}): Promise<RawLiveClient> => {
    const c = await RawLiveClient.open(`${this.server().url}/parse`);
    this.clients.push(c);
    await c.connect({ applicationId: APP_ID, javascriptKey: CLIENT_KEY, ...fields });
    return c;
  };

  readonly create = async (className: string, body: Json): Promise<string> => {
    const answer = await this.server().call({ method: 'POST', path: `/classes/${className}`, body, master: true });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return (answer.body as Json)['objectId'] as string;
  };

  readonly update = async (className: string, id: string, body: Json): Promise<void> => {
    const answer = await this.server().call({
      method: 'PUT',
      path: `/classes/${className}/${id}`,
      body,
      master: true,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  };

  readonly closeAll = async (): Promise<void> => {
    await Promise.all(this.clients.map((c) => c.close()));
  };
}
