// Jobs as Parse apps use them: `Parse.Cloud.job` in a `--cloud` module, started and watched with the
// official JS SDK (`Parse.Cloud.startJob`, `Parse.Cloud.getJobStatus`).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ParseModule from 'parse/node';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startTestServer } from '../testing/test-server.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

const Parse = ParseModule as unknown as typeof ParseModule.default;

const CLOUD_MAIN = `
Parse.Cloud.job('tally', async (request) => {
  request.message('counting ' + request.params.item);
  const things = await new Parse.Query('Thing').equalTo('item', request.params.item).count({ useMasterKey: true });
  return 'counted ' + things + ' ' + request.params.item;
});
Parse.Cloud.job('refuse', async () => {
  throw new Parse.Error(Parse.Error.SCRIPT_FAILED, 'nothing to do');
});
`;

async function statusOf(id: string): Promise<{ status: string; message: string | undefined }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await Parse.Cloud.getJobStatus(id);
    const status = row.get('status') as string;
    if (status === 'succeeded' || status === 'failed') return { status, message: row.get('message') as string };
    if (Date.now() > deadline) assert.fail(`job ${id} still ${status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Parse.Cloud.job with the official SDK', () => {
  let dir: string;
  let server: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-jobs-parse-'));
    const main = join(dir, 'main.js');
    writeFileSync(main, CLOUD_MAIN);
    server = await startTestServer({ cloud: main });
    Parse.initialize(APP_ID, CLIENT_KEY, MASTER_KEY);
    (Parse as unknown as { serverURL: string }).serverURL = server.mountURL;
    await new Parse.Object('Thing').save({ item: 'apple' }, { useMasterKey: true });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('startJob answers the status id; getJobStatus shows the outcome', async () => {
    const id = await Parse.Cloud.startJob('tally', { item: 'apple' });
    assert.match(String(id), /^[A-Za-z0-9]{10}$/);
    assert.deepEqual(await statusOf(String(id)), { status: 'succeeded', message: 'counted 1 apple' });
  });

  it('a job throwing a Parse.Error is recorded as failed with its message', async () => {
    const id = await Parse.Cloud.startJob('refuse', {});
    assert.deepEqual(await statusOf(String(id)), { status: 'failed', message: 'nothing to do' });
  });

  it('an unknown job is refused with 141 "Invalid job."', async () => {
    await assert.rejects(Parse.Cloud.startJob('missing', {}), (err: unknown) => {
      assert.ok(err instanceof Parse.Error);
      assert.equal(err.code, 141);
      assert.equal(err.message, 'Invalid job.');
      return true;
    });
  });
});
