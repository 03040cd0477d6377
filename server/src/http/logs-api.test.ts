import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LogBuffer, createLogger } from '../infra/index.js';
import { startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

describe('GET /scriptlog and /serverInfo', () => {
  let server: TestServer;
  before(async () => {
    const logs = new LogBuffer();
    server = await startTestServer({
      readOnlyMasterKey: 'logs-ro-key',
      logs,
      logger: createLogger({ level: 'info', destination: { write: () => undefined }, buffer: logs }),
    });
  });
  after(() => server.close());

  it('answers the recent log lines, request log lines included, newest first', async () => {
    const probe = await server.call({ path: '/classes/LogProbe/missing-id', headers: { 'X-Request-Id': 'probe-1' } });
    assert.equal(probe.status, 404);
    const logs = await server.call({ path: '/scriptlog?level=info&size=50', master: true });
    assert.equal(logs.status, 200);
    const entries = logs.body as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(entries) && entries.length > 0);
    const line = entries.find((e) => e['requestId'] === 'probe-1');
    assert.ok(line !== undefined, 'the request log line of the probe is there');
    assert.equal(typeof line['timestamp'], 'string');
    assert.equal(typeof line['message'], 'string');
    const times = entries.map((e) => Date.parse(String(e['timestamp'])));
    assert.deepEqual(
      [...times].sort((a, b) => b - a),
      times,
    );
    const byId = await server.call({ path: '/scriptlog?requestId=probe-1', master: true });
    assert.ok((byId.body as unknown[]).length >= 1);
    assert.ok((byId.body as Array<Record<string, unknown>>).every((e) => e['requestId'] === 'probe-1'));
    const errorsOnly = await server.call({ path: '/scriptlog?level=error', master: true });
    assert.ok((errorsOnly.body as Array<Record<string, unknown>>).every((e) => e['level'] === 'error'));
  });

  it('needs the master key (read-only allowed) and rejects bad parameters with 102', async () => {
    assert.equal((await server.call({ path: '/scriptlog' })).status, 403);
    const readOnly = await server.call({ path: '/scriptlog', headers: { 'X-Parse-Master-Key': 'logs-ro-key' } });
    assert.equal(readOnly.status, 200);
    for (const bad of ['size=0', 'size=abc', 'size=5000', 'level=loud', 'order=up', 'from=not-a-date']) {
      const answer = await server.call({ path: `/scriptlog?${bad}`, master: true });
      assert.equal(answer.status, 400, bad);
      assert.equal((answer.body as { code?: number }).code, 102, bad);
    }
  });

  it('reports the parse-server version it follows and that logs are served', async () => {
    const info = await server.call({ path: '/serverInfo', master: true });
    const body = info.body as {
      parseServerVersion: string;
      strataVersion: string;
      features: { logs: Record<string, boolean> };
    };
    assert.equal(body.parseServerVersion, '9.10.0');
    assert.equal(typeof body.strataVersion, 'string');
    assert.deepEqual(body.features.logs, { level: true, size: true, order: true, until: true, from: true });
  });
});
