import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ipcCluster } from '../testing/ipc-cluster.test-util.js';
import { CLIENT_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';
import { RawLiveClient } from './live-client.test-util.js';

type Json = Record<string, unknown>;

// LiveQuery resume (issue 14 item 6; across servers over Redis: live-resume-servers.test.ts) between the workers of `strata start --workers N` (no Redis): the same hand-off over the cluster's IPC pub/sub,
// whose primary relays the messages (`IpcRelay`, as main-cluster.ts uses it). Two apps in this process stand for two
// workers; the relay's messages go between them asynchronously, as over IPC, without processes.
describe('LiveQuery resume between cluster workers (IPC pub/sub, no Redis)', () => {
  let dir: string;
  const workers: TestServer[] = [];
  const clients: RawLiveClient[] = [];
  const appId = `resume-ipc-${randomBytes(6).toString('hex')}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-live-resume-ipc-'));
    for (const pubsub of ipcCluster(2).workers) {
      workers.push(await startTestServer({ databaseURI: `sqlite:${join(dir, 'shared.db')}`, appId, pubsub }));
    }
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(workers.map((worker) => worker.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a client that reconnects to the other worker resumes there: every event once, in order', async () => {
    const [one, two] = workers as [TestServer, TestServer];
    const open = async (worker: TestServer): Promise<RawLiveClient> => {
      const c = await RawLiveClient.open(`${worker.url}/parse`);
      clients.push(c);
      await c.connect({ applicationId: appId, javascriptKey: CLIENT_KEY });
      return c;
    };
    const write = async (n: number): Promise<void> => {
      const created = await one.call({
        method: 'POST',
        path: '/classes/Note',
        headers: { 'X-Parse-Application-Id': appId },
        body: { n },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    };
    const first = await open(one);
    const answer = await first.subscribe(1, { className: 'Note', where: {} });
    assert.equal(answer.op, 'subscribed');
    await write(1);
    await first.next((f) => f.op === 'create' && f['seq'] === 1);
    first.socket.terminate();
    for (let n = 2; n <= 4; n++) await write(n);
    const second = await open(two);
    const from = second.frames.length;
    const resumed = await second.subscribe(
      1,
      { className: 'Note', where: {} },
      { resume: { subscriptionId: answer['subscriptionId'] as string, seq: 1 } },
    );
    assert.equal(resumed.op, 'subscribed', JSON.stringify(second.frames.slice(from)));
    await write(5);
    await second.next((f) => f.op === 'create' && f['seq'] === 5, { from });
    assert.ok(!second.frames.slice(from).some((f) => f.op === 'resync'), 'no resync');
    assert.deepEqual(
      second.frames
        .slice(from)
        .filter((f) => f.op === 'create')
        .map((f) => [f['seq'], (f['object'] as Json)['n']]),
      [
        [2, 2],
        [3, 3],
        [4, 4],
        [5, 5],
      ],
    );
  });
});
