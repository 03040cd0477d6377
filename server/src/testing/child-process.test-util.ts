/**
 * Tests that run Strata in child processes (crash and restart tests: jobs, push, worker kills): polling for a
 * condition, starting a child script that prints `ready <port>` once it serves, and stopping one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { CLIENT_KEY, MASTER_KEY } from './test-server.test-util.js';

/** Polls a condition in the test process until it holds; fails after `deadlineMs` (20 s unless given). */
export async function until(what: string, check: () => boolean | Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Runs `script` with tsx in `cwd`, `env` on top of this process's environment, and waits for its `ready <port>`
 * line (a cold child compiles TypeScript and loads its dependencies: a minute unless `readyMs` says otherwise).
 * A child that exits first fails the test with its output.
 */
export async function spawnReady(options: {
  script: string;
  cwd: string;
  env: Record<string, string>;
  readyMs?: number;
}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(
    `process ${String(child.pid)} to be ready`,
    () => {
      if (child.exitCode !== null) assert.fail(`the child exited early: ${output}`);
      return /ready \d+/.test(output);
    },
    options.readyMs ?? 60_000,
  );
  return { child, port: Number(/ready (\d+)/.exec(output)?.[1]) };
}

/** Resolves once the child has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal` (SIGKILL unless given) to a child still running and resolves once it has exited. */
export function killed(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.kill(signal);
  return exited(child);
}

/** Requests to a child's REST API at `/parse` with the test keys: the client key, or the master key. */
export function childApi(
  appId: string,
): (port: number, path: string, init?: { method?: string; body?: unknown; master?: boolean }) => Promise<Response> {
  return (port, path, init = {}) =>
    fetch(`http://127.0.0.1:${port}/parse${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'X-Parse-Application-Id': appId,
        ...(init.master === true ? { 'X-Parse-Master-Key': MASTER_KEY } : { 'X-Parse-REST-API-Key': CLIENT_KEY }),
        'Content-Type': 'application/json',
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
}
