import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OPTIONS } from './config/index.js';

// Drives the real `strata` entry point as a child process (through tsx, from src): flags, env, the keys file,
// /health and a graceful SIGTERM.
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const CHILD_ENV = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' };

function runSync(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...CHILD_ENV, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Running {
  child: ChildProcess;
  /** Resolves once stderr contains `text` (stdout and stderr are separate pipes, so order is not guaranteed). */
  stderrIncludes: (text: string) => Promise<void>;
  port: number;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startServer(args: string[], children: Set<ChildProcess>): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'start', '--port', '0', '--host', '127.0.0.1', ...args],
    { env: CHILD_ENV },
  );
  // Killed in `after` if a failed assertion skips the test's own SIGTERM, so a failure cannot hang the run.
  children.add(child);
  child.on('close', () => children.delete(child));
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stderrIncludes = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!err.includes(text)) return;
        child.stderr.off('data', check);
        resolve();
      };
      child.stderr.on('data', check);
      check();
    });
  // 'close' (not 'exit') so every byte the child wrote has been read when the promise resolves.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.includes('"strata is listening"'));
      if (line) {
        const { port } = JSON.parse(line) as { port: number };
        resolve({ child, port, exited, stderrIncludes, stderr: () => err, stdout: () => out });
      }
    });
    void exited.then((code) => reject(new Error(`strata exited with ${code} before listening: ${err}`)));
  });
}

describe('strata CLI', () => {
  let dir = '';
  const children = new Set<ChildProcess>();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-cli-'));
  });
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints help generated from every declared option', () => {
    const { status, stdout } = runSync(['--help']);
    assert.equal(status, 0);
    for (const option of OPTIONS) {
      assert.ok(stdout.includes(option.flag), `help mentions ${option.flag}`);
      assert.ok(stdout.includes(option.env), `help mentions ${option.env}`);
    }
  });

  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.deepEqual(runSync(['--version']), { status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('rejects a bad value with exit code 2 and one line naming the option', () => {
    assert.deepEqual(runSync(['start', '--port', 'abc']), {
      status: 2,
      stdout: '',
      stderr: 'strata: --port: expected an integer between 0 and 65535, got "abc"\n',
    });
    assert.equal(
      runSync([], { STRATA_LOG_LEVEL: 'loud' }).stderr,
      'strata: STRATA_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"\n',
    );
  });

  it('reads the config file named by --config and reports its problems', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"port": "nope"}');
    assert.equal(
      runSync(['--config', path]).stderr,
      `strata: ${path}: port: expected an integer between 0 and 65535, got "nope"\n`,
    );
    writeFileSync(path, '{port');
    assert.equal(runSync([], { STRATA_CONFIG: path }).status, 2);
  });

  it('generates keys on first start, prints them once, reuses them, and stops on SIGTERM with exit 0', async () => {
    const dataDir = join(dir, 'data');
    const first = await startServer(['--data-dir', dataDir], children);
    await first.stderrIncludes('\'{"score":1337,"playerName":"Sean"}\'');
    const keys = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8')) as Record<string, string>;
    assert.equal(statSync(join(dataDir, 'keys.json')).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.match(keys['appId'] ?? '', /^strata-[A-Za-z0-9]{12}$/);
    for (const value of [keys['appId'], keys['masterKey'], keys['clientKey']])
      assert.ok(first.stderr().includes(value ?? '-'));
    assert.ok(first.stderr().includes(`curl -X POST http://127.0.0.1:${first.port}/parse/classes/GameScore`));

    const health = await fetch(`http://127.0.0.1:${first.port}/parse/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = await startServer(['--data-dir', dataDir], children);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    assert.equal(second.stderr(), '');
    assert.ok(!second.stdout().includes(keys['masterKey'] ?? '-'));
    assert.ok(!second.stdout().includes(keys['clientKey'] ?? '-'));
    assert.ok(second.stdout().includes('using the keys generated on first start'));
    assert.deepEqual(JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8')), keys);
  });

  it('says where the generated keys are when the first start fails after generating them', () => {
    const dataDir = join(dir, 'failed-first-start');
    const failed = runSync(['start', '--port', '0', '--data-dir', dataDir, '--cloud', join(dir, 'missing.js')]);
    assert.notEqual(failed.status, 0);
    assert.ok(failed.stderr.includes(`the generated keys are in ${join(dataDir, 'keys.json')}`), failed.stderr);
    const keys = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8')) as Record<string, string>;
    assert.ok(!failed.stderr.includes(keys['masterKey'] ?? '-'));
  });

  it('does not create a keys file when the app id and master key are configured', async () => {
    const dataDir = join(dir, 'configured');
    const server = await startServer(['--data-dir', dataDir, '--app-id', 'app', '--master-key', 'secret'], children);
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0);
    assert.equal(server.stderr(), '');
    assert.throws(() => statSync(join(dataDir, 'keys.json')), { code: 'ENOENT' });
  });
});
