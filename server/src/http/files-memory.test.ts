// A 500 MB upload keeps the server's memory flat: the upload is generated on the fly and streamed to a
// Strata server in a child process, whose RSS is sampled during the upload (the child reports it over
// IPC). Prints the peak growth; asserts only a generous bound, never a time.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { download, generated, uploadRaw } from './files.test-util.js';

const TOTAL = 500 * 1024 * 1024;
const BOUND = 200 * 1024 * 1024;

interface Sample {
  rss: number;
  arrayBuffers: number;
}

describe('a 500 MB upload keeps server memory flat [sqlite + local directory]', () => {
  let child: ChildProcess;
  let mountURL: string;
  let dir: string;
  const samples: Sample[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-files-memory-'));
    const script = fileURLToPath(new URL('./files-memory-server.test-util.ts', import.meta.url));
    child = fork(script, [dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    mountURL = await new Promise<string>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`memory test server exited early (${String(code)})`)));
      child.on('message', (message: { mountURL?: string; sample?: Sample }) => {
        if (message.mountURL !== undefined) resolve(message.mountURL);
        if (message.sample !== undefined) samples.push(message.sample);
      });
    });
  });
  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams 500 MB in and out with bounded RSS growth, byte-exact by sha256', async () => {
    // Let the idle server settle, then take the baseline as the lowest of its first samples.
    while (samples.length < 5) await new Promise((resolve) => setTimeout(resolve, 50));
    const baseline = Math.min(...samples.map((s) => s.rss));
    const start = samples.length;
    const source = generated(TOTAL);
    const res = await uploadRaw({ mountURL, name: 'huge.bin', body: source.chunks, master: true });
    assert.equal(res.status, 201, res.body.toString());
    const got = await download(String(res.json['url']));
    assert.equal(got.size, TOTAL);
    assert.equal(got.sha256, source.digest());
    const during = samples.slice(start);
    assert.ok(during.length > 0, 'the server reported no memory samples during the transfer');
    const peak = Math.max(...during.map((s) => s.rss));
    const peakBuffers = Math.max(...during.map((s) => s.arrayBuffers));
    const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `# 500 MB upload + download: server RSS baseline ${mb(baseline)}, peak ${mb(peak)} (growth ${mb(peak - baseline)}), peak arrayBuffers ${mb(peakBuffers)}, ${during.length} samples`,
    );
    assert.ok(peak - baseline < BOUND, `RSS grew by ${mb(peak - baseline)} (bound ${mb(BOUND)})`);
  });
});
