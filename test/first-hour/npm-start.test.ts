/**
 * `npm start` is stopped by what stops npm: a process manager or a container runtime sends SIGTERM to npm's
 * pid, and the server must stop and free its port. With `tsc -b && node ...` as the start script, the shell
 * that npm spawned kept node as its child, npm's forwarded signal ended only the shell, and node went on
 * holding the port. Drives the real npm against the built server (npm install builds it).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = existsSync(join(ROOT, 'server/dist/main.js'));
if (!BUILT) console.log('# npm start test skipped: server/dist is not built (npm install or npm run build builds it)');

/** True when nothing listens on the port any more: it can be bound again. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Pids whose command line contains `text` (Linux /proc; elsewhere none are found). */
function processesNaming(text: string): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The timeout only turns a server that never stops (the bug) into a failure instead of a hung run.
describe('npm start', { skip: !BUILT && 'server/dist is not built', timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'strata-npm-start-'));
  let npm: ChildProcess | undefined;
  let port = 0;
  after(() => {
    // When the test failed, the server may outlive npm: stop the processes this test started (their command
    // line names its own data directory), so a failure does not leave a port taken.
    if (npm?.exitCode === null) npm.kill('SIGKILL');
    for (const pid of processesNaming(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops, freeing its port, when npm gets SIGTERM', async () => {
    port = await freePort();
    // --ignore-scripts: the prestart staleness check may rebuild; this test is about the signal, not the build.
    npm = spawn(
      'npm',
      [
        'start',
        '--ignore-scripts',
        '--',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        '--app-id',
        'npm-start-app',
        '--master-key',
        'npm-start-master',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRATA_DEV: '' } },
    );
    let output = '';
    npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const npmExited = new Promise<void>((resolve) => npm?.once('exit', () => resolve()));

    let up = false;
    while (!up && npm.exitCode === null) {
      up = await fetch(`http://127.0.0.1:${port}/parse/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (!up) await pause(200);
    }
    assert.ok(up, `the server answered /health:\n${output}`);

    npm.kill('SIGTERM');
    await npmExited;
    while (!(await portIsFree(port))) await pause(200);
    assert.equal(await portIsFree(port), true);
    assert.match(output, /shutting down/, 'the server itself got the signal and shut down gracefully');
  });
});
