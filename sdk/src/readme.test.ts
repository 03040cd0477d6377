import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { APP_ID, CLIENT_KEY, MASTER_KEY, startServer } from './test-server.test-util.js';
import type { SdkTestServer } from './test-server.test-util.js';

/**
 * sdk/README.md promises that its ```ts examples run as is, top to bottom: this test runs them, in one ES
 * module in a child process, against a real server (the README's ```typescript blocks are illustrations
 * and are not run).
 */
const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(SDK_DIR, '..');

function examples(): string {
  const readme = readFileSync(join(SDK_DIR, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  assert.ok(blocks.length >= 15, `expected the README's examples, found ${blocks.length} blocks`);
  const sdk = pathToFileURL(join(SDK_DIR, 'src/index.ts')).href;
  return blocks.join('\n').replaceAll("'@strata/sdk'", `'${sdk}'`);
}

/** A free loopback port, so the server's public URL (used in mail links and file URLs) can name it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('sdk/README.md examples', () => {
  let server: SdkTestServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-sdk-readme-'));
    const port = await freePort();
    server = await startServer({
      config: { port, publicServerURL: `http://127.0.0.1:${port}/parse` },
      cloud: (registry) => {
        registry.defineFunction({ name: 'averageStars', source: 'strata', handler: async () => ({ result: 4.5 }) });
        registry.defineJob({ name: 'cleanup', source: 'strata', handler: async () => 'done' });
      },
    });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('run without errors and print what they say', async () => {
    const file = join(dir, 'readme-examples.mts');
    writeFileSync(file, examples());
    const env = {
      ...process.env,
      STRATA_URL: server.serverURL,
      STRATA_APP_ID: APP_ID,
      STRATA_CLIENT_KEY: CLIENT_KEY,
      STRATA_MASTER_KEY: MASTER_KEY,
    };
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', file],
        { cwd: ROOT, env, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 },
        (error, stdout, stderr) => done({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
      );
    });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    const lines = run.stdout.split('\n');
    const has = (pattern: RegExp): void =>
      assert.ok(
        lines.some((l) => pattern.test(l)),
        `no line matching ${pattern}:\n${run.stdout}`,
      );
    has(/^[A-Za-z0-9]{10} true$/);
    has(/^Pete Docter$/);
    has(/^4 \[ 'animation', 'sci-fi' \]$/);
    has(/^\[ 'WALL-E' \]$/);
    has(/^\[ 'Soul', 'Inside Out' \]$/);
    has(/^101$/);
    has(/^user is now ann$/);
    has(/^login true$/);
    has(/^\[ 'ann' \]$/);
    has(/^pretend this is a PNG$/);
    has(/^4\.5$/);
    has(/^Hi! undefined$/);
    has(/^404$/);
    has(/^AbortError$/);
  });
});
