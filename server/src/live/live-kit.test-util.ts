import assert from 'node:assert/strict';
import type { CloudRegistry } from '../cloud/index.js';
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

  /** A new user (the sign-up must succeed): its objectId and session token. */
  readonly signUp = async (body: Json): Promise<{ id: string; token: string }> => {
    const answer = await this.server().call({ method: 'POST', path: '/users', body });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    const user = answer.body as Json;
    return { id: user['objectId'] as string, token: user['sessionToken'] as string };
  };

  readonly closeAll = async (): Promise<void> => {
    await Promise.all(this.clients.map((c) => c.close()));
  };
}

/**
 * Counts the finds core runs on `className` with a beforeFind trigger (include look-ups and sub-query
 * re-queries run it, as a REST find does): pass `cloudSetup` to the server, read `count()`.
 */
export function countFinds(className: string): { count: () => number; cloudSetup: (registry: CloudRegistry) => void } {
  let finds = 0;
  return {
    count: () => finds,
    cloudSetup: (registry) => {
      registry.defineTrigger({
        triggerName: 'beforeFind',
        className,
        handler: () => {
          finds++;
          return Promise.resolve(undefined);
        },
        source: 'strata',
      });
    },
  };
}
