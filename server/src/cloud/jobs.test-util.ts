/**
 * Helpers for the job tests: start a job over HTTP, poll its `_JobStatus` row until it reaches a state, and
 * run Strata child processes to kill mid-job.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnReady } from '../testing/child-process.test-util.js';
import type { TestServer } from '../testing/test-server.test-util.js';

export type JobStatusJSON = Record<string, unknown> & { status?: string; message?: string };

/** `POST /jobs/<name>` with the master key; returns the status id from `X-Parse-Job-Status-Id`. */
export async function startJob(
  server: TestServer,
  name: string,
  params: Record<string, unknown> = {},
): Promise<string> {
  const response = await server.call({ method: 'POST', path: `/jobs/${name}`, master: true, body: params });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  assert.deepEqual(response.body, {});
  const id = response.headers.get('x-parse-job-status-id');
  assert.ok(id !== null && /^[A-Za-z0-9]{10}$/.test(id), `a status id, got ${String(id)}`);
  return id;
}

export async function jobStatus(server: TestServer, id: string): Promise<JobStatusJSON | undefined> {
  const response = await server.call({ path: `/classes/_JobStatus/${id}`, master: true });
  return response.status === 200 ? (response.body as JobStatusJSON) : undefined;
}

/** Polls the row until `check` holds (20 s deadline on a shared machine); fails with the last row seen. */
export async function waitForStatus(
  server: TestServer,
  id: string,
  check: (row: JobStatusJSON) => boolean,
): Promise<JobStatusJSON> {
  const deadline = Date.now() + 20_000;
  let last: JobStatusJSON | undefined;
  for (;;) {
    last = await jobStatus(server, id);
    if (last !== undefined && check(last)) return last;
    if (Date.now() > deadline)
      assert.fail(`job ${id} did not reach the expected state; last row: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the job is finished (succeeded or failed). */
export function waitForFinish(server: TestServer, id: string): Promise<JobStatusJSON> {
  return waitForStatus(server, id, (row) => row.status === 'succeeded' || row.status === 'failed');
}

export { exited, until } from '../testing/child-process.test-util.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./jobs-worker.test-util.ts', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** A Strata child process running `jobs-worker.test-util.ts`, ready to serve and run jobs. */
export interface JobProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The port its HTTP server listens on (role `all`). */
  readonly port: number;
}

/** Starts the child with `env` on top of this process's environment and waits for its `ready` line. */
export async function spawnJobProcess(env: Record<string, string>): Promise<JobProcess> {
  const { child, port } = await spawnReady({ script: WORKER_SCRIPT, cwd: SERVER_DIR, env });
  return { child, pid: child.pid as number, port };
}

/** The `<pid>:<jobId>` lines the `blocker` job wrote, one per run started. */
export function blockerRuns(dir: string): Array<{ pid: number; jobId: string }> {
  const file = join(dir, 'runs');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [pid, jobId] = line.split(':');
      return { pid: Number(pid), jobId: String(jobId) };
    });
}
