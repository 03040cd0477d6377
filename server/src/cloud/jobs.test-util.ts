/**
 * Helpers for the job tests: start a job over HTTP and poll its `_JobStatus` row until it reaches a state.
 */
import assert from 'node:assert/strict';
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

/** Polls a condition in the test process (20 s deadline unless `deadlineMs` says otherwise). */
export async function until(what: string, check: () => boolean | Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
