import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

function cloudSource(answer: string): string {
  return `Parse.Cloud.define('version', () => ${JSON.stringify(answer)});\n`;
}

/**
 * The real CLI with --dev, as a child process; its output is collected to find ports and messages. Every wait
 * is for something the CLI does (a server announcing itself, a line on stderr, an exit), never for a time: under
 * load a restart through tsx takes as long as it takes. The suite's timeout only turns a hang into a failure.
 */
describe('strata start --dev: cloud code reload', { timeout: 600_000 }, () => {
  let dir: string;
  let dataDir: string;
  let cli: ChildProcess;
  let stdout = '';
  let stderr = '';
  /** Counts what can change a probe's answer: servers announcing themselves, supervisor lines, the exit. */
  let happenings = 0;
  let wake: (() => void) | undefined;
  const happened = (): void => {
    happenings += 1;
    wake?.();
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-dev-'));
    // Outside the watched directory: the database's writes are not code changes.
    dataDir = mkdtempSync(join(tmpdir(), 'strata-dev-data-'));
    writeFileSync(join(dir, 'main.js'), cloudSource('one'));
    cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        'start',
        '--dev',
        '--cloud',
        join(dir, 'main.js'),
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data-dir',
        dataDir,
        '--app-id',
        'dev-app',
        '--master-key',
        'dev-master-key',
        '--client-key',
        'dev-client-key',
        '--log-level',
        'info',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, STRATA_DEV: undefined } },
    );
    cli.stdout?.on('data', (chunk: Buffer) => {
      const announced = listening().length;
      stdout += chunk.toString();
      // Request log lines are not counted: a probe's own request must not wake the next probe.
      if (listening().length > announced) happened();
    });
    cli.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      happened();
    });
    cli.on('exit', happened);
  });

  after(async () => {
    if (cli.exitCode === null && cli.signalCode === null) {
      const exited = new Promise((resolve) => cli.once('exit', resolve));
      cli.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The ports of the servers that announced themselves, oldest first. */
  function listening(): number[] {
    return [...stdout.matchAll(/"port":(\d+)[^\n]*"msg":"strata is listening"/g)].map((m) => Number(m[1]));
  }

  /** The port of the newest server that announced itself. */
  function latestPort(): number | undefined {
    return listening().at(-1);
  }

  async function callVersion(): Promise<string | undefined> {
    const port = latestPort();
    if (port === undefined) return undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/parse/functions/version`, {
        method: 'POST',
        headers: {
          'X-Parse-Application-Id': 'dev-app',
          'X-Parse-REST-API-Key': 'dev-client-key',
          'Content-Type': 'application/json',
        },
        body: '{}',
      });
      const body = (await response.json()) as { result?: unknown };
      return typeof body.result === 'string' ? body.result : undefined;
    } catch {
      return undefined; // the server is restarting
    }
  }

  /**
   * Probes again each time the CLI does something that could change the answer (a server announced itself, the
   * supervisor said something, the CLI exited), until the probe holds. Fails if the CLI exits first.
   */
  async function until(what: string, probe: () => Promise<boolean> | boolean): Promise<void> {
    for (;;) {
      const seen = happenings;
      if (await probe()) return;
      if (cli.exitCode !== null || cli.signalCode !== null) {
        assert.fail(`the CLI exited while waiting for ${what}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
      }
      if (happenings === seen) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
  }

  it('serves the cloud code, and the new code after the file changes', async () => {
    await until('the first server to answer "one"', async () => (await callVersion()) === 'one');
    assert.match(stderr, /strata --dev: watching /);
    writeFileSync(join(dir, 'main.js'), cloudSource('two'));
    await until('the restarted server to answer "two"', async () => (await callVersion()) === 'two');
    assert.match(stderr, /main\.js changed; restarting the server/);
    // A planned restart is not reported as the server exiting by itself.
    assert.doesNotMatch(stderr, /the server exited/);
  });

  it('follows a file replaced by rename (an atomic save), and the in-place writes after it', async () => {
    writeFileSync(join(dir, 'next.tmp'), cloudSource('renamed'));
    renameSync(join(dir, 'next.tmp'), join(dir, 'main.js'));
    await until('the restarted server to answer "renamed"', async () => (await callVersion()) === 'renamed');
    // Node 20's recursive watcher lost a file replaced by rename: this write went unnoticed.
    writeFileSync(join(dir, 'main.js'), cloudSource('in place'));
    await until('the restarted server to answer "in place"', async () => (await callVersion()) === 'in place');
  });

  /** What stderr says after the last "restarting" line, line by line. */
  function sinceLastRestart(): string[] {
    const lines = stderr.split('\n').filter((line) => line !== '');
    const at = lines.findLastIndex((line) => line.includes('changed; restarting the server'));
    return lines.slice(at + 1);
  }

  it('keeps serving the last good code while new code fails to load, and says why in one line', async () => {
    const port = latestPort();
    const kept = /still serving the previous code/g;
    writeFileSync(join(dir, 'main.js'), "throw new Error('half-written file');\n");
    await until('the failed load to be reported', () => (stderr.match(kept) ?? []).length === 1);
    assert.equal(sinceLastRestart().length, 2, sinceLastRestart().join('\n'));
    assert.match(
      sinceLastRestart()[0] ?? '',
      /^strata: --cloud .*main\.js: the cloud code failed to load: half-written file \(at \S*main\.js:1:\d+\)$/,
    );
    assert.equal(await callVersion(), 'in place', 'the previous server still answers');
    assert.equal(latestPort(), port);

    writeFileSync(join(dir, 'main.js'), "Parse.Cloud.define('version', () => 'x'\nconst y = ;\n");
    await until('the syntax error to be reported', () => (stderr.match(kept) ?? []).length === 2);
    const [error = '', status = ''] = sinceLastRestart();
    assert.equal(sinceLastRestart().length, 2, sinceLastRestart().join('\n'));
    assert.match(error, /syntax error at \S*main\.js:1:\d+: missing \) after argument list$/);
    assert.match(status, /^strata --dev: the cloud code did not load; still serving the previous code/);
    assert.equal(await callVersion(), 'in place');

    writeFileSync(join(dir, 'main.js'), cloudSource('three'));
    await until('the fixed code to answer "three"', async () => (await callVersion()) === 'three');
    assert.doesNotMatch(stderr, /the server exited/);
  });

  it('stops the server with the supervisor', async () => {
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    cli.kill('SIGTERM');
    assert.equal(await exited, 0);
    const port = latestPort();
    await assert.rejects(() => fetch(`http://127.0.0.1:${String(port)}/parse/health`));
  });
});
