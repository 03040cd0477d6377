import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
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
    // An unknown role is refused the same way, naming the roles there are.
    assert.deepEqual(runSync(['start', '--role', 'boss']), {
      status: 2,
      stdout: '',
      stderr: 'strata: --role: expected one of api, live, worker, all, got "boss"\n',
    });
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

describe('strata start: a failed start says what is wrong and what to do, in at most three lines', () => {
  let dir = '';
  let busy: Server;
  let busyPort = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-cli-fail-'));
    writeFileSync(join(dir, 'broken.ts'), 'const x: number = 1;\nParse.Cloud.define("a", () => x\nfoo(\n');
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as AddressInfo).port;
  });
  after(() => {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const scenarios: ReadonlyArray<{
    name: string;
    args: () => string[];
    exit: number;
    first: RegExp;
    second: RegExp;
    skip?: string | false;
  }> = [
    {
      name: 'a missing --cloud file',
      args: () => ['--cloud', join(dir, 'missing.js')],
      exit: 3,
      first: /^strata: --cloud \S*missing\.js: no such file/,
      second: /^ {2}Check the path/,
    },
    {
      name: 'a syntax error in the cloud code, with file:line',
      args: () => ['--cloud', join(dir, 'broken.ts')],
      exit: 3,
      first:
        /^strata: --cloud \S*broken\.ts: the cloud code failed to load: syntax error at \S*broken\.ts:3:1: Expected "\)" but found "foo"$/,
      second: /^ {2}Fix the cloud code/,
    },
    {
      name: 'a port in use',
      args: () => ['--port', String(busyPort)],
      exit: 5,
      first: /^strata: port \d+ is already in use/,
      second: /^ {2}Stop what is listening there .* --port <n>/,
    },
    {
      name: 'an unreachable MongoDB, within the connect timeout',
      args: () => ['--database-uri', 'mongodb://127.0.0.1:1/strata_nope', '--database-connect-timeout', '500'],
      exit: 4,
      first: /^strata: cannot reach MongoDB at 127\.0\.0\.1:1 within 0\.5 s: .*ECONNREFUSED/,
      second: /^ {2}Start MongoDB or fix --database-uri/,
    },
    {
      name: 'an unreachable Redis',
      args: () => ['--redis-url', 'redis://:hunter2@127.0.0.1:1'],
      exit: 4,
      first: /^strata: cannot reach Redis at 127\.0\.0\.1:1: .*ECONNREFUSED/,
      second: /^ {2}Start Redis or fix --redis-url/,
    },
    {
      // Node's recursive mkdir spun forever at full CPU here.
      name: 'a SQLite path that cannot be created',
      args: () => ['--database-uri', 'sqlite:/proc/strata-nope/x.db'],
      exit: 4,
      first: /^strata: cannot open the SQLite database \/proc\/strata-nope\/x\.db: ENOENT/,
      second: /^ {2}Fix --database-uri sqlite:<path> or --data-dir/,
      skip: process.platform !== 'linux' && 'needs Linux /proc',
    },
  ];
  for (const s of scenarios) {
    it(s.name, { skip: s.skip ?? false }, () => {
      const args = ['start', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'data')];
      const result = runSync([...args, '--app-id', 'app', '--master-key', 'mk', ...s.args()]);
      assert.equal(result.status, s.exit, result.stderr);
      const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line !== '');
      assert.ok(lines.length <= 3, `at most three lines:\n${lines.join('\n')}`);
      const [first = '', second = ''] = result.stderr.split('\n');
      assert.match(first, s.first);
      assert.match(second, s.second);
      assert.doesNotMatch(result.stderr, /^\s+at /m, 'no stack');
      assert.doesNotMatch(result.stderr, /hunter2/, 'no password');
    });
  }

  it('shows the stack with --log-level debug', () => {
    const args = ['start', '--host', '127.0.0.1', '--port', String(busyPort), '--data-dir', join(dir, 'data')];
    const result = runSync([...args, '--app-id', 'app', '--master-key', 'mk', '--log-level', 'debug']);
    assert.equal(result.status, 5);
    assert.match(result.stderr, /^strata: port \d+ is already in use/);
    assert.match(result.stderr, /^\s+at .*listen/m);
  });
});
