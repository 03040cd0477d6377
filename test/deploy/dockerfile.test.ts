/**
 * `deploy/Dockerfile` checked without a Docker engine. The file is read as data (test/helpers/dockerfile.ts):
 * every COPY from the build context names a file that exists and that `.dockerignore` lets in; every COPY from
 * an earlier stage names what that stage makes (the build stage runs the root `prepare`, as a checkout does,
 * so this checkout's build output stands for it). Then the runtime stage is assembled from its own COPY lines
 * (this checkout's files in their places; node_modules linked, not installed, so the production-only install is
 * not what runs here) and each role docker-compose.yml runs is started from it the way the image starts it
 * (ENTRYPOINT, the service's command, the image's ENV), and the image's HEALTHCHECK command is run against it:
 * it must pass while the server runs and fail once it has stopped.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { copiesOf, dockerIgnores, envOf, execForm, parseDockerfile } from '../helpers/dockerfile.js';
import type { Stage } from '../helpers/dockerfile.js';
import { freePort } from '../helpers/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const stages = parseDockerfile(readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8'));
const runtime = stages.at(-1) as Stage;
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
const WORKDIR = '/app';

function last(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;
}

/** The `command:` of each Strata service of docker-compose.yml (the ones that run `start`). */
function composeRoleCommands(): string[][] {
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  return [...compose.matchAll(/^\s+command: (\[.*\])$/gm)]
    .map((match) => JSON.parse((match[1] ?? '').replaceAll("'", '"')) as string[])
    .filter((command) => command[0] === 'start');
}

const scratch = mkdtempSync(join(tmpdir(), 'strata-dockerfile-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('deploy/Dockerfile', () => {
  it('is multi-stage; the runtime is a slim base, a non-root user, an ENTRYPOINT and a HEALTHCHECK', () => {
    assert.ok(stages.length >= 2, 'a build stage apart from the runtime');
    assert.match(runtime.base, /slim|alpine|distroless/);
    const user = last(runtime, 'USER');
    assert.ok(user !== undefined && !/^(root|0)(:|$)/.test(user), `runs as ${user ?? 'root'}`);
    assert.equal(last(runtime, 'WORKDIR'), WORKDIR);
    assert.ok(last(runtime, 'HEALTHCHECK')?.includes('CMD'));
    assert.deepEqual(execForm(last(runtime, 'ENTRYPOINT') ?? ''), ['node', 'server/bin/strata.js']);
  });

  it('copies from the build context only paths that exist and that .dockerignore lets in', () => {
    const sources = stages.flatMap((stage) => copiesOf(stage).filter((copy) => copy.from === undefined));
    assert.ok(sources.length > 0);
    for (const copy of sources) {
      for (const source of copy.sources) {
        const path = source.replace(/^\.\//, '').replace(/\/$/, '');
        assert.ok(existsSync(join(ROOT, path)), `COPY ${source}: no such path in the repository`);
        assert.equal(dockerIgnores(dockerignore, path), false, `COPY ${source}: .dockerignore leaves it out`);
      }
    }
  });

  it('copies from an earlier stage only what it makes; the build stage runs the same `prepare` as a checkout', () => {
    const names = stages.map((stage) => stage.name);
    const build = stages.find((stage) => stage.name === 'build');
    assert.ok(build !== undefined, 'a stage named build');
    const runs = build.instructions.filter((instruction) => instruction.keyword === 'RUN').map((i) => i.args);
    assert.ok(
      runs.some((run) => /\bnpm run prepare\b/.test(run)),
      'the build stage runs `npm run prepare` (server, SDK and the dashboard bundle)',
    );
    const prepare = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts['prepare'];
    assert.match(prepare ?? '', /tsc -b/);
    assert.match(prepare ?? '', /build -w @strata\/dashboard/);
    for (const [index, stage] of stages.entries()) {
      for (const copy of copiesOf(stage)) {
        if (copy.from === undefined) continue;
        assert.ok(names.slice(0, index).includes(copy.from), `COPY --from=${copy.from}: no earlier stage of that name`);
        for (const source of copy.sources) {
          assert.ok(source.startsWith(`${WORKDIR}/`), `COPY --from=${copy.from} ${source}: outside ${WORKDIR}`);
          const path = source.slice(WORKDIR.length + 1);
          assert.ok(
            existsSync(join(ROOT, path)),
            `COPY --from=${copy.from} ${source}: the stage does not make it (not in this built checkout: npm run build)`,
          );
        }
      }
    }
  });

  describe('the runtime stage, assembled from its COPY lines', () => {
    const app = join(scratch, 'image', 'app');
    const children: ChildProcess[] = [];
    after(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    function assemble(): void {
      mkdirSync(app, { recursive: true });
      for (const copy of copiesOf(runtime)) {
        assert.ok(copy.from !== undefined, 'the runtime stage copies only from earlier stages');
        for (const source of copy.sources) {
          const path = source.slice(WORKDIR.length + 1);
          const target = join(
            app,
            copy.destination.endsWith('/') ? join(copy.destination, path.split('/').at(-1) ?? '') : copy.destination,
          );
          if (path === 'node_modules') linkNodeModules(target);
          else {
            mkdirSync(dirname(target), { recursive: true });
            cpSync(join(ROOT, path), target, { recursive: true });
          }
        }
      }
    }

    /** Every package linked from this checkout, except the workspaces: their links point into the image's own copies. */
    function linkNodeModules(target: string): void {
      mkdirSync(join(target, '@strata'), { recursive: true });
      for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
        if (entry === '@strata') continue;
        symlinkSync(join(ROOT, 'node_modules', entry), join(target, entry));
      }
      for (const workspace of readdirSync(join(ROOT, 'node_modules/@strata'))) {
        symlinkSync(readlinkSync(join(ROOT, 'node_modules/@strata', workspace)), join(target, '@strata', workspace));
      }
    }

    function healthcheck(env: NodeJS.ProcessEnv): number | null {
      const command = execForm(last(runtime, 'HEALTHCHECK') ?? '');
      assert.equal(command[0], 'node');
      return spawnSync(process.execPath, command.slice(1), { cwd: app, env, encoding: 'utf8' }).status;
    }

    it('starts every role of docker-compose.yml; the HEALTHCHECK passes while it runs and fails once it stops', async () => {
      assemble();
      const entrypoint = execForm(last(runtime, 'ENTRYPOINT') ?? '');
      const commands = composeRoleCommands();
      assert.deepEqual(commands.map((command) => command.at(-1)).sort(), ['api', 'live', 'worker']);
      for (const command of commands) {
        const role = command.at(-1) as string;
        const port = await freePort();
        const env: NodeJS.ProcessEnv = {
          PATH: process.env['PATH'],
          HOME: scratch,
          ...envOf(runtime),
          // The image's /data and port, moved to this machine; one process (NODE_ENV=production would start
          // one per core), which is enough to show the files are there.
          STRATA_DATA_DIR: join(scratch, `data-${role}`),
          STRATA_PORT: String(port),
          STRATA_HOST: '127.0.0.1',
          STRATA_WORKERS: '1',
          STRATA_LOG_LEVEL: 'warn',
        };
        assert.equal(env['NODE_ENV'], 'production', 'the image runs in production mode');
        const child = spawn(process.execPath, [...entrypoint.slice(1), ...command], {
          cwd: app,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        // Docker retries the check until the start period is over; bounded by attempts here, not by a clock.
        let healthy = false;
        for (let attempt = 0; attempt < 150 && !healthy; attempt++) {
          assert.equal(child.exitCode, null, `${role} exited: ${output}`);
          healthy = healthcheck(env) === 0;
          if (!healthy) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        assert.ok(healthy, `${role}: the HEALTHCHECK never passed: ${output}`);
        if (role === 'api') {
          const page = await fetch(`http://127.0.0.1:${port}/dashboard/`);
          assert.equal(page.status, 200, 'the api role serves the dashboard bundle the build stage made');
          assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
          assert.match(await page.text(), /<script[^>]+src="\/dashboard\/assets\//);
        }
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
        assert.notEqual(healthcheck(env), 0, `${role}: the HEALTHCHECK must fail when nothing answers`);
      }
    });
  });
});
