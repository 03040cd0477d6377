// Child-process plumbing for the benchmark: free loopback ports, spawning a server with its output kept
// in a small ring buffer (shown only when something fails), waiting for health, and stopping it by pid.
// It knows nothing about Strata or parse-server.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const TAIL_LINES = 40;

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `command args` and keeps the last lines of its stdout/stderr.
 * Returns `{ child, startedAt, tail(), exited }`; `exited` resolves with `{ code, signal }`.
 */
export function spawnProcess({ command, args, env, cwd, name, stdoutPath }) {
  const lines = [];
  const keep = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      lines.push(`[${name}] ${line}`);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  const startedAt = performance.now();
  // With `stdoutPath`, stdout goes to that file (not kept in the tail); stderr is always kept.
  const stdout = stdoutPath === undefined ? 'pipe' : openSync(stdoutPath, 'a');
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', stdout, 'pipe'] });
  if (typeof stdout === 'number') closeSync(stdout);
  child.stdout?.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (err) => {
      lines.push(`[${name}] spawn error: ${err.message}`);
      resolve({ code: -1, signal: null });
    });
  });
  return { child, startedAt, exited, tail: () => lines.join('\n') };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `url` until it answers 200. Resolves with the `performance.now()` of that first 200.
 * Rejects when the process exits first or `timeoutMs` passes (the error carries the output tail).
 */
export async function waitForHttp200(proc, url, { timeoutMs = 60_000, intervalMs = 5 } = {}) {
  let exit = null;
  proc.exited.then((e) => {
    exit = e;
  });
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exit) {
      throw new Error(
        `process exited (code ${exit.code}, signal ${exit.signal}) before ${url} answered 200\n${proc.tail()}`,
      );
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for 200 from ${url}\n${proc.tail()}`);
}

/** Polls a TCP port until it accepts a connection (used for FerretDB). */
export async function waitForTcp(proc, port, { timeoutMs = 30_000 } = {}) {
  let exit = null;
  proc.exited.then((e) => {
    exit = e;
  });
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exit) throw new Error(`process exited (code ${exit.code}) before port ${port} opened\n${proc.tail()}`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for port ${port}\n${proc.tail()}`);
}

/** Sends SIGTERM to this one child and waits; SIGKILL after `graceMs`. Never touches other processes. */
export async function stopProcess(proc, { graceMs = 5000 } = {}) {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return proc.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}
